"""`preflight` of an `alerts:` address that answers 200 but is not Alertmanager's API: a login page in front of it (an
SSO proxy), another service on that port, a JSON of another shape. Before: `ready`, exit 0; the run's silences then
all failed (`no usable silenceID in the answer`) and the change's alerts paged the on-call. The real Alertmanager is
still ready (tests/notify/test_silences_live.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_peer import hostile_peer

pytestmark = pytest.mark.peers


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (b"<html><body>Sign in with SSO</body></html>", "<html><body>Sign in with SSO</body></html>"),
        (b'{"status": "success", "data": []}', '{"status": "success", "data": []}'),
        (b"[" * 100000, "[[[["),
        (b"\x1b]0;pwned\x07[bold]x[/]", "␛]0;pwned␇[bold]x[/]"),
    ],
    ids=["login-page", "other-json", "nested", "escapes"],
)
def test_an_address_that_is_not_alertmanagers_api_is_a_finding(tmp_path: Path, body: bytes, shown: str) -> None:
    with hostile_peer() as peer:
        peer.answers["sso"] = (200, body)
        runbook = tmp_path / "rb.yaml"
        runbook.write_text(f"""
runbook: 1
id: not-am
title: Not Alertmanager
alerts:
  alertmanager: {peer.url}/sso
  silence:
    - {{matchers: ['alertname="X"'], comment: c}}
sections:
  - {{id: change, kind: precheck, steps: [{{id: one, run: "true", verify: none}}]}}
""")
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
        done = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(runbook)], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith(f"alerts: Alertmanager at {peer.url}/sso: the API answered HTTP 200, but not as Alertmanager's API v2 does"), line
    assert shown in line and "\x1b" not in line, line
