"""kill -9 of `runbook-tui exec` at 10 seeded-random points of an 8-step run, then resume as a script would.

Each step appends its name to a ledger (the side effect that must not happen
twice) and touches a marker when it is through. After each kill: `resume
--headless` (where does the run stand?), then the script's decision for a
step left unknown — `--mark-done` when its marker is there, else `--rerun` —
with `--continue` until the run is done. The step's own shell survives the
kill (it has its own session, as on a real box); in half the trials it is let
finish, in the other half it is killed too (the box lost it), which is what
leaves a ledger line without a marker: the one step a person re-runs on
purpose, and the only one that may appear twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

from fault_helpers import RUNBOOK_TUI, env_for, of_type, printed_statuses, run, write_runbook

from runbook_tui import cli
from runbook_tui.engine.event_words import status_words
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import replay

SEED = 20240611
TRIALS = 10
STEPS = [f"s{i}" for i in range(1, 9)]


def runbook(tmp_path: Path, token: str) -> Path:
    ledger, done = tmp_path / "ledger", tmp_path / "done"
    done.mkdir()
    steps = [
        {
            "id": sid,
            "title": f"Step {sid}",
            # `: TOKEN` names the step's shell, so the test can find it after its parent died.
            "run": f": {token}; echo {sid} >> {ledger}; echo {sid}-begin; sleep 0.06; echo {sid}-end; touch {done}/{sid}",
        }
        for sid in STEPS
    ]
    return write_runbook(tmp_path, "kill9", steps)


def ledger(tmp_path: Path) -> Counter[str]:
    path = tmp_path / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def _pids_mentioning(token: str) -> list[int]:
    """Processes whose command line or environment holds the token. The environment (exec is started with
    KILL9_TOKEN) also finds a step's process forked just before the kill that has not yet exec'd its shell:
    its command line is still exec's, and missing it let that step append to the ledger while resume ran."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                proc = Path(f"/proc/{entry}")
                if token.encode() in proc.joinpath("cmdline").read_bytes() or token.encode() in proc.joinpath("environ").read_bytes():
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


#: Scans in a row that must find nothing before the orphans count as gone. One empty scan is not enough: a
#: process in the middle of execve has, for a moment, neither its old nor its new command line and environment
#: in /proc (both read empty), so a step forked just before the kill could slip past one scan and then append
#: to the ledger while `resume` runs.
QUIET_SCANS = 3


