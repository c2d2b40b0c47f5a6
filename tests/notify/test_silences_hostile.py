"""An Alertmanager that answers silence ids no Alertmanager makes, and one that cannot expire them at the end.

A real live run against an http.server on loopback that plays Alertmanager's
API v2: what it is asked (the DELETE's path), what the journal says, and what
the finished run's status rows say of a silence that stays active.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.engine.journal import verify
from runbook_tui.engine.state import RunState
from runbook_tui.notify.left_words import said_now
from runbook_tui.ui.status_stack import statuses

pytestmark = pytest.mark.peers


@contextmanager
def alertmanager(
    silence_id: str, expire_status: int, answer_after: Path | None = None, *, proxied: bool = False
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A stand-in Alertmanager: every POST makes `silence_id` (once `answer_after`, a journal, holds the run's end);
    every DELETE answers `expire_status`; `proxied`: behind a proxy that answers 404 for one silence (`GET
    /api/v2/silence/ID`) and lets its list through, holding the silence. Yields its URL and the (method, path) of each
    request."""
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(("POST", self.path))
            deadline = time.monotonic() + 10
            while answer_after is not None and "session_finished" not in answer_after.read_text() and time.monotonic() < deadline:
                time.sleep(0.01)
            self._answer(200, json.dumps({"silenceID": silence_id}).encode())

        def do_GET(self) -> None:
            if not proxied:
                self._answer(501, b"")
                return
            seen.append(("GET", self.path))
            if self.path.startswith("/api/v2/silence/"):
                self._answer(404, b"404 page not found\n")
            else:
                self._answer(200, json.dumps([{"id": silence_id, "status": {"state": "active"}}]).encode())

        def do_DELETE(self) -> None:
            seen.append(("DELETE", self.path))
            self._answer(expire_status, b"cluster not ready\n" if expire_status >= 300 else b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def run(tmp_path: Path, url: str, *, after_silence: bool = False, then: str = "") -> tuple[str, RunState, list[dict[str, Any]]]:
    """A live run of one step; with `after_silence` the step waits (10 s at most) for the silence to be journaled, then
    runs `then`."""
    journal = tmp_path / "journal.jsonl"
    # the event's own line (`"type":"silence_created"`): the bare word is in this very command, journaled with the plan,
    # and matched it at once (the step then went on before the silence was made, one run in thirty)
    created = '\'"type":"silence_created"\''
    waited = f"for i in $(seq 200); do grep -qF {created} {journal} && break; sleep 0.05; done; grep -qF {created} {journal}"
    step = f"{waited} && {then or 'true'}" if after_silence else "true"
    path = tmp_path / "runbook.yaml"
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    path.write_text(f"""
runbook: 1
id: silences
title: Silences
ticket: {{id: CHG-3, window: {{start: "2020-01-01T00:00:00+00:00", end: "{end}"}}}}
alerts:
  alertmanager: {url}
  silence: [{{matchers: ['service="api"'], comment: restart}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: {json.dumps(step)}, verify: none}}]}}
""")

    async def main() -> tuple[str, RunState]:
        session = open_session(load(str(path), {}), solo="silence test", journal=str(journal), settings=Settings())
        try:
            outcome = await drive(session.controller, session.actor)
        finally:
            await session.close()
        return outcome, session.controller.state

    outcome, state = asyncio.run(main())
    assert not verify(journal).problems
    return outcome, state, written_events(journal)


@pytest.mark.parametrize("late", [False, True], ids=["made-during-the-run", "made-as-the-run-ended"])
def test_a_silence_the_end_cannot_expire_is_journaled_and_said_with_its_end_and_id(tmp_path: Path, late: bool) -> None:
    """Before: the finished row said `Session finished: done` alone; `silence_failed` was in the journal only, and a
    silence whose answer came after the end (expired at once, and that failed) was not even counted in the header."""
    odd_id = "../../-/quit?x=1"
    with alertmanager(odd_id, 500, tmp_path / "journal.jsonl" if late else None) as (url, seen):
        outcome, state, events = run(tmp_path, url, after_silence=not late)
    assert outcome == "done", "a silence that stays does not change the run's outcome"
    # the id is one path segment; a 500 is asked again (expiring twice changes nothing), three times in all
    assert seen == [("POST", "/api/v2/silences"), *[("DELETE", "/api/v2/silence/..%2F..%2F-%2Fquit%3Fx%3D1")] * 3], seen
    created = [e for e in events if e["type"] == "silence_created"]
    [failed] = [e for e in events if e["type"] == "silence_failed"]
    assert failed == {**failed, "action": "expire", "id": odd_id, "error": "Alertmanager answered HTTP 500: cluster not ready (asked 3 times)"}
    assert [c["ends_at"] for c in created] == ([] if late else [failed["until"]]), "made after the end: never journaled as made"
    assert failed["until"] > dt.datetime.now(dt.UTC).isoformat()[:19], failed
    rows = [s.text for s in statuses(state, dt.datetime.now(dt.UTC))]
    assert rows[0].startswith("Session finished: ")
    assert rows[1:] == [
        f"1 alert silence could NOT be expired (Alertmanager answered HTTP 500: cluster not ready (asked 3 times)): alerts stay silenced"
        f" until {said_now(failed['until'])}; expire it at {url} (its Silences page, or: amtool --alertmanager.url={url} silence expire '{odd_id}')"
    ], rows  # where, and the id quoted as a shell word: it is Alertmanager's (before: "expire it in Alertmanager: ID")


@pytest.mark.parametrize("silence_id", ["\x1b]0;pwned\x07", "x" * 101, ""])
def test_a_silence_id_no_alertmanager_makes_is_a_failure_not_journaled_as_made(tmp_path: Path, silence_id: str) -> None:
    with alertmanager(silence_id, 200) as (url, seen):
        outcome, state, events = run(tmp_path, url)
    assert outcome == "done"
    assert [m for m, _p in seen] == ["POST"], "nothing to expire"
    assert not [e for e in events if e["type"] == "silence_created"]
    [failed] = [e for e in events if e["type"] == "silence_failed"]
    assert failed["action"] == "create" and failed["error"] == "no usable silenceID in the answer"
    assert [s.text for s in statuses(state, dt.datetime.now(dt.UTC))][1:] == []


def test_a_404_for_one_silence_from_a_proxy_does_not_make_it_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A silence Alertmanager lost (restarted without its saved silences) is made again by the run's look at it; a 404
    alone is not enough for that: the list of silences, read whole, still holds it here, so it is kept, not made twice
    (which would leave the first active to the window's end, unknown to the journal, and drop it from the end's expiry)."""
    from runbook_tui.notify import silence_watch

    monkeypatch.setattr(silence_watch, "WATCH_EVERY", 0.2)
    journal = tmp_path / "journal.jsonl"
    looked = f"for i in $(seq 100); do [ $(grep -c . {journal}.looks 2>/dev/null || echo 0) -ge 3 ] && break; sleep 0.05; done"
    with alertmanager("8f1c5a9e-6d59-4f0e-9a53-1d0c1b0e7b2a", 200, proxied=True) as (url, seen):
        monkeypatch.setattr(silence_watch, "_not_listed", _counting(silence_watch._not_listed, journal))
        outcome, _state, events = run(tmp_path, url, after_silence=True, then=looked)
    assert outcome == "done"
    assert [m for m, p in seen if m != "GET"] == ["POST", "DELETE"], "made once, expired at the end"
    assert len([p for m, p in seen if p == "/api/v2/silences"]) >= 3, "each look read the list"
    assert [e["type"] for e in events if e["type"].startswith("silence_")] == ["silence_created", "silence_expired"]


def _counting(lookup: Any, journal: Path) -> Any:
    """`silence_watch._not_listed`, each call counted as a line of `JOURNAL.looks` (the step waits for three)."""

    def counted(listing: Any, silence_id: str) -> bool:
        with open(f"{journal}.looks", "a") as looks:
            looks.write("look\n")
        return bool(lookup(listing, silence_id))

    return counted


def test_a_silence_expired_at_the_end_leaves_the_finished_row_alone(tmp_path: Path) -> None:
    with alertmanager("8f1c5a9e-6d59-4f0e-9a53-1d0c1b0e7b2a", 200) as (url, seen):
        outcome, state, events = run(tmp_path, url, after_silence=True)
    assert outcome == "done" and [m for m, _p in seen] == ["POST", "DELETE"]
    assert [e["type"] for e in events if e["type"].startswith("silence_")] == ["silence_created", "silence_expired"]
    assert len(statuses(state, dt.datetime.now(dt.UTC))) == 1


@pytest.mark.parametrize(
    "listed",
    [{"endsAt": None}, {"id": "\x1b]0;pwned\x07"}, {"startsAt": {"nested": 1}}],
    ids=["no-end", "escape-id", "odd-start"],
)
def test_a_listed_silence_the_resume_cannot_read_whole_is_not_taken_as_this_runs(tmp_path: Path, listed: dict[str, Any]) -> None:
    """Resume looks in Alertmanager's list for the silences the dead process made. Before: one lacking `endsAt` raised
    KeyError in the task (the silence neither journaled nor said to have failed); an id with escapes was journaled."""
    from runbook_tui.notify.silences import SilenceKeeper, silence_body
    from runbook_tui.runbook.loader import load_runbook

    with alertmanager("8f1c5a9e-6d59-4f0e-9a53-1d0c1b0e7b2a", 200) as (url, seen):
        path = tmp_path / "runbook.yaml"
        path.write_text(f"""
runbook: 1
id: resumed
title: Resumed
alerts: {{alertmanager: "{url}", silence: [{{matchers: ['service="api"'], comment: restart}}]}}
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
        alerts = load_runbook(path).runbook.alerts
        assert alerts is not None
        now = dt.datetime.now(dt.UTC)
        body = silence_body(alerts.silences[0], actor="alice", ticket=None, starts=now, ends=now + dt.timedelta(hours=1))
        found = {**body, "id": "0b9c", "status": {"state": "active"}, **listed}
        recorded: list[tuple[str, dict[str, Any]]] = []
        keeper = SilenceKeeper(alerts, lambda kind, payload: recorded.append((kind, payload)))
        state = RunState(session={"started_at": (now - dt.timedelta(minutes=1)).isoformat()})
        asyncio.run(keeper.create(state, "alice", found=[found]))
    assert [m for m, _p in seen] == ["POST"], "not taken as this run's: made anew"
    assert [(kind, payload["id"]) for kind, payload in recorded] == [("silence_created", "8f1c5a9e-6d59-4f0e-9a53-1d0c1b0e7b2a")]


def test_exec_ends_saying_the_silence_it_could_not_expire_until_when_and_how_to(tmp_path: Path) -> None:
    """Before: exec's only word was its event line, `ID at URL could not expire: Alertmanager answered HTTP 500: cluster
    not ready`: not that alerts stay silenced, until when, nor how to expire it (the TUI's row, cut to the screen's
    width at 80 columns, lost the same words, and the screen closed with nothing said)."""
    import subprocess
    import sys

    odd_id = "5f3c; rm -rf ~"
    with alertmanager(odd_id, 500) as (url, _seen):
        path = tmp_path / "runbook.yaml"
        path.write_text(f"""
runbook: 1
id: exec-silence
title: Exec silence
alerts:
  alertmanager: {url}
  silence: [{{matchers: ['service="api"'], comment: restart}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
        journal = tmp_path / "exec.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "test", "--journal", str(journal)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    [failed] = [e for e in written_events(journal) if e["type"] == "silence_failed"]
    said = (
        f"1 alert silence could NOT be expired (Alertmanager answered HTTP 500: cluster not ready (asked 3 times)): alerts stay silenced"
        f" until {said_now(failed['until'])}; expire it at {url} (its Silences page, or: amtool --alertmanager.url={url} silence expire '{odd_id}')"
    )
    assert done.stderr.splitlines()[-1] == said, done.stderr
