"""Practice needs a night: a practice's own journal (another trainee's decisions over recordings) is refused, never
played back as a night."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from runbook_tui import cli
from runbook_tui.app import practice
from runbook_tui.app.session import SessionError, load, open_session

RUNBOOK = """\
runbook: 1
id: refuse
title: Refuse
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - {id: boom, title: Boom, run: "echo it broke >&2; exit 3", undo: "echo undone", verify: none}
"""


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "no-settings.yaml").touch()
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "no-settings.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.chdir(tmp_path)
    Path("rb.yaml").write_text(RUNBOOK, encoding="utf-8")
    return tmp_path


def _run(mode: str, journal: Path) -> None:
    async def night() -> None:
        session = open_session(load("rb.yaml", {}), mode=mode, solo="night shift", journal=str(journal))
        c, alice = session.controller, session.actor
        assert c.run_current(alice).ok
        await c.wait_idle()
        await session.close()

    asyncio.run(night())


def _practised(night: Path, journal: Path) -> None:
    async def practise() -> None:
        run = practice.open_practice(str(night), out_journal=str(journal))
        c = run.session.controller
        assert c.run_current(run.session.actor).ok
        await c.wait_idle()
        await run.session.close()

    asyncio.run(practise())


def test_a_practices_own_journal_is_refused_for_practice(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a practice's journal was practised as a night: the next trainee got the first one's decisions as the
    night's (`Why it matters (on the night)`), over outputs that were themselves played back."""
    journal = workdir / "practice.jsonl"
    _run("live", workdir / "night.jsonl")
    _practised(workdir / "night.jsonl", journal)
    with pytest.raises(SessionError, match="mode practice") as refused:
        practice.open_practice(str(journal))
    assert "practice needs the journal of a run that ran" in str(refused.value)
    with pytest.raises(SessionError, match="practice needs the journal of a run that ran"):
        practice.mark_scenario(str(journal), "learn from this")
    assert not practice.scenario_path(journal).exists()
    capsys.readouterr()
    assert cli.main(["replay", str(journal), "--practice"]) == 2
    err = capsys.readouterr().err
    assert "practice needs the journal of a run that ran" in err and "not a terminal" not in err, err
    # the night it was a practice of, named: the trainer practises it again with one command (it was not said which)
    assert err.rstrip().endswith(f"; its night: runbook-tui replay {workdir / 'night.jsonl'} --practice"), err


def test_a_live_night_and_its_plain_replay_are_not_refused(workdir: Path) -> None:
    _run("live", workdir / "night.jsonl")
    _run("dry-run", workdir / "dry.jsonl")
    asyncio.run(practice.open_practice(str(workdir / "dry.jsonl")).session.close())  # a dry run's people decided too
    _practised(workdir / "night.jsonl", workdir / "practice.jsonl")
    practice.checked_events(str(workdir / "practice.jsonl"))  # a practice's journal replays (it says PRACTICE on every screen)
    run = practice.open_practice(str(workdir / "night.jsonl"))
    asyncio.run(run.session.close())


def test_the_results_of_a_dry_run_night_say_it_was_one(workdir: Path) -> None:
    """A dry run's journal is practised (its people decided), but nothing ran on it: `boom` (exit 3 in its runbook)
    `ran cleanly on the night`. Before, nothing on the results said the night was a dry run."""
    from runbook_tui.engine.journal import read_events
    from runbook_tui.engine.practice_results import compare
    from runbook_tui.report import practice_md
    from runbook_tui.ui.practice_screens import night_words

    _run("dry-run", workdir / "dry.jsonl")
    results = compare(read_events(workdir / "dry.jsonl").events, [])
    said = "The night was a dry run: nothing ran, its outputs say what would have."
    assert said in practice_md.render(results, "dry.jsonl", "erin")
    assert said in night_words(results)
    _run("live", workdir / "night.jsonl")
    live = compare(read_events(workdir / "night.jsonl").events, [])
    assert "dry run" not in practice_md.render(live, "night.jsonl", "erin") and "dry run" not in night_words(live)


@pytest.mark.parametrize("how", [["--rollback"], ["--rerun", "--continue"], []])
def test_resume_refuses_a_practice_left_before_its_end(workdir: Path, capsys: pytest.CaptureFixture[str], how: list[str]) -> None:
    """The trainee left after `boom` failed (the practice's journal stays open, as the TUI says: `the practice run was
    left before its end; what was done: runbook-tui report ...`). Before: `resume` went on with it as a dry run, without
    the night's recordings: `[dry-run] would run ...` outputs, undos and `session_resumed` written into the trainee's
    record as if played back, exit 0 or 1. Now it refuses and the journal is left as it was."""
    journal = workdir / "practice.jsonl"
    _run("live", workdir / "night.jsonl")
    _practised(workdir / "night.jsonl", journal)
    before = journal.read_bytes()
    capsys.readouterr()
    assert cli.main(["resume", str(journal), "--headless", *how]) == 2
    err = capsys.readouterr().err
    assert "a practice run's journal" in err and "replay --practice" in err and f"report {journal}" in err, err
    assert f"practise again with: runbook-tui replay {workdir / 'night.jsonl'} --practice;" in err, err  # it read NIGHT_JOURNAL
    assert journal.read_bytes() == before


def test_the_commands_said_of_a_practice_journal_name_the_program_as_it_was_started(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walked in session 38 with `.venv/bin/runbook-tui` from a shell without the venv on PATH: `resume` and `replay
    --practice` of a practice's journal said `practise again with: runbook-tui replay …` and `runbook-tui report …`,
    which that shell answered `command not found`. A command printed to be run next names the program as it was
    started (README, Usage), as `resume J` is printed."""
    journal = workdir / "practice.jsonl"
    _run("live", workdir / "night.jsonl")
    _practised(workdir / "night.jsonl", journal)
    script = Path(sys.executable).with_name("runbook-tui")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the venv's bin is not on it
    monkeypatch.setattr(sys, "argv", [str(script)])
    capsys.readouterr()
    assert cli.main(["resume", str(journal), "--headless"]) == 2
    err = capsys.readouterr().err
    assert f"practise again with: {script} replay {workdir / 'night.jsonl'} --practice;" in err, err
    assert f"what the trainee did: {script} report {journal}" in err, err
    assert cli.main(["replay", str(journal), "--practice"]) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(f"; its night: {script} replay {workdir / 'night.jsonl'} --practice"), err
