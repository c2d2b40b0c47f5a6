"""Two receivers at one URL (a json one and a slack one, as the settings' and a runbook's list may well have): a real
receiver on loopback holds both first requests until both have arrived, so the two deliveries are in flight at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver
from written_lines import written_events

pytestmark = pytest.mark.peers

RUNBOOK = """
runbook: 1
id: shared-url
title: Shared URL
notify:
  - {{url: "{url}", events: [session_started, session_finished]}}
  - {{url: "{url}", format: slack}}
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {{id: a, title: A, run: "true", verify: none, undo: "true"}}
"""


def held_until_both_arrive(hook: Receiver, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    with subprocess.Popen([sys.executable, "-m", "runbook_tui", *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            hook.wait_for(lambda r: len(r.requests) >= 2, timeout=30, what="both first requests at once")
        finally:
            hook.release.set()
        out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_two_receivers_sharing_a_url_are_each_journaled_as_delivered(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    """Before: the second answer found the first's bookkeeping gone (both were kept under the URL): a KeyError journaled
    the delivered notice as `notify_failed` `internal error: 'http://…'`, exec printed `KeyError … please report it`,
    and `preflight --notify-test` ended in a traceback."""
    hook = receiver("hang")
    path = write_runbook(RUNBOOK.format(url=hook.url))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    journal = tmp_path / "run.jsonl"
    result = held_until_both_arrive(hook, ["exec", str(path), "--solo", "t", "--journal", str(journal)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    events = written_events(journal)
    assert not [e for e in events if e["type"] == "notify_failed"], [e for e in events if e["type"] == "notify_failed"]
    delivered = sorted(e["event"] for e in events if e["type"] == "notified")
    assert delivered == ["session_finished"] * 2 + ["session_started"] * 2, delivered
    assert "KeyError" not in result.stderr and "internal error" not in result.stdout + result.stderr, result.stderr

    tested = receiver("hang")
    path.write_text(RUNBOOK.format(url=tested.url), encoding="utf-8")
    preflight = held_until_both_arrive(tested, ["preflight", str(path), "--notify-test"], env)
    assert "Traceback" not in preflight.stderr, preflight.stderr
    assert preflight.returncode == 0, preflight.stdout + preflight.stderr
    shapes = sorted("json" if r.body.get("event") == "test" else "slack" if "text" in r.body else "?" for r in tested.requests)
    assert shapes == ["json", "slack"], "one test message per receiver, in its format"
