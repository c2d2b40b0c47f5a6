"""What the command line says in its edge cases is true: nothing claims a check that never ran, exit codes follow the
contract's table, no record is written over, no option is dropped without a word, and counts are said in words."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from runbook_tui import cli

RUNBOOK = "runbook: 1\nid: t\ntitle: T\nsections:\n  - id: a\n    title: A\n    steps:\n      - {id: s, title: S, run: 'true', undo: 'true'}\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working folder and XDG home, alice at the keyboard with no agent, the runbook written."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    return tmp_path


def _said(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_journal_verify_reads_the_allowed_signers_first_from_the_option_or_the_settings_and_names_them(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: a missing or malformed --allowed-signers file came after `J: intact: N events` on stdout (its error on
    stdout too), so a script reading the first line was told "intact" about a check that never ran; and without the
    option, the settings' `allowed_signers:` (the contract's) was not used: signatures were never checked."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", "alice"], check=True)
    key = " ".join(Path("alice.pub").read_text().split()[:2])
    Path("allowed_signers").write_text(f"alice {key}\n")
    Path("malformed").write_text(f'# who is who\nalice valid-befor="20991231" {key}\n')  # OpenSSH ignores such a line
    assert _said(capsys, "exec", "R.yaml", "--solo", "t", "--identity", "alice", "--journal", "J.jsonl")[0] == 0
    for given, error in [
        ("missing", "runbook-tui: missing: cannot read the allowed signers: No such file or directory (given by --allowed-signers)\n"),
        ("malformed", "runbook-tui: malformed:2:7: OpenSSH ignores this line: 'valid-befor=\"20991231\"' is not cert-authority, "),
    ]:
        code, out, err = _said(capsys, "journal", "verify", "J.jsonl", "--allowed-signers", given)
        assert (code, out) == (2, ""), (given, out)
        assert err.startswith(error), err
    with pytest.raises(SystemExit) as empty:  # `--allowed-signers "$UNSET"`: refused, not the settings' file or no check
        cli.main(["journal", "verify", "J.jsonl", "--allowed-signers", ""])
    assert empty.value.code == 2 and "--allowed-signers: expected a file name, got an empty one" in capsys.readouterr().err

    settings = here / "settings.yaml"
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    settings.write_text(f"allowed_signers: {here}/allowed_signers\n")
    code, out, err = _said(capsys, "journal", "verify", "J.jsonl")
    assert (code, err) == (0, ""), out + err
    digest = hashlib.sha256((here / "allowed_signers").read_bytes()).hexdigest()
    assert f"J.jsonl: allowed signers: {here}/allowed_signers (allowed_signers: in {settings}; sha256 {digest})\n" in out
    assert "; sealed by alice\nJ.jsonl: signed only by alice, who ran it: a solo run ('t'); what it says is their word" in out, out
    assert out.endswith("\nJ.jsonl: signatures hold and the end is sealed\n"), out

    settings.write_text(f"allowed_signers: {here}/gone\n")  # the settings' file missing: exit 2 before a word about J
    code, out, err = _said(capsys, "journal", "verify", "J.jsonl")
    assert (code, out, err) == (
        2,
        "",
        f"runbook-tui: {here}/gone: cannot read the allowed signers: No such file or directory (allowed_signers: in {settings})\n",
    )
    code, out, err = _said(capsys, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers")  # the option wins
    assert (code, err) == (0, "") and f"J.jsonl: allowed signers: allowed_signers (given by --allowed-signers; sha256 {digest})\n" in out, out + err

    # A journal cut after its first event: one event, one problem, said in the singular.
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS")
    Path("cut.jsonl").write_text(Path("J.jsonl").read_text().splitlines(keepends=True)[0])
    code, out, _ = _said(capsys, "journal", "verify", "cut.jsonl", "--allowed-signers", "allowed_signers")
    assert code == 1 and "cut.jsonl: intact: 1 event, last hash " in out and "cut.jsonl: NOT trusted: 1 problem\n" in out, out
    Path("broken.jsonl").write_text(Path("cut.jsonl").read_text() + "{}\n")
    code, out, _ = _said(capsys, "journal", "verify", "broken.jsonl")
    assert code == 1 and out.endswith("broken.jsonl: NOT intact: 1 event holds together before the break\n"), out


def test_resume_of_a_finished_session_exits_as_run(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a session that ended done, resumed, exited 1 (as if it had failed); the contract's `resume` exits as
    `run` does: 0 done. In a terminal the same refusal gives the same code (ui/app.py exits with it)."""
    assert _said(capsys, "exec", "R.yaml", "--solo", "t", "--journal", "J.jsonl")[0] == 0
    for extra in ([], ["--headless"]):  # no terminal here: both are the headless path
        code, out, err = _said(capsys, "resume", "J.jsonl", *extra)
        assert (code, out, err) == (0, "", "runbook-tui: J.jsonl: this session already finished (done); nothing to resume\n"), extra


