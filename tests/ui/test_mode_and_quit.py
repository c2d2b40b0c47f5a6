"""A run knows its mode before anything runs, and `q` never leaves an unfinished run without asking.

The app as `runbook-tui run FILE` builds it without --solo/--share (tui.starters),
driven with the documented keys; commands are real `sh` in tmp_path.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from run_screen_helpers import (
    RUNBOOK,
    SIZE,
    events,
    marks,
    painted,
    run_step,
    screen_is,
    started,
    type_text,
    until,
    write_runbook,
)
from textual.widgets import Input, Static

from runbook_tui.app.session import load
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import starters


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    write_runbook(tmp_path)
    return tmp_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def asking_app(journal: str = "j.jsonl") -> RunbookApp:
    """`runbook-tui run runbook.yaml --journal j.jsonl`: neither --solo nor --share."""
    start_for = starters(mode="live", solo=None, share=None, journal=journal, override_window=None)
    return RunbookApp(start_for=start_for, loaded=load("runbook.yaml", {}), ask_mode=True)


@pytest.mark.asyncio
async def test_without_solo_or_share_the_mode_is_asked_before_anything_runs(workdir: Path) -> None:
    app = asking_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_is(pilot, "ModeScreen")
        assert not (workdir / "j.jsonl").exists(), "no session is opened before the mode is chosen"
        assert screen.query_one("#mode-address", Input).value == ":2222"
        await pilot.press("enter")  # share without a verifier key: refused in words
        await until(pilot, lambda: "verifier's public key" in painted(screen.query_one("#dialog-keys")), "the missing key named")
        screen.query_one("#mode-solo", Input).focus()
        await pilot.press("enter")  # solo without a reason: refused
        await until(pilot, lambda: "needs a reason" in painted(screen.query_one("#dialog-keys")), "the missing reason named")
        await type_text(pilot, "verifier unreachable, CAB ok")
        await pilot.press("enter")
        controller = await started(pilot)
        assert controller.state.solo == "verifier unreachable, CAB ok"
        await run_step(pilot, "check")
    session = events("j.jsonl")[0]
    assert session["type"] == "session_started" and session["solo"] == "verifier unreachable, CAB ok"
    assert marks(workdir) == ["check"]


@pytest.fixture
def bobs_key(workdir: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f", str(workdir / "bob")], check=True)
    return workdir / "bob.pub"


@pytest.mark.peers
@pytest.mark.asyncio
async def test_sharing_from_the_mode_screen_opens_the_share_with_the_verifiers_key(workdir: Path, bobs_key: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`runbook-tui run runbook.yaml --share ADDR`, as the contract writes it, with nobody named who may join: the mode
    screen asks whose key, the address filled in (before: exit 2, `--share needs someone who may join`)."""
    from runbook_tui import cli
    from runbook_tui.ui import launch

    built: list[RunbookApp] = []
    monkeypatch.setattr(launch, "_launch", lambda app: built.append(app) or 0)
    address = f"127.0.0.1:{free_port()}"
    # (in a thread: the command line looks for an ssh-agent with asyncio.run, as it does before any loop runs)
    assert await asyncio.to_thread(cli.main, ["run", "runbook.yaml", "--share", address, "--journal", "j.jsonl"]) == 0
    [app] = built
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_is(pilot, "ModeScreen")
        assert screen.query_one("#mode-address", Input).value == address
        said = " ".join(painted(screen.query_one("#dialog-keys")).split())
        assert f"Shared at {address}: whose public key may join as verifier?" in said, said
        await type_text(pilot, bobs_key.name)  # relative to where the run started
        await pilot.press("enter")
        controller = await started(pilot)
        await until(pilot, lambda: bool(controller.state.share.get("address")), "the share to open")
        assert controller.state.solo is None and controller.verifier_reachable
        # q names the key file the run was shared with, absolute (before: `--verifier-key FILE`, a placeholder)
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = "".join(painted(prompt.query_one("#dialog-body", Static)).split())  # the dialog wraps the long path anywhere
        address = controller.state.share["address"]
        assert f"runbook-tuiresumej.jsonl--share{address}--verifier-key{bobs_key}(theverifier" in body, body
        await pilot.press("n")
    started_event = events("j.jsonl")[0]
    shared = [e for e in events("j.jsonl") if e["type"] == "share_started"]
    assert started_event["solo"] is None and [e["keys"] for e in shared] == [{"verifier-key": [str(bobs_key)]}]


