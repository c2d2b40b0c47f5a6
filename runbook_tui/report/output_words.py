"""The labels over an attempt's and an undo's recorded output, for the Markdown and the HTML report alike."""

from __future__ import annotations

from runbook_tui.engine.history_model import TAIL_LINES, Attempt, UndoResult


def output_label(attempt: Attempt, fanned_out: bool) -> str:
    """`Output (33 lines, the last 20 of each host shown; all of it is in the journal):`. The tail is kept per host, so
    the count shown is each host's, not the lines of all hosts together (it read `last 23 per host shown` of a host
    that showed 20 and one that showed its 3)."""
    total = f"{attempt.output_lines} line{'s' * (attempt.output_lines != 1)}"
    if len(attempt.output_tail) >= attempt.output_lines:
        return f"Output ({total}):"
    return f"Output ({total}, the last {TAIL_LINES}{' of each host' if fanned_out else ''} shown; all of it is in the journal):"


def undo_output_count(undo: UndoResult) -> str:
    """`57 lines, the last 20 shown; all of it is in the journal`, or `1 line`: how much an undo printed, in its output's
    label, as an attempt's says it. It said `its last 20 lines` of a cut output, and nothing of a whole one: 20 lines
    read the same whether they were all or the end of 5,000."""
    total = f"{undo.output_lines} line{'s' * (undo.output_lines != 1)}"
    return total if len(undo.output_tail) >= undo.output_lines else f"{total}, the last {TAIL_LINES} shown; all of it is in the journal"
