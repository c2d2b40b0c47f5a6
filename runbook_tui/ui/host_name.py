"""A host name in a narrow column: broken after a dot or a hyphen, whole, never inside one of its labels.

The step's host table folded a 66-character name at the column's width wherever it fell
(`web01-frontend-production-eu-west-1a.in` over `ternal.payments.example.com`): a row read as a name no host has.
Here each row holds whole labels (parts between dots and hyphens), a dot or a hyphen ending every row but the last, and
the rows joined are the name (nothing cut: it is found as the journal and the report name it). Only a label wider than
the whole column is folded inside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.measure import Measurement
from rich.text import Text

from runbook_tui.runbook.safe_text import visible_line


class HostName:
    """A rich renderable: `name` (sanitised) in lines of whole labels."""

    def __init__(self, name: str, style: str = "") -> None:
        self.name = visible_line(name)
        self.style = style
        self.labels: list[str] = re.findall(r"[^.-]*[.-]|[^.-]+$", self.name) or [""]  # `web01-` `eu.` `example.` `com`

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Text]:
        width = max(options.max_width, 1)
        line = ""
        for label in self.labels:
            if line and cell_len(line + label) > width:
                yield Text(line, style=self.style)
                line = ""
            *whole, line = chop_cells(line + label, width) if cell_len(line + label) > width else [line + label]
            yield from (Text(part, style=self.style) for part in whole)  # a label wider than the column: folded
        yield Text(line, style=self.style)

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        widest = max(cell_len(label) for label in self.labels)
        return Measurement(min(widest, options.max_width), min(cell_len(self.name), options.max_width))
