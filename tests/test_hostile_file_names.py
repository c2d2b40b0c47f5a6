"""A runbook or journal named with terminal escapes and markup: every command's error shows the name as characters.

`preflight`, `run` (before the TUI starts) and `replay --mark-scenario` printed the name raw: `ESC[2J` cleared
the operator's screen (`validate`, `plan` and `exec` already showed `␛[2J`).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runbook_tui import cli

BROKEN = "runbook: 1\nid: x\ntitle: X\nsections:\n  - {id: s, kind: nope, steps: [{id: a, run: 'true'}]}\n"


def test_a_hostile_name_never_reaches_the_terminal_raw(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    runbook = tmp_path / "r\x1b[2J\x1b]0;pwned\a[bold]x.yaml"
    runbook.write_text(BROKEN)
    shown = f"{tmp_path}/r␛[2J␛]0;pwned␇[bold]x.yaml"
    for argv, expected in [
        (["preflight", str(runbook)], f"{shown}:5:19: 'kind': expected one of"),
        (["run", "--solo", "x", str(runbook)], f"{shown}:5:19: 'kind': expected one of"),
        (["replay", "--mark-scenario", "x", f"{runbook}.jsonl"], f"runbook-tui: cannot read {shown}.jsonl: No such file or directory"),
    ]:
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(expected), (argv, err)
        assert "\x1b" not in err and "\a" not in err, (argv, err)


def test_the_pickers_detail_pane_shows_a_hostile_name_as_characters(tmp_path: Path) -> None:
    """The picker listed the name through `visible_line`, but its detail pane wrote the name and the errors raw."""
    from runbook_tui.runbook.loader import probe_runbook
    from runbook_tui.ui.picker import describe

    runbook = tmp_path / "r\x1b]0;pwned\a.yaml"
    runbook.write_text(BROKEN.replace("nope", '"\\e[2J"'))  # YAML's escape: the value holds a real ESC
    plain = describe(probe_runbook(runbook), refused=True).plain
    assert f"{tmp_path}/r␛]0;pwned␇.yaml has 1 error" in plain and "got '\\x1b[2J'" in plain, plain
    assert "\x1b" not in plain and "\a" not in plain, plain


OK = "runbook: 1\nid: ok\ntitle: OK\nparams:\n  msg: {type: string, default: hi}\nsections:\n  - id: a\n    title: A\n    steps:\n      - {id: s, title: S, run: 'touch ran', verify: none}\n"


def test_bytes_that_are_not_utf8_are_refused_in_words_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal is UTF-8. Before: `-p msg=$'a\\xffb'`, `--solo $'t\\xff'`, `--journal $'j\\xff.jsonl'`,
    RUNBOOK_TUI_USER=$'al\\xffice' or a run started in a folder named with such a byte ended in a UnicodeEncodeError
    traceback from the journal writer, leaving an empty journal behind."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "d\udcff"  # as Python keeps the byte 0xff of a file name or a command line
    folder.mkdir()
    (folder / "ok.yaml").write_text(OK)
    (tmp_path / "ok.yaml").write_text(OK)
    monkeypatch.chdir(folder)
    journal = tmp_path / "j.jsonl"
    for argv in (["-p", "msg=a\udcffb"], ["--solo", "t\udcff"], ["--journal", f"{tmp_path}/j\udcff.jsonl"]):
        args = ["exec", str(tmp_path / "ok.yaml"), *argv] + ([] if "--solo" in argv else ["--solo", "t"])
        assert cli.main(args) == 2, argv
        err = capsys.readouterr().err
        assert "\\xff" in err and "expected UTF-8 text; this argument holds bytes that are not (journals are UTF-8)" in err, err
    monkeypatch.setenv("RUNBOOK_TUI_USER", "al\udcffice")
    assert cli.main(["exec", str(tmp_path / "ok.yaml"), "--solo", "t", "--journal", str(journal)]) == 2
    assert "RUNBOOK_TUI_USER (or the login name) al\\xffice: expected UTF-8 text" in capsys.readouterr().err
    assert not journal.exists(), "refused before the journal was made"
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    assert cli.main(["exec", "ok.yaml", "--solo", "t", "--journal", str(journal)]) == 1  # the runbook's path holds the byte
    err = capsys.readouterr().err
    assert "a session_started event holds text that is not UTF-8" in err and "nothing was run" in err, err
    assert "Traceback" not in err and not (folder / "ran").exists()
    assert list((tmp_path / "state").rglob("*.jsonl")) == []


def test_a_hostile_option_value_in_an_error_is_shown_as_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `rehearse --fail-at`, `report -o`, `exec`/`approve --identity` and `-p NAME=@FILE` wrote the value raw into their error."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.yaml").write_text(OK)
    hostile = "\x1b[2J\x1b]0;pwned\a"
    shown = "␛[2J␛]0;pwned␇"
    journal = tmp_path / "j.jsonl"
    assert cli.main(["exec", str(tmp_path / "ok.yaml"), "--solo", "t", "--journal", str(journal)]) == 0
    capsys.readouterr()
    (tmp_path / hostile).mkdir()  # a folder where the report would go (a missing folder is refused when parsing: test_cli_parser)
    for argv, expected in [
        (["rehearse", str(tmp_path / "ok.yaml"), "--yes", "--fail-at", hostile], f"runbook-tui: --fail-at {shown}: no such step"),
        (["report", str(journal), "-o", f"{tmp_path}/{hostile}"], f"runbook-tui: cannot write {tmp_path}/{shown}: Is a directory"),
        (["exec", str(tmp_path / "ok.yaml"), "--solo", "t", "--identity", hostile], f"runbook-tui: --identity {shown}: cannot read this key"),
        (["approve", str(tmp_path / "ok.yaml"), "--identity", hostile], f"runbook-tui: --identity {shown}: cannot read this key"),
        (["plan", str(tmp_path / "ok.yaml"), "-p", f"msg=@{hostile}"], f"runbook-tui: -p msg=@{shown}: cannot read the file"),
    ]:
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith(expected), (argv, err)
        assert "\x1b" not in err and "\a" not in err, (argv, err)


def test_approve_and_mark_scenario_name_the_person_as_a_run_does(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule for who is at the keyboard. Before: `approve` and `replay --mark-scenario` read RUNBOOK_TUI_USER on
    their own: a name that is not UTF-8 ended both in a UnicodeEncodeError traceback, and `system` was taken."""
    import asyncssh

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.yaml").write_text(OK)
    journal = tmp_path / "j.jsonl"
    assert cli.main(["exec", "ok.yaml", "--solo", "t", "--journal", str(journal)]) == 0
    key = asyncssh.generate_private_key("ssh-ed25519", comment="alice")
    key.write_private_key(str(tmp_path / "id"))
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    for name, said in (("al\udcffice", "al\\xffice: expected UTF-8 text"), ("system", "'system' is what the journal calls the program itself")):
        monkeypatch.setenv("RUNBOOK_TUI_USER", name)
        capsys.readouterr()
        assert cli.main(["replay", str(journal), "--mark-scenario", "learn the rollback"]) == 2
        assert cli.main(["approve", "ok.yaml", "--identity", str(tmp_path / "id"), "-o", "ok.approval"]) == 2
        err = capsys.readouterr().err
        assert err.count("RUNBOOK_TUI_USER (or the login name)") == 2 and err.count(said) == 2, err
        assert not (tmp_path / "j.jsonl.scenario.json").exists() and not (tmp_path / "ok.approval").exists()


