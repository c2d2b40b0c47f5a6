"""The practice results table at 80 columns: each time to decide stands on the line of the decision it belongs to."""

from __future__ import annotations

from rich.console import Console

from runbook_tui.engine.history_model import Move, Point
from runbook_tui.engine.practice_results import DecisionPoint, Results
from runbook_tui.ui.practice_screens import differences, results_table


def _move(kind: str, detail: str, seconds: float) -> Move:
    return Move(kind, "roll", Point("roll", 1, 0, False), "2026-12-05T00:57:23.000Z", seconds, 0, detail)


def _lines(results: Results, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(results_table(results))
    return console.export_text().splitlines()


def test_the_trainees_time_is_beside_the_trainees_decision_when_the_nights_wraps() -> None:
    """The night ended `finish (FAILED)` after 2s, the trainee rolled back after 17s. At 80 columns the night's words
    took two lines and the trainee's 17s stood beside `(FAILED)`, the night's second line: it read as the night's time."""
    night = _move("finish", "failed", 2.0)
    trainee = _move("roll back", "checkpoint", 17.0)
    results = Results([DecisionPoint("roll", night, trainee, "the night ended FAILED")])
    for width in (76, 136):
        lines = _lines(results, width)
        nights = next(n for n, line in enumerate(lines) if "finish" in line)
        mine = next(n for n, line in enumerate(lines) if "roll back" in line)
        assert "2s" in lines[nights] and "17s" not in lines[nights], lines
        assert "17s" in lines[mine], f"the trainee's time is not on the line of their decision at {width} columns:\n" + "\n".join(lines)
        assert not any("17s" in line for n, line in enumerate(lines) if n != mine), lines


def test_a_trainee_who_reached_no_decision_is_not_told_each_one_was_the_nights() -> None:
    """The trainee left at once: `0 of 2 decisions as on the night` sat above a green `Every decision you reached was
    the night's.`, praise for decisions never made."""
    night = [DecisionPoint("roll", _move("run", "", 2.0), None, "on the night it ran cleanly"), DecisionPoint("roll", _move("finish", "done", 1.0), None, "")]
    said = differences(Results(night)).plain
    assert "Every decision" not in said and "none of the night's decisions" in said, said
    reached = [DecisionPoint("roll", _move("run", "", 2.0), _move("run", "", 3.0), "on the night it ran cleanly")]
    assert differences(Results(reached)).plain == "Every decision you reached was the night's."


def test_each_step_id_is_whole_on_one_line_at_80_and_at_140_columns() -> None:
    """A night with long step ids (`disk-space-on-primary-database-volume`). At 80 columns the Step column was 12 wide
    and cut each id into pieces on four lines (`disk-space-o`, `n-primary-da`, `tabase-volum`, `e`): none of them the id
    the journal and `g` name. Now at 80 each id stands whole on a line of its own above its decisions; at 140 it is in a
    column as wide as the longest id, on the line of the night's decision."""
    ids = ["disk-space-on-primary-database-volume", "set-pool", "reload-checkout-api-workers"]
    points = [DecisionPoint(i, _move("run", "", 41.0), _move("run", "", 6.0), "on the night it ran cleanly; bob confirmed it 2s later") for i in ids]
    for width in (76, 136):
        lines = _lines(Results(points), width)
        for step in ids:
            at = [n for n, line in enumerate(lines) if step in line]
            assert at, f"{step} is not whole on any line at {width} columns:\n" + "\n".join(lines)
            night = at[0] if width > 100 else at[0] + 1
            assert "run" in lines[night] and "41s" in lines[night], f"{step}'s decisions are not with it at {width}:\n" + "\n".join(lines)
        assert not any(line.strip() in ("e", "tabase-volum") for line in lines), "\n".join(lines)


def test_every_difference_is_named_when_there_are_more_than_three() -> None:
    """A trainee differed from the night at four decisions (the score said 6 of 10); the line under the score named
    only the first three (`Differed at #3 cp…; #6 flaky…; #8 flaky…`) and said nothing of #10, so the trainee read
    three mistakes where the table had four. Now the first three are told in full and the rest named after them."""
    same = DecisionPoint("roll", _move("run", "", 2.0), _move("run", "", 2.0), "on the night it ran cleanly")
    points = [same, *(DecisionPoint(f"s{n}", _move("run", "", 2.0), _move("skip", "no time", 3.0), "on the night it ran cleanly") for n in range(2, 6))]
    said = differences(Results(points)).plain
    for n in range(2, 6):
        assert f"#{n} s{n}" in said, said
    assert "#1 " not in said and "1 more" in said, said


def test_wide_characters_in_a_reason_cost_no_letter_of_it_at_any_width() -> None:
    """bob's rejection `output looks wrong 出力` in why it matters. Rich measures a wrapped line's trailing space in
    characters, not cells: a line holding wide characters kept it, was one cell too long, and was cut with `…`, losing
    its last letter (`bob asked for a rollbac…`, `bob aske…`), at 71, 75, 78 and 79 columns among others."""
    why = "on the night it ran cleanly; bob rejected it 7s later: output looks wrong 出力; bob asked for a rollback 12s later"
    trainee = "because 全角の理由 出力 and more words after it"
    for width in range(60, 141):
        lines = _lines(Results([DecisionPoint("change", _move("run", "", 3.0), _move("roll back", trainee, 2.0), why)]), width)
        shown = " ".join(" ".join(lines).split())
        assert "…" not in shown, f"cut at {width} columns:\n" + "\n".join(lines)
        for word in why.split() + trainee.split():
            assert word in shown, f"{word!r} not whole at {width} columns:\n" + "\n".join(lines)
