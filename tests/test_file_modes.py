"""Every file the program writes has its final mode from creation (checked with stat); journals never follow a symlink."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.engine.journal import JournalError, JournalWriter
from runbook_tui.share.client import trust
from runbook_tui.share.server import load_or_create_host_key

CLI = [sys.executable, "-m", "runbook_tui"]
RUNBOOK = """\
runbook: 1
id: modes
title: File modes
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUNBOOK_TUI_SETTINGS"}
    env.update(XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"), RUNBOOK_TUI_USER="alice")
    return subprocess.run([*CLI, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def loose_umask() -> object:
    """A umask that would leave everything world-readable: the program must not rely on the user's."""
    previous = os.umask(0o002)
    yield
    os.umask(previous)


def test_a_run_and_its_report_are_private(tmp_path: Path, loose_umask: object) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    done = cli(tmp_path, "exec", "R.yaml", "--solo", "mode check")
    assert done.returncode == 0, done.stderr
    state = tmp_path / "state"
    [journal] = (state / "runbook-tui" / "journals").iterdir()
    assert mode(state) == 0o700 and mode(state / "runbook-tui") == 0o700 and mode(journal.parent) == 0o700
    assert mode(journal) == 0o600
    report = tmp_path / "report.md"
    made = cli(tmp_path, "report", str(journal), "-o", str(report))
    assert made.returncode == 0, made.stderr
    assert mode(report) == 0o600, "a report tells as much as its journal"
    # A link planted where the report goes (a shared folder) is refused: it had the report overwrite the link's target.
    target = tmp_path / "authorized_keys"
    target.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "planted.md").symlink_to(target)
    refused = cli(tmp_path, "report", str(journal), "-o", "planted.md")
    assert refused.returncode == 2 and "cannot write planted.md: it is a symbolic link: refusing to follow it" in refused.stderr, refused.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_the_share_host_key_and_known_hosts_are_created_private(tmp_path: Path, loose_umask: object) -> None:
    key_path = tmp_path / "state" / "runbook-tui" / "share_host_key"
    key = load_or_create_host_key(key_path)
    assert mode(key_path) == 0o600 and mode(key_path.parent) == 0o700 and mode(key_path.parent.parent) == 0o700
    assert load_or_create_host_key(key_path).get_fingerprint() == key.get_fingerprint(), "kept across runs"
    known = tmp_path / "home" / ".ssh" / "known_hosts"
    trust(str(known), "127.0.0.1", 2222, key)
    assert mode(known) == 0o600 and mode(known.parent) == 0o700


def test_a_journal_path_that_is_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    target.chmod(0o644)
    (tmp_path / "link.jsonl").symlink_to(target)
    done = cli(tmp_path, "exec", "R.yaml", "--solo", "t", "--journal", "link.jsonl")
    assert done.returncode == 2, done
    assert "link.jsonl is a symbolic link: a journal must be a regular file (refusing to follow it)" in done.stderr
    assert "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n" and mode(target) == 0o644
    resumed = cli(tmp_path, "resume", "link.jsonl", "--headless")
    assert resumed.returncode == 2 and "is a symbolic link" in resumed.stderr, resumed


def test_a_journal_path_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.jsonl")
    done = cli(tmp_path, "exec", "R.yaml", "--solo", "t", "--journal", "pipe.jsonl")
    assert done.returncode == 2, done
    assert "pipe.jsonl is not a regular file" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(JournalError, match="not a regular file"):
        JournalWriter("/dev/null", new=True)


def test_an_existing_journal_is_never_appended_to_by_a_new_run(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    JournalWriter(path, new=True).close()  # empty: still free for a new run
    writer = JournalWriter(path, new=True)
    writer.append("session_started", "alice")
    writer.close()
    # which run it holds, how to start a new one, and how to continue that one
    with pytest.raises(
        JournalError,
        match=r"already holds a journal: for a new run give --journal a new file, or leave --journal out; to continue that run: runbook-tui resume ",
    ):
        JournalWriter(path, new=True)
    runbook = tmp_path / "rb.yaml"  # `--journal rb.yaml`: was said to hold a journal, and `resume rb.yaml` offered
    runbook.write_text(RUNBOOK, encoding="utf-8")
    with pytest.raises(JournalError, match=r"rb\.yaml exists and is not a journal: refusing to write over it \(expected a new file for the journal\)$"):
        JournalWriter(runbook, new=True)
    assert runbook.read_text(encoding="utf-8") == RUNBOOK


def test_parallel_starts_of_one_runbook_each_get_their_own_journal(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")

    async def start_all(count: int) -> list[tuple[int | None, bytes]]:
        env = {k: v for k, v in os.environ.items() if k != "RUNBOOK_TUI_SETTINGS"}
        env.update(XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"), RUNBOOK_TUI_USER="alice")
        procs = [
            await asyncio.create_subprocess_exec(
                *CLI, "exec", "R.yaml", "--solo", "parallel", cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            for _ in range(count)
        ]
        said = [(await proc.communicate())[1] for proc in procs]
        return [(proc.returncode, words) for proc, words in zip(procs, said, strict=True)]

    ends = asyncio.run(start_all(8))
    assert [code for code, _ in ends] == [0] * 8, [said.decode() for code, said in ends if code]
    assert len(list((tmp_path / "state" / "runbook-tui" / "journals").iterdir())) == 8


@pytest.mark.parametrize("written", [False, True], ids=["empty-and-held", "begun"])
def test_a_default_journal_name_taken_between_its_choice_and_its_creation_moves_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: bool) -> None:
    """Two starts of one runbook in the same instant: each looks for a free name, then creates its journal. The other
    start may create the name this one found free in between (same microsecond): that start's journal, held (or begun
    already), is not this one's to take. This one moved on to the next free name; before, it ended at once, exit 1,
    "... is being written by another runbook-tui process" (exit 2, "already holds a journal", once that one had begun),
    with no --journal given: one of eight parallel starts under a full suite's load."""
    from runbook_tui.app import session as session_module
    from runbook_tui.app.session import open_session
    from runbook_tui.app.settings import Settings, default_journal_path
    from runbook_tui.runbook.loader import load_runbook

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    others: list[JournalWriter] = []

    def claimed_meanwhile(runbook_id: str) -> Path:
        path = default_journal_path(runbook_id)  # free when looked at...
        if not others:  # ...and created by the other start before this one creates it
            others.append(JournalWriter(path, new=True))
            if written:
                others[0].append("session_started", "bob", {"runbook": "modes"})
        return path

    monkeypatch.setattr(session_module, "default_journal_path", claimed_meanwhile)
    session = open_session(load_runbook(str(tmp_path / "R.yaml"), {}), solo="parallel", settings=Settings())
    try:
        theirs = others[0].path
        assert session.journal_path != theirs and session.journal_path.parent == theirs.parent
        assert session.journal_path.name.startswith("modes-") and session.journal_path.name.endswith("Z.jsonl"), "the contract's name"
        mine = [line for line in session.journal_path.read_text(encoding="utf-8").splitlines() if '"session_started"' in line]
        assert len(mine) == 1 and '"actor":"alice"' in mine[0].replace(" ", ""), mine
        assert theirs.read_text(encoding="utf-8").count("session_started") == int(written), "the other start's journal untouched"
    finally:
        session.controller.journal.close()
        others[0].close()


@pytest.mark.parametrize("was", [0o644, 0o666])
def test_an_output_written_over_a_looser_existing_file_ends_private(tmp_path: Path, loose_umask: object, was: int) -> None:
    """`report -o`, `approve -o` and practice `--out` over the user's own 0644/0666 file: the new content is never
    readable by others, not even through a descriptor opened on the old file before (before: the file kept its mode,
    a run's output under 0644, and a reader holding it open read the new report)."""
    from runbook_tui.engine.files import write_private

    out = tmp_path / "out.md"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(was)
    os.link(out, tmp_path / "other")  # a second name of the file: not named by the user, never written through
    with out.open(encoding="utf-8") as held:  # another user's reader, opened while the file was theirs to read
        write_private(out, "secret output\n")
        assert held.read() == "old\n", "the new content reached a descriptor opened on the old file"
    assert mode(out) == 0o600 and out.read_text(encoding="utf-8") == "secret output\n"
    assert (tmp_path / "other").read_text(encoding="utf-8") == "old\n" and mode(tmp_path / "other") == was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out.md"], "no temporary file left beside it"
    write_private(Path(os.devnull), "to a device, as it is\n")  # no temporary file made beside a device
    longest = tmp_path / ("é" * 127)  # the longest name a file may have: the temporary one beside it must fit too
    write_private(longest, "fits\n")
    assert longest.read_text(encoding="utf-8") == "fits\n" and mode(longest) == 0o600


def test_an_output_that_cannot_be_written_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """A write that fails leaves the file as it was (before: the old file was cut, then removed)."""
    from runbook_tui.engine.files import write_private

    out = tmp_path / "out.md"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_private(out, "half \udc80")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"], "no temporary file left beside it"


def test_a_report_over_an_existing_0644_file_ends_0600(tmp_path: Path, loose_umask: object) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    assert cli(tmp_path, "exec", "R.yaml", "--solo", "mode check").returncode == 0
    [journal] = (tmp_path / "state" / "runbook-tui" / "journals").iterdir()
    report = tmp_path / "report.md"
    report.write_text("mine\n", encoding="utf-8")
    report.chmod(0o644)
    made = cli(tmp_path, "report", str(journal), "-o", str(report), "--format", "json")
    assert made.returncode == 0, made.stderr
    assert mode(report) == 0o600 and '"one"' in report.read_text(encoding="utf-8")


def test_a_scenario_mark_over_an_existing_0644_file_ends_0600(tmp_path: Path, loose_umask: object) -> None:
    """`replay J --mark-scenario` beside the journal: a mark there at 0644 (copied in from elsewhere) ends 0600, as its
    journal is (before: it kept 0644)."""
    (tmp_path / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    assert cli(tmp_path, "exec", "R.yaml", "--solo", "night", "--journal", "j.jsonl").returncode == 0
    mark = tmp_path / "j.jsonl.scenario.json"
    mark.write_text("{}", encoding="utf-8")
    mark.chmod(0o644)
    marked = cli(tmp_path, "replay", "j.jsonl", "--mark-scenario", "learn from it")
    assert marked.returncode == 0, marked.stderr
    assert mode(mark) == 0o600 and "learn from it" in mark.read_text(encoding="utf-8")
