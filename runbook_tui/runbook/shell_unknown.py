"""Programs not known when a runbook is checked, and awk programs that run commands: what reaches them.

A command's name printed by a command substitution (`$(echo eval) "{{ x }}"`, `e=$(which bash); $e -c ...`,
`${E:-$(echo sh)}`) is only known at run time: it may be eval or a shell, so a value among its words or on its
input could run as code. An awk program that calls `system()` or opens a pipe runs what its variables, its
environment or its input hold (`shell_code.awk_running_commands`). Called by `shell_context.Tokenizer.simple_command`
once a command's words are complete; `Flow.finish` marks the values that reach these through variables and input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_code import awk_running_commands
from runbook_tui.runbook.shell_flow import AWK_INPUT, UNKNOWN_INPUT
from runbook_tui.runbook.shell_places import WHOLE_NAME, Word

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer

_ASSIGNED = lazy_re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")  # an assignment's name (`e=$(command -v bash)`)


def name_substituted(tok: Tokenizer, word: Word) -> bool:
    """A command's name a command substitution prints, directly (`$(echo eval)`) or through a variable (`$e`)."""
    whole_variable = len(word.refs) == 1 and WHOLE_NAME.fullmatch(word.text) is not None
    return word.name_substituted() or (whole_variable and word.refs[0] in tok.flow.substituted)


def follow(tok: Tokenizer, words: list[Word], texts: list[str], start: int, named: bool) -> list[str]:
    """Values reaching a program named by a substitution, or an awk that runs commands; returns the pseudo-variables
    standing for the command's input (`shell_flow.UNKNOWN_INPUT`, `AWK_INPUT`), which the caller links to it as `read`'s."""
    if texts[start : start + 1] == ["for"] and texts[start + 2 : start + 3] == ["in"] and any(w.name_substituted() for w in words[start + 3 :]):
        tok.flow.substituted.add(texts[start + 1])  # `for s in $(echo sh); do $s ...`
    for w in words:  # `e=$(command -v bash)`, `export e=...`, `f=$e`: e names a program only known at run time
        assigned = _ASSIGNED.match(w.text)
        value = w.text[assigned.end() :] if assigned else ""
        if assigned and (w.name_substituted() or (WHOLE_NAME.fullmatch(value) and w.refs[-1:] and w.refs[-1] in tok.flow.substituted)):
            tok.flow.substituted.add(assigned.group(1))
    inputs: list[str] = []
    if named and name_substituted(tok, words[start]):  # `$(echo eval) "{{ x }}"`, `$(which bash) -c "{{ x }}"`
        for m in words[start].markers + words[start].expanded_markers:
            tok.places[m].runs_as = tok.places[m].runs_as or "in the command's name"
        for m in (m for w in words[start + 1 :] for m in w.markers + w.expanded_markers):
            tok.places[m].unknown_program = True
        inputs.append(UNKNOWN_INPUT)  # `echo "{{ x }}" | $(echo sh)`, `$(echo sh) <<EOF`
    awk, environment = awk_running_commands(texts, start)
    if awk:  # `echo "{{ x }}" | awk '{ system($0) }'`, `export V=...; awk '... system(ENVIRON["V"])'`
        tok.flow.awk_runs.update(dict.fromkeys([AWK_INPUT, *environment], awk))
        inputs.append(AWK_INPUT)
    return inputs
