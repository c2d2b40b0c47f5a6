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


def undo_output_cut(undo: UndoResult) -> str:
    """`, its last 20 lines; all of it is in the journal` after an undo's output label when its tail is full (the fold
    keeps the last TAIL_LINES of each host's undo and no count: 20 lines may be all there was, and that still reads
    true); "" when the tail is shorter, all of it. A longer output read as if those 20 lines were all the undo printed."""
    return f", its last {TAIL_LINES} lines; all of it is in the journal" if len(undo.output_tail) >= TAIL_LINES else ""