def test_journal_verify_approve_and_resume_say_their_errors_as_the_other_commands_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `journal verify` on an unreadable journal said `unreadable: …` (no `runbook-tui:` prefix); `approve` wrote
    the allowed_signers file's name raw in `… is not in PATH`; `resume`'s `cannot reload FILE` joined the runbook's
    errors with str(), so a newline in one (a key named `bad⏎key`) began a line that was not `FILE:LINE:COL`."""
    import asyncssh

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    hostile, shown = "j\x1b[2J.jsonl", "j␛[2J.jsonl"
    (tmp_path / hostile).write_text("")
    assert cli.main(["journal", "verify", hostile]) == 2
    err = capsys.readouterr().err
    assert err == f"runbook-tui: unreadable: {shown} is empty: expected a journal (one JSON event per line)\n", err

    (tmp_path / "ok.yaml").write_text(OK)
    alice, bob = (asyncssh.generate_private_key("ssh-ed25519", comment=name) for name in ("alice", "bob"))
    alice.write_private_key(str(tmp_path / "id"))
    signers = tmp_path / "signers\x1b]0;pwned\a"
    signers.write_text(f"bob {bob.export_public_key().decode()}")
    assert cli.main(["approve", "ok.yaml", "--identity", str(tmp_path / "id"), "--allowed-signers", str(signers)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("runbook-tui: SHA256:") and f" is not in {tmp_path}/signers␛]0;pwned␇: nobody could" in err, err
    assert "\x1b" not in err and "\a" not in err, err

    (tmp_path / "ok.yaml").write_text(OK.replace("run: 'touch ran'", "run: 'exit 3', undo: 'true'"))
    assert cli.main(["exec", "ok.yaml", "--solo", "t", "--journal", "run.jsonl"]) == 1  # failed: `resume --rollback` reopens it
    (tmp_path / "ok.yaml").write_text(OK.replace("verify: none", 'verify: none, "bad\\nkey": 1'))
    capsys.readouterr()
    assert cli.main(["resume", "run.jsonl", "--rollback"]) == 2
    first, *lines = capsys.readouterr().err.splitlines()
    assert first == "runbook-tui: cannot reload ok.yaml:", first
    assert lines and all(line.startswith(f"{tmp_path}/ok.yaml:10:") for line in lines), lines
    assert "unknown key 'bad⏎key'" in lines[0], lines
