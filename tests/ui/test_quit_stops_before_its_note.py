"""The TUI's last note ("run was stopped by alice's quit (q) while 'slow' ran") comes after its command here is stopped.

The note's `request: exit` tells `resume` that the program stopped its own command on this machine as it left, so a
resume no longer says the command may still run. The TUI journaled it first, then closed (its executors stopped the
command on the way out): a SIGKILL in between left the command running while the record said it was stopped. Here the
event loop is held at the note (nothing else of the program can act then), as a SIGKILL at that instant would leave it:
the command must already be stopped. `exec` stops its commands first (its task cancelled) and was right.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import SIZE, events, make_app, screen_is, started, until, write_runbook
from waiting import settles

from runbook_tui.engine.mark_done import EXIT_NOTE

SLOW = (
    "runbook: 1\nid: q\ntitle: Q\nsections:\n  - id: s\n    title: S\n    kind: implement\n    steps:\n"
    "      - {id: slow, title: Slow, run: 'echo $$ > pid; exec sleep 120'}\n"
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SHELL", "/bin/sh")
    write_runbook(tmp_path, SLOW, name="slow.yaml")
    return tmp_path


def _stopped(pid: int) -> bool:
    """The process is gone or a zombie (killed; its parent, this process, has not reaped it: the loop is held)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["q", "SIGTERM"])
async def test_the_exit_note_is_journaled_after_the_command_here_is_stopped(workdir: Path, how: str) -> None:
    app = make_app("slow.yaml")
    at_the_note: list[bool] = []
    pid_file = workdir / "pid"
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        emit = controller.emit

        def watching(type: str, actor: Any, **data: Any) -> Any:
            if data.get("request") == EXIT_NOTE:  # the loop is held here: only what came before can have stopped it
                at_the_note.append(settles(lambda: _stopped(int(pid_file.read_text())), timeout=3))
            return emit(type, actor, **data)

        controller.emit = watching
        await pilot.press("enter")
        await until(pilot, lambda: pid_file.exists() and bool(pid_file.read_text().strip()), "the step's command to start")
        if how == "q":
            await pilot.press("q")
            await screen_is(pilot, "ConfirmPrompt")
            await pilot.press("y")
        else:
            os.kill(os.getpid(), signal.SIGTERM)  # the app's handler takes it, as a `kill PID` of the program
        await until(pilot, lambda: app.return_value is not None, "the app to quit")
    pid = int(pid_file.read_text())
    try:
        assert at_the_note == [True], "the command here still ran when the note saying it was stopped was journaled"
        last = events("j.jsonl")[-1]
        assert last["request"] == EXIT_NOTE and last["step"] == "slow" and "while 'slow' ran (its outcome is unknown: resume decides)" in last["text"], last
        assert controller.state.steps["slow"].status == "unknown", "nothing after the note made it failed or done"
    finally:
        if not _stopped(pid):
            os.kill(pid, signal.SIGKILL)
