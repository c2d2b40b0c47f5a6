"""A step's commands host by host, as the step pane and the step whole (`v`, the dialog before it runs) show them.

A command that names its host (`cp /etc/ssl/backup/{{ host.name }}/bundle.pem …`) differs on every host: the pane
listed a `run on HOST:` block per host (655 rows for 60 hosts at 80x24), each command wrapped in the strip its
45-column label left (`…payments.exam` over `ple.com`), and the undo, 60 blocks down, was never in view. Hosts sharing
a command are one block, a long label on a row of its own and the command under it across the pane; the pane shows up to
four blocks, of more the first, and counts the hosts it leaves to `v`, which shows every one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.measure import Measurement
from rich.text import Text

from runbook_tui.engine.history_model import host_groups
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.host_name import HostWords
from runbook_tui.ui.wrap import CommandText

#: A step's different commands (run, or undo) the step pane shows at most, each; of more, the first; `v` shows each.
PANE_BLOCKS = 4
#: Host names a pane block's label names (`run on 30 hosts (web01, web02, web03 and 27 more):`); `v` names each.
PANE_NAMES = 3


def host_blocks(
    label: str, by_host: Mapping[str, str] | None, shown: int | None = None, names: int | None = None, *, inline: bool = False
) -> list[RenderableType]:
    """`run on web01:` over its command, indented, a block per command (hosts with the same command named together);
    with `shown`, up to `shown` blocks, of more the first, and a line counting the hosts of the others (`59 more hosts, each with its
    own command: v shows all`); `names`: how many hosts a label names at most; `inline`: a short label on the command's
    first row (the pane's rows are few), else always on a row of its own."""
    groups = host_groups(by_host)
    shown = 1 if shown is not None and len(groups) > shown else None
    said: list[RenderableType] = []
    for hosts, command in groups[:shown]:
        said.append(_Labelled(visible_line(f"{label} on {_hosts(hosts, names)}:"), str(command), inline))
    rest = groups[len(groups) if shown is None else shown :]
    left = sum(len(hosts) for hosts, _ in rest)
    if left:
        each = "each with its own command" if len(rest) == left else f"{len(rest)} other commands"
        said.append(Text(f"  {left:,} more host{'s' * (left > 1)}, {each}: v shows all", style="italic"))
    return said


def abridged(by_host: Mapping[str, str] | None) -> bool:
    """Whether the pane leaves some of these commands to `v` (more different commands than it shows)."""
    return len(host_groups(by_host)) > PANE_BLOCKS


class _Labelled:
    """`run on peer01:  cmd` on one row while the label takes at most a third of the width (four hosts' commands fit in
    the pane at 80x24); a longer label on its own row, the command under it, indented, across the width."""

    def __init__(self, label: str, command: str, inline: bool) -> None:
        self.label, self.command, self.inline = label, command, inline

    def __rich_console__(self, console: Any, options: Any) -> Any:
        if self.inline and cell_len(self.label) + 2 <= options.max_width // 3:
            yield CommandText(self.command, prefix=f"{self.label}  ")
        else:
            yield HostWords(self.label)
            yield CommandText(self.command, prefix="  ")

    def __rich_measure__(self, console: Any, options: Any) -> Measurement:
        return Measurement.get(console, options, CommandText(self.command, prefix=f"{self.label}  "))


def _hosts(hosts: list[str], names: int | None) -> str:
    if len(hosts) == 1:
        return hosts[0]
    named = ", ".join(hosts[:names])
    more = f" and {len(hosts) - names:,} more" if names is not None and len(hosts) > names else ""
    return f"{len(hosts)} hosts ({named}{more})"
