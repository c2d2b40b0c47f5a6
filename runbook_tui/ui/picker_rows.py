"""The picker's rows at any width: the title column as wide as the table has room for, long titles and ids cut with
`…` (at 80 columns they were cut at the table's edge mid-word), and runbooks that share an id told apart by the
part of their path that differs (three rows read `nginx-config-change  nginx: roll out upstream-checkou` alike)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePath

from rich.cells import cell_len
from rich.text import Text

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.safe_text import visible_line

STATUS_WIDTH = 11
ID_WIDTH = 26
TITLE_WIDTH = 52
#: What the table takes of the screen's width besides its columns' own: its margins and border, the scrollbar's
#: room, and each of the three columns before the title's padding (one cell either side).
FRAME = 2 + 2 + 2 + 3 * 2
#: The narrowest the title column gets (below it, the table scrolls sideways as before).
TITLE_MIN = 12


#: A template part of a title: `{{ name }}` (shown as `‹name›`) or a `{% ... %}` tag (not shown).
_TEMPLATE = lazy_re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}|\{%.*?%\}", re.S)


def placeholders(title: str) -> str:
    """A title not rendered yet as a person reads it: `Upgrade ‹cluster›`, never a raw `{{ cluster }}`."""
    return _TEMPLATE.sub(lambda m: f"‹{m.group(1)}›" if m.group(1) is not None else "", title)


def id_width(ids: Iterable[str]) -> int:
    """The id column's width: the longest id listed (the header's `id` at least), at most `ID_WIDTH`. At 80 columns a
    folder of short ids (`rb-007`) left 20 cells of the column empty while each title was cut after 32."""
    return max(2, min(ID_WIDTH, max((cell_len(visible_line(i or "?")) for i in ids), default=ID_WIDTH)))


def title_width(screen_width: int, ids: int = ID_WIDTH) -> int:
    """The title column's width on a screen this wide: the room left beside status and id, at most `TITLE_WIDTH`."""
    return max(TITLE_MIN, min(TITLE_WIDTH, screen_width - STATUS_WIDTH - ids - FRAME))


def file_width(screen_width: int, ids: int = ID_WIDTH) -> int | None:
    """The file column's width: what is left after the title (None: too little, the table has no file column)."""
    left = screen_width - STATUS_WIDTH - ids - title_width(screen_width, ids) - FRAME - 2
    return left if left >= TITLE_MIN else None


def cut(text: Text, width: int) -> Text:
    """`text` in at most `width` cells, its end replaced by `…` when it is longer."""
    if text.cell_len > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    return text


def places(runbooks: Iterable[tuple[str, str]]) -> dict[str, str]:
    """For each file (of `(file, id)` pairs) whose id another file has too: the end of its folder path that tells it
    from the others (`team-a/`, `team-b/`, `runbooks/`); files with an id of their own are not in the result."""
    by_id: dict[str, list[str]] = defaultdict(list)
    for file, runbook_id in runbooks:
        if runbook_id:
            by_id[runbook_id].append(file)
    said: dict[str, str] = {}
    for files in by_id.values():
        if len(files) > 1:
            said.update(_told_apart(files))
    return said


def _told_apart(files: list[str]) -> dict[str, str]:
    parts = [PurePath(file).parts for file in files]
    folder = ""  # the labels are folders once the file name they share is dropped
    if all(len(p) > 1 for p in parts) and len({p[-1] for p in parts}) == 1:
        parts, folder = [p[:-1] for p in parts], "/"
    for depth in range(1, max(map(len, parts)) + 1):
        # Told apart by the folders' names, not by the `./` a relative path said whole starts with: `./runbooks/` and
        # `runbooks/` (the examples' folder, elsewhere) read as one folder (before: they were the labels shown).
        ends = ["/".join(p[-depth:]).replace("//", "/") for p in parts]
        if len(set(ends)) == len(ends):
            labels = [("./" if len(p) <= depth and p[0] != "/" else "") + end for p, end in zip(parts, ends)]
            return {file: label + folder for file, label in zip(files, labels)}
    return {file: file for file in files}  # not reached: the files differ
