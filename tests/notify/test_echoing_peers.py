"""Peers that quote back what they were sent: a secret must not come home in their error text.

A Prometheus answering 400 with the request's `Authorization` header in its body, and a webhook receiver
answering 400 with the request's target (a secret URL's path) and headers: the real `exec` and
`preflight` against tests/hostile_peer.py's `echo` behaviour on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_peer import Peer, hostile_peer

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers

PROM_TOKEN = "prom-token-9911"
HOOK_PATH_SECRET = "hookpath7788"
HOOK_TOKEN = "hook-token-5566"
SECRETS = (PROM_TOKEN, HOOK_PATH_SECRET, HOOK_TOKEN)


def _runbook(tmp_path: Path, peer: Peer, journal: Path) -> Path:
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(
        f"""
runbook: 1
id: echoing-peers
title: Echoing peers
secrets:
  prom_token: {{env: RBT_PROM_TOKEN}}
metrics:
  source: {{prometheus: {{url: "{peer.url}", token: "{{{{ secrets.prom_token }}}}"}}}}
  interval: 1s
  panels: [{{id: p1, title: P1, query: 'echo', warn: 1, critical: 2, on_no_data: ignore}}]  # the peer refuses every query: the run goes on
notify:
  - url: {{env: RBT_HOOK_URL}}
    events: [session_finished]
    headers: {{X-Token: {{env: RBT_HOOK_TOKEN}}, Authorization: {{env: RBT_HOOK_TOKEN, prefix: "Bearer "}}}}
  - url: "{peer.url}/never"
    events: [session_finished]
    headers: {{X-Wrong: "{{{{ secrets[secrets.prom_token] | string }}}}"}}
sections:
  - id: s
    title: S
    kind: verify
    steps:
      - {{id: one, title: One, run: "until grep -q metric_[b]aseline {journal}; do sleep 0.05; done", timeout: 20s, verify: none}}
""",
        encoding="utf-8",
    )
    return runbook


def _run(peer: Peer, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RBT_PROM_TOKEN=PROM_TOKEN, RBT_HOOK_URL=f"{peer.url}/echo/services/T0/B0/{HOOK_PATH_SECRET}", RBT_HOOK_TOKEN=HOOK_TOKEN)
    return subprocess.run([sys.executable, "-m", "runbook_tui", *args], env=env, capture_output=True, text=True, timeout=60)


def test_a_peer_quoting_the_request_back_shows_no_secret_in_the_journal_exec_or_preflight(tmp_path: Path) -> None:
    """Before: `preflight` printed `panel 'p1': Prometheus refused the query: bad request … authorization=Bearer
    prom-token-9911`, and the receiver's quote of the secret URL's path (`/echo/services/T0/B0/hookpath7788`) was
    journaled in `notify_failed` and printed by `exec` and `preflight --notify-test` (only the whole URL was masked),
    as was a header secret quoted without its `Bearer ` prefix; `preflight` printed a header template's error quoting
    the runbook's secret (`'str object' has no attribute 'prom-token-9911'`)."""
    journal = tmp_path / "exec.jsonl"
    with hostile_peer() as peer:
        runbook = _runbook(tmp_path, peer, journal)
        ran = _run(peer, "exec", str(runbook), "--solo", "test", "--journal", str(journal))
        checked = _run(peer, "preflight", "--notify-test", str(runbook))
        seen = [target for target, _headers in peer.seen]
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert not verify(journal).problems
    events = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    [failed] = [e for e in events if e["type"] == "notify_failed"]
    assert failed["error"].startswith("the receiver answered HTTP 400: bad request ***"), failed
    [baseline] = [e for e in events if e["type"] == "metric_baseline"]
    assert "Prometheus refused the query: bad request" in baseline["error"], baseline
    assert f"/echo/services/T0/B0/{HOOK_PATH_SECRET}" in seen, "the receiver was reached at the secret URL"
    assert "Prometheus refused the query: bad request" in checked.stdout, checked.stdout + checked.stderr
    assert "the test message was not accepted: the receiver answered HTTP 400" in checked.stdout, checked.stdout
    assert "cannot render template: 'dict object' has no attribute '***'" in checked.stdout, checked.stdout
    written = journal.read_text(encoding="utf-8") + ran.stdout + ran.stderr + checked.stdout + checked.stderr
    for secret in SECRETS:
        assert secret not in written, f"{secret} leaked:\n{written}"


def _prefixes(secret: str) -> list[str]:
    return [secret[:size] for size in range(6, len(secret) + 1)]


def test_a_quoted_token_cut_short_for_the_message_keeps_none_of_its_characters() -> None:
    """An answer becomes one line of at most 200 characters; the peer's padding moves the cut through every
    character of the quoted token. Before: the cut came first, so `…authorization=Bearer prom-tok…` and
    `…x-token=hook-tok…` kept most of the token, which no mask recognised."""
    import asyncio

    from runbook_tui.engine.redact import Redactor
    from runbook_tui.metrics.sources import PanelQuery, PrometheusSource
    from runbook_tui.notify.messages import Notice
    from runbook_tui.notify.sender import Destination, Notifier

    problems: list[str] = []

    def record(kind: str, payload: dict[str, object]) -> None:
        problems.append(str(payload["error"]))

    async def notify(url: str) -> None:
        notifier = Notifier([], record, Redactor([HOOK_TOKEN]), retries=0)
        notice = Notice("test", "r", "R", None, "system", "2026-01-01T00:00:00Z", "", "a test")
        await notifier.deliver(Destination(url, "the hook", headers={"X-Token": HOOK_TOKEN}), notice)
        await notifier.stop(drain=0)

    with hostile_peer() as peer:
        source = PrometheusSource(peer.url, PROM_TOKEN, timeout=5)
        for pad in range(100, 200):
            peer.echo_pad = pad
            sample = source.query_now(PanelQuery("p1", "echo"))
            assert sample.error is not None and sample.error.startswith("Prometheus refused the query: ...")
            assert not [p for p in _prefixes(PROM_TOKEN) if p in sample.error], (pad, sample.error)
            asyncio.run(notify(f"{peer.url}/echo"))
            assert problems[-1].startswith("the receiver answered HTTP 400: ..."), problems[-1]
            assert not [p for p in _prefixes(HOOK_TOKEN) if p in problems[-1]], (pad, problems[-1])
