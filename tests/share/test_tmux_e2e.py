"""Two people, two terminals: the assignee's `runbook-tui run --share` and the verifier's `runbook-tui join`, in tmux.

Keys are sent as a person types them and the screens are read back with
`capture-pane`; waits poll the screens for the expected words (never a
fixed sleep). tmux runs on a private socket in tmp_path, without any
user configuration.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from share_peers import CLI, HOST, Lab, free_port, journal_lines
from waiting import settles

pytestmark = pytest.mark.peers  # needs tmux: scripts/test installs it


class Tmux:
    def __init__(self, root: Path) -> None:
        self.socket = str(root / "tmux.sock")

    def __call__(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, size: tuple[int, int] = (140, 45)) -> None:
        """A window (140x45 unless said) running argv; when it ends, the pane shows its exit code and stays."""
        assigned = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # COLUMNS/LINES may leak in from the test run's environment (80x24); the pane's own size must win.
        script = f"cd {shlex.quote(str(cwd))} && env -u COLUMNS -u LINES {assigned} {shlex.join(argv)}; echo EXIT=$?; sleep 600"
        self("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), script)

    def screen(self, name: str) -> str:
        return self("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str) -> None:
        self("send-keys", "-t", name, *keys)

    def end(self) -> None:
        """The server, and every program its panes started. A `run` can outlive its closed terminal's hang-up (it shows
        a screen on a terminal that is gone), and ones still listening with `--share` outlived the tests (found left over
        after runs of this file): each pane's process group is sent SIGTERM, then SIGKILL, until none of it runs."""
        listed = subprocess.run(["tmux", "-S", self.socket, "list-panes", "-a", "-F", "#{pane_pid}"], capture_output=True, text=True, timeout=10)
        groups = {int(pid) for pid in listed.stdout.split()}
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=10)
        for sent in (signal.SIGTERM, signal.SIGKILL):
            for group in groups:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(group, sent)
            if settles(lambda signalled=frozenset(groups): not (signalled & _running_groups()), 5):
                return
            groups &= _running_groups()
        pytest.fail(f"the tmux panes' programs still run: process groups {sorted(groups)}")

    def wait(self, name: str, predicate: Callable[[str], bool], what: str, timeout: float = 10) -> str:
        end = time.monotonic() + timeout
        text = ""
        while time.monotonic() < end:
            text = self.screen(name)
            if predicate(text):
                return text
            time.sleep(0.05)
        pytest.fail(f"{name}'s screen never showed {what} within {timeout:g}s:\n{text}")


def _running_groups() -> set[int]:
    """The process groups of the processes running now (not zombies: reaped or not, they run nothing)."""
    groups = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()  # after the command's name, which may hold spaces
            if fields[0] != "Z":
                groups.add(int(fields[2]))
    return groups


@pytest.fixture
def tmux(lab: Lab) -> Iterator[Tmux]:
    made = Tmux(lab.root)
    yield made
    made.end()


def _row(screen: str, title: str) -> str:
    """The step table's row of a step (the first line naming it)."""
    return next((line for line in screen.splitlines() if title in line), "")


def _header(screen: str) -> str:
    return next((line for line in screen.splitlines() if "assignee " in line), "")


def _fingerprint(journal: Path, timeout: float = 10) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if journal.exists():
            for event in journal_lines(journal):
                if event["type"] == "share_started":
                    return str(event["fingerprint"])
        time.sleep(0.05)
    pytest.fail(f"{journal} never recorded share_started")