def test_resume_rollback_of_a_session_that_ended_done_is_no_success(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`resume J --rollback` asks for a rollback; a session that ended done is not reopened, so nothing is rolled back.
    Before: exit 0 with "nothing to resume", so `resume J --rollback || page-someone` took it for a rollback done."""
    assert _said(capsys, "exec", "R.yaml", "--solo", "t", "--journal", "J.jsonl")[0] == 0
    record = Path("J.jsonl").read_bytes()
    for extra in (["--rollback"], ["--rollback", "--full"]):
        code, out, err = _said(capsys, "resume", "J.jsonl", "--headless", *extra)
        assert (code, out) == (1, ""), (extra, out, err)
        assert err == (
            "runbook-tui: J.jsonl: this session already finished (done); nothing to resume; --rollback reopens only a session"
            " that ended aborted, done_criteria_failed, failed: nothing was rolled back\n"
        ), err
    assert Path("J.jsonl").read_bytes() == record, "nothing journaled"
    assert _said(capsys, "resume", "J.jsonl", "--headless")[0] == 0, "a look at a done run still exits as run: 0"


def test_report_approve_and_replay_never_write_over_a_journal(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `report b.jsonl -o a.jsonl` replaced another run's journal, its change record, with a report (only the
    journal read was refused); `--journal report.json`, a JSON report, was said to hold a journal to resume; and
    `report --format cast --allowed-signers missing` exited 0 (the option dropped), where md exits 2."""
    for journal in ("a.jsonl", "b.jsonl"):
        assert _said(capsys, "exec", "R.yaml", "--solo", "t", "--journal", journal)[0] == 0
    records = {journal: Path(journal).read_bytes() for journal in ("a.jsonl", "b.jsonl")}
    for argv, option in [
        (["report", "b.jsonl", "-o", "a.jsonl"], "-o a.jsonl"),
        (["report", "b.jsonl", "--format", "json", "-o", "a.jsonl"], "-o a.jsonl"),
        (["approve", "R.yaml", "-o", "a.jsonl"], "-o a.jsonl"),
        (["replay", "b.jsonl", "--practice", "--out", "a.jsonl"], "--out a.jsonl"),
    ]:
        code, out, err = _said(capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert err == f"runbook-tui: {argv[0]}: {option} holds a journal, a run's record: writing there would destroy it; expected another file\n"
    assert {journal: Path(journal).read_bytes() for journal in records} == records
    code, out, err = _said(capsys, "report", "b.jsonl", "--format", "cast", "--allowed-signers", "missing")  # a cast has no signatures
    assert (code, out) == (2, "")
    assert err == "runbook-tui: report: --allowed-signers says who signed each decision in md, html and json; a cast has no signatures: leave it out\n"
    assert _said(capsys, "report", "b.jsonl", "--format", "json", "-o", "report.json")[0] == 0  # a new file: written
    assert _said(capsys, "report", "a.jsonl", "--format", "json", "-o", "report.json")[0] == 0  # a report: written over
    code, _, err = _said(capsys, "exec", "R.yaml", "--solo", "t", "--journal", "report.json")
    assert (code, err) == (2, "runbook-tui: report.json exists and is not a journal: refusing to write over it (expected a new file for the journal)\n")


def test_run_refuses_runbooks_with_a_file_and_counts_are_said_in_words(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `run R.yaml --runbooks DIR` dropped --runbooks without a word (it only fills the picker, which FILE
    skips); `validate` said "(1 steps, 1 warnings)"; a valid runbook named with escapes was printed raw by preflight."""
    code, out, err = _said(capsys, "run", "R.yaml", "--runbooks", "elsewhere", "--solo", "t")
    assert (code, out) == (2, "")
    assert err == "runbook-tui: run: --runbooks DIR lists runbooks to pick from, and FILE is already picked: give FILE or --runbooks, not both\n"
    Path("raw.yaml").write_text(RUNBOOK.replace("run: 'true'", "run: 'echo {{ \"x\" | raw }}'"))
    code, out, _ = _said(capsys, "validate", "raw.yaml")
    assert (code, out) == (0, "raw.yaml: ok (1 step, 1 warning)\n")
    hostile = "r\x1b[2J.yaml"
    Path(hostile).write_text(RUNBOOK.replace("title: A\n", "title: A\n    kind: precheck\n"))  # nothing to find
    assert _said(capsys, "preflight", hostile) == (0, "r␛[2J.yaml: ready\n", "")


def test_exec_points_a_failed_run_to_a_rollback_only_when_an_undo_or_rollback_step_would_run(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a precheck failing first (nothing changed, nothing to undo) printed `to undo what ran: resume … --rollback`;
    that rollback ran nothing and ended the session `rolled_back`, as if a change had been taken back."""
    Path("P.yaml").write_text(RUNBOOK.replace("{id: s, title: S, run: 'true', undo: 'true'}", "{id: look, title: Look, run: 'exit 3'}"))
    code, out, _err = _said(capsys, "exec", "P.yaml", "--solo", "t", "--journal", "P.jsonl")
    assert code == 1 and out.splitlines()[-1] == "nothing to roll back: no step that ran has an undo, and the runbook has no rollback section", out
    Path("F.yaml").write_text(RUNBOOK.replace("run: 'true', undo", "run: 'exit 3', undo"))
    code, out, _err = _said(capsys, "exec", "F.yaml", "--solo", "t", "--journal", "F.jsonl")
    assert code == 1 and out.splitlines()[-1] == "to undo what ran: runbook-tui resume F.jsonl --rollback (or --rollback --full)", out


def test_a_journal_path_that_cannot_be_made_is_said_in_one_line_exit_2(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `--journal FILE/j.jsonl` (a file where a folder should be) or a folder that cannot be made ended `exec`,
    `rehearse` and `run` with a Python traceback (NotADirectoryError, FileNotFoundError); nothing had run, nothing said why."""
    Path("afile").write_text("not a folder\n")
    for journal, why in [
        ("afile/j.jsonl", "cannot open the journal afile/j.jsonl: Not a directory; afile is a file, not a folder: give --journal a path elsewhere"),
        (
            "afile/deeper/j.jsonl",
            "cannot make the journal's folder afile/deeper: Not a directory; afile is a file, not a folder: give --journal a path elsewhere",
        ),
    ]:
        for argv in (["exec", "R.yaml", "--solo", "t"], ["rehearse", "R.yaml", "--yes"]):
            code, _, err = _said(capsys, *argv, "--journal", journal)
            assert code == 2, (argv, journal, err)
            assert err.splitlines()[-1] == f"runbook-tui: {why}", (argv, err)
            assert "Traceback" not in err
    with pytest.raises(SystemExit) as refused:  # `-o` is checked as the command line is read, before anything is built
        cli.main(["report", "j.jsonl", "-o", "afile/report.md"])
    assert refused.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == "runbook-tui report: error: argument -o: afile is not a folder (a file of that name is there)"
    assert Path("afile").read_text() == "not a folder\n"


def test_run_solo_refuses_a_verifier_it_would_never_ask(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `run --solo R --share ADDR --verifier-key bob.pub` started; bob joined "as verifier" a run that asks no
    confirmation, and his `x` refused go-aheads nobody had asked for (the header then read `bob, then SOLO`). Refused
    before anything is journaled; the same people as observers are welcome (a solo run others watch)."""
    import asyncssh

    asyncssh.generate_private_key("ssh-ed25519", comment="bob").write_public_key("bob.pub")
    code, out, err = _said(capsys, "run", "R.yaml", "--solo", "t", "--share", "127.0.0.1:0", "--verifier-key", "bob.pub", "--journal", "j.jsonl")
    assert (code, out) == (2, "")
    assert err == (
        "runbook-tui: --solo runs without a verifier, and the share lets bob join as one: to let them watch,"
        " give their key with --observer-key; to have them confirm each step, leave out --solo\n"
    )
    assert not Path("j.jsonl").exists()


def test_preflight_is_ready_when_every_mutating_step_has_an_undo_even_without_a_backup(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The contract's preflight: "every mutating step (backup/implement) has an undo or a confirm; one line per finding;
    0 ready, 1 findings". Before: an implement step with its undo and no backup section was a finding (`runs before
    any backup`), exit 1, so no plain change (a firewall rule and its undo) could ever be ready. Now that is a note on
    stderr; stdout keeps one line per finding."""
    Path("I.yaml").write_text(RUNBOOK.replace("title: A\n", "title: A\n    kind: implement\n"))
    code, out, err = _said(capsys, "preflight", "I.yaml")
    assert (code, out) == (0, "I.yaml: ready\n"), out + err
    assert err == "I.yaml:9:9: note: implement step 's' runs before any backup (no backup step at all); not a finding\n", err
    Path("N.yaml").write_text(RUNBOOK.replace("title: A\n", "title: A\n    kind: implement\n").replace(", undo: 'true'", ""))
    code, out, _ = _said(capsys, "preflight", "N.yaml")  # the contract's finding: one line for it, exit 1
    assert (code, out) == (1, "N.yaml:9:9: step 's' (implement) has no undo and no confirm: add an undo, or a confirm saying it cannot be undone\n")


def test_preflight_finds_an_implement_step_before_the_first_backup_step(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 3: preflight has "a finding when implement steps come before any backup step". Before session 27 the
    backup written after the change (its sections in the wrong order) was only a note on stderr, `ready`, exit 0: the
    backup would have saved the changed state, and nothing before the window said so."""
    backup = "  - id: b\n    title: B\n    kind: backup\n    steps:\n      - {id: k, title: K, run: 'true', undo: 'true'}\n"
    Path("O.yaml").write_text(RUNBOOK.replace("title: A\n", "title: A\n    kind: implement\n") + backup)
    code, out, err = _said(capsys, "preflight", "O.yaml")
    assert code == 1, out + err
    assert out == (
        "O.yaml:9:9: implement step 's' runs before the first backup step 'k' (line 14): that backup would save the changed state;"
        " expected the backup section before the change\n"
    ), out
    assert "note:" not in err, err  # said once, as the finding
    Path("B.yaml").write_text(RUNBOOK.replace("sections:\n", "sections:\n" + backup).replace("title: A\n", "title: A\n    kind: implement\n"))
    assert _said(capsys, "preflight", "B.yaml")[:2] == (0, "B.yaml: ready\n"), "the backup before the change is ready"


def test_preflight_does_not_count_a_blank_undo_or_confirm_as_one(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mutating step needs an undo or a confirm; `undo: ""` (a placeholder) or a blank confirm is neither: a rollback
    would run an empty command and call the step undone. Before: preflight said `B.yaml: ready`, exit 0."""
    steps = (
        "{id: s, title: S, run: 'true', undo: ''}\n      - {id: w, title: W, run: 'true', undo: '  '}\n      - {id: c, title: C, run: 'true', confirm: ' '}\n"
    )
    Path("B.yaml").write_text(RUNBOOK.replace("title: A\n", "title: A\n    kind: backup\n").replace("{id: s, title: S, run: 'true', undo: 'true'}\n", steps))
    code, out, err = _said(capsys, "preflight", "B.yaml")
    assert (code, err) == (1, ""), out + err
    assert out.splitlines() == [
        "B.yaml:9:9: step 's' (backup) has a blank undo (it reverses nothing) and no confirm: add an undo, or a confirm saying it cannot be undone",
        "B.yaml:10:9: step 'w' (backup) has a blank undo (it reverses nothing) and no confirm: add an undo, or a confirm saying it cannot be undone",
        "B.yaml:11:9: step 'c' (backup) has no undo and a blank confirm (it warns of nothing): add an undo, or a confirm saying it cannot be undone",
    ], out
    Path("B.yaml").write_text(RUNBOOK.replace("title: A\n", "title: A\n    kind: backup\n"))  # a real undo: ready, as before
    assert _said(capsys, "preflight", "B.yaml") == (0, "B.yaml: ready\n", "")


FAILING = (
    "runbook: 1\nid: f\ntitle: F\nsections:\n  - id: a\n    title: A\n    steps:\n"
    "      - {id: s, title: S, run: 'true', undo: 'true', checkpoint: true}\n"
    "      - {id: t, title: T, run: 'true', undo: 'exit 4'}\n"
    "      - {id: u, title: U, run: 'exit 3', undo: 'true'}\n"
)


def _without_the_end(journal: str) -> None:
    """The process died before it journaled `session_finished` (whole lines: the chain still holds)."""
    lines = Path(journal).read_text().splitlines(keepends=True)
    assert '"type":"session_finished"' in lines[-1]
    Path(journal).write_text("".join(lines[:-1]))


def test_a_look_says_what_to_do_at_a_failed_step_and_after_a_stopped_rollback(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a look at a run whose process died at a failed step nobody had decided on, or after a rollback stopped at
    a failed undo, listed the statuses and exited 1 without a word of what to do (and --continue would end it failed)."""
    Path("F.yaml").write_text(FAILING)
    assert _said(capsys, "exec", "F.yaml", "--solo", "t", "--journal", "J.jsonl")[0] == 1
    _without_the_end("J.jsonl")
    code, out, _ = _said(capsys, "resume", "J.jsonl", "--headless")
    assert code == 1 and out.endswith(
        "'u' FAILED before the program stopped, and nobody had decided. Nothing was re-run.\n"
        "Decide: --rerun, or --rollback; --continue alone does what --on-failure says (stop: the run ends failed).\n"
    ), out
    assert _said(capsys, "exec", "F.yaml", "--solo", "t", "--journal", "K.jsonl", "--on-failure", "rollback")[0] == 1
    _without_the_end("K.jsonl")
    code, out, _ = _said(capsys, "resume", "K.jsonl", "--headless")
    assert code == 1 and out.endswith("The last rollback stopped at a failed undo: --rollback goes on with it; no step runs before it has finished.\n"), out


def test_a_command_printed_to_be_copied_quotes_a_journal_name_with_a_space(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `to undo what ran: runbook-tui resume my j.jsonl --rollback`, and `to continue that run: runbook-tui
    resume my j.jsonl`: pasted, `resume` got two journals (`my`, `j.jsonl`). Now the name is quoted for the shell."""
    import shlex

    Path("F.yaml").write_text(RUNBOOK.replace("run: 'true', undo", "run: 'exit 3', undo"))
    code, out, _err = _said(capsys, "exec", "F.yaml", "--solo", "t", "--journal", "my j.jsonl")
    assert code == 1 and out.splitlines()[-1] == "to undo what ran: runbook-tui resume 'my j.jsonl' --rollback (or --rollback --full)", out
    code, _out, err = _said(capsys, "exec", "F.yaml", "--solo", "t", "--journal", "my j.jsonl")
    assert code == 2 and err.rstrip("\n").endswith("to continue that run: runbook-tui resume 'my j.jsonl'"), err
    assert shlex.split(out.splitlines()[-1].split(": ", 1)[1])[:3] == ["runbook-tui", "resume", "my j.jsonl"]