@pytest.mark.asyncio
async def test_escape_on_the_mode_screen_starts_nothing(workdir: Path) -> None:
    app = asking_app()
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "ModeScreen")
        await pilot.press("escape")
        await until(pilot, lambda: app.return_value is not None or not app.is_running, "the app to leave")
    assert app.return_value == 1 and app.failure and "neither shared nor solo" in app.failure  # left, not invalid (was 2)
    assert not (workdir / "j.jsonl").exists() and marks(workdir) == []


@pytest.mark.asyncio
async def test_q_on_an_unfinished_run_asks_and_names_the_resume_command(workdir: Path) -> None:
    app = asking_app()
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "ModeScreen")
        app.screen.query_one("#mode-solo", Input).focus()
        await type_text(pilot, "test")
        await pilot.press("enter")
        controller = await started(pilot)
        await run_step(pilot, "check")
        await pilot.press("q")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        body = painted(prompt.query_one("#dialog-body", Static))
        assert f"runbook-tui resume {workdir / 'j.jsonl'}" in body or "runbook-tui resume j.jsonl" in body
        await pilot.press("n")  # stays
        await screen_is(pilot, "RunScreen")
        assert app.is_running and not controller.state.finished
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: app.return_value is not None, "the app to quit")
    assert app.return_value == 1
    assert events("j.jsonl")[-1]["type"] != "session_finished", "the journal stays open for resume"


