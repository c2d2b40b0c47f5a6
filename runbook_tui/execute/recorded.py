"""The recorded executor: practice runs get the outputs and exit codes of the real night, and run nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.engine.recording import SAID, Recording
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.model import Host

#: Pause between recorded chunks, so output arrives as a stream, not a wall.
CHUNK_PAUSE = 0.02
_NOT_RECORDED = b"[practice] this command did not run on the night; nothing was recorded, it counts as succeeded\n"
#: The night's process died while the command ran: its end is not known. A step's command ends `unknown` here, as
#: `resume` found it (engine/night_stopped.py); an undo counts as failed (a rollback the night's process died in is not
#: played as the night's `resume` found it).
_END_UNKNOWN = "on the night the program stopped while this ran: its end was not recorded"
_UNDO_END_UNKNOWN = f"{_END_UNKNOWN} (here it counts as failed)"
#: A re-run after the night's process died in the last try, when the night made no later one.
_NO_LATER_TRY = (
    b"[practice] on the night the program stopped while this ran and no later try was recorded: what a re-run prints"
    b" is not known; here it counts as succeeded\n"
)


_TAIL = lazy_re.compile(r"(run|undo)(\d+)(?:\.(\d+))?")


def parse_key(key: str) -> tuple[str, str, int, int]:
    """`<session>/<step>/<host>/<phase><attempt>[.retry|@rollback]` -> (step, phase, attempt, retry: 0 for the first try)."""
    _session, step, _host, tail = key.split("/", 3)
    match = _TAIL.match(tail)
    if match is None:
        raise ValueError(f"not a command key: {key!r}")
    return step, match.group(1), int(match.group(2)), int(match.group(3) or 0)


class RecordedExecutor:
    """Starts no process and opens no connection: it plays back a Recording."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self._played_again: set[tuple[str, str, int, int]] = set()  # (phase, step, attempt, the night's tries): said

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        step, phase, attempt, retry = parse_key(command.key)
        take = self.recording.take(phase, step, command.host.name, max(attempt, 1))
        if take is not None and retry < len(take.retried):  # a try the night retried: it fails as it did, with its output
            take = take.retried[retry]
        if take is None:
            output("stdout", _NOT_RECORDED)
            return Result("ok", 0, assumed=True)
        ran = self.recording.attempts(phase, step, command.host.name)
        if attempt > ran and take.status == "unknown" and phase == "run":  # playing the killed try again would die again
            output("stdout", _NO_LATER_TRY)
            return Result("ok", 0, assumed=True)
        if attempt > ran and (phase, step, attempt, ran) not in self._played_again:  # more tries than the night's: not known
            self._played_again.add((phase, step, attempt, ran))
            output("stdout", self._plays_again(phase, step, ran))
        for stream, text in take.chunks:
            if command.stop is not None and command.stop.reason:  # the trainee pressed k: the night's rest does not play
                return Result("stopped", error=command.stop.reason)
            if stream == SAID:  # the executor's words on it that night (its timeout's line): said where it said them
                if status is not None:
                    status(text)
                continue
            output("stderr" if stream == "stderr" else "stdout", text.encode("utf-8"))
            await asyncio.sleep(CHUNK_PAUSE / self.recording.pace)
        if take.status == "timeout":
            return Result("timeout")
        if take.status == "ok":
            return Result("ok", take.exit_code)
        if take.status == "unknown":
            return Result("unknown", error=_END_UNKNOWN) if phase == "run" else Result("error", error=_UNDO_END_UNKNOWN)
        return Result("error", error=take.error or "the command's end was not recorded", started=take.started)

    def _plays_again(self, phase: str, step: str, ran: int) -> bytes:
        """Said once for the hosts the night ran as often: on a fleet of 12 it was said 12 times over the re-run's output
        (24 rows at 80 columns, the failing host's line scrolled away)."""
        said = "once" if ran == 1 else f"{ran} times"
        hosts = sum(1 for (kind, name, _host), takes in self.recording.takes.items() if (kind, name) == (phase, step) and len(takes) == ran)
        if hosts > 1:
            return f"[practice] on the night this ran {said} on each of {hosts} hosts; their last recordings play again (another try was never made)\n".encode()
        return f"[practice] on the night this ran {said}; its last recording plays again (another try was never made)\n".encode()

    async def release(self, hosts: Sequence[Host]) -> None:
        """Nothing is held per host."""

    async def close(self) -> None:
        return None
