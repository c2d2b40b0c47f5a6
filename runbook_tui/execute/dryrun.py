"""An executor that runs nothing and says what it would have run.

It goes through the same controller path as a real run, so a dry run shows
the commands exactly as rendered for each host, in the order and batches a
real run would use, and journals them like any output.
"""

from __future__ import annotations

from collections.abc import Sequence

from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink
from runbook_tui.runbook.model import Host
from runbook_tui.runbook.shell_values import PREFIX as VALUE_PREFIX

#: A multi-line command's lines, under `[dry-run] would run on HOST:`.
INDENT = "    "


def describe(command: Command) -> str:
    """`[dry-run] would run on HOST: COMMAND`, with cwd, env and sudo when set (after the command's last line).

    Environment variables are shown by name only: their values may be
    secrets, and this line ends up on screen and in the journal.
    """
    extras: list[str] = []
    if command.cwd:
        extras.append(f"cwd {command.cwd}")
    names = [name for name, _ in command.env if not name.startswith(VALUE_PREFIX)]  # values are shown inline
    if names:
        extras.append("env " + ", ".join(names))
    if command.sudo:
        extras.append("sudo")
    suffix = f"  ({'; '.join(extras)})" if extras else ""
    # As it came: the journal keeps it, what prints it sanitises it.
    text = command.shown or command.command
    lead = f"[dry-run] would run on {command.host.name}:"
    lines = text.rstrip("\n").split("\n")
    if len(lines) == 1:
        return f"{lead} {lines[0]}{suffix}\n"
    # A command of several lines: under the lead, each line indented (at the margin they read as output). Not behind
    # `│ ` under the lead's end as `exec` prints a step's command: this is output, and behind its gutter (`local │ `) that
    # read as two columns of output (`local │                             │ backup=…`).
    return "\n".join([lead, *(INDENT + line if line else "" for line in lines)]) + f"{suffix}\n"


class DryRunExecutor:
    """An `Executor` that starts no process and opens no connection."""

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        """Write what would run to stdout and report success, so the run walks on as if it had."""
        output("stdout", describe(command).encode())
        return Result("ok", 0)

    async def release(self, hosts: Sequence[Host]) -> None:
        """Nothing is held per host."""

    async def close(self) -> None:
        """Nothing to release."""
