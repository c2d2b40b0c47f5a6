"""SIGTERM and SIGHUP (a closed terminal or SSH login) while a step runs, for the TUI and for `exec`.

Before: the TUI (`run`, `resume`) had no handler for either, so the process died where it stood: the step's command
was left running unwatched, the journal ended at `step_started` with no word of why, and the terminal stayed in raw
mode. `exec` handled SIGTERM and ctrl+c, but a SIGHUP killed it the same way. Now both journal a note saying which
signal stopped the run during which step (its outcome unknown: `resume` decides), stop the step's command as `q`
then `y` does, and exit 1. A SIGHUP that is ignored (`nohup runbook-tui exec ...`) stays ignored.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest
from fault_helpers import RUNBOOK_TUI, Screen, alive, env_for, of_type, raw_events, run, state_of, wait_until, write_runbook
from waiting import pilot_until


def slow_runbook(tmp_path: Path) -> Path:
    """One step whose command writes its pid, then sleeps well past the test (only a stop ends it in time)."""
    pid_file = tmp_path / "step.pid"
    return write_runbook(tmp_path, "signals", [{"id": "slow", "title": "Slow step", "run": f"echo $$ > {pid_file}; exec sleep 120"}])


def step_pid(tmp_path: Path) -> int:
    pid_file = tmp_path / "step.pid"
    wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), "the step's command to start")
    return int(pid_file.read_text())


def stopped_note(journal: Path, command: str, sig: signal.Signals) -> None:
    events = raw_events(journal)
    assert of_type(events, "step_started", step="slow"), [e["type"] for e in events]
    assert events[-1]["type"] == "note" and events[-1]["step"] == "slow" and events[-1]["request"] == "exit", events[-1]
    assert events[-1]["text"] == f"{command} was stopped by {sig.name} while 'slow' ran (its outcome is unknown: resume decides); the journal is kept"
    assert not of_type(events, "session_finished")  # left for resume


def resume_says(tmp_path: Path, journal: Path) -> str:
    """What `resume` (no decision, no terminal) says of the step the signal stopped: unknown, and not still running here
    (before: "Its command was not stopped with the program: it may still be running on local", of a command it had stopped)."""
    done = run(tmp_path, "resume", str(journal))
    assert done.returncode == 1 and "'slow' was running when the program stopped; its outcome is unknown" in done.stdout, done
    assert "not stopped with the program" not in done.stdout, done.stdout
    return done.stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_the_tui_while_a_step_runs_is_journaled_and_stops_the_command(tmp_path: Path, sig: signal.Signals) -> None:
    env = {**env_for(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    journal = tmp_path / "j.jsonl"
    screen = Screen(tmp_path, env, "run", str(slow_runbook(tmp_path)), "--solo", "signals test", "--journal", str(journal))
    command = None
    try:
        deadline = time.monotonic() + 60
        while not (journal.exists() and of_type(raw_events(journal), "step_started", step="slow")):
            assert time.monotonic() < deadline, "enter never started the step"
            os.write(screen.fd, b"\r")  # enter: run the step (until the run screen takes it; a running step ignores it)
            screen.drain(0.3)
        command = step_pid(tmp_path)
        os.kill(screen.pid, sig)
        assert screen.exit_code() == 1
        stopped_note(journal, "run", sig)
        wait_until(lambda: not alive(command), "the step's command to be stopped")
        resume_says(tmp_path, journal)
    finally:
        screen.close()
        if command is not None and alive(command):
            os.kill(command, signal.SIGKILL)


@pytest.mark.parametrize("nohup", [False, True])
def test_sighup_to_exec_while_a_step_runs_is_journaled_unless_ignored(tmp_path: Path, nohup: bool) -> None:
    journal = tmp_path / "j.jsonl"
    argv = [*(["nohup"] if nohup else []), *RUNBOOK_TUI, "exec", str(slow_runbook(tmp_path)), "--solo", "t", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    command = None
    try:
        command = step_pid(tmp_path)
        proc.send_signal(signal.SIGHUP)
        if nohup:  # kept going past the hang-up, as nohup asks: a SIGTERM stops it then
            with pytest.raises(subprocess.TimeoutExpired):
                proc.wait(timeout=1)
            assert alive(command) and not of_type(raw_events(journal), "note")
            proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 1 and "interrupted; the journal is kept" in err.decode(), err
        stopped_note(journal, "exec", signal.SIGTERM if nohup else signal.SIGHUP)
        wait_until(lambda: not alive(command), "the step's command to be stopped")
        resume_says(tmp_path, journal)
    finally:
        proc.kill()
        proc.wait()
        if command is not None and alive(command):
            os.kill(command, signal.SIGKILL)


@pytest.mark.asyncio
async def test_the_apps_handle_the_stopping_signals_only_while_they_run() -> None:
    """Installed at mount, given back at unmount: a loop that outlives the app (a test's) has the defaults again."""
    from runbook_tui.ui.replay_app import ReplayApp

    app = ReplayApp([], label="none")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL and signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and signal.getsignal(signal.SIGHUP) is signal.SIG_DFL


def test_a_terminal_gone_without_a_sighup_is_left_as_on_one(tmp_path: Path) -> None:
    """The pty's master closed, and no SIGHUP came: the terminal is not the TUI's controlling one (a new session, as
    `setsid`, a supervisor or a script that opened the pty starts it). Before: Textual's input thread read end of input
    again and again, the app spun at a core's worth of CPU forever, the step's command ran on unwatched and the journal
    said nothing. Now it leaves as on a SIGHUP: the note, the command stopped, exit 1, resume decides."""
    env = {**env_for(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    journal = tmp_path / "j.jsonl"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    argv = [*RUNBOOK_TUI, "run", str(slow_runbook(tmp_path)), "--solo", "terminal test", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    command = None

    def drain(seconds: float) -> None:
        if select.select([master], [], [], seconds)[0]:
            os.read(master, 65536)

    try:
        deadline = time.monotonic() + 60
        while not (journal.exists() and of_type(raw_events(journal), "step_started", step="slow")):
            assert time.monotonic() < deadline, "enter never started the step"
            os.write(master, b"\r")
            drain(0.3)
        command = step_pid(tmp_path)
        os.close(master)
        master = -1
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError("the TUI went on after its terminal went away (no SIGHUP came)") from None
        assert code == 1
        events = raw_events(journal)
        assert events[-1]["type"] == "note" and events[-1]["step"] == "slow" and events[-1]["request"] == "exit", events[-1]
        assert events[-1]["text"].startswith("run was stopped by its terminal going away (as a SIGHUP would; none came) while 'slow' ran")
        assert not of_type(events, "session_finished")
        wait_until(lambda: not alive(command), "the step's command to be stopped")
        resume_says(tmp_path, journal)
        assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0
    finally:
        if master >= 0:
            os.close(master)
        proc.kill()
        proc.wait()
        if command is not None and alive(command):
            os.kill(command, signal.SIGKILL)


@pytest.mark.asyncio
async def test_after_the_signal_replay_and_report_read_the_step_unknown_as_resume_finds_it(tmp_path: Path) -> None:
    """SIGTERM to `exec` while a step prints and runs; the journal ends with the program's note (`request: exit`), no
    `resume` yet. Before: replay showed the step `▶ running` (`Running 'slow' on local for 1s`) at that note, for ever
    (until a resume's event), while the report said UNKNOWN `was running when the record ends`: two stories of one record.
    Now the note is folded as `resume` will find the run: the step unknown, `the program stopped while this step ran`,
    in replay, the report and `journal verify`'s sequence alike; the output printed before the signal is in both."""
    from textual.geometry import Region
    from textual.widget import Widget

    from runbook_tui.engine.journal import read_events
    from runbook_tui.ui.replay_app import ReplayApp
    from runbook_tui.ui.replay_screen import ReplayScreen

    pid_file = tmp_path / "step.pid"
    book = write_runbook(
        tmp_path, "signals", [{"id": "slow", "title": "Slow step", "run": f"echo first-line; echo second-line; echo $$ > {pid_file}; exec sleep 120"}]
    )
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(book), "--solo", "t", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        step_pid(tmp_path)
        wait_until(lambda: "second-line" in "".join(e["text"] for e in of_type(raw_events(journal), "output")), "the step's lines in the journal")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    stopped_note(journal, "exec", signal.SIGTERM)
    assert state_of(journal).steps["slow"].status == "unknown"
    report = json.loads(run(tmp_path, "report", str(journal), "--format", "json").stdout)
    [slow] = [s for s in report["steps"] if s["id"] == "slow"]
    assert slow["outcome"] == "unknown" and not slow["record_ends_running"], slow
    assert slow["attempts"][0]["problems"] == ["the program stopped while this step ran; its outcome is unknown"], slow["attempts"]
    assert [t["text"] for t in slow["attempts"][0]["output_tail"]] == ["first-line", "second-line"]
    assert run(tmp_path, "journal", "verify", str(journal)).returncode == 0

    def text_of(widget: Widget) -> str:  # what it paints now, as one line of words
        parts = [part.render_lines(Region(0, 0, *part.size)) for part in (widget, *widget.walk_children(Widget))]
        return " ".join(" ".join(strip.text.split()) for lines in parts for strip in lines)

    events = read_events(journal).events
    app = ReplayApp(events, label=journal.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot_until(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay screen opened")
        screen = app.screen
        await pilot.press("end")
        await pilot_until(
            pilot,
            lambda: screen.replay.position == len(events) and "UNKNOWN" in text_of(screen.query_one("#status")),
            lambda: f"replay at its end said UNKNOWN: {text_of(screen.query_one('#status'))!r}",
        )
        said = text_of(screen.query_one("#status"))
        assert "'slow' outcome UNKNOWN (the program stopped while it ran)" in said and "Running" not in said, said
        pane = text_of(screen.query_one("OutputLog"))
        assert "first-line" in pane and "second-line" in pane, pane
    looked = run(tmp_path, "resume", str(journal))
    assert looked.returncode == 1 and "'slow' was running when the program stopped; its outcome is unknown" in looked.stdout, looked
    assert raw_events(journal)[-1]["request"] == "exit"  # the look learned nothing the note had not said: nothing written


def test_sigterm_during_a_local_undo_is_said_stopped_not_still_running(tmp_path: Path) -> None:
    """SIGTERM to `exec --on-failure rollback` while the undo of 'slow' runs here. exec stops the undo's process group as it
    leaves (its note says so). Before: `resume` said `the undo of 'slow' was running: its outcome is unknown, and nothing
    stopped it: it may still be running`, and `--rollback` listed it `may still be running: check first`, of a process
    that was gone. Now both say the program stopped it as it left; its outcome stays unknown and `--rollback` runs it again."""
    pid_file = tmp_path / "undo.pid"
    steps = [
        {"id": "base", "title": "Base", "run": "true", "checkpoint": True},
        {
            "id": "slow",
            "title": "Slow",
            "run": "true",
            "undo": f"[ -e {pid_file} ] || {{ echo $$ > {pid_file}; exec sleep 120; }}",
        },  # blocks the first time only
        {"id": "boom", "title": "Boom", "run": "exit 3", "undo": "true"},
    ]
    book = write_runbook(tmp_path, "undo-signal", steps)
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(book), "--solo", "t", "--on-failure", "rollback", "--journal", str(journal)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    undo = None
    try:
        wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), "the undo of 'slow' to start")
        undo = int(pid_file.read_text())
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    wait_until(lambda: not alive(undo), "the undo's process to be stopped with exec")
    assert raw_events(journal)[-1]["text"].startswith("exec was stopped by SIGTERM during a rollback (checkpoint) while the undo of 'slow' ran")
    looked = run(tmp_path, "resume", str(journal))
    assert "the undo of 'slow' was running: its outcome is unknown, and the program stopped it as it left" in looked.stdout, looked.stdout
    assert "may still be running" not in looked.stdout, looked.stdout
    again = run(tmp_path, "resume", str(journal), "--rollback")
    [plan] = [e["plan"] for e in of_type(raw_events(journal), "rollback_started")][1:]
    [entry] = [e for e in plan["entries"] if e["step_id"] == "slow"]
    assert "was stopped with it: its outcome is unknown" in entry["note"] and "may still be running" not in entry["note"], (entry, again.stdout)


def test_sigterm_to_exec_signed_with_an_identity_prints_a_resume_command_that_keeps_it(tmp_path: Path) -> None:
    """`exec --identity KEY` stopped by SIGTERM printed `runbook-tui resume J`: resumed that way, the rest of the run was
    signed with the agent's key or none (`journal verify` then names two signers, or unsigned decisions). Now the command
    names the key file, absolute and quoted for the shell (the name has a space)."""
    keys = tmp_path / "my keys"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(keys / "alice id")], check=True, timeout=30)
    journal = tmp_path / "j.jsonl"
    argv = [*RUNBOOK_TUI, "exec", str(slow_runbook(tmp_path)), "--solo", "t", "--journal", str(journal), "--identity", "my keys/alice id"]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env_for(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    command = None
    try:
        command = step_pid(tmp_path)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        said = err.decode()
        assert proc.returncode == 1, said
        assert f"interrupted; the journal is kept: runbook-tui resume {journal} --identity '{keys / 'alice id'}'\n" in said, said
    finally:
        proc.kill()
        proc.wait()
        if command is not None and alive(command):
            os.kill(command, signal.SIGKILL)
