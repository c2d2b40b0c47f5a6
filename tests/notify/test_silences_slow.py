"""A slow Alertmanager: the change's silences exist before its first step runs.

A real Alertmanager behind a relay that passes each silence's answer back 2 s late (a loaded Alertmanager, a slow
link). Before: `exec` started the first step at once while the silence was still being made, so the change's first
command ran unsilenced (the on-call paged for it); with a short step, the run even ended before the silence was
made and `silence_created` was never journaled, only its expiry. Now the run starts once the silences are settled
(each request bounded by `notify_timing.timeout`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from peers_alertmanager import Alertmanager
from waiting import pilot_until
from written_lines import written_events

from runbook_tui.app.session import load
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import opens_at_once, starters
from runbook_tui.ui.modals import LoadingScreen

pytestmark = pytest.mark.peers
CLI = [sys.executable, "-m", "runbook_tui"]
#: Seconds the relay holds a silence's answer.
DELAY = 2.0


class _SlowServer(ThreadingHTTPServer):
    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Slow)
        self.target = target


class _Slow(BaseHTTPRequestHandler):
    server: _SlowServer

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        ask = urllib.request.Request(self.server.target + self.path, data=body, method=self.command, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(ask, timeout=5) as answer:
            status, data = answer.status, answer.read()
        if self.command == "POST":
            time.sleep(DELAY)  # the answer is what is slow here, not a synchronisation
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _relay

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def slow(alertmanager: Alertmanager) -> Iterator[str]:
    server = _SlowServer(alertmanager.url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_first_step_starts_after_its_silence_is_made(alertmanager: Alertmanager, slow: str, tmp_path: Path) -> None:
    service = f"svc-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "silenced"
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-slow
title: Slow Alertmanager
alerts:
  alertmanager: {slow}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: first}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "touch {marker}", verify: none}}
""")
    journal = tmp_path / "j.jsonl"
    done = subprocess.run([*CLI, "exec", str(runbook), "--solo", "slow am", "--journal", str(journal)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    kinds = [e["type"] for e in written_events(journal)]
    assert "silence_created" in kinds, kinds
    assert kinds.index("silence_created") < kinds.index("step_started"), kinds
    assert kinds.index("silence_expired") > kinds.index("step_finished"), kinds
    ours = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    assert [s["status"]["state"] for s in ours] == ["expired"], ours  # type: ignore[index]


@pytest.mark.asyncio
async def test_the_tui_shows_the_run_once_its_silence_is_made(alertmanager: Alertmanager, slow: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run FILE --solo R` opens its run screen with the first frame (nothing slow to open), and enter runs the first
    step. Before, the session's start (which waits for the silences, as `exec`'s does) ran after that screen showed:
    enter pressed at once ran the production command while Alertmanager was still making the silence (its alerts
    paged). Now the run screen shows once the silences are settled, a loading screen saying why until then."""
    monkeypatch.chdir(tmp_path)
    service = f"svc-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "silenced"
    (tmp_path / "rb.yaml").write_text(f"""
runbook: 1
id: silence-slow-tui
title: Slow Alertmanager in the TUI
alerts:
  alertmanager: {slow}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: first}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "touch {marker}", verify: none}}
""")
    loaded = load("rb.yaml", {})
    start_for = starters(mode="live", solo="slow am", share=None, journal="j.jsonl", override_window=None)
    app = RunbookApp(start_for(loaded), opens_at_once=opens_at_once(loaded, None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot_until(pilot, lambda: isinstance(app.screen, LoadingScreen) or type(app.screen).__name__ == "RunScreen", "a screen", timeout=30)
        assert isinstance(app.screen, LoadingScreen) and f"alert silences at {slow}" in app.screen.words, "it says what it waits for"
        await pilot_until(pilot, lambda: type(app.screen).__name__ == "RunScreen" and app.screen.is_mounted, "the run screen", timeout=30)
        await pilot.press("enter")  # at once, as someone who knows the step would
        await pilot_until(pilot, lambda: marker.exists(), "the first step to run", timeout=30)
        await pilot_until(pilot, lambda: app.handle is not None and app.handle.controller.state.finished, "the run to finish", timeout=30)
    kinds = [e["type"] for e in written_events(tmp_path / "j.jsonl")]
    assert "silence_created" in kinds and kinds.index("silence_created") < kinds.index("step_started"), kinds


def test_many_silences_are_asked_for_together(alertmanager: Alertmanager, slow: str, tmp_path: Path) -> None:
    """Six silences, each answered 2 s late: before, they were made one after the other (12 s), past the 6 s a fresh run
    waits, so the first step ran with the last ones unconfirmed (`has not confirmed the silences within 6s`). Asked for
    together (bounded), all six are made and journaled before the first step starts."""
    service = f"svc-{uuid.uuid4().hex[:8]}"
    entries = "\n".join(f"    - {{matchers: ['alertname=\"Alert{n}\"', 'service=\"{service}\"'], comment: c{n}}}" for n in range(6))
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silences-many
title: Many silences
alerts:
  alertmanager: {slow}
  silence:
{entries}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "true", verify: none}}
""")
    journal = tmp_path / "j.jsonl"
    done = subprocess.run([*CLI, "exec", str(runbook), "--solo", "slow am", "--journal", str(journal)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=90, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    events = written_events(journal)
    kinds = [e["type"] for e in events]
    assert not [e for e in events if "has not confirmed" in str(e.get("text"))], done.stdout
    created = [i for i, kind in enumerate(kinds) if kind == "silence_created"]
    assert len(created) == 6 and max(created) < kinds.index("step_started"), kinds
    assert sorted(str(e["matchers"]) for e in events if e["type"] == "silence_created") == sorted(
        str([f'alertname="Alert{n}"', f'service="{service}"']) for n in range(6)
    )
    ours = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    assert sorted(s["status"]["state"] for s in ours) == ["expired"] * 6, ours  # type: ignore[index]


def test_a_silence_made_but_answered_past_the_timeout_is_found_and_expired(alertmanager: Alertmanager, slow: str, tmp_path: Path) -> None:
    """Alertmanager made the silence and answered 2 s later, past the 1 s `notify_timing.timeout`. Before: `could not
    create: did not answer within 1s`, and the silence it had made stayed active hours past the run's end (its window's
    end), unknown to the journal and the report: the on-call's real alerts silenced. Now its list is looked at: the
    silence is found, journaled as this run's (with a note) and expired at the end."""
    service = f"svc-{uuid.uuid4().hex[:8]}"
    settings = tmp_path / "cfg" / "runbook-tui" / "settings.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("notify_timing: {timeout: 1s}\n")
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"""
runbook: 1
id: silence-late-answer
title: Late answer
alerts:
  alertmanager: {slow}
  silence:
    - {{matchers: ['alertname="HighErrorRate"', 'service="{service}"'], comment: first}}
sections:
  - id: change
    kind: implement
    steps:
      - {{id: one, run: "true", verify: none}}
""")
    journal = tmp_path / "j.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([*CLI, "exec", str(runbook), "--solo", "slow am", "--journal", str(journal)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    events = written_events(journal)
    [made] = [s for s in alertmanager.silences() if service in str(s["matchers"])]
    [created] = [e for e in events if e["type"] == "silence_created"]
    assert created["id"] == made["id"], events
    assert any("answer came too late" in str(e.get("text")) and made["id"] in str(e.get("text")) for e in events), done.stdout
    assert made["status"]["state"] == "expired", made  # type: ignore[index]
