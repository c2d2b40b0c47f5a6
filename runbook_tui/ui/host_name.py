"""A host name in a narrow column: broken after a dot or a hyphen, whole, never inside one of its labels.

The step's host table folded a 66-character name at the column's width wherever it fell
(`web01-frontend-production-eu-west-1a.in` over `ternal.payments.example.com`): a row read as a name no host has.
Here each row holds whole labels (parts between dots and hyphens), a dot or a hyphen ending every row but the last, and
the rows joined are the name (nothing cut: it is found as the journal and the report name it). Only a label wider than
the whole column is folded inside. Sentences and lists that name hosts (the `hosts:` list, the `k` dialog, `v`) wrap at
spaces and break a name wider than the line the same way (`HostWords`, ui/wrap.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len
from rich.measure import Measurement
from rich.text import Text

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.wrap import wrap_command

#: Where a host name breaks when wider than its line: after one of these (the end of a label).
LABEL_ENDS = ".-"


class HostWords:
    """A rich renderable: text that names hosts (sanitised), wrapped at spaces, a name wider than the line broken after
    a dot or a hyphen (`is running on 50 hosts (web01-…, …)`: it folded inside a label, `…eu-west-1a.in` over `ternal.…`)."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text, self.style = text, style

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Text]:
        yield from (Text(row, style=self.style) for row in wrap_command(self.text, max(options.max_width, 1), 0, LABEL_ENDS))

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        labels = re.findall(r"[^\s.-]*[.-]|[^\s.-]+", self.text) or [""]  # `web01-` `eu.` `example.` `com`
        widest = max(cell_len(label) for label in labels)
        whole = max(cell_len(line) for line in self.text.split("\n"))
        return Measurement(min(widest, options.max_width), min(whole, options.max_width))


class HostName(HostWords):
    """A host name (sanitised) in lines of whole labels."""

    def __init__(self, name: str, style: str = "") -> None:
        super().__init__(visible_line(name), style)
