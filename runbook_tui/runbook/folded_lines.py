"""Where a place in a folded block scalar (`run: >`) stands in the file.

YAML folds the lines of a `>` scalar: two neighbouring lines at the scalar's
own indentation become one line of the string, joined by a space; a blank
line becomes a line break (and the fold beside it is dropped); a line indented
further keeps its line breaks. So line N of the string is not the file's line
N after the `>`, as it is for `|`: an error on `two {{ x }}` in

    run: >
      echo one
      two {{ x }}

was put on `echo one`, a line without the template. `folded_place` walks the
file's lines as YAML folds them and gives the file's line and column of a
line (and column) of the string.
"""

from __future__ import annotations

from typing import NamedTuple

from runbook_tui.runbook.model import Mark


class _Piece(NamedTuple):
    line_no: int  # the file's line, 1-based
    column: int  # the file's column of the piece's first character, 1-based
    template_line: int  # the string's line it is part of, 1-based
    offset: int  # where the piece starts in that line of the string


def _pieces(lines: list[str], header: Mark) -> list[_Piece]:
    """The content lines of the folded scalar whose `>` is at `header`, each placed in the string."""
    parent = len(lines[header.line - 1]) - len(lines[header.line - 1].lstrip())
    base: int | None = None
    pieces: list[_Piece] = []
    line, offset, previous, blank = 1, 0, "", False
    for line_no in range(header.line + 1, len(lines) + 1):
        text = lines[line_no - 1]
        if not text.strip():
            if pieces:
                line, offset, blank = line + 1, 0, True  # a blank line is a line break of its own
            continue
        indent = len(text) - len(text.lstrip())
        if base is None:
            base = indent
        if indent <= parent or indent < base:
            break  # the scalar ended: the next key or item
        kind = "more" if indent > base else "normal"
        if pieces:
            if blank:
                if not (previous == "normal" and kind == "normal"):
                    line, offset = line + 1, 0  # the break next to a more-indented line is kept as well
            elif previous == "normal" and kind == "normal":
                offset += 1  # folded into the line before, by a space
            else:
                line, offset = line + 1, 0
        content = text[base:]
        pieces.append(_Piece(line_no, base + 1, line, offset))
        offset += len(content)
        previous, blank = kind, False
    return pieces


def folded_place(lines: list[str], header: Mark, template_line: int, column: int | None = None) -> Mark | None:
    """The file's place of `column` (0-based; None: the line's start) of line `template_line` of the folded scalar
    whose `>` is at `header`; None when the string has no such line."""
    pieces = [p for p in _pieces(lines, header) if p.template_line == template_line]
    if not pieces:
        return None
    if column is None:
        return Mark(header.file, pieces[0].line_no, pieces[0].column)
    piece = next((p for p in reversed(pieces) if p.offset <= column), pieces[0])
    return Mark(header.file, piece.line_no, piece.column + column - piece.offset)