def _wait_for_event(journal: Path, kind: str, timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(e["type"] == kind for e in journal_lines(journal)):
            return
        time.sleep(0.05)
    pytest.fail(f"{journal} never recorded {kind}")


def test_assignee_runs_verifier_confirms_both_screens_agree(lab: Lab, tmux: Tmux) -> None:
    bob = lab.key("bob")
    runbook = lab.runbook()  # no ticket: no change window, so no override prompt
    port = free_port()
    journal = lab.root / "J.jsonl"
    env = lab.env()  # RUNBOOK_TUI_USER=alice
    keep = {k: env[k] for k in ("PATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "RUNBOOK_TUI_USER")}
    run = [
        *CLI,
        "run",
        str(runbook),
        "--share",
        f"{HOST}:{port}",
        "--verifier-key",
        "bob.pub",
        "--journal",
        journal.name,
    ]  # short: the footer shows the fingerprint after the path
    tmux.start("assignee", run, keep, lab.root)
    fingerprint = _fingerprint(journal)
    screen = tmux.wait("assignee", lambda s: fingerprint in s, "the session's host key fingerprint")
    assert "not connected" in _header(screen) and "assignee alice" in _header(screen)

    join = [*CLI, "join", f"{HOST}:{port}", "--identity", bob.name, "--known-hosts", str(lab.known_hosts), "--accept-fingerprint", fingerprint]
    tmux.start("verifier", join, keep, lab.root)
    tmux.wait("verifier", lambda s: "joined as verifier" in s, "that bob joined as verifier")
    header = _header(tmux.wait("assignee", lambda s: re.search(r"verifier \S+ connected", _header(s)) is not None, "the verifier connected"))
    assert "not connected" not in header

    tmux.keys("assignee", "Enter")  # run 'one'; it waits for the verifier
    tmux.wait("verifier", lambda s: "⧗" in _row(s, "Step one"), "'one' waiting for the verifier")
    tmux.keys("verifier", "c")
    for name in ("assignee", "verifier"):
        screen = tmux.wait(name, lambda s: "✓" in _row(s, "Step one"), "'one' done")
        assert "✓" not in _row(screen, "Step two")
        assert re.search(r"verifier \S+ connected", _header(screen)) and "not connected" not in _header(screen)

    tmux.keys("assignee", "Enter")
    tmux.wait("verifier", lambda s: "⧗" in _row(s, "Step two"), "'two' waiting for the verifier")
    tmux.keys("verifier", "c")
    tmux.wait("verifier", lambda s: "✓" in _row(s, "Step two") and "finished: done" in s.lower(), "the run done")
    _wait_for_event(journal, "session_finished")  # the assignee's screen moves on to its post-change review

    tmux.keys("verifier", "q")  # the verifier leaves after the end, the assignee's session still open
    left = tmux.wait("verifier", lambda s: "EXIT=0" in s, "join to exit 0")
    assert "runbook-tui: the run ended: done" in left, left  # said in the terminal once the screen closed
    _wait_for_event(journal, "participant_left")  # bob's leave is on the record after the end too (it may follow session_finished)
    events = journal_lines(journal)
    assert [(e["type"], e.get("step"), e["actor"]) for e in events if e["type"] == "step_confirmed"] == [
        ("step_confirmed", "one", "bob"),
        ("step_confirmed", "two", "bob"),
    ]
    ending = [e for e in events if e["type"] not in ("seal", "decision_signed")]  # the verifier's seal may follow the end
    assert ending[-2]["type"] == "session_finished" and ending[-2]["outcome"] == "done"
    assert (ending[-1]["type"], ending[-1]["name"], ending[-1]["role"]) == ("participant_left", "bob", "verifier")  # before: never journaled
    verified = subprocess.run([*CLI, "journal", "verify", str(journal)], capture_output=True, text=True, timeout=30, env=lab.env())
    assert verified.returncode == 0, verified.stdout + verified.stderr


CAPTURED = """\
runbook: 1
id: share-rendered
title: Shared run with a captured path
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: backup
        title: Take the backup
        run: echo /var/backups/pg-0412.tar
        capture: backup
      - id: restore
        title: "Restore from {{ captured.backup }}"
        run: echo restoring {{ captured.backup }}
        undo: echo removing {{ captured.backup }}
"""


def _lines_with(screen: str, *prefixes: str) -> list[str]:
    """The step detail's lines starting with `prefixes` (run:, undo:, the title), stripped of the pane's borders."""
    found = []
    for line in screen.splitlines():
        for prefix in prefixes:
            at = line.find(prefix)
            if at >= 0:
                found.append(line[at:].split("│")[0].strip())
    return found


def test_at_80x24_a_shared_run_shows_the_whole_host_key_and_the_journal(lab: Lab, tmux: Tmux) -> None:
    """The verifier reads the fingerprint out before trusting the session, and the assignee needs to know where the
    record goes: at 80 columns both must be on the screen (the journal's path was cut off after the address and key)."""
    lab.key("bob")
    port = free_port()
    journal = lab.root / "CHG-9-walk-20261202T073000.123Z.jsonl"
    env = lab.env()
    keep = {k: env[k] for k in ("PATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "RUNBOOK_TUI_USER")}
    run = [*CLI, "run", str(lab.runbook()), "--share", f"{HOST}:{port}", "--verifier-key", "bob.pub", "--journal", journal.name]
    tmux.start("assignee", run, keep, lab.root, size=(80, 24))
    fingerprint = _fingerprint(journal)
    screen = tmux.wait("assignee", lambda s: fingerprint in s and "⏎ run" in s, "the whole host key fingerprint and the footer's keys")
    assert f"journal: {journal.name}" in screen, screen


def test_the_verifier_sees_the_same_rendered_commands_as_the_assignee(lab: Lab, tmux: Tmux) -> None:
    """What the verifier confirms is the command as it will run: the captured path, not `{{ captured.backup }}`."""
    bob = lab.key("bob")
    runbook = lab.runbook(CAPTURED)
    port = free_port()
    journal = lab.root / "J.jsonl"
    env = lab.env()
    keep = {k: env[k] for k in ("PATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "RUNBOOK_TUI_USER")}
    tmux.start("assignee", [*CLI, "run", str(runbook), "--share", f"{HOST}:{port}", "--verifier-key", "bob.pub", "--journal", journal.name], keep, lab.root)
    fingerprint = _fingerprint(journal)
    tmux.wait("assignee", lambda s: fingerprint in s, "the session's host key fingerprint", timeout=30)
    join = [*CLI, "join", f"{HOST}:{port}", "--identity", bob.name, "--known-hosts", str(lab.known_hosts), "--accept-fingerprint", fingerprint]
    tmux.start("verifier", join, keep, lab.root)
    tmux.wait("verifier", lambda s: "joined as verifier" in s, "that bob joined as verifier", timeout=30)

    tmux.keys("assignee", "Enter")  # the backup runs and captures its path; it waits for bob
    tmux.wait("verifier", lambda s: "⧗" in _row(s, "Take the backup"), "'backup' waiting for the verifier", timeout=30)
    tmux.keys("verifier", "c")
    # The status row's `Next: 'restore'` too: the step list's title reads the capture from the backup's end on (before
    # the status row moves on), so a screen with the title alone may still have its status row to draw.
    wanted = (
        "run:  echo restoring /var/backups/pg-0412.tar",
        "undo: echo removing /var/backups/pg-0412.tar",
        "Restore from /var/backups/pg-0412.tar",
        "Next: 'restore' on local",
    )
    # The confirmation's line in the output pane may come a frame after the state it changed (output has its own frames).
    seen = {"assignee": (*wanted, "backup confirmed by bob"), "verifier": wanted}
    screens = {
        name: tmux.wait(name, lambda s, words=words: all(w in s for w in words), "the next step rendered with the capture", timeout=30)
        for name, words in seen.items()
    }
    # The step list may cut the title to its column ("Restore from /var/backups/pg-0412.…"), at a width that differs by a
    # column between the two screens; the detail pane's title, command and undo must be the same text, whole.
    # The status row names the next step too (`Next: 'restore' on local · Restore from …`): the same step, place and
    # title on both screens; the key only on the assignee's (running it is theirs), and the verifier's row says whose
    # move it is and that their word follows (`Next: 'restore' on local: alice runs it, then your word · Restore …`).
    now_rows = {n: [line.strip() for line in screens[n].splitlines() if line.strip().startswith("Next: 'restore'")] for n in ("assignee", "verifier")}
    assert len(now_rows["assignee"]) == len(now_rows["verifier"]) == 1, now_rows
    mine, theirs = now_rows["assignee"][0], now_rows["verifier"][0]
    assert mine.startswith("Next: 'restore' on local · ") and mine.endswith(" — enter run it"), now_rows
    assert theirs.startswith("Next: 'restore' on local: ") and " runs it, then your word · Restore from" in theirs, now_rows
    below = {n: "\n".join(row for row in screens[n].splitlines() if not row.strip().startswith("Next: ")) for n in screens}
    assignee, verifier = ([line for line in _lines_with(below[n], "run:", "undo:", "Restore from") if not line.endswith("…")] for n in ("assignee", "verifier"))
    assert assignee == verifier, f"the two screens differ:\nassignee {assignee}\nverifier {verifier}"
    assert not any("{{" in line for line in assignee + verifier)
    assert "backup confirmed by bob" in screens["assignee"], "the assignee sees who confirmed"
    [ready] = [e for e in journal_lines(journal) if e["type"] == "step_ready" and e["step"] == "restore"][-1:]
    assert ready["commands"] == {"local": "echo restoring /var/backups/pg-0412.tar"}
    assert ready["undo"] == {"local": "echo removing /var/backups/pg-0412.tar"}
