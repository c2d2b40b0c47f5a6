"""Every failure has a way back, and no machine does a person's work: exec, resume and rehearse as a user runs them.

Real processes (`python -m runbook_tui`), real `sh` steps writing to a log in tmp_path.
"""

from __future__ import annotations

import asyncio
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from written_lines import written_events

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.autopilot import Policy, drive

CHANGE = """\
    runbook: 1
    id: ways-back
    title: Ways back
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: a
            title: Step a
            run: echo a >> log
            undo: echo undo-a >> log
            checkpoint: true
          - id: b
            title: Step b
            run: echo b >> log
            undo: echo undo-b >> log
          - id: c
            title: Step c (fails while make-c-fail exists)
            run: echo c >> log; test ! -e make-c-fail
            undo: echo undo-c >> log
"""

CLI = [sys.executable, "-m", "runbook_tui"]

MANUAL = """\
    runbook: 1
    id: manual-steps
    title: A change with a person's step
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: a
            title: Step a
            run: echo a >> log
          - id: tags
            title: Tag the config
            note: Add the no-failover tags to patroni.yml
          - id: z
            title: Step z
            run: echo z >> log
"""


def log(tmp_path: Path) -> list[str]:
    path = tmp_path / "log"
    return path.read_text().splitlines() if path.exists() else []


def events(path: Path) -> list[dict[str, Any]]:
    return written_events(path)


@pytest.fixture
def failed_exec(tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]) -> Path:
    """`exec --on-failure stop` whose step c failed: the session ended `failed`."""
    path = write_runbook(CHANGE)
    (tmp_path / "make-c-fail").touch()
    result = run_cli("exec", str(path), "--solo", "test", "--journal", "j.jsonl", "--on-failure", "stop")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"runbook-tui resume {tmp_path / 'j.jsonl'} --rollback" in result.stdout or "resume j.jsonl --rollback" in result.stdout
    assert events(tmp_path / "j.jsonl")[-1]["outcome"] == "failed"
    assert log(tmp_path) == ["a", "b", "c"]
    return tmp_path / "j.jsonl"


