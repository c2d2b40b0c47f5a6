"""Journals whose hash chain holds but whose events are not as this program writes them (an editor recomputed the chain):
every reader refuses them with "JOURNAL: line N: TYPE: FIELD ..., expected ...", `journal verify` exit 1, `report`, `replay`
and `resume` exit 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region

from runbook_tui import cli
from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import JournalWriter, event_hash, read_events
from runbook_tui.engine.state import UnreadableEvent, apply, initial, replay
from runbook_tui.engine.state_model import NOTES_KEPT
from runbook_tui.ui.replay_app import ReplayApp
from runbook_tui.ui.replay_screen import ReplayScreen, ReplaySource
from runbook_tui.ui.widgets import RunHeader, StepDetail

PLAN = {"sections": [{"id": "main", "kind": "main", "steps": [{"id": "s", "title": "S"}]}]}
TICKET = {"id": "CHG-1", "window": {"start": "2026-11-23T01:00:00+00:00", "end": "2026-11-23T05:00:00+00:00"}}


def good_events(tmp_path: Path) -> list[dict[str, Any]]:
    """A short run as the program writes it: one step on one host, done."""
    path = tmp_path / "good.jsonl"
    writer = JournalWriter(path, clock=lambda: "2026-11-23T02:00:00.000Z")
    writer.append(ev.SESSION_STARTED, "alice", {"runbook": "rb", "title": "T", "mode": "live", "params": {}, "ticket": TICKET, "plan": PLAN})
    writer.append(ev.STEP_STARTED, "alice", {"step": "s", "title": "S", "attempt": 1, "hosts": ["local"], "phase": "run"})
    writer.append(ev.OUTPUT, "system", {"step": "s", "host": "local", "stream": "stdout", "text": "hello\n", "phase": "run"})
    writer.append(ev.STEP_FINISHED, "system", {"step": "s", "status": "done", "hosts": {"local": {"status": "ok", "exit_code": 0}}, "verified": False})
    writer.append(ev.SESSION_FINISHED, "alice", {"outcome": "done"})
    writer.close()
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def rechained(events: list[dict[str, Any]], path: Path) -> Path:
    """`events` written with their hash chain recomputed: a chain that holds, whatever they say."""
    prev, lines = "", []
    for seq, event in enumerate(events):
        event = {k: v for k, v in event.items() if k != "hash"} | {"seq": seq, "prev": prev}
        event["hash"] = prev = event_hash(event)
        lines.append(json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n")
    return path


def _set(index: int, field: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(events: list[dict[str, Any]]) -> None:
        events[index][field] = value

    return change


def _ticket_end(events: list[dict[str, Any]]) -> None:
    events[0]["ticket"] = {"id": "CHG-1", "window": {"start": "2026-11-23T01:00:00+00:00", "end": 5}}


def _drop_plan(events: list[dict[str, Any]]) -> None:
    del events[0]["plan"]


#: (what is changed, the line it is on, what the reader says of it)
BROKEN = {
    "step_finished.hosts a list": (_set(3, "hosts", ["local"]), 4, "step_finished: hosts is a list, expected {text: {text: any}}"),
    "step_finished.hosts a text": (_set(3, "hosts", "local"), 4, "step_finished: hosts is 'local', expected"),
    "step_finished.hosts[h] a text": (_set(3, "hosts", {"local": "boom"}), 4, "step_finished: hosts['local'] is 'boom', expected {text: any}"),
    "step_started.step not in the plan": (_set(1, "step", "nosuch"), 2, "step_started: step 'nosuch' is not a step of the plan"),
    "step_started.step null": (_set(1, "step", None), 2, "step_started: step is null, expected text"),
    "step_started.step a list": (_set(1, "step", ["s"]), 2, "step_started: step is a list, expected text"),
    "step_started.hosts null": (_set(1, "hosts", None), 2, "step_started: hosts is null, expected [text]"),
    "step_started.attempt text": (_set(1, "attempt", "one"), 2, "step_started: attempt is 'one', expected int"),
    "ts not a time": (_set(1, "ts", "not a time"), 2, "step_started: ts is 'not a time', expected an ISO 8601 time"),
    "ts without its zone": (_set(1, "ts", "2026-11-23T02:00:00"), 2, "step_started: ts '2026-11-23T02:00:00' has no time zone"),
    # Shown as written (`04:00:00`), two hours off the other events' UTC clocks in every screen and report.
    "ts not in UTC": (_set(1, "ts", "2026-11-23T04:00:00.000+02:00"), 2, "step_started: ts '2026-11-23T04:00:00.000+02:00' is not in UTC"),
    "output ts not a time": (_set(2, "ts", "soon"), 3, "output: ts is 'soon', expected an ISO 8601 time"),
    "session_started.plan missing": (_drop_plan, 2, "step_started: step 's' is not a step of the plan"),
    "session_started.plan a text": (_set(0, "plan", "x"), 1, "session_started: plan is 'x', expected {text: any}"),
    "session_started.plan.sections wrong": (_set(0, "plan", {"sections": [{"id": 1}]}), 1, "session_started: plan.sections[0] is not as this program"),
    "session_started.params a list": (_set(0, "params", [1, 2]), 1, "session_started: params is a list, expected {text: any}"),
    "session_started.ticket a text": (_set(0, "ticket", "CHG"), 1, "session_started: ticket is 'CHG', expected {text: any} or null"),
    "ticket.window.end a number": (_ticket_end, 1, "session_started: ticket.window.end is a number, expected text or null"),
    "session_finished.outcome an object": (_set(4, "outcome", {}), 5, "session_finished: outcome is an object, expected text"),
}


@pytest.fixture(params=sorted(BROKEN))
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    change, line, said = BROKEN[request.param]
    events = good_events(tmp_path)
    change(events)
    return rechained(events, tmp_path / "broken.jsonl"), f"line {line}: {said}"


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_the_good_journal_is_read_by_every_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rechained(good_events(tmp_path), tmp_path / "j.jsonl")
    assert run_cli(["journal", "verify", str(path)], capsys)[0] == 0
    assert run_cli(["report", str(path), "--format", "md"], capsys)[0] == 0


def test_journal_verify_says_the_event_is_not_what_this_program_writes(broken: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, said = broken
    code, text = run_cli(["journal", "verify", str(path)], capsys)
    assert code == 1 and f"{path}: {said}" in text and "NOT intact" in text


@pytest.mark.parametrize("form", ["md", "html", "json", "cast"])
def test_report_refuses_it_with_exit_2(broken: tuple[Path, str], form: str, capsys: pytest.CaptureFixture[str]) -> None:
    path, said = broken
    code, text = run_cli(["report", str(path), "--format", form], capsys)
    assert code == 2 and said in text and str(path) in text


def test_resume_refuses_it_with_exit_2(broken: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, said = broken
    code, text = run_cli(["resume", str(path), "--headless"], capsys)
    assert code == 2 and said in text


def test_replay_refuses_it_with_exit_2_before_it_opens(broken: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    path, said = broken
    code, text = run_cli(["replay", str(path)], capsys)
    assert code == 2 and said in text


def test_an_event_the_fold_cannot_take_names_its_line_and_type() -> None:
    """What the reader's checks let through still reaches the reader as words (no KeyError out of the fold)."""
    state = apply(initial(), {"seq": 0, "ts": "2026-11-23T02:00:00Z", "type": ev.SESSION_STARTED, "actor": "a", "plan": PLAN})
    with pytest.raises(UnreadableEvent, match=r"^line 2: step_finished: not as this program writes it \(KeyError: 'ghost'\)"):
        apply(state, {"seq": 1, "ts": "2026-11-23T02:00:00Z", "type": ev.STEP_FINISHED, "actor": "a", "step": "ghost", "status": "done"})