@pytest.mark.asyncio
async def test_y_to_quit_between_steps_journals_who_quit_and_the_report_and_resume_say_it(workdir: Path) -> None:
    """Before: `q`, `y` with no step running wrote nothing: the report read `UNFINISHED` with no reason (exec stopped by
    a signal says why), and resume said nothing of alice having quit at 'backup'."""
    import json

    app = asking_app()
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "ModeScreen")
        app.screen.query_one("#mode-solo", Input).focus()
        await type_text(pilot, "test")
        await pilot.press("enter")
        await started(pilot)
        await run_step(pilot, "check")
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: app.return_value is not None, "the app to quit")
    words = "run was stopped by alice's quit (q) at 'backup' (nothing was running)"
    last = events("j.jsonl")[-1]
    assert last["type"] == "note" and last["actor"] == "system" and last["request"] == "exit" and last["step"] == "backup", last
    assert last["text"] == f"{words}; the journal is kept"
    reported = subprocess.run([sys.executable, "-m", "runbook_tui", "report", "j.jsonl", "--format", "json"], capture_output=True, text=True, timeout=60)
    session = json.loads(reported.stdout)["session"]
    assert session["outcome"] == "unfinished" and session["open_because"] == f"{words}; the journal is kept", session
    looked = subprocess.run([sys.executable, "-m", "runbook_tui", "resume", "j.jsonl"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert f"Left at {last['ts'][11:19]}: {words}, as the journal's note says.\n" in looked.stdout, looked
    assert "--continue" in looked.stdout, "a look still says what to do next"


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("live", "the run is not finished; continue it with: runbook-tui resume J.jsonl"),
        ("practice", "the practice run was left before its end; what was done: runbook-tui report J.jsonl"),
        # A shared run resumed without --share could not be verified: every step needing the verifier was refused.
        (
            "shared",
            "the run is not finished; continue it with: runbook-tui resume J.jsonl --share 127.0.0.1:2222 --verifier-key FILE\n"
            "(the verifier joins again: the same host key), or --solo REASON",
        ),
    ],
)
def test_leaving_an_unfinished_run_names_what_to_do_next(mode: str, said: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A trainee leaving `replay --practice` was told to `resume` it: that would be a dry run without the recording."""
    from types import SimpleNamespace

    from runbook_tui.ui import launch
    from runbook_tui.ui.launch import _launch

    monkeypatch.setattr(launch, "not_a_terminal", lambda *_: False)  # as in a terminal (the screen itself is a stand-in)

    shared = {"address": "127.0.0.1:2222"} if mode == "shared" else {}
    state = SimpleNamespace(finished=False, session={"mode": "live" if shared else mode}, share=shared, solo=None, silences={})
    app = SimpleNamespace(
        run=lambda: 1,
        failure=None,
        handle=SimpleNamespace(journal_path="J.jsonl", identity=None, signers_file=None, controller=SimpleNamespace(state=state), notices_failed_closing=()),
    )
    assert _launch(app) == 1  # type: ignore[arg-type]
    assert capsys.readouterr().out.splitlines() == ["journal: J.jsonl", *said.splitlines()]


def test_a_practice_left_names_the_report_command_as_the_program_was_started(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Session 38: started as `.venv/bin/runbook-tui` with the venv not on PATH, a trainee leaving the practice was told
    `what was done: runbook-tui report J`, `command not found` in that shell; the live run's resume command named the
    script already (README, Usage: a command printed to be run next runs as printed)."""
    from types import SimpleNamespace

    from runbook_tui.ui import launch
    from runbook_tui.ui.launch import _launch

    monkeypatch.setattr(launch, "not_a_terminal", lambda *_: False)
    script = Path(sys.executable).with_name("runbook-tui")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(sys, "argv", [str(script), "replay", "N.jsonl", "--practice"])
    state = SimpleNamespace(finished=False, session={"mode": "practice"}, share={}, solo=None, silences={})
    handle = SimpleNamespace(journal_path="J.jsonl", identity=None, signers_file=None, controller=SimpleNamespace(state=state), notices_failed_closing=())
    assert _launch(SimpleNamespace(run=lambda: 1, failure=None, handle=handle)) == 1  # type: ignore[arg-type]
    assert capsys.readouterr().out.splitlines()[-1] == f"the practice run was left before its end; what was done: {script} report J.jsonl"


CLOSED_WINDOW = RUNBOOK.replace("  assignee: alice\n", "  assignee: alice\n  window: {start: '2020-01-01T02:00:00+00:00', end: '2020-01-01T04:00:00+00:00'}\n")


@pytest.mark.asyncio
async def test_escape_on_the_window_question_after_the_mode_leaves_with_why(workdir: Path) -> None:
    """`run FILE` (every value given, no --solo): the mode, then the closed window's question, answered with escape.
    Before: a blank screen that only ctrl+q left, with exit 0 (no run started, nothing said)."""
    write_runbook(workdir, CLOSED_WINDOW)
    app = asking_app()
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "ModeScreen")
        app.screen.query_one("#mode-solo", Input).focus()
        await type_text(pilot, "test")
        await pilot.press("enter")
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")
        await until(pilot, lambda: app.return_value is not None or not app.is_running, "the app to leave")
    assert app.return_value == 2 and app.failure and "outside the change window" in app.failure and "--override-window" in app.failure
    assert not (workdir / "j.jsonl").exists() and marks(workdir) == []


@pytest.mark.asyncio
async def test_escape_on_the_window_question_with_solo_given_says_why(workdir: Path) -> None:
    """`run FILE --solo REASON`: escape on the window question left with exit 2 and not a word on the terminal."""
    write_runbook(workdir, CLOSED_WINDOW)
    start_for = starters(mode="live", solo="test", share=None, journal="j.jsonl", override_window=None)
    loaded = load("runbook.yaml", {})
    app = RunbookApp(start_for(loaded))
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "TextPrompt")
        await pilot.press("escape")
        await until(pilot, lambda: app.return_value is not None or not app.is_running, "the app to leave")
    assert app.return_value == 2 and app.failure and "outside the change window" in app.failure


