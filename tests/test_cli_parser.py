"""The command line's parser builds only the command it is given (start-up time); it parses as the whole one."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.cli.parser import COMMANDS, parser
from runbook_tui.ui import launch

COMMAND_LINES = [
    ["exec", "rb.yaml", "--solo", "ci", "--journal", "j.jsonl", "-p", "a=1", "--on-failure", "rollback", "--ack-manual", "read"],
    ["exec", "rb.yaml", "--share", ":2222", "--verifier-key", "v.pub", "--identity", "k", "--approval", "rb.approval"],
    ["run", "--solo", "x", "--runbooks", "a", "--runbooks", "b", "--theme", "day"],
    ["resume", "j.jsonl", "--rollback", "--full", "--solo", "gone"],
    ["resume", "j.jsonl", "--mark-done", "checked by hand", "--continue", "--headless"],
    ["journal", "verify", "j.jsonl", "--allowed-signers", "signers"],
    ["report", "j.jsonl", "--format", "html", "-o", "out.html"],
    ["replay", "j.jsonl", "--practice", "--out", "results.md"],
    ["replay", "j.jsonl", "--speed", "2.5"],
    ["validate", "a.yaml", "folder", "-p", "x=1", "--format", "github"],
    ["new", "rb.yaml", "--kind", "k8s-rollout"],
    ["plan", "rb.yaml", "--format", "md"],
    ["approve", "rb.yaml", "-o", "rb.approval"],
    ["rehearse", "rb.yaml", "--yes", "--fail-at", "s2"],
    ["preflight", "rb.yaml", "--notify-test"],
    ["join", "host:2222", "--observe"],
    ["demo", "--exec", "--on-failure", "stop"],
    ["schema"],
]


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=lambda argv: " ".join(argv[:2]))
def test_a_command_line_parses_as_with_every_commands_arguments_built(argv: list[str]) -> None:
    assert parser(argv).parse_args(argv) == parser().parse_args(argv)


def test_every_command_is_listed_in_the_help_and_in_an_unknown_commands_error() -> None:
    for argv in (["--help"], ["-h", "exec"], ["exce", "rb.yaml"], []):
        listing = parser(argv).format_help()
        assert all(name in listing for name in COMMANDS), argv


def test_every_command_has_a_command_line_here() -> None:
    assert {argv[0] for argv in COMMAND_LINES} == set(COMMANDS)


BLANK_REASONS = [
    ["exec", "RB", "--solo", ""],
    ["exec", "RB", "--solo", "  \t"],
    ["exec", "RB", "--solo", "ci", "--override-window", " "],
    ["exec", "RB", "--solo", "ci", "--ack-manual", ""],
    ["exec", "RB", "--solo", "ci", "--accept-failed-criteria", ""],
    ["rehearse", "RB", "--yes", "--ack-manual", " "],
    ["resume", "J", "--mark-done", ""],
    ["resume", "J", "--rollback", "--solo", " "],
]


@pytest.mark.parametrize("argv", BLANK_REASONS, ids=lambda argv: " ".join(a or "''" for a in argv))
def test_a_blank_reason_is_refused_before_anything_runs(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every REASON goes into the journal and the report; a blank one is refused, exit 2, as the TUI refuses it.

    Before: `exec --solo ""` ran every step with `solo: ""` and the ticket's verifier in session_started (the report said
    "solo run ()"), `resume --solo ""` journaled `mode_changed` with no reason, and `--mark-done ""` quietly decided nothing.
    """
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(
        "runbook: 1\nid: blank\ntitle: Blank\nticket: {id: C-1, subject: s, assignee: alice, verifier: bob}\n"
        f"sections:\n  - id: a\n    title: A\n    steps:\n      - {{id: s, title: S, run: 'touch {tmp_path / 'ran'}'}}\n"
    )
    journal = tmp_path / "j.jsonl"
    args = [str(runbook) if a == "RB" else str(journal) if a == "J" else a for a in argv]
    if argv[0] in ("exec", "run", "rehearse"):
        args += ["--journal", str(journal)]
    with pytest.raises(SystemExit) as stopped:
        cli.main(args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "needs a reason (it goes into the journal and the report), got a blank one" in err, err
    assert not journal.exists() and not (tmp_path / "ran").exists()


def test_the_tuis_reasons_are_refused_blank_too(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["run", "rb.yaml", "--solo", ""], ["run", "rb.yaml", "--override-window", " "]):
        with pytest.raises(SystemExit):
            parser(argv).parse_args(argv)
        assert "got a blank one" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "fast"])