def settle_orphans(token: str, kill: bool) -> None:
    """The killed run's step shell lives on in its own group: kill it (the box lost it) or let it end."""
    deadline = time.monotonic() + 5
    quiet = 0
    while quiet < QUIET_SCANS and time.monotonic() < deadline:
        pids = _pids_mentioning(token)
        quiet = 0 if pids else quiet + 1
        if kill:
            for pid in pids:
                try:
                    os.killpg(os.getpgid(pid), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        time.sleep(0.02)  # the pace of the polling; what ends the wait is QUIET_SCANS empty scans in a row
    assert quiet >= QUIET_SCANS, f"a step's shell outlived the test: {_pids_mentioning(token)}"


def one_trial(tmp_path: Path, rng: random.Random) -> dict[str, object]:
    token = f"kill9-{uuid.uuid4().hex}"
    rb = runbook(tmp_path, token)
    journal = tmp_path / "j.jsonl"
    env = {**env_for(tmp_path), "KILL9_TOKEN": token}
    delay = rng.uniform(0.0, 1.0)
    kill_orphan = rng.random() < 0.5
    with open(tmp_path / "exec.out", "wb") as out:
        proc = subprocess.Popen([*RUNBOOK_TUI, "exec", str(rb), "--solo", "kill -9 test", "--journal", str(journal)],
                                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 10
            while not (journal.exists() and journal.stat().st_size) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(delay)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
    settle_orphans(token, kill_orphan)

    # What the journal held at the moment of the kill, and what exec had shown as done.
    at_kill = read_events(journal)
    assert not at_kill.problems or at_kill.truncated_at is not None, at_kill.problems
    killed_state = replay(at_kill.events)
    shown_done = {line.split()[2] for line in (tmp_path / "exec.out").read_text().splitlines() if line[9:].startswith("step_finished")}
    journaled_done = {e["step"] for e in of_type(at_kill.events, "step_finished")}
    assert shown_done <= journaled_done, "exec printed a step as finished that the journal did not hold"
    started_at_kill = Counter(e["step"] for e in of_type(at_kill.events, "step_started"))
    trial: dict[str, object] = {"delay": round(delay, 3), "kill_orphan": kill_orphan, "done_at_kill": sorted(journaled_done), "decision": None}

    if killed_state.finished:  # the kill came after the end: nothing to resume
        assert ledger(tmp_path) == Counter(STEPS)
        return trial

    # 1. Where does the run stand? (No decision: nothing may run.)
    before = ledger(tmp_path)
    looked = run(tmp_path, "resume", str(journal), "--headless", env=env)
    assert looked.returncode == 1, looked.stdout + looked.stderr
    assert "Traceback" not in looked.stdout + looked.stderr
    assert ledger(tmp_path) == before, "resume without a decision ran something"
    rebuilt = replay(read_events(journal).events)
    assert printed_statuses(looked.stdout, STEPS) == {sid: status_words(rebuilt.steps[sid].status) for sid in STEPS}, looked.stdout
    for sid in STEPS:  # the rebuilt state is the state at the kill, with a running step turned unknown
        was = killed_state.steps[sid].status
        assert rebuilt.steps[sid].status == ("unknown" if was == "running" else was), (sid, was, rebuilt.steps[sid].status)
    for sid in journaled_done:
        assert rebuilt.steps[sid].status == "done", f"{sid} was shown done before the kill and is not now"

    # 2. Decide as a script would, and continue until done.
    expected = Counter({sid: 1 for sid in STEPS})
    current = rebuilt.current
    for _round in range(3):
        state = replay(read_events(journal).events)
        if state.finished:
            break
        decision: list[str] = []
        unknown = state.current if state.current and state.steps[state.current].status == "unknown" else None
        if unknown is not None:
            if (tmp_path / "done" / unknown).exists():
                decision = ["--mark-done", f"marker done/{unknown} is there"]
            else:
                decision = ["--rerun"]
                expected[unknown] = ledger(tmp_path)[unknown] + 1  # a deliberate re-run: once more than now
            trial["decision"] = (unknown, decision[0])
        went = run(tmp_path, "resume", str(journal), "--headless", *decision, "--continue", env=env)
        assert "Traceback" not in went.stdout + went.stderr, went.stdout + went.stderr
        assert went.returncode == 0, went.stdout + went.stderr
    final = replay(read_events(journal).events)
    assert final.outcome == "done", trial
    assert current is None or current in STEPS

    # 3. Nothing ran twice, except the step a person deliberately re-ran; nothing done before was lost.
    counts = ledger(tmp_path)
    assert counts == expected, (trial, counts)
    trial["twice"] = sorted(sid for sid, n in counts.items() if n > 1)
    twice = [sid for sid, n in counts.items() if n > 1]
    assert not twice or (trial["decision"] and twice == [trial["decision"][0]] and trial["decision"][1] == "--rerun"), (trial, counts)  # type: ignore[index]
    after = read_events(journal)
    assert after.intact, after.problems
    kept = at_kill.events
    assert [e["hash"] for e in after.events[: len(kept)]] == [e["hash"] for e in kept], "resume only appends after the last whole event"
    started_after = Counter(e["step"] for e in of_type(after.events, "step_started"))
    for sid in STEPS:  # a step that started before the kill starts again only when re-run on purpose
        again = started_after[sid] - started_at_kill[sid]
        if sid in journaled_done:
            assert again == 0, f"{sid} was done before the kill and ran again"
        elif started_at_kill[sid]:
            assert again == (1 if trial["decision"] == (sid, "--rerun") else 0), (sid, trial)
    for sid in journaled_done:
        assert final.steps[sid].status == "done"
    assert cli.main(["journal", "verify", str(journal)]) == 0
    return trial


def test_kill_9_at_ten_random_points_then_resume_loses_nothing_and_reruns_only_on_purpose(tmp_path: Path, capsys: object) -> None:
    rng = random.Random(SEED)
    trials = []
    for number in range(TRIALS):
        where = tmp_path / f"trial{number}"
        where.mkdir()
        trials.append(one_trial(where, rng))
    # The seeded points must exercise the interesting cases, not only kills between steps.
    print(*trials, sep="\n")
    decisions = [t["decision"] for t in trials if t["decision"]]
    assert decisions, trials
