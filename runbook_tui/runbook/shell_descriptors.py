"""Values reaching a command's stdin through a descriptor, a coprocess or a process substitution (`shell_context`).

`exec 3<<< "{{ x }}"` (or `exec 3< f.sh`) leaves values readable on a descriptor, which `bash <&3` reads; `exec <<< ...`
and `exec 0<&3` give them to the shell's own stdin, which every later command reads (`bash` alone); `exec 3> >(sh)` and
`coproc sh` start a command that reads what is written later to a descriptor (`>&3`, `>&"${COPROC[1]}"`), and
`exec 3> f.sh` a file that takes it (then `sh f.sh`); in `tee >(sh)` and `> >(sh)` the inner command reads what the command
around it writes, all of its words. Each such reader is checked as a command reading a pipe is
(`shell_programs.read_stdin`), with the values and the variables expanded there (`v="{{ x }}"; exec 3<<< "$v"`).
Descriptors are not told apart by number: what a command writes to any descriptor reaches every reader and file opened
on one so far, and what is opened for reading reaches every `<&N` after it (stricter than the shell, never looser).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from runbook_tui.runbook import shell_files as files
from runbook_tui.runbook import shell_programs as programs
from runbook_tui.runbook import shell_wrappers as wrappers
from runbook_tui.runbook.shell_places import Word

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer
    from runbook_tui.runbook.shell_flow import Flow

#: The word before a redirection operator that names its descriptor: `3<<<`, `{fd}<<<` (bash picks a free one).
_DESCRIPTOR = re.compile(r"[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\}")
#: A file naming a descriptor (`sh /dev/fd/3`).
_DESCRIPTOR_FILE = re.compile(r"/(?:dev|proc/self)/fd/[0-9]+\Z")
#: Descriptors a `>&N` writes to that are the command's own output, not one `exec` or `coproc` opened.
_OWN_OUTPUT = frozenset({"1", "2", "-"})


def names_descriptor(word_text: str, before: str) -> bool:
    """Whether the word just read (`word_text`, ending with `before`) names the descriptor of the redirection after it."""
    return before in "0123456789}" and _DESCRIPTOR.fullmatch(word_text) is not None


def other_descriptor(target: str) -> bool:
    """Whether `>&TARGET` writes to a descriptor opened before (`>&3`, `>&"${COPROC[1]}"`), not stdout or stderr."""
    return target not in _OWN_OUTPUT


def shell_stdin(flow: Flow) -> tuple[list[int], list[str], list[Word]]:
    """What a command reads on stdin when nothing else is given it: what `exec <<< ...` left on the shell's own (values,
    variables, and as the words a `read` takes)."""
    markers, refs = flow.shell_stdin
    return list(markers), list(refs), [readable(markers, refs)] if markers or refs else []


def readable(markers: list[int], refs: list[str]) -> Word:
    """What a descriptor holds, as a word a `read` takes (`exec 3<<< "{{ x }}"; read -r l <&3`)."""
    return Word(markers=list(markers), refs=list(refs), started=True)


def opened(tok: Tokenizer, texts: list[str], input: tuple[list[int], list[str]], own: tuple[bool, bool], targets: list[str], readers: list[list[str]]) -> bool:
    """A command is complete: when it is `exec` without a command, what its redirections open stays open for the commands
    after it (`input`: the values and variables it makes readable; `own`: whether on the shell's own stdin, and its own
    stdout, which every later command then writes to: `exec > >(sh)`; `targets`: files, `readers`: the commands in its
    `>(...)`). Returns whether it was one."""
    if texts != ["exec"]:
        return False
    flow = tok.flow
    fed, refs = input  # (each once: `exec 4<&3; exec 3<&4` reads what 3 holds, and would double it at each copy)
    flow.descriptors, flow.descriptor_refs = [*dict.fromkeys([*flow.descriptors, *fed])], [*dict.fromkeys([*flow.descriptor_refs, *refs])]
    to_stdin, to_stdout = own
    flow.output_captured = flow.output_captured or to_stdout
    if to_stdin:
        flow.shell_stdin = ([*dict.fromkeys([*flow.shell_stdin[0], *fed])], [*dict.fromkeys([*flow.shell_stdin[1], *refs])])
    flow.descriptor_files.extend(targets)
    flow.readers.extend(readers)
    return True


def coprocess(tok: Tokenizer, texts: list[str], inner: list[tuple[list[str], list[str]]]) -> None:
    """`coproc CMD`, `coproc NAME { CMD; }`, `coproc NAME (CMD)` (`inner`: the commands of its subshell): CMD reads what
    is written later to `${COPROC[1]}` (`${NAME[1]}`)."""
    if texts[:1] == ["coproc"]:
        tok.flow.readers.extend([texts, *(commands for commands, _ in inner)])


def named_input(flow: Flow, texts: list[str], fed: list[int], refs: list[str]) -> None:
    """`sh /dev/fd/3`, `. /proc/self/fd/3`: a command naming a descriptor reads what `exec` left there (added to `fed`
    and `refs`, what the command reads)."""
    if (flow.descriptors or flow.descriptor_refs) and any(_DESCRIPTOR_FILE.match(t) for t in texts):
        fed.extend(flow.descriptors)
        refs.extend(flow.descriptor_refs)


def called(flow: Flow, texts: list[str]) -> list[tuple[list[str], list[str]]]:
    """The commands of the function a command calls (`f <<< "{{ x }}"` after `f() { sh; }`): they read its input."""
    start = wrappers.command_start(texts)
    return flow.functions.get(texts[start], []) if start < len(texts) else []


def inside(tok: Tokenizer, inner: list[tuple[list[str], list[str]]], input: tuple[list[int], list[str], list[Word]], heredocs: list[list[Any]]) -> None:
    """A redirection after a compound command or a subshell (`{ sh; } <<< "{{ x }}"`, `(sh) < f.sh`, `while read -r l;
    do eval "$l"; done <&3`): each of its `inner` commands reads that input (`input`: its values, variables and the
    words a `read` takes), as a shell or an interpreter, or into the variables it `read`s."""
    fed, refs, printed = input
    if not (fed or refs or heredocs):
        return
    for texts, reads in inner:
        programs.read_stdin(tok, texts, (fed, refs), heredocs)
        for heredoc in heredocs:  # `while read -r l; do ...; done <<EOF`: its body is read into l (`shell_heredocs`)
            heredoc[4] = [*heredoc[4], *reads]
        for name in reads:
            tok.flow.assign(name, [m for w in printed for m in w.markers + w.expanded_markers] or fed, [r for w in printed for r in w.refs] or refs)


def feed(tok: Tokenizer, readers: list[list[str]], input: tuple[list[int], list[str]], heredocs: list[list[Any]]) -> None:
    """A command's output (`input`: the values and variables it holds; its `heredocs`) reaches these `readers` (the
    commands in its `>(...)`): each reads it as a command on a pipe does."""
    for reader in readers:
        programs.read_stdin(tok, reader, input, heredocs)


def to_descriptor(tok: Tokenizer, input: tuple[list[int], list[str]], heredocs: list[list[Any]]) -> None:
    """A command writing to a descriptor (`>&3`): its output reaches every reader and file opened on one so far."""
    feed(tok, tok.flow.readers, input, heredocs)
    if tok.flow.descriptor_files:
        files.hold(tok, tok.flow.descriptor_files, input, heredocs)
