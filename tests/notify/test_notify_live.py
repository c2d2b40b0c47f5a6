"""Webhooks against real HTTP receivers on loopback: what arrives, what is journaled, and that nothing waits for them.

Each run is the real wiring (session.open_session subscribes the announcer
and starts the sender); the receivers are http.server in a thread: one that
accepts, one that answers 500, one that never answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from receivers import Receiver
from written_lines import written_events

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings, load_settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify
from runbook_tui.runbook.reach import NotifyTiming

pytestmark = pytest.mark.peers

HOOK_TOKEN = "s3cr3t-hook-token-4711"
SETTINGS_TOKEN = "settings-secret-0815"


def iso(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat(timespec="seconds")


def runbook_text(notify: str, *, steps: str = "", verify: str = "none", secrets: str = "") -> str:
    steps = (
        steps
        or f"""
      - {{id: one, title: One, run: "true", verify: {verify}}}
      - {{id: two, title: Two, run: "true", verify: {verify}}}
      - {{id: three, title: Three, run: "true", verify: {verify}}}
    """
    )
    return f"""
runbook: 1
id: notify-test
title: Notify test
ticket:
  id: CHG-7
  subject: Test the webhooks
  window: {{start: "{iso(-dt.timedelta(minutes=10))}", end: "{iso(dt.timedelta(hours=1))}"}}
  assignee: alice
  verifier: bob
{secrets}
notify:
{textwrap.indent(textwrap.dedent(notify).strip(), "  ")}
sections:
  - id: change
    kind: precheck
    steps:
{textwrap.indent(textwrap.dedent(steps).strip(), "      ")}
"""


def events_of(path: Path) -> list[dict[str, Any]]:
    return written_events(path)


def of_type(events: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind and all(e.get(k) == v for k, v in match.items())]


def start(path: Path, journal: Path, settings: Settings, *, solo: str | None = "notify test") -> Session:
    # Without solo, the test plays the verifier through the controller (as the share server would relay).
    return open_session(load(str(path), {}), solo=solo, journal=str(journal), settings=settings, verifier_in_process=solo is None)


async def run_to_end(open_it: Callable[[], Session]) -> str:
    session = open_it()  # on the loop: the sender and the metrics need it
    try:
        return await drive(session.controller, session.actor)
    finally:
        await session.close()


def test_a_live_run_tells_its_start_and_end_with_secret_headers_that_never_reach_the_journal(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook, board = receiver("ok"), receiver("ok")
    monkeypatch.setenv("HOOK_TOKEN", HOOK_TOKEN)
    monkeypatch.setenv("SETTINGS_TOKEN", SETTINGS_TOKEN)
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(f"notify:\n  - {{url: '{board.url}', events: [session_finished], headers: {{X-Token: {{env: SETTINGS_TOKEN, prefix: 'T '}}}}}}\n")
    settings = load_settings(settings_file)
    path = write_runbook(runbook_text(
        f'- {{url: "{hook.url}", headers: {{Authorization: "Bearer {{{{ secrets.hook }}}}"}}}}',
        secrets="secrets:\n  hook: {env: HOOK_TOKEN}",
    ))  # fmt: skip
    journal = tmp_path / "journal.jsonl"
    assert asyncio.run(run_to_end(lambda: start(path, journal, settings))) == "done"

    assert hook.events() == ["session_started", "session_finished"], "the runbook's receiver wants every event"
    assert board.events() == ["session_finished"], "the settings' receiver asked for the end only"
    started, finished = (r.body for r in hook.requests)
    assert {k: started[k] for k in ("event", "runbook", "ticket", "actor")} == {
        "event": "session_started",
        "runbook": "notify-test",
        "ticket": "CHG-7",
        "actor": getpass.getuser(),
    }
    assert started["time"].endswith("Z") and "solo: notify test" in started["summary"]
    assert finished["details"]["outcome"] == "done" and finished["details"]["report_command"] == f"runbook-tui report {journal} --format md"
    assert hook.requests[0].headers["Authorization"] == f"Bearer {HOOK_TOKEN}"
    assert board.requests[0].headers["X-Token"] == f"T {SETTINGS_TOKEN}"

    events = events_of(journal)
    delivered = of_type(events, "notified")
    assert sorted((e["event"], e["target"]) for e in delivered) == sorted(
        [("session_started", hook.url), ("session_finished", hook.url), ("session_finished", board.url)]
    )
    assert all(e["status"] == 204 and e["attempts"] == 1 for e in delivered)
    text = journal.read_text()
    assert HOOK_TOKEN not in text and SETTINGS_TOKEN not in text
    assert not verify(journal).problems, "the end's delivery may follow session_finished"


def test_a_receiver_answering_500_is_retried_then_journaled_and_shown_and_the_run_goes_on(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    broken = receiver("fail")
    path = write_runbook(runbook_text(f'- {{url: "{broken.url}", events: [session_started]}}'))
    journal = tmp_path / "journal.jsonl"
    settings = Settings(notify_timing=NotifyTiming(timeout=2.0, retries=2))

    async def scenario() -> None:
        session = start(path, journal, settings)
        try:
            await asyncio.to_thread(broken.wait_for, lambda r: len(r.requests) == 3, 15.0, "three attempts")
            assert await drive(session.controller, session.actor) == "done", "a failing receiver does not stop the run"
            for _ in range(200):
                if of_type(events_of(journal), "notify_failed"):
                    break
                await asyncio.sleep(0.05)
        finally:
            await session.close()

    asyncio.run(scenario())
    events = events_of(journal)
    [failed] = of_type(events, "notify_failed")
    assert failed == {**failed, "event": "session_started", "target": broken.url, "attempts": 3, "error": "the receiver answered HTTP 500: upstream exploded"}
    [shown] = [e for e in of_type(events, "error") if e.get("outreach")]
    assert shown["message"] == f"notification (session_started) to {broken.url} failed: the receiver answered HTTP 500: upstream exploded"
    assert events[-1]["type"] == "session_finished" and events[-1]["outcome"] == "done"


def _gaps(journal: Path) -> list[float]:
    """Seconds from each step's end to the next step's start, from the journal's own timestamps."""
    events = events_of(journal)

    def ts(kind: str, step: str) -> float:
        [event] = of_type(events, kind, step=step)
        return dt.datetime.fromisoformat(event["ts"]).timestamp()

    return [ts("step_started", nxt) - ts("step_finished", prev) for prev, nxt in (("one", "two"), ("two", "three"))]