def test_replay_stops_before_an_event_the_fold_cannot_take() -> None:
    events = [
        {"seq": 0, "ts": "2026-11-23T02:00:00Z", "type": ev.SESSION_STARTED, "actor": "a", "plan": PLAN},
        {"seq": 1, "ts": "2026-11-23T02:00:01Z", "type": ev.STEP_SKIPPED, "actor": "a", "step": "ghost", "reason": "r"},
    ]
    said: list[str] = []
    source = ReplaySource(events, said.append)
    source.forward(1)
    assert source.position == 1 and said == ["line 2: step_skipped: not as this program writes it (KeyError: 'ghost')"]
    source.seek(2)
    assert source.position == 1 and len(said) == 2


HOSTILE_NAME = "x\x1b]0;pwned\x07\x1b[2J.jsonl"


@pytest.mark.parametrize(
    ("command", "change"),
    [
        (["journal", "verify"], None),  # intact, NOT checked
        (["journal", "verify"], _set(1, "step", None)),  # NOT intact
        (["report"], _set(1, "step", None)),  # refusing to report
        (["resume", "--headless"], _set(1, "step", None)),  # refusing to resume
        (["replay"], _set(1, "step", None)),  # refusing to replay
    ],
)
def test_a_journal_name_with_escapes_never_reaches_the_terminal_raw(
    tmp_path: Path, command: list[str], change: Callable[[list[dict[str, Any]]], None] | None, capsys: pytest.CaptureFixture[str]
) -> None:
    events = good_events(tmp_path)
    if change is not None:
        change(events)
    path = rechained(events, tmp_path / HOSTILE_NAME)
    _code, text = run_cli([*command[:2], str(path), *command[2:]] if command[0] == "journal" else [command[0], str(path), *command[1:]], capsys)
    assert "pwned" in text and "\x1b" not in text and "\x07" not in text, text