@pytest.mark.asyncio
async def test_a_start_refused_on_the_mode_screen_is_not_said_once_the_run_starts(workdir: Path) -> None:
    """A verifier key file that cannot be read: "Not started" is said; solo then starts the run, and the run screen no
    longer says "Not started" (before: the 30-second error toast stayed over the run that had started)."""
    app = asking_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await screen_is(pilot, "ModeScreen")
        screen.query_one("#mode-verifier", Input).focus()
        await type_text(pilot, "missing.pub")
        await pilot.press("enter")
        await until(pilot, lambda: any(n.title == "Not started" for n in app._notifications), "the refusal to be said")
        screen = await screen_is(pilot, "ModeScreen")
        screen.query_one("#mode-solo", Input).focus()
        await type_text(pilot, "test")
        await pilot.press("enter")
        await started(pilot)
        assert not any(n.title == "Not started" for n in app._notifications), [n.message for n in app._notifications]


@pytest.mark.asyncio
async def test_y_to_quit_while_a_step_runs_journals_the_stop_and_resume_does_not_call_it_still_running(workdir: Path) -> None:
    """Before: `q` then `y` over a running step stopped its command here and wrote nothing: the journal ended at the
    step's start, and resume said "Its command was not stopped with the program: it may still be running on local"."""
    from run_screen_helpers import make_app

    write_runbook(
        workdir,
        "runbook: 1\nid: q\ntitle: Q\nsections:\n  - id: s\n    title: S\n    kind: implement\n    steps:\n"
        "      - {id: slow, title: Slow, run: 'echo $$ > pid; exec sleep 120'}\n",
        name="slow.yaml",
    )
    app = make_app("slow.yaml")
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: (workdir / "pid").exists() and bool((workdir / "pid").read_text().strip()), "the step's command to start")
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: app.return_value is not None, "the app to quit")
    # the quit's note leaves the step as resume will find it (it read `running` until a resume, in replay too)
    assert app.return_value == 1 and controller.state.steps["slow"].status == "unknown"
    written = events("j.jsonl")
    assert written[-1]["type"] == "note" and written[-1]["request"] == "exit" and written[-1]["step"] == "slow", written[-1]
    assert written[-1]["text"] == "run was stopped by alice's quit (q) while 'slow' ran (its outcome is unknown: resume decides); the journal is kept"
    pid = int((workdir / "pid").read_text())
    for _ in range(200):  # the command is stopped as the app closes
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            break
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the step's command still runs after the quit")
    resumed = subprocess.run([sys.executable, "-m", "runbook_tui", "resume", "j.jsonl"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "'slow' was running when the program stopped; its outcome is unknown" in resumed.stdout, resumed
    assert "not stopped with the program" not in resumed.stdout, resumed.stdout
    # the look says the assignee's own quit stopped it (before: "was running when the program stopped" alone, as a crash)
    at = written[-1]["ts"][11:19]
    assert f"its outcome is unknown. Nothing was re-run.\n  run was stopped by alice's quit (q) at {at}, as the journal's note says\n" in resumed.stdout, (
        resumed.stdout
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_a_refusal_on_the_mode_screen_keeps_the_keys_in_view(workdir: Path, size: tuple[int, int]) -> None:
    """enter in a share field without a key: the words said what was missing and the keys line was replaced by
    `escape: cancel` alone; `tab: next` (how to reach the solo reason the words point to) and what enter does were gone."""
    app = asking_app()
    async with app.run_test(size=size) as pilot:
        screen = await screen_is(pilot, "ModeScreen")
        await pilot.press("enter")
        keys = screen.query_one("#dialog-keys")
        await until(pilot, lambda: "verifier's public key" in painted(keys), "the missing key named")
        said = " ".join(painted(keys).split())
        assert said == (
            "Sharing needs the verifier's public key file, or write a solo reason below (tab). "
            "enter in a share field: share · enter in the reason: solo · tab: next · escape: cancel"
        ), said
        dialog = screen.query_one("#dialog")
        assert keys.region.bottom <= dialog.region.bottom and keys.region.right <= dialog.scrollable_content_region.right, (keys.region, dialog.region)