def test_a_hung_receiver_does_not_delay_the_next_step(receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    """Measured: the gap between steps with a receiver that never answers is no longer than without it, give or take
    the machine's load (a send on the steps' path would wait the 5 s timeout, then retry)."""
    hung = receiver("hang")
    every_event = f'- {{url: "{hung.url}"}}'
    settings = Settings(notify_timing=NotifyTiming(timeout=5.0, retries=2))

    async def run(path: Path, journal: Path, wait_for_hang: bool) -> None:
        session = start(path, journal, settings)
        if wait_for_hang:  # the sender is inside the hung request before the first step starts
            await asyncio.to_thread(hung.wait_for, lambda r: bool(r.requests), 10.0, "the session_started notice")
        assert await run_to_end(lambda: session) == "done"

    quiet = write_runbook(runbook_text("[]"), "quiet.yaml")
    loud = write_runbook(runbook_text(every_event), "loud.yaml")
    asyncio.run(run(quiet, tmp_path / "quiet.jsonl", False))
    asyncio.run(run(loud, tmp_path / "loud.jsonl", True))
    without, with_hung = _gaps(tmp_path / "quiet.jsonl"), _gaps(tmp_path / "loud.jsonl")
    for plain, hanging in zip(without, with_hung):
        assert hanging - plain < 1.0, f"step gaps without {without} vs with a hung receiver {with_hung}"
    assert len(hung.requests) == 1, "the receiver hung on the first notice; the rest waited in its queue"
    left = {e["event"]: (e["error"], e["attempts"]) for e in of_type(events_of(tmp_path / "loud.jsonl"), "notify_failed")}
    assert left == {  # the receiver holds session_started: sent, unanswered (before: "not sent", attempts 0)
        "session_started": ("not confirmed: the session closed before the receiver answered attempt 1", 1),
        "session_finished": ("not sent: the session closed before its turn", 0),
    }


def test_late_verifier_waiting_confirmation_and_closing_window_are_announced(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    hook = receiver("ok")
    path = write_runbook(runbook_text(f'- {{url: "{hook.url}"}}', verify="after"))
    journal = tmp_path / "journal.jsonl"
    timing = NotifyTiming(verifier_missing=0.3, confirmation_waiting=0.5, window_closing=3600 - 1.0)
    wanted = {"verifier_missing", "confirmation_waiting", "window_closing"}

    async def scenario() -> None:
        session = start(path, journal, Settings(notify_timing=timing), solo=None)
        controller = session.controller
        try:
            assert controller.run_current(session.actor).ok
            await controller.wait_idle()
            assert controller.state.steps["one"].status == "awaiting_verification"
            await asyncio.to_thread(hook.wait_for, lambda r: wanted <= set(r.events()), 15.0, "the three late notices")
            controller.finish(session.actor, "aborted")
        finally:
            await session.close()

    asyncio.run(scenario())
    bodies = {r.body["event"]: r.body for r in hook.requests}
    assert bodies["verifier_missing"]["summary"].startswith("no verifier has joined CHG-7 after ")
    assert bodies["confirmation_waiting"]["details"]["step"] == "one" and bodies["confirmation_waiting"]["details"]["phase"] == "after"
    # whom it waits for, and that nobody is there to give it, as the screens say it (`Waiting for bob to confirm 'one': no
    # verifier is connected`); before: "for its confirmation from the verifier", whoever that was and wherever they were
    waiting = bodies["confirmation_waiting"]
    assert waiting["summary"] == "'one' of CHG-7 has waited 500ms for its confirmation from bob: no verifier is connected", waiting["summary"]
    assert waiting["details"]["waiting_for"] == "bob" and waiting["details"]["verifiers_connected"] == []
    assert "closes in" in bodies["window_closing"]["summary"] and bodies["window_closing"]["details"]["step"] == "one"
    assert bodies["session_finished"]["details"]["outcome"] == "aborted"
    assert all(b["actor"] == "system" for k, b in bodies.items() if k in wanted)


def test_preflight_notify_test_sends_a_test_message_to_each_url(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    hook, broken = receiver("ok"), receiver("fail")
    path = write_runbook(runbook_text(f'- {{url: "{hook.url}", format: slack}}\n- {{url: "{broken.url}", events: [session_finished]}}'))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "carol"}
    result = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(path), "--notify-test"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().splitlines() == [f"notify {broken.url}: the test message was not accepted: the receiver answered HTTP 500: upstream exploded"]
    [test] = hook.requests
    assert test.body["text"].startswith("[CHG-7] notify-test: test message from `runbook-tui preflight`"), "slack format: {text}"
    assert len(broken.requests) == 1, "a test is sent once, events filter or not"
    assert broken.requests[0].body["actor"] == "carol", "the person running preflight sent it (before: `system`)"
    quiet = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0 and len(hook.requests) == 1, "without --notify-test nothing is sent"


def test_a_receiver_whose_secret_is_missing_is_a_preflight_finding_and_an_error_in_the_run(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = receiver("ok")
    monkeypatch.delenv("RBT_NO_SUCH_TOKEN", raising=False)
    path = write_runbook(runbook_text(f'- {{url: "{hook.url}", headers: {{Authorization: {{env: RBT_NO_SUCH_TOKEN, prefix: "Bearer "}}}}}}'))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    result = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(path)], env=env, capture_output=True, text=True, timeout=60)
    wanted = (
        f"notify {hook.url} ({path}:13:5): secret 'notify header Authorization': environment variable RBT_NO_SUCH_TOKEN is not set; "
        "export it before the run; this receiver gets nothing"
    )
    assert result.returncode == 1 and result.stdout.strip() == wanted, result.stdout + result.stderr
    journal = tmp_path / "journal.jsonl"
    assert asyncio.run(run_to_end(lambda: start(path, journal, Settings()))) == "done", "a receiver that cannot be reached does not stop the change"
    assert not hook.requests
    [said] = [e for e in of_type(events_of(journal), "error") if e.get("outreach")]
    assert said["message"] == wanted and said["seq"] > 0