def test_replay_speed_is_a_finite_number_above_0(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `--speed nan` and `inf` opened the replay (nan: the play timer got nan seconds; + and - could not move it)."""
    with pytest.raises(SystemExit) as stopped:
        cli.main(["replay", str(tmp_path / "j.jsonl"), f"--speed={value}"])
    assert stopped.value.code == 2
    assert "argument --speed: expected a" in capsys.readouterr().err


def test_replay_speed_goes_to_the_practice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`replay J --practice --speed 5` (the spec's synopsis takes both): the practice plays the night's outputs 5 times as
    fast. Before, the speed was read and never used; then the pair was refused (exit 2)."""
    asked: dict[str, object] = {}

    def replay(journal: str, **options: object) -> int:
        asked.update(options, journal=journal)
        return 0

    monkeypatch.setattr(launch, "replay", replay)
    assert cli.main(["replay", str(tmp_path / "j.jsonl"), "--practice", "--speed", "5"]) == 0
    assert asked["practice"] is True and asked["speed"] == 5.0, asked


WRITTEN = [
    ["report", "J", "-o", "OUT"],
    ["approve", "RB", "-o", "OUT"],
    ["replay", "J", "--practice", "--out", "OUT"],
]


@pytest.mark.parametrize("argv", WRITTEN, ids=lambda argv: " ".join(argv[:1] + argv[-2:-1]))
def test_a_file_to_write_in_a_folder_that_does_not_exist_is_refused_before_anything_runs(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: `report -o` refused a missing folder only after building the whole report; `replay --practice --out`
    said so only when the trainee's practice was over. Now each refuses it first, in the same words, exit 2."""
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(
        f"runbook: 1\nid: w\ntitle: W\nsections:\n  - id: a\n    title: A\n    steps:\n      - {{id: s, title: S, run: 'touch {tmp_path / 'ran'}'}}\n"
    )
    typo = tmp_path / "chnages\x1b[2J" / "deep"
    args = [str(runbook) if a == "RB" else str(tmp_path / "j.jsonl") if a == "J" else str(typo / "x") if a == "OUT" else a for a in argv]
    with pytest.raises(SystemExit) as stopped:
        cli.main(args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    shown = str(typo).replace("\x1b", "\u241b")
    assert f"the folder {shown} does not exist (a mistyped path? if not: mkdir -p '{shown}')" in err, err
    assert not typo.parent.exists() and not (tmp_path / "ran").exists()
    with pytest.raises(SystemExit) as stopped:  # `--journal "$JOURNAL"` with the variable unset went to the default place
        cli.main([*args[:-1], ""])
    assert stopped.value.code == 2 and "expected a file name, got an empty one" in capsys.readouterr().err
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("argv", [["exec", "RB", "--solo", "ci"], ["run", "RB", "--solo", "ci"], ["rehearse", "RB", "--yes"]], ids=lambda argv: argv[0])
def test_journal_names_a_file_and_its_missing_folder_is_made_private(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--journal PATH` as the contract writes it: a missing folder on the way is made (0700), not a reason to fail to
    start; an empty name (`--journal "$JOURNAL"`, the variable unset) is refused before anything runs."""
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(
        f"runbook: 1\nid: w\ntitle: W\nsections:\n  - id: a\n    title: A\n    steps:\n      - {{id: s, title: S, run: 'touch {tmp_path / 'ran'}'}}\n"
    )
    with pytest.raises(SystemExit) as stopped:
        cli.main([*argv[:1], str(runbook), *argv[2:], "--journal", ""])
    assert stopped.value.code == 2 and "expected a file name, got an empty one" in capsys.readouterr().err
    assert not (tmp_path / "ran").exists()
    if argv[0] == "exec":
        journal = tmp_path / "new" / "deep" / "j.jsonl"
        assert cli.main(["exec", str(runbook), "--solo", "ci", "--journal", str(journal)]) == 0
        assert (tmp_path / "ran").exists() and journal.exists()
        assert stat.S_IMODE(journal.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    "argv",
    [
        ["exec", "RB", "--solo", "ci", "--verifier-key", "KEY", "--journal", "J"],
        ["run", "RB", "--solo", "ci", "--verifier-key", "KEY", "--journal", "J"],
        ["run", "RB", "--verifier-key", "KEY", "--journal", "J"],  # the mode screen asked for the key again
        ["resume", "J", "--solo", "ci", "--verifier-key", "KEY", "--continue"],
    ],
    ids=lambda argv: " ".join(argv[:1] + argv[2:3]),
)
def test_who_may_join_without_share_is_refused_not_dropped(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `exec --solo ci --verifier-key bob.pub` ran unshared saying nothing (the key was never even read: a
    private key passed there went unnoticed), and `run --verifier-key bob.pub` asked for the key again on the mode screen."""
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(
        f"runbook: 1\nid: k\ntitle: K\nsections:\n  - id: a\n    title: A\n    steps:\n      - {{id: s, title: S, run: 'touch {tmp_path / 'ran'}'}}\n"
    )
    journal = tmp_path / "j.jsonl"
    args = [str(runbook) if a == "RB" else str(journal) if a == "J" else str(tmp_path / "bob.pub") if a == "KEY" else a for a in argv]
    assert cli.main(args) == 2
    said = "--verifier-key without --share ADDR: nobody can join a run that is not shared (give --share ADDR, or leave --verifier-key out)"
    assert capsys.readouterr().err == f"runbook-tui: {said}\n"
    assert not journal.exists() and not (tmp_path / "ran").exists()


def test_plan_takes_one_format(capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `plan --format md --json` printed JSON; the Markdown asked for was dropped without a word."""
    assert parser(["plan", "rb.yaml", "--json"]).parse_args(["plan", "rb.yaml", "--json"]).format == "json"
    for argv in (["plan", "rb.yaml", "--format", "md", "--json"], ["plan", "rb.yaml", "--json", "--format", "html"]):
        with pytest.raises(SystemExit) as stopped:
            cli.main(argv)
        assert stopped.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra", [["--out", "results.md"], ["--mark-scenario", "learn it", "--practice"], ["--mark-scenario", "learn it", "--practice", "--out", "r.md"]]
)
def test_replay_options_that_go_together_only(extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `replay J --out results.md` replayed and saved nothing (--out is the practice's results), and
    `--mark-scenario D --practice` marked the journal and started no practice, without a word about either."""
    assert cli.main(["replay", str(tmp_path / "j.jsonl"), *extra]) == 2
    assert capsys.readouterr().err == "runbook-tui: replay: --out goes with --practice; --mark-scenario goes alone\n"
    assert list(tmp_path.iterdir()) == []


def test_every_option_says_what_it_does_in_help() -> None:
    """Before: `resume --help` listed `--on-failure {stop,rollback,abort}` with no word of what each does (exec's said)."""
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    silent = [
        f"{name} {'/'.join(action.option_strings)}"
        for name, sub in commands.choices.items()
        for action in sub._actions
        if action.option_strings and not action.help
    ]
    assert silent == []


def test_a_command_never_writes_over_the_file_it_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `report j.jsonl -o j.jsonl` (a completion one key short of j.md) replaced the night's journal with its
    report, exit 0; `approve rb.yaml -o rb.yaml` would have replaced the runbook with its approval."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text("runbook: 1\nid: o\ntitle: O\nsections:\n  - id: a\n    title: A\n    steps:\n      - {id: s, title: S, run: 'true'}\n")
    assert cli.main(["exec", "rb.yaml", "--solo", "t", "--journal", "j.jsonl"]) == 0
    journal, runbook = Path("j.jsonl").read_bytes(), Path("rb.yaml").read_bytes()
    capsys.readouterr()
    for argv, option, read in [
        (["report", "j.jsonl", "-o", "j.jsonl"], "-o j.jsonl", "j.jsonl"),
        (["report", "j.jsonl", "--format", "html", "-o", f"{tmp_path}/./j.jsonl"], f"-o {tmp_path}/./j.jsonl", "j.jsonl"),
        (["approve", "rb.yaml", "-o", "rb.yaml"], "-o rb.yaml", "rb.yaml"),
        (["replay", "j.jsonl", "--practice", "--out", "j.jsonl"], "--out j.jsonl", "j.jsonl"),
    ]:
        assert cli.main(argv) == 2, argv
        expected = f"runbook-tui: {argv[0]}: {option} is {read} itself: writing there would replace what it reads; expected another file\n"
        assert capsys.readouterr().err == expected
    assert (Path("j.jsonl").read_bytes(), Path("rb.yaml").read_bytes()) == (journal, runbook)
    assert cli.main(["report", "j.jsonl", "-o", "j.md"]) == 0 and Path("j.md").read_text().startswith("# Change report")
    assert cli.main(["report", "j.jsonl", "--format", "html", "-o", "j.md"]) == 0, "a report is made again over the last one"
    assert Path("j.md").read_text().startswith("<!DOCTYPE html>")


def test_a_command_never_writes_over_the_sessions_runbook_or_another_file_it_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `report j.jsonl -o rb.yaml` (a typo, a completion) replaced the session's runbook, the file the journal
    records and `resume` reloads, with the report, exit 0; so did `replay --out`, and `approve -o` over its key, its
    signers or a `-p NAME=@FILE`. Only the journal read itself, or another journal, was refused."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text("runbook: 1\nid: o\ntitle: O\nsections:\n  - id: a\n    title: A\n    steps:\n      - {id: s, title: S, run: 'true'}\n")
    assert cli.main(["exec", "rb.yaml", "--solo", "t", "--journal", "j.jsonl"]) == 0
    for name in ("key", "signers", "v.txt"):
        Path(name).write_text(f"{name}\n")
    kept = {path: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    capsys.readouterr()
    runbook = f"the runbook of the session j.jsonl records ({tmp_path}/rb.yaml)"
    for argv, option, what in [
        (["report", "j.jsonl", "-o", "rb.yaml"], "-o rb.yaml", runbook),
        (["report", "j.jsonl", "--format", "json", "-o", f"{tmp_path}/rb.yaml"], f"-o {tmp_path}/rb.yaml", runbook),
        (["replay", "j.jsonl", "--practice", "--out", "rb.yaml"], "--out rb.yaml", runbook),
        (["report", "j.jsonl", "--allowed-signers", "signers", "-o", "signers"], "-o signers", "the file --allowed-signers names"),
        (["approve", "rb.yaml", "--identity", "key", "-o", "key"], "-o key", "the file --identity names"),
        (["approve", "rb.yaml", "-p", "v=@v.txt", "-o", "./v.txt"], "-o ./v.txt", "the file -p v=@v.txt reads"),
    ]:
        assert cli.main(argv) == 2, argv
        expected = f"runbook-tui: {argv[0]}: {option} is {what}: writing there would replace what it reads; expected another file\n"
        assert capsys.readouterr().err == expected
    assert {path: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()} == kept
    Path("h.jsonl").write_text('{"seq":0,"hash":"x","file":"a\\u0000b"}\n')  # a hostile journal's runbook name: no traceback
    Path("h.md").write_text("an earlier report\n")
    assert cli.main(["report", "h.jsonl", "-o", "h.md"]) == 2
    assert capsys.readouterr().err == "runbook-tui: h.jsonl: line 1 is not a journal event: expected a runbook-tui journal\n"


def test_a_command_never_writes_over_another_runbook(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`report j.jsonl -o other.yaml` (a completion one file off) replaced a runbook the session does not record, exit 0:
    only a journal, or a file the command reads, was refused. A runbook is refused as a journal is; an earlier
    report (or any other YAML) is still written over."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    text = "runbook: 1\nid: o\ntitle: O\nsections:\n  - id: a\n    title: A\n    steps:\n      - {id: s, title: S, run: 'true'}\n"
    Path("rb.yaml").write_text(text)
    Path("other.yml").write_text("# the next change\n" + text)
    assert cli.main(["exec", "rb.yaml", "--solo", "t", "--journal", "j.jsonl"]) == 0
    capsys.readouterr()
    for argv, option in [
        (["report", "j.jsonl", "-o", "other.yml"], "-o other.yml"),
        (["replay", "j.jsonl", "--practice", "--out", "other.yml"], "--out other.yml"),
    ]:
        assert cli.main(argv) == 2, argv
        expected = f"runbook-tui: {argv[0]}: {option} holds a runbook: writing there would destroy it; expected another file\n"
        assert capsys.readouterr().err == expected
    assert Path("other.yml").read_text() == "# the next change\n" + text
    Path("notes.yaml").write_text("notes: [a report went here before]\n")
    assert cli.main(["report", "j.jsonl", "-o", "notes.yaml"]) == 0
    assert Path("notes.yaml").read_text().startswith("# Change report")


def test_p_at_at_gives_a_literal_value_starting_with_at(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: no `-p` value could start with `@` (`-p handle=@ops` read a file named `ops`, or failed without one).
    `-p NAME=@@TEXT` gives the value `@TEXT` and reads no file; `NAME=@FILE` still reads FILE; `--help` says both."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text(
        "runbook: 1\nid: o\ntitle: O\nparams:\n  h: {type: string}\n  f: {type: string}\nsections:\n  - id: a\n    title: A\n"
        "    steps:\n      - {id: s, title: S, run: \"printf '%s|%s' {{ h }} {{ f }} > out.txt\"}\n"
    )
    Path("ops").write_text("the file ops\n")
    Path("@ops").write_text("the file @ops\n")
    Path("v.txt").write_text("from a file\n")
    assert cli.main(["exec", "rb.yaml", "--solo", "t", "--journal", "j.jsonl", "-p", "h=@@ops", "-p", "f=@v.txt"]) == 0
    assert Path("out.txt").read_text() == "@ops|from a file"
    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli.main(["exec", "--help"])
    assert "NAME=@@TEXT gives the value @TEXT" in " ".join(capsys.readouterr().out.split())


EMPTIED = [  # (the command line, the option given "", what the refusal names)
    (["exec", "RB", "--solo", "ci", "--approval", ""], "argument --approval: expected a file name, got an empty one"),
    (["exec", "RB", "--solo", "ci", "--identity", ""], "argument --identity: expected a file name, got an empty one"),
    (["exec", "RB", "--share", "", "--verifier-key", "k.pub"], "argument --share: expected HOST:PORT, :PORT or PORT, got an empty one"),
    (["exec", "RB", "--share", ":2222", "--verifier-key", ""], "argument --verifier-key: expected a file name, got an empty one"),
    (["exec", "RB", "--share", ":2222", "--participants", ""], "argument --participants: expected a file name, got an empty one"),
    (["run", "RB", "--share", "", "--observer-key", "k.pub"], "argument --share: expected HOST:PORT, :PORT or PORT, got an empty one"),
    (["resume", "J", "--share", " ", "--verifier-key", "k.pub"], "argument --share: expected HOST:PORT, :PORT or PORT, got an empty one"),
    (["approve", "RB", "--identity", ""], "argument --identity: expected a file name, got an empty one"),
    (["join", "h:2222", "--identity", ""], "argument --identity: expected a file name, got an empty one"),
    (["join", "h:2222", "--known-hosts", ""], "argument --known-hosts: expected a file name, got an empty one"),
    (["validate", ""], "argument FILE: expected a file name, got an empty one"),
    (["exec", "", "--solo", "ci"], "argument FILE: expected a file name, got an empty one"),
    (["new", "", "--kind", "config-edit"], "argument FILE: expected a file name, got an empty one"),
    (["report", ""], "argument JOURNAL: expected a file name, got an empty one"),
    (["journal", "verify", ""], "argument JOURNAL: expected a file name, got an empty one"),
]


@pytest.mark.parametrize("command", [["exec", "RB", "--solo", "ci"], ["rehearse", "RB", "--yes"], ["run", "RB", "--solo", "ci"]])
def test_a_journal_to_standard_output_is_refused_before_anything_runs(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--journal -` (as `-o -` means stdout elsewhere) wrote the journal to a file named `-` in the current folder,
    printed as `journal: -`. A journal is a file it fsyncs and `resume` reopens: `-` is refused, naming `./-`."""
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(f"runbook: 1\nid: w\ntitle: W\nsections:\n  - id: a\n    steps:\n      - {{id: s, run: 'touch {tmp_path / 'ran'}'}}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with pytest.raises(SystemExit) as stopped:
        cli.main([str(runbook) if a == "RB" else a for a in command] + ["--journal", "-"])
    assert stopped.value.code == 2
    said = "argument --journal: a journal is a file (fsynced as the run goes, and reopened by resume), not standard output; expected a file name (./- for a file named '-')"
    assert said in capsys.readouterr().err
    assert not (tmp_path / "ran").exists() and not (tmp_path / "-").exists()


def test_an_output_of_dash_is_standard_output_for_a_report_and_refused_where_it_cannot_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report J -o -` wrote the report to a file named `-` (mode 0600) and nothing to stdout; `approve -o -` and
    `replay --out -` likewise. The report goes to stdout, as without -o; the others refuse `-` (their stdout is the
    plan and the prompt, or the screen)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    Path("rb.yaml").write_text("runbook: 1\nid: w\ntitle: W\nsections:\n  - id: a\n    steps:\n      - {id: s, run: 'true'}\n")
    assert cli.main(["exec", "rb.yaml", "--solo", "t", "--journal", "j.jsonl"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "j.jsonl", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# Change report: W")
    for argv, option in [(["approve", "rb.yaml", "--identity", "k", "-o", "-"], "-o"), (["replay", "j.jsonl", "--practice", "--out", "-"], "--out")]:
        with pytest.raises(SystemExit) as stopped:
            cli.main(argv)
        assert stopped.value.code == 2
        assert f"argument {option}: expected a file name, not standard output (./- for a file named '-')" in capsys.readouterr().err
    assert not Path("-").exists()


@pytest.mark.parametrize(("argv", "said"), EMPTIED, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_an_empty_file_or_address_is_refused_as_given_before_anything_runs(
    argv: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--approval "$APPROVAL"` with the variable unset ran the change with no approval checked, `--identity ""` signed
    with the agent's key, `--share ""` ran unshared (or said there was no --share), `validate ""` checked the current
    folder, `report ""` said `cannot read .`, `new ""` said ` exists`: each is refused now, naming the argument."""
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(
        f"runbook: 1\nid: w\ntitle: W\nsections:\n  - id: a\n    title: A\n    steps:\n      - {{id: s, title: S, run: 'touch {tmp_path / 'ran'}'}}\n"
    )
    args = [str(runbook) if a == "RB" else str(tmp_path / "j.jsonl") if a == "J" else a for a in argv]
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with pytest.raises(SystemExit) as stopped:
        cli.main(args)
    assert stopped.value.code == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "ran").exists() and not (tmp_path / "state").exists()


#: The exit codes cli-and-journal.md gives each command scripts rely on, as its `--help` must say them.
SPEC_EXITS = {
    ("validate",): ("Exit 0", "2 invalid"),
    ("plan",): ("Exit 0", "2 invalid"),
    ("run",): ("Exit 0 done", "1 failed", "rolled back", "aborted", "2 invalid"),
    ("exec",): ("Exit 0 done", "1 failed", "rolled back", "2 invalid"),
    ("resume",): ("Exit 0 done", "1 failed", "rolled back", "aborted", "2 invalid"),
    ("preflight",): ("Exit 0 ready", "1 findings", "2 invalid"),
    ("rehearse",): ("Exit 0", "1 when not", "2 for invalid"),
    ("report",): ("Exit 0", "2 "),
    ("journal", "verify"): ("Exit 0 intact", "1 ", "2 unreadable"),
    ("join",): ("Exit 0 when you leave", "2 when it could not join"),
}


@pytest.mark.parametrize("command", sorted(SPEC_EXITS))
def test_each_commands_help_says_its_exit_codes_as_the_spec_gives_them(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    """A script's author at 2 AM reads `runbook-tui resume --help` for what its exit status means: only exec, rehearse and
    approve said it (the README and the spec did); resume, run, preflight, report, journal verify, validate, plan and
    join said nothing."""
    with pytest.raises(SystemExit):
        parser().parse_args([*command, "--help"])
    said = " ".join(capsys.readouterr().out.split())
    missing = [words for words in SPEC_EXITS[command] if words not in said]
    assert missing == [], f"{' '.join(command)} --help does not say {missing}:\n{said}"
