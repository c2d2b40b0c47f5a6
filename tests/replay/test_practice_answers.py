"""The practice results hold the trainee's answer to an `ask` beside the night's: another answer is another decision.

Seen in a walk: on the night the assignee answered `1.2` to `Which version?` (captured as `captured.version`, which the
next step ran as `echo 1.2`); the trainee answered `other answer`. The results screen said `Every decision you reached
was the night's.` and scored 4/4: it compared moves only (`run` and `run`), and neither the answers nor what they made
of the later commands were anywhere in the results.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from test_practice_commands import night  # noqa: F401 (the fixture: a night that answered `1.2`)
from test_practice_waves import until

from runbook_tui.app import practice
from runbook_tui.engine.history import History
from runbook_tui.engine.history_model import Attempt, Followed, Move, Point
from runbook_tui.engine.practice_results import DecisionPoint, Results, why_it_matters
from runbook_tui.report import practice_md
from runbook_tui.ui.practice_screens import differences, results_table


def _practice(night_journal: Path, out: Path, answer: str) -> Results:
    async def the_practice() -> Results:
        run = practice.open_practice(str(night_journal), out_journal=str(out))
        controller, trainee = run.session.controller, run.session.actor
        try:
            assert controller.run_current(trainee, answer=answer).ok
            for step in ("use", "same"):
                await until(f"{step} to be current", lambda step=step: controller.state.current == step and not controller.busy)
                assert controller.run_current(trainee).ok
            await until("the practice to end", lambda: controller.state.finished)
            return run.results()
        finally:
            await run.session.close()

    return asyncio.run(the_practice())


def _screen(results: Results, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(differences(results))
    console.print(results_table(results))
    return console.export_text()


def test_another_answer_is_named_as_a_difference_with_both_answers_and_what_it_changed(night: Path, tmp_path: Path) -> None:  # noqa: F811
    results = _practice(night, tmp_path / "practice.jsonl", "other answer")
    same, total = results.score
    assert (same, total) == (total - 1, total), f"another answer scored as the night's: {same}/{total}"
    said = differences(results).plain
    assert "Every decision" not in said, said
    assert 'which: you answered "other answer", the night "1.2"' in said, said
    point = next(p for p in results.points if p.step == "which")
    assert "as captured.version the night's use ran `echo 1.2`" in point.why, point.why
    assert "with your answer use ran `echo 'other answer'` where the night's ran `echo 1.2`" in point.why, point.why
    for width in (76, 136):
        screen = " ".join(_screen(results, width).split())
        assert 'answered "1.2"' in screen and 'answered "other answer"' in screen, screen
    markdown = practice_md.render(results, str(night), "alice")
    row = next(line for line in markdown.splitlines() if line.startswith("| 1 "))
    assert 'answered "1.2"' in row and 'answered "other answer"' in row and "**different**" in row, row


def test_the_nights_own_answer_is_the_nights_decision(night: Path, tmp_path: Path) -> None:  # noqa: F811
    results = _practice(night, tmp_path / "practice.jsonl", "1.2")
    same, total = results.score
    assert same == total, f"{same}/{total}"
    assert differences(results).plain == "Every decision you reached was the night's."
    point = next(p for p in results.points if p.step == "which")
    assert "with your answer" not in point.why, point.why


def test_an_exec_nights_empty_stand_in_is_no_answer_to_differ_from() -> None:
    """`exec --ack-manual` answers an `ask` (without capture) with an empty answer: no one answered on the night, and a
    trainee who types one is not told they differed from it."""
    at = Point("note-it", 0, 0, False)
    ended = "2026-12-05T07:00:00.100Z"
    attempt = Attempt(1, "2026-12-05T07:00:00.000Z", "alice", ended, 0.1, "done", False)
    nights = Move("run", "note-it", at, "2026-12-05T07:00:00.000Z", 0.0, 3, driver="exec", answer="", attempt=attempt)
    nights.followed.append(Followed("finished", "system", ended))
    trainee = Move("run", "note-it", at, "2026-12-05T07:10:00.000Z", 4.0, 3, answer="deployed from the bridge")
    history = History.of([])
    point = DecisionPoint("note-it", nights, trainee, why_it_matters(history, nights))
    assert point.same and not point.answered_otherwise
    assert point.why == "on the night it was answered by no one (exec --ack-manual gave it an empty answer)", point.why
    assert practice_md.decision_words(nights, "—") == "run"
    assert practice_md.decision_words(trainee, "—") == 'run, answered "deployed from the bridge"'
    assert differences(Results([point])).plain == "Every decision you reached was the night's."


def test_practice_of_a_night_whose_runbook_was_improved_since_plays_the_nights_own_runbook(night: Path, tmp_path: Path) -> None:  # noqa: F811
    """The trainee practises last month's night after the post-change review improved the runbook. Before session 27:
    `night.yaml changed since that run; practice needs the same runbook`, so no improved runbook could ever be practised
    on its past nights. The journal keeps the night's runbook (session_started.source): practice plays it, the night's
    commands as they were, and the same answers score every decision the night's."""
    runbook = tmp_path / "night.yaml"
    runbook.write_text(runbook.read_text().replace("echo same", "echo improved since"))
    results = _practice(night, tmp_path / "practice.jsonl", "1.2")
    same, total = results.score
    assert total >= 3 and same == total, f"the night's own answers scored {same}/{total}"
    played = (tmp_path / "practice.jsonl").read_text()
    assert '"echo same"' in played and "improved" not in played, "the practice ran the edited runbook's command"
    runbook.unlink()  # gone altogether: the same
    assert _practice(night, tmp_path / "practice2.jsonl", "1.2").score[0] == total