def test_exec_with_a_journal_name_holding_escapes_shows_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`exec --journal NAME` prints the journal's name at its start and in its closing hints: shown, never obeyed."""
    runbook = tmp_path / "r.yaml"
    runbook.write_text("runbook: 1\nid: r\ntitle: R\nsections:\n  - id: s\n    title: S\n    steps:\n      - {id: a, title: A, run: 'true'}\n")
    code, text = run_cli(["exec", str(runbook), "--solo", "t", "--journal", str(tmp_path / HOSTILE_NAME)], capsys)
    assert code == 0 and "journal: " in text and "pwned" in text, text
    assert "\x1b" not in text and "\x07" not in text, text


def test_resume_refuses_a_mode_this_program_never_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only an edited journal (its chain recomputed) holds another mode; `resume` took any unknown mode as live and ran
    real commands for what may have been a dry run or a practice."""
    events = good_events(tmp_path)[:-1]  # not finished: resumable
    events[0]["mode"] = "zzz"
    path = rechained(events, tmp_path / "edited.jsonl")
    code, text = run_cli(["resume", str(path), "--headless"], capsys)
    assert code == 2 and "session_started: mode 'zzz' is not one this program writes (dry-run, live, practice, rehearsal)" in text, text


def _with_metrics(events: list[dict[str, Any]], critical: Any, value: Any) -> list[dict[str, Any]]:
    """The good run with a panel and one reading, as `metrics_started` and `metric_sample` write them."""
    panel = {"id": "errors", "title": "5xx", "query": "x", "unit": "%", "warn": 1.0, "critical": critical, "direction": "above", "for": 30.0}
    started = {"type": ev.METRICS_STARTED, "actor": "system", "ts": events[1]["ts"], "source": {"kind": "scrape", "url": "http://127.0.0.1:9/m"}}
    started |= {"interval": 5.0, "timeout": 4.0, "panels": [panel], "success": []}
    sample = {
        "type": ev.METRIC_SAMPLE,
        "actor": "system",
        "ts": events[1]["ts"],
        "panel": "errors",
        "value": value,
        "ts_sample": events[1]["ts"],
        "error": None,
    }
    return [events[0], started, sample, *events[1:]]


@pytest.mark.parametrize(
    ("critical", "value", "said"),
    [
        (2.0, 10**400, "line 3: metric_sample: value is a number of 401 digits, expected one a float can hold"),
        (2.0, float("nan"), "line 3: metric_sample: value is NaN, expected a finite number"),
        (float("inf"), 0.3, "line 2: metrics_started: panels[0]['critical'] is Infinity, expected a finite number"),
    ],
    ids=["huge-int", "nan", "infinity"],
)
def test_numbers_no_reader_can_take_are_refused(tmp_path: Path, critical: Any, value: Any, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Python's json reads NaN, Infinity and integers of any size, and the chain hashes them; the report, replay and practice
    draw readings and thresholds as floats: `report` ended in an OverflowError traceback (exit 1), its JSON said `NaN`
    (not JSON), replay and practice crashed drawing the panel. Now every reader refuses the line; a large finite reading stands."""
    path = rechained(_with_metrics(good_events(tmp_path), critical, value), tmp_path / "numbers.jsonl")
    code, text = run_cli(["journal", "verify", str(path)], capsys)
    assert code == 1 and said in text, text
    for form in ("md", "html", "json", "cast"):
        code, text = run_cli(["report", str(path), "--format", form], capsys)
        assert code == 2 and said in text, (form, text)
    for command in (["replay", str(path)], ["replay", str(path), "--practice"], ["resume", str(path), "--headless"]):
        code, text = run_cli(command, capsys)
        assert code == 2 and said in text, (command, text)
    (tmp_path / "fine").mkdir()
    fine = rechained(_with_metrics(good_events(tmp_path / "fine"), 2.0, -1.7e308), tmp_path / "fine.jsonl")
    code, text = run_cli(["report", str(fine), "--format", "json"], capsys)
    assert code == 0 and json.loads(text)["panels"], text


