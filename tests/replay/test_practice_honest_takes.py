"""Practice says what is only the night's recording: a re-run beyond the night's attempts, an end the night never saw."""

from __future__ import annotations

import asyncio

from runbook_tui.engine.ports import Command, Result
from runbook_tui.engine.recording import Recording, Take
from runbook_tui.execute.recorded import RecordedExecutor
from runbook_tui.runbook.model import Host, Mark

LOCAL = Host(name="local", address=None, mark=Mark("<test>", 1, 1))


def _play(executor: RecordedExecutor, attempt: int, phase: str = "run", host: Host = LOCAL) -> tuple[Result, str]:
    printed: list[bytes] = []
    key = f"s/restart/{host.name}/{phase}{attempt}"
    result = asyncio.run(executor.run(Command(host, "restart", key=key), lambda _stream, data: printed.append(data)))
    return result, b"".join(printed).decode()


def test_a_rerun_the_night_never_made_says_it_plays_the_nights_recording_again() -> None:
    """The night's restart failed once and was rolled back; a trainee who re-runs it saw the same failure as if a second
    try had failed too. The recording plays again, and the trainee is told so (the first try plays as it was)."""
    failed = Take(chunks=[("stderr", "widget failed to start: bad pool\n")], status="ok", exit_code=3)
    executor = RecordedExecutor(Recording(takes={("run", "restart", "local"): [failed]}))
    first, said_first = _play(executor, 1)
    again, said_again = _play(executor, 2)
    assert first == again == Result("ok", 3)
    assert "[practice]" not in said_first, said_first
    assert said_again.startswith("[practice] on the night this ran once; its last recording plays again"), said_again
    assert said_again.endswith("widget failed to start: bad pool\n"), said_again


def test_a_command_the_nights_process_died_in_ends_unknown_and_a_re_run_says_no_later_try_was_recorded() -> None:
    """kill -9 on the night: the step's outcome was unknown (then re-run or marked done). Practice failed it, `(here it
    counts as failed)`, and a re-run played the killed try again. Now it ends `unknown` (the runner ends the step so,
    engine/night_stopped.py); a re-run beyond the night's tries says none was recorded; an undo still counts as failed."""
    cut = Take(chunks=[("stdout", "stopping widget\n")])  # no step_finished: status unknown
    executor = RecordedExecutor(Recording(takes={("run", "restart", "local"): [cut], ("undo", "restart", "local"): [cut]}))
    result, said = _play(executor, 1)
    assert result == Result("unknown", error="on the night the program stopped while this ran: its end was not recorded"), result
    assert said == "stopping widget\n"
    again, said_again = _play(executor, 2)
    assert again == Result("ok", 0, assumed=True), again  # counts as succeeded whatever the step checks (nothing to judge)
    assert said_again.startswith("[practice] on the night the program stopped while this ran and no later try was recorded"), said_again
    assert "stopping widget" not in said_again, "the killed try does not play again as if it were a second one"
    undo, _said = _play(executor, 1, "undo")
    assert undo.status == "error" and undo.error is not None and undo.error.endswith("its end was not recorded (here it counts as failed)"), undo


def test_a_rerun_on_a_fleet_says_once_that_the_nights_recordings_play_again() -> None:
    """Before: a re-run on 12 hosts said `[practice] on the night this ran once; its last recording plays again …` 12
    times, under each host's name (24 rows of the pane at 80 columns, the failing host's own line scrolled out of view).
    Now the first host to play says it once for all the hosts the night ran as often; the next try says it again."""
    fleet = [Host(name=f"web{n:02d}", address="192.0.2.1", mark=LOCAL.mark) for n in range(1, 13)]
    reloaded = Take(chunks=[("stdout", "reloaded\n")], status="ok", exit_code=0)
    executor = RecordedExecutor(Recording(takes={("run", "restart", host.name): [reloaded] for host in fleet}))
    said = [_play(executor, 2, host=host)[1] for host in fleet]
    assert said[0] == (
        "[practice] on the night this ran once on each of 12 hosts; their last recordings play again (another try was never made)\nreloaded\n"
    ), said[0]
    assert said[1:] == ["reloaded\n"] * 11, said[1:]
    assert _play(executor, 3, host=fleet[4])[1].startswith("[practice] on the night this ran once on each of 12 hosts"), "the third try"