def test_a_failed_exec_rolls_back_to_the_last_checkpoint_on_resume(failed_exec: Path, tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("resume", str(failed_exec), "--rollback")
    assert result.returncode == 1, result.stdout + result.stderr  # rolled back: 1, as `run` exits
    assert log(tmp_path) == ["a", "b", "c", "undo-c", "undo-b"], "back to checkpoint a, as u does"
    # the rollback this very command runs is not said as one that never started (before: "the program stopped before
    # that rollback started: nothing of it ran" and "nothing runs without one of them", printed just before it ran)
    assert "stopped before that rollback started" not in result.stdout and "nothing runs without" not in result.stdout, result.stdout
    journal = events(failed_exec)
    types = [e["type"] for e in journal]
    reopened = types.index("session_reopened")
    assert types[reopened - 1] == "session_finished" and journal[reopened]["outcome"] == "failed"
    assert [e["scope"] for e in journal if e["type"] == "rollback_started"] == ["checkpoint"]
    assert journal[-1]["type"] == "session_finished" and journal[-1]["outcome"] == "rolled_back"
    # The rollback ends the session: no step is announced "as it will run" between them (before: step_ready of 'b').
    assert types[types.index("rollback_finished") :] == ["rollback_finished", "session_finished"], types
    verify = run_cli("journal", "verify", str(failed_exec))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    again = run_cli("resume", str(failed_exec), "--rollback")
    assert again.returncode == 1 and "already finished (rolled_back)" in again.stderr


def test_a_failed_exec_rolls_back_fully_with_full(failed_exec: Path, tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("resume", str(failed_exec), "--rollback", "--full")
    assert result.returncode == 1, result.stdout + result.stderr  # rolled back: 1, as `run` exits
    assert log(tmp_path) == ["a", "b", "c", "undo-c", "undo-b", "undo-a"]
    assert events(failed_exec)[-1]["outcome"] == "rolled_back"


TWICE = """\
    runbook: 1
    id: roll-twice
    title: Roll back to the checkpoint, then all of it
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: a, title: A, run: echo a >> log, undo: echo undo-a >> log, verify: none}
          - {id: cp, title: CP, run: echo cp >> log, undo: echo undo-cp >> log, checkpoint: true, verify: none}
          - {id: b, title: B, run: echo b >> log, undo: echo undo-b >> log, verify: none}
          - {id: c, title: C, run: echo c >> log; false, undo: echo undo-c >> log, verify: none}
"""


def test_a_session_rolled_back_to_its_checkpoint_is_rolled_back_fully_on_resume_rollback_full(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    """After `exec --on-failure rollback` the steps up to the checkpoint stay applied; the change board says undo it all.
    Before: `resume J --rollback --full` was refused (reopens only a failed session): nothing undid a and cp."""
    path = write_runbook(TWICE)
    result = run_cli("exec", str(path), "--solo", "test", "--journal", "j.jsonl", "--on-failure", "rollback")
    assert result.returncode == 1, result.stdout + result.stderr
    assert log(tmp_path) == ["a", "cp", "b", "c", "undo-c", "undo-b"]
    assert "still applied: cp, a (before the checkpoint); to undo them too: runbook-tui resume j.jsonl --rollback --full" in result.stdout
    journal = tmp_path / "j.jsonl"
    record = journal.read_bytes()

    alone = run_cli("resume", str(journal), "--rollback", "--headless")
    assert alone.returncode == 1 and alone.stdout == "", alone.stdout + alone.stderr
    assert "already finished (rolled_back)" in alone.stderr and "left applied: cp, a" in alone.stderr
    assert "`resume --rollback --full` undoes them" in alone.stderr and "nothing was rolled back" in alone.stderr
    assert journal.read_bytes() == record, "a refused --rollback journals nothing"

    full = run_cli("resume", str(journal), "--rollback", "--full", "--headless")
    assert full.returncode == 1, full.stdout + full.stderr  # rolled back: 1, as `run` exits
    assert log(tmp_path) == ["a", "cp", "b", "c", "undo-c", "undo-b", "undo-cp", "undo-a"], "newest first, b and c not undone twice"
    written = events(journal)
    types = [e["type"] for e in written]
    reopened = types.index("session_reopened")
    assert written[reopened - 1]["type"] == "session_finished" and written[reopened]["outcome"] == "rolled_back"
    assert [(e["scope"], [u["step_id"] for u in e["plan"]["entries"]]) for e in written if e["type"] == "rollback_started"] == [
        ("checkpoint", ["c", "b"]),
        ("full", ["cp", "a"]),
    ]
    assert [e["outcome"] for e in written if e["type"] == "session_finished"] == ["rolled_back", "rolled_back"]
    assert types[-1] == "session_finished"
    verify = run_cli("journal", "verify", str(journal))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    report = run_cli("report", str(journal))
    assert report.returncode == 0, report.stderr
    first, second = report.stdout.find("Rollback 1: the last checkpoint (back to cp)"), report.stdout.find("Rollback 2: the whole change")
    assert -1 < first < second, report.stdout

    record = journal.read_bytes()
    again = run_cli("resume", str(journal), "--rollback", "--full", "--headless")
    assert again.returncode == 1 and "nothing is left to undo: the full rollback undid every step that ran" in again.stderr, again.stderr
    assert journal.read_bytes() == record and log(tmp_path)[-1] == "undo-a"


def test_a_reopening_the_process_died_after_is_said_and_carried_out_not_read_as_standing_at_the_checkpoint(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    """`resume --rollback --full` of a session rolled back to its checkpoint, the process dead between `session_reopened`
    and `rollback_started` (each event is on disk before the program acts on it: the journal then ends at the reopening).
    Before: the next resume said the run stood at the checkpoint and `--continue` ran b and c again, applying anew the
    change the person had asked to undo altogether. Now it says the reopening and the rollback that never started, and
    `--continue` runs that rollback (cp, a), nothing forward."""
    path = write_runbook(TWICE)
    assert run_cli("exec", str(path), "--solo", "test", "--journal", "j.jsonl", "--on-failure", "rollback").returncode == 1
    journal = tmp_path / "j.jsonl"
    full = run_cli("resume", str(journal), "--rollback", "--full", "--headless")
    assert full.returncode == 1, full.stdout + full.stderr
    lines = journal.read_bytes().splitlines(keepends=True)
    reopened = next(i for i, line in enumerate(lines) if b'"type":"session_reopened"' in line)
    journal.write_bytes(b"".join(lines[: reopened + 1]))  # as a kill -9 right after the reopening leaves it
    (tmp_path / "log").write_text("")

    look = run_cli("resume", str(journal))
    assert look.returncode == 1, look.stdout + look.stderr
    assert "the run stands there" not in look.stdout and "--continue runs the steps after it again" not in look.stdout, look.stdout
    assert (
        "The session had ended rolled_back; `resume --rollback --full` reopened it to roll back the whole change,"
        " and the program stopped before that rollback started: nothing of it ran." in look.stdout
    ), look.stdout
    assert "--rollback --full (or --continue) runs that rollback; nothing runs without one of them." in look.stdout
    assert log(tmp_path) == [], "a look runs nothing"

    going_on = run_cli("resume", str(journal), "--continue")
    assert going_on.returncode == 1, going_on.stdout + going_on.stderr  # rolled back: 1, as `run` exits
    assert log(tmp_path) == ["undo-cp", "undo-a"], "the rollback asked, not b and c again"
    written = events(journal)
    assert [e["scope"] for e in written if e["type"] == "rollback_started"] == ["checkpoint", "full"]
    assert written[-1]["type"] == "session_finished" and written[-1]["outcome"] == "rolled_back"
    verify = run_cli("journal", "verify", str(journal))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_failed_sessions_reopening_the_process_died_after_is_said_with_its_scope(failed_exec: Path, tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    """`resume --rollback` of a failed session, dead right after `session_reopened`: the look names the rollback asked
    (to the last checkpoint; it read "roll back back to ..."), and --continue runs it: undo c, b, not c again."""
    result = run_cli("resume", str(failed_exec), "--rollback")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = failed_exec.read_bytes().splitlines(keepends=True)
    reopened = next(i for i, line in enumerate(lines) if b'"type":"session_reopened"' in line)
    failed_exec.write_bytes(b"".join(lines[: reopened + 1]))
    (tmp_path / "log").write_text("")
    look = run_cli("resume", str(failed_exec))
    assert (
        "The session had ended failed; `resume --rollback` reopened it to roll back to the last checkpoint,"
        " and the program stopped before that rollback started: nothing of it ran.\n"
        "--rollback (or --continue) runs that rollback; nothing runs without one of them.\n" in look.stdout
    ), look.stdout
    going_on = run_cli("resume", str(failed_exec), "--continue")
    assert going_on.returncode == 1, going_on.stdout + going_on.stderr
    assert log(tmp_path) == ["undo-c", "undo-b"]
    assert events(failed_exec)[-1]["outcome"] == "rolled_back"


def test_resume_without_rollback_still_refuses_a_finished_session_and_says_the_way_back(failed_exec: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("resume", str(failed_exec), "--continue")
    assert result.returncode == 1
    assert "already finished (failed)" in result.stderr and "--rollback" in result.stderr


def test_on_failure_rollback_goes_back_to_the_last_checkpoint_and_abort_rolls_back_fully(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    path = write_runbook(CHANGE)
    (tmp_path / "make-c-fail").touch()
    result = run_cli("exec", str(path), "--solo", "test", "--journal", "r.jsonl", "--on-failure", "rollback")
    assert result.returncode == 1, result.stdout + result.stderr
    assert log(tmp_path) == ["a", "b", "c", "undo-c", "undo-b"]
    journal = events(tmp_path / "r.jsonl")
    assert [e["scope"] for e in journal if e["type"] == "rollback_started"] == ["checkpoint"]
    assert journal[-1]["outcome"] == "rolled_back"

    (tmp_path / "log").unlink()
    result = run_cli("exec", str(path), "--solo", "test", "--journal", "f.jsonl", "--on-failure", "abort")
    assert result.returncode == 1, result.stdout + result.stderr
    assert log(tmp_path) == ["a", "b", "c", "undo-c", "undo-b", "undo-a"]
    assert [e["scope"] for e in events(tmp_path / "f.jsonl") if e["type"] == "rollback_started"] == ["full"]


def test_exec_refuses_a_runbook_with_a_persons_step_and_runs_nothing(tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]) -> None:
    path = write_runbook(MANUAL)
    result = run_cli("exec", str(path), "--solo", "test", "--journal", "m.jsonl")
    assert result.returncode == 2
    assert "tags (note)" in result.stderr and "--ack-manual REASON" in result.stderr
    assert log(tmp_path) == [] and not (tmp_path / "m.jsonl").exists()


def test_ack_manual_is_journaled_on_each_manual_step(tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]) -> None:
    path = write_runbook(MANUAL)
    result = run_cli("exec", str(path), "--solo", "test", "--journal", "m.jsonl", "--ack-manual", "staging: tags are in the image")
    assert result.returncode == 0, result.stdout + result.stderr
    journal = events(tmp_path / "m.jsonl")
    [ack] = [e for e in journal if e.get("request") == "ack_manual"]
    assert ack["step"] == "tags" and "staging: tags are in the image" in ack["text"]
    started = next(i for i, e in enumerate(journal) if e["type"] == "step_started" and e["step"] == "tags")
    assert journal.index(ack) < started, "acknowledged before the step was ticked off"


IRREVERSIBLE = MANUAL.replace(
    """            note: Add the no-failover tags to patroni.yml""",
    """            run: echo tags >> log
            confirm: The tags cannot be taken back""",
)
ASKED = MANUAL.replace(
    """            note: Add the no-failover tags to patroni.yml""",
    """            ask: Which tag did the DBA give you?
            capture: tag""",
).replace("echo z >> log", "echo z {{ captured.tag }} >> log")


def test_exec_has_a_person_acknowledge_a_confirm_and_never_captures_an_empty_answer(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: exec acknowledged a `confirm:` text (for a step that cannot be undone) with nobody there and no flag, and
    under --ack-manual an `ask` with `capture:` captured '' for the steps after it (`echo z ''`)."""
    confirmed = write_runbook(IRREVERSIBLE, "confirm.yaml")
    refused = run_cli("exec", str(confirmed), "--solo", "test", "--journal", "c.jsonl")
    assert refused.returncode == 2 and "tags (confirm)" in refused.stderr and "--ack-manual REASON" in refused.stderr, refused.stderr
    assert log(tmp_path) == [] and not (tmp_path / "c.jsonl").exists()
    acked = run_cli("exec", str(confirmed), "--solo", "test", "--journal", "c.jsonl", "--ack-manual", "CAB accepted it")
    assert acked.returncode == 0, acked.stdout + acked.stderr
    journal = events(tmp_path / "c.jsonl")
    [ack] = [e for e in journal if e.get("request") == "ack_manual"]
    started = next(i for i, e in enumerate(journal) if e["type"] == "step_started" and e["step"] == "tags")
    assert ack["step"] == "tags" and "CAB accepted it" in ack["text"] and journal.index(ack) < started

    (tmp_path / "log").unlink()
    asked = write_runbook(ASKED, "ask.yaml")
    unanswered = run_cli("exec", str(asked), "--solo", "test", "--journal", "a.jsonl", "--ack-manual", "nobody")
    assert unanswered.returncode == 2, unanswered.stdout + unanswered.stderr
    assert "'tags' (ask): its answer becomes captured.tag, and a headless run has nobody to give it" in unanswered.stderr
    assert log(tmp_path) == [] and not (tmp_path / "a.jsonl").exists()

    monkeypatch.chdir(tmp_path)  # the in-process drive's steps write ./log (it appended to the repository's own)

    async def continued_headless() -> str:  # `resume --continue`'s road: the drive stops at the question, the journal open
        session = open_session(load(str(asked), {}), solo="test", journal=str(tmp_path / "r.jsonl"), settings=Settings())
        outcome = await drive(session.controller, session.actor, policy=Policy(ack_manual="nobody"))
        await session.close()
        return outcome

    assert asyncio.run(continued_headless()) == "manual"
    resumed = events(tmp_path / "r.jsonl")
    assert [e["step"] for e in resumed if e["type"] == "step_started"] == ["a"] and resumed[-1]["type"] != "session_finished"
    assert any("exec stopped at 'tags': its answer becomes captured.tag" in e.get("text", "") for e in resumed)


def test_rehearse_says_it_runs_real_commands_and_refuses_without_yes_or_a_terminal(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    helped = " ".join(run_cli("rehearse", "--help").stdout.split())  # what it does, all of it: not only "then its undo commands"
    assert "REAL commands" in helped and "then the rollback sections" in helped and "runs the prechecks again" in helped, helped
    assert "shows the plan and the hosts and asks" in helped and "Exit 0 when the prechecks pass again, 1 when not" in helped
    path = write_runbook(CHANGE)
    result = run_cli("rehearse", str(path), "--journal", "r.jsonl")
    assert result.returncode == 2
    assert result.stdout.startswith("rehearse runs the REAL commands") and "local (this machine)" in result.stdout
    assert "--yes" in result.stderr and log(tmp_path) == []
    # The hosts as a run reaches them: the ssh config sends db1 to another address, as another user (it said `db1 (db1:22)`).
    (tmp_path / "ssh_config").write_text("Host db1\n  HostName 10.9.9.9\n  User deploy\n")
    (tmp_path / "settings.yaml").write_text(f"ssh: {{config: {tmp_path / 'ssh_config'}}}\n")
    remote = CHANGE.replace("    sections:", "    hosts:\n      db: [{name: db1}]\n    sections:", 1).replace(
        "run: echo a", "on: db\n            run: echo a", 1
    )
    shown = run_cli("rehearse", str(write_runbook(remote, "remote.yaml")), env={"RUNBOOK_TUI_SETTINGS": str(tmp_path / "settings.yaml")})
    assert shown.returncode == 2 and shown.stdout.endswith("on the hosts it names: db1 (deploy@10.9.9.9:22), local (this machine)\n"), shown.stdout
    manual = run_cli("rehearse", "--yes", str(write_runbook(MANUAL, "manual.yaml")), "--journal", "m.jsonl")
    assert manual.returncode == 2 and "--ack-manual" in manual.stderr and log(tmp_path) == []


def test_a_dry_run_started_without_its_secret_resumes_without_it(tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]) -> None:
    path = write_runbook(CHANGE.replace("    sections:", "    secrets:\n      token: {env: WAYS_BACK_TOKEN}\n    sections:", 1))

    async def stop_after_first_step() -> None:
        session = open_session(load(str(path), {}), mode="dry-run", solo="dry", journal=str(tmp_path / "d.jsonl"), settings=Settings())
        assert session.controller.run_current(session.actor).ok
        await session.controller.wait_idle()
        await session.close()

    asyncio.run(stop_after_first_step())
    result = run_cli("resume", str(tmp_path / "d.jsonl"), "--continue", env={"WAYS_BACK_TOKEN": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "secrets cannot be used" not in result.stderr
    assert events(tmp_path / "d.jsonl")[-1]["outcome"] == "done"


def test_a_run_nobody_can_verify_starts_no_verified_step_and_resume_solo_changes_the_mode(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    path = write_runbook(CHANGE)
    journal = tmp_path / "v.jsonl"

    async def neither_shared_nor_solo() -> str:
        session: Session = open_session(load(str(path), {}), journal=str(journal), settings=Settings())
        reply = session.controller.run_current(session.actor)
        await session.close()
        assert not reply.ok
        return reply.message

    message = asyncio.run(neither_shared_nor_solo())
    assert "no verifier can join" in message and "--solo REASON" in message and "--share" in message
    assert log(tmp_path) == [] and not [e for e in events(journal) if e["type"] == "step_started"]

    result = run_cli("resume", str(journal), "--solo", "the verifier's laptop died; CAB ok", "--continue")
    assert result.returncode == 0, result.stdout + result.stderr
    assert log(tmp_path) == ["a", "b", "c"]
    journal_events = events(journal)
    [changed] = [e for e in journal_events if e["type"] == "mode_changed"]
    assert changed["solo"] == "the verifier's laptop died; CAB ok"
    assert all(e["verified"] is False for e in journal_events if e["type"] == "step_finished")


def test_resume_continue_of_a_step_waiting_for_a_verifier_nobody_can_bring_says_so_and_stops(
    tmp_path: Path, write_runbook: Callable[..., Path], run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the steps write ./log
    path = write_runbook(CHANGE)
    journal = tmp_path / "w.jsonl"

    async def a_shared_run_that_died_waiting() -> None:
        session = open_session(load(str(path), {}), journal=str(journal), settings=Settings(), verifier_in_process=True)
        assert session.controller.run_current(session.actor).ok
        await session.controller.wait_idle()
        assert session.controller.state.steps["a"].status == "awaiting_verification"
        await session.close()

    asyncio.run(a_shared_run_that_died_waiting())
    result = run_cli("resume", str(journal), "--continue", timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "--share ADDR --verifier-key FILE" in result.stdout and "--solo REASON" in result.stdout
    assert log(tmp_path) == ["a"], "nothing else ran unverified"
    assert events(journal)[-1]["type"] != "session_finished", "left open for a resume with a verifier"
    # The note names the command that stopped (before: `exec stopped: ...`, though exec never ran here).
    [note] = [e["text"] for e in events(journal) if e["type"] == "note" and "waits for a verifier" in e["text"]]
    assert note.startswith("resume stopped: 'a' waits for a verifier, and no verifier can join this run"), note

    # What it says to do: --solo REASON goes on unverified. 'a' waited for a verifier nobody can be now: it is recorded
    # done unverified, with the reason (before: it stayed waiting for a verifier, and --continue waited forever).
    result = run_cli("resume", str(journal), "--solo", "bob went home; CAB ok", "--continue", timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr
    assert log(tmp_path) == ["a", "b", "c"]
    [settled] = [e for e in events(journal) if e["type"] == "step_marked_done"]
    assert settled["step"] == "a" and settled["verified"] is False and "bob went home; CAB ok" in settled["reason"]
    assert events(journal)[-1]["outcome"] == "done"


def test_rehearse_in_a_terminal_lists_the_hosts_and_runs_nothing_unless_told_yes(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    """In a real terminal (tmux): the plan (every command and undo), the warning and the hosts, then the question;
    `no` runs nothing."""
    path = write_runbook(CHANGE)
    socket = str(tmp_path / "tmux.sock")
    env = f"XDG_STATE_HOME={shlex.quote(str(tmp_path / 'state'))} XDG_CONFIG_HOME={shlex.quote(str(tmp_path / 'config'))}"
    script = f"cd {shlex.quote(str(tmp_path))} && env {env} {shlex.join([*CLI, 'rehearse', str(path), '--journal', 'r.jsonl'])}; echo EXIT=$?; sleep 60"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=10, check=True).stdout

    def screen_shows(words: str) -> str:
        deadline = time.monotonic() + 30
        text = ""
        while time.monotonic() < deadline:
            text = tmux("capture-pane", "-p", "-t", "r")
            if words in text:
                return text
            time.sleep(0.05)
        pytest.fail(f"the terminal never showed {words!r}:\n{text}")

    tmux("new-session", "-d", "-s", "r", "-x", "140", "-y", "45", script)
    try:
        screen = screen_shows("Type yes:")
        assert "rehearse runs the REAL commands" in screen and "local (this machine)" in screen
        assert "run: echo c >> log; test ! -e make-c-fail" in screen and "undo: echo undo-c >> log" in screen, screen
        tmux("send-keys", "-t", "r", "no", "Enter")
        screen_shows("EXIT=1")
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, timeout=10, check=False)
    assert log(tmp_path) == [] and not (tmp_path / "r.jsonl").exists()