@pytest.mark.asyncio
async def test_replay_shows_an_edited_mode_as_characters(tmp_path: Path) -> None:
    """`replay` takes a mode it does not know (only `resume` must refuse one); its header wrote the mode raw, so an
    `ESC]0;` in it retitled the trainee's terminal."""
    events = good_events(tmp_path)
    events[0]["mode"] = "live\x1b]0;pwned\x07[b]"
    replay = ReplayApp(read_events(rechained(events, tmp_path / "mode.jsonl")).events, label="mode.jsonl")
    async with replay.run_test(size=(120, 30)) as pilot:
        await pilot.press("end")
        header = replay.screen.query_one(RunHeader)
        shown = "".join(strip.text for strip in header.render_lines(Region(0, 0, header.size.width, header.size.height)))
        assert "LIVE␛]0;PWNED␇[B]" in shown and "\x1b" not in shown, shown


def test_a_journal_of_many_notes_and_errors_folds_in_linear_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each note and error was appended to a tuple in the state, copied whole at every event: 20,000 notes took 35 s to
    report on a busy machine, 200,000 made report, resume, replay and practice hang. The state keeps the last NOTES_KEPT
    (for the screens); the history fold keeps every one, and the report still lists them all."""
    events = good_events(tmp_path)
    words = [{"type": ev.NOTE, "actor": "bob", "ts": events[1]["ts"], "text": f"note {n}", "step": "s"} for n in range(2000)]
    errors = [{"type": ev.ERROR, "actor": "system", "ts": events[1]["ts"], "message": f"error {n}", "transient": True} for n in range(2000)]
    path = rechained([*events[:-1], *words, *errors, events[-1]], tmp_path / "many.jsonl")
    state = replay(read_events(path).events)
    assert len(state.notes) == len(state.errors) == NOTES_KEPT
    assert state.notes[-1]["text"] == "note 1999" and state.errors[-1]["message"] == "error 1999"
    code, text = run_cli(["report", str(path), "--format", "json"], capsys)
    report = json.loads(text)
    assert code == 0 and len(report["notes"]) == 2000 and len(report["errors"]) == 2000, text[:400]


@pytest.mark.parametrize(("by", "verification"), [("alice", "unverified"), ("bob", "confirmed")])
def test_a_confirmation_by_the_person_who_ran_the_step_is_not_verification(
    tmp_path: Path, by: str, verification: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run refuses the assignee's confirmation of their own step, so only an edited journal holds one; the report
    counted it as verified (`Confirmed by: alice` under a two-person rule). Now it reads UNVERIFIED and says why."""
    events = good_events(tmp_path)
    events[3]["status"] = "awaiting_verification"
    confirmed = {"type": ev.STEP_CONFIRMED, "actor": by, "ts": events[3]["ts"], "step": "s", "phase": "after", "attempt": 1}
    path = rechained([*events[:4], confirmed, events[4]], tmp_path / "self.jsonl")
    code, text = run_cli(["report", str(path), "--format", "json"], capsys)
    report = json.loads(text)
    assert code == 0 and report["steps"][0]["verification"] == verification, text[:300]
    assert ("s" in report["unverified"]) == (by == "alice")
    code, text = run_cli(["report", str(path), "--format", "md"], capsys)
    assert ("UNVERIFIED: confirmed by alice, who ran it" in text) == (by == "alice"), text


@pytest.mark.asyncio
async def test_a_step_of_thousands_of_hosts_is_drawn_in_a_bounded_detail_pane(tmp_path: Path) -> None:
    """Every host's result was a row of the detail pane's table, laid out again at each repaint: 20,000 hosts took 150 s
    per key in a replay. Now 100 rows at most, failures first, the rest counted by status."""
    events = good_events(tmp_path)
    hosts = {f"h{n}": {"status": "done", "exit_code": 0, "error": None} for n in range(3000)}
    hosts["h2999"] = {"status": "failed", "exit_code": 3, "error": "boom"}
    events[3] |= {"hosts": hosts, "status": "failed"}  # a failed step stays the current one
    events[4] |= {"outcome": "failed"}  # (a run ends done only once every step is)
    replay = ReplayApp(read_events(rechained(events, tmp_path / "fleet.jsonl")).events, label="fleet.jsonl")
    async with replay.run_test(size=(120, 60)) as pilot:
        screen = replay.screen
        assert isinstance(screen, ReplayScreen)
        screen.replay.seek(4)  # just after the step_finished: the step is the current one
        screen._moved(True)
        await pilot.pause()
        detail = screen.query_one(StepDetail)
        shown = " ".join(strip.text for strip in detail.render_lines(Region(0, 0, detail.size.width, detail.size.height)))
        assert "h2999" in shown and "… 2,900 more hosts: 2,900 done" in shown, shown
