"""The run ended; its process waited (up to 3 s) for the notice of the end, and was killed -9 meanwhile.

The journal ends with `session_finished` and no outcome of that notice: it may or may not have arrived. A run
killed mid-way has its unsettled notices named by `resume` (journaled as not known to be sent); a finished one was
refused by `resume` (`already finished; nothing to resume`) without a word of it, and the report listed the notices
that were journaled, as if that were all. Now `resume` of the finished run journals the end's notice as not known to
be sent, says so, and the report lists it; a receiver that did not want the end's notice is not named.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver
from test_notify_live import events_of, of_type, runbook_text

from runbook_tui.engine.journal import verify

pytestmark = pytest.mark.peers

WHY = "not known to be sent: the program stopped before its delivery was journaled (it may have arrived)"


def test_the_end_notice_a_kill_9_left_unsettled_is_named_by_resume_and_the_report(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    slow, starts = receiver("hang"), receiver("ok")
    path = write_runbook(runbook_text(f'- {{url: "{slow.url}", events: [session_finished]}}\n- {{url: "{starts.url}", events: [session_started]}}'))
    journal = tmp_path / "journal.jsonl"
    cli = [sys.executable, "-m", "runbook_tui"]
    proc = subprocess.Popen([*cli, "exec", str(path), "--solo", "kill -9 test", "--journal", str(journal)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        slow.wait_for(lambda r: bool(r.requests), 30.0, "the session_finished request (held: the run waits up to 3 s for it)")
        starts.wait_for(lambda r: bool(r.requests), 30.0, "the session_started request")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert of_type(events_of(journal), "session_finished"), "the run ended before the kill"
    assert not of_type(events_of(journal), "notify_failed", event="session_finished")
    resumed = subprocess.run([*cli, "resume", str(journal)], cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "this session already finished (done); nothing to resume" in resumed.stderr, resumed.stderr
    assert f"the notice of its end to {slow.url} was never known to be sent" in resumed.stderr, resumed.stderr
    events = events_of(journal)
    assert [(e["event"], e["target"], e["error"], e["attempts"]) for e in of_type(events, "notify_failed")] == [("session_finished", slow.url, WHY, 0)]
    assert not verify(journal).problems
    report = subprocess.run([*cli, "report", str(journal), "--format", "md"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "| session\\_finished |" in report.stdout and "not known to be sent" in report.stdout, report.stdout
    again = subprocess.run([*cli, "resume", str(journal)], cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "never known to be sent" not in again.stderr and len(of_type(events_of(journal), "notify_failed")) == 1, "named once"
    assert slow.events() == ["session_finished"] and starts.events() == ["session_started"], "nothing sent again"


@pytest.mark.parametrize("folder", [".", "change (v1): old"])
def test_a_receiver_that_got_nothing_because_its_secret_was_missing_is_named_not_sent_by_resume(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    """Its secret was missing all run: the run journaled that it gets nothing, and it was sent nothing. `resume` of the
    finished run named its end's notice `not known to be sent (... it may have arrived)`, as if it might have.

    In a folder whose name holds `): ` (the error names the receiver's place, `FILE:LINE:COL`), the reason was read
    back from the error's words, cut at the first `): `: `got nothing in the run: old/runbook.yaml:13:5): secret …`.
    The error now carries the receiver and the reason as fields of their own."""
    monkeypatch.delenv("RBT_NO_SUCH_TOKEN", raising=False)
    hook, locked = receiver("ok"), receiver("ok")
    secret = '{Authorization: {env: RBT_NO_SUCH_TOKEN, prefix: "Bearer "}}'
    (tmp_path / folder).mkdir(exist_ok=True)
    path = write_runbook(
        runbook_text(f'- {{url: "{hook.url}", events: [session_finished]}}\n- {{url: "{locked.url}", events: [session_finished], headers: {secret}}}'),
        f"{folder}/runbook.yaml",
    )
    journal = tmp_path / "journal.jsonl"
    cli = [sys.executable, "-m", "runbook_tui"]
    ran = subprocess.run([*cli, "exec", str(path), "--solo", "missing secret", "--journal", str(journal)], cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [gets_nothing] = [e for e in of_type(events_of(journal), "error") if e.get("outreach")]
    assert gets_nothing["message"].startswith(f"notify {locked.url} (") and "RBT_NO_SUCH_TOKEN is not set" in gets_nothing["message"], gets_nothing
    resumed = subprocess.run([*cli, "resume", str(journal)], cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    unset = "secret 'notify header Authorization': environment variable RBT_NO_SUCH_TOKEN is not set"
    assert f"the notice of its end to {locked.url} was not sent (its receiver got nothing in the run: {unset}" in resumed.stderr, resumed.stderr
    assert "never known to be sent" not in resumed.stderr, resumed.stderr
    assert gets_nothing["receiver"] == locked.url and gets_nothing["unprepared"].startswith(unset), gets_nothing
    [failed] = of_type(events_of(journal), "notify_failed")
    assert (failed["event"], failed["target"], failed["attempts"]) == ("session_finished", locked.url, 0)
    assert failed["error"].startswith(f"not sent: its receiver got nothing in the run: {unset}"), failed["error"]
    assert not verify(journal).problems
    again = subprocess.run([*cli, "resume", str(journal)], cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "not sent" not in again.stderr and len(of_type(events_of(journal), "notify_failed")) == 1, "named once"
    assert hook.events() == ["session_finished"] and not locked.requests, "nothing sent again, nothing to the receiver without its secret"
