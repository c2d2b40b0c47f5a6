"""The current step whole, for when the detail pane cannot show all of it.

The detail pane takes at most about half the screen: a long command, a long
title or a step on forty hosts is taller. The pane then says so in its
title (`step 1/5 · ▼ 9 more lines: v shows all · reload`) instead of leaving
a scrollbar as the only sign, and `v` (the verifier's `enter` too) opens the
step whole: every command as it will run, written out as it runs, every
host, in a dialog that scrolls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.theme import Theme

from runbook_tui.engine.state import RunState
from runbook_tui.runbook.durations import timeout_words, written_duration
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.glyphs import status_text, step_looks
from runbook_tui.ui.host_commands import host_blocks
from runbook_tui.ui.host_name import HostWords
from runbook_tui.ui.how_under import how_lines
from runbook_tui.ui.pane_step import pane_step
from runbook_tui.ui.step_outcome import step_outcome
from runbook_tui.ui.verify_words import verify_words
from runbook_tui.ui.widgets import step_as_shown


def step_whole(state: RunState, theme: Theme, reader: str | None = None) -> tuple[str, Group] | None:
    """The current step's dialog title and body, every command as it will run (captures filled in), written out
    verbatim (YAML's quoting showed `printf '\\t'` and `\\U0001F680` for what runs as `printf '\\t'` and 🚀), then
    what became of it as the detail pane says it (the pane's `v shows all` opened a dialog without the hosts' results),
    to `reader` as the pane says it to them."""
    current = pane_step(state)  # the pane's step: during a rollback the one whose undo runs
    if current is None:
        return None
    entry = step_as_shown(state, current)
    hosts = [str(host.get("path") or host["name"]) for host in entry.get("hosts") or ()]
    where = f"on {entry.get('on', 'local')}" + (f": {', '.join(hosts)}" if hosts and entry.get("on") != "local" else "")
    facts = [f"id {current}", f"section {entry.get('section', '')}", where, verify_words(state, entry.get("verify"), whole=True)]
    # (the folder, sudo and the environment: under the command, `runs_and_undo`)
    facts += [timeout_words(entry["timeout"], entry.get("undo"))] if entry.get("timeout") else []
    facts += [f"{key} {_value(key, entry[key])}" for key in ("retries", "serial", "max_fail", "capture") if entry.get(key)]
    facts += ["checkpoint"] * bool(entry.get("checkpoint")) + [f"watch {', '.join(entry['watch'])}"] * bool(entry.get("watch"))
    parts = [str(entry.get("title") or current), "\n".join(facts)]
    parts += [f"{kind}: {entry[kind]}" for kind in ("note", "ask", "confirm") if entry.get(kind)]
    if entry.get("wait"):
        parts.append(f"wait: {written_duration(entry['wait'])}")
    expect = {key: value for key, value in (entry.get("expect") or {}).items() if value not in (None, [0])}
    after = [", ".join(f"expect {key} {_value(key, value)}" for key, value in expect.items())]
    step = state.steps[current]
    outcome = step_outcome(step, theme, reader)
    became = Group(status_text(step_looks(step), theme), *outcome) if step.status != "pending" or outcome else None
    return f"Step '{visible_line(current)}'", _paragraphs([*map(_prose, parts), runs_and_undo(entry), *map(_prose, after), became])


def _prose(text: str) -> RenderableType | None:
    """A paragraph of the step's plan (its facts name its hosts: `on web: web01-…, …`)."""
    return HostWords(text) if text else None


def _paragraphs(parts: Iterable[RenderableType | None]) -> Group:
    """The parts given, a blank line between them."""
    shown: list[RenderableType] = []
    for part in parts:
        if part is not None:
            shown += [Text(""), part] if shown else [part]
    return Group(*shown)


def runs_and_undo(entry: Mapping[str, Any]) -> Group:
    """What the step does, as the detail pane shows it (captures filled in), and its undo."""
    runs = host_blocks("run", entry.get("run")) or [Text("It runs no command.")]
    runs += how_lines(entry, style="") if entry.get("run") else []
    undo = host_blocks("undo", entry.get("undo")) or [Text("It has no undo: a rollback cannot take it back.")]
    return _paragraphs([Group(*runs), Group(*undo)])


def acknowledgement(detail: str, entry: Mapping[str, Any]) -> Group:
    """The acknowledgement dialog's body: what is to be acknowledged (`confirm:`), then what runs and its undo."""
    return _paragraphs([Text(visible(detail)), runs_and_undo(entry)])


def _value(key: str, value: Any) -> str:
    """A plan field as the runbook wrote it and the detail pane says it: `serial 1, 25%`, `expect exit 0, 3` (they read
    `serial [1, '25%']`, Python's words, not the runbook's)."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
