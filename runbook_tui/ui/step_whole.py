"""The current step whole, for when the detail pane cannot show all of it.

The detail pane takes at most about half the screen: a long command, a long
title or a step on forty hosts is taller. The pane then says so in its
title (`step 1/5 · ▼ 9 more lines: v shows all · reload`) instead of leaving
a scrollbar as the only sign, and `v` (the verifier's `enter` too) opens the
step whole: every command as it will run, written out as it runs, every
host, in a dialog that scrolls.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from runbook_tui.engine.history_model import host_groups
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.widgets import step_as_shown


def step_whole(state: RunState) -> tuple[str, str] | None:
    """The current step's dialog title and body, every command as it will run (captures filled in), written out
    verbatim (YAML's quoting showed `printf '\\t'` and `\\U0001F680` for what runs as `printf '\\t'` and 🚀)."""
    current = state.current
    if current is None:
        return None
    entry = step_as_shown(state, current)
    hosts = [str(host.get("path") or host["name"]) for host in entry.get("hosts") or ()]
    where = f"on {entry.get('on', 'local')}" + (f": {', '.join(hosts)}" if hosts and entry.get("on") != "local" else "")
    facts = [f"id {current}", f"section {entry.get('section', '')}", where]
    facts += [f"{key} {entry[key]}" for key in ("verify", "timeout", "retries", "serial", "max_fail", "cwd", "capture") if entry.get(key)]
    facts += [key for key in ("checkpoint", "sudo") if entry.get(key)] + [f"watch {', '.join(entry['watch'])}"] * bool(entry.get("watch"))
    parts = [str(entry.get("title") or current), "\n".join(facts)]
    parts += [f"{kind}: {entry[kind]}" for kind in ("note", "ask", "confirm") if entry.get(kind)]
    if entry.get("wait"):
        parts.append(f"wait: {format_duration(entry['wait'])}")
    parts.append(runs_and_undo(entry))
    expect = {key: value for key, value in (entry.get("expect") or {}).items() if value not in (None, [0])}
    parts.append(", ".join(f"expect {key} {value}" for key, value in expect.items()))
    parts.append(f"env: {', '.join(entry.get('env') or {})}" if entry.get("env") else "")  # the names: values may be templates of secrets
    return f"Step '{visible_line(current)}'", visible("\n\n".join(part for part in parts if part))


def _commands(label: str, by_host: Mapping[str, str] | None) -> str:
    """`run on local:` and the command as it runs, indented; hosts with the same command named once, together."""
    return "\n".join(f"{label} on {_hosts(hosts)}:\n" + textwrap.indent(str(command), "  ") for hosts, command in host_groups(by_host))


def _hosts(hosts: list[str]) -> str:
    return hosts[0] if len(hosts) == 1 else f"{len(hosts)} hosts ({', '.join(hosts)})"


def runs_and_undo(entry: Mapping[str, Any]) -> str:
    """What the acknowledgement dialog says the step does, as the detail pane shows it (captures filled in), and its undo."""
    undo = _commands("undo", entry.get("undo")) or "It has no undo: a rollback cannot take it back."
    return visible(f"{_commands('run', entry.get('run')) or 'It runs no command.'}\n\n{undo}")
