"""Where each interpolated value stands in a shell command (see `shell_context`), read the short way when it can be.

Most commands are one line of plain words (`systemctl restart app --host
{{ host.name }}`): no quote, escape, expansion, operator, redirection,
comment or newline, save maybe their output sent to a plain file at the end
(`>> marks`). For such a text the tokenizer would only split it at
blanks and find every value directly in a word; `classify` does exactly that
and, when a word names a command the rules know (`sh -c`, `ssh`, `eval`,
`let`, `declare`...), hands the words to the tokenizer's same rules. `case` and `[[` have grammars of their own, so a command
starting with either, and every other text, goes through the tokenizer.
`tests/runbook/test_shell_classify.py` checks both readings agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_commands import names_none
from runbook_tui.runbook.shell_context import Tokenizer
from runbook_tui.runbook.shell_files import COPIERS, runs_later, under
from runbook_tui.runbook.shell_flow import COMMAND_VARIABLES, LOADED_VARIABLES, OPTION_VARIABLES, REEXPANDED, SCRIPT_VARIABLES, Flow
from runbook_tui.runbook.shell_places import MARKER_BASE, MARKERS, Place, Word
from runbook_tui.runbook.shell_wrappers import command_start
from runbook_tui.runbook.template_segments import ShellRefused

#: What a command of plain words separated by blanks never holds.
_SYNTAX = re.compile(r"[\n'\"\\$`;&|<>()#]")
#: Blanks between words, as the tokenizer splits them (other whitespace is part of a word).
_BLANKS = re.compile(r"[ \t]+")
#: First words whose commands the tokenizer reads by their own grammar.
_OWN_GRAMMAR = frozenset({"case", "[["})
#: Variables a shell or a program reads as code, whatever command follows their assignment (`shell_flow`).
_SPECIAL = REEXPANDED | frozenset(COMMAND_VARIABLES) | frozenset(OPTION_VARIABLES) | frozenset(LOADED_VARIABLES) | SCRIPT_VARIABLES
#: A plain command's output sent to a plain file at its end (`>> marks`, `> /tmp/x.log`): a blank before the operator
#: (`2>` and `a>b` are other things), a target of plain characters (no value, quote or expansion), nothing after it.
#: Not one of the command's words: the tokenizer reads the words before it the same with or without it.
_TRAILING_REDIRECT = lazy_re.compile(r"[ \t]+>>?[ \t]*(?P<target>[A-Za-z0-9_./-]+)[ \t]*\Z")


_TOO_DEEP = "the command nests $(...), backticks, quotes, groups or subshells too deeply to be read (hundreds of levels); expected fewer"


@lru_cache(maxsize=4096)
def classify(text: str, folder: str | None = None, elsewhere: frozenset[str] = frozenset()) -> Mapping[int, Place]:
    """Each marker's place in `text`, by its index (kept: read, never changed, by its callers); `folder`: the one the
    command starts in (the step's cwd, `shell_files.step_folder`), where its relative paths are; `elsewhere`: the paths
    the runbook's other steps name (`shell_other_steps`).

    A command is read once per text: `validate`'s check of a simple template and its render
    (at load, and again when its step runs) classify the same marked text."""
    parts = None if elsewhere else _plain_words(text, folder)  # (another step's paths: what a copy places, `shell_files`)
    if parts is None:
        return tokenized(text, folder, elsewhere)
    # Every value stands directly in a word: unquoted, at the outermost shell (the tokenizer's WORD).
    places = {ord(found) - MARKER_BASE: Place() for found in MARKERS.findall(text)}
    if places and parts[0] == "echo" and names_none(parts[1:]):  # the commonest command: its values are echo's arguments
        for found in MARKERS.findall(text):
            places[ord(found) - MARKER_BASE].echoed = True  # what the tokenizer's `shell_nested` says of them, without it
        return places
    special = any(part.partition("=")[0] in _SPECIAL for part in parts if "=" in part)  # `BASH_ENV={{ x }} ./deploy.sh`
    start = command_start(parts)
    named = parts[start] if start < len(parts) else ""  # `A=1 {{ x }} --help`, `{ {{ x }}`: a value names the program
    if places and (special or MARKERS.search(named) or not names_none(parts)):  # a command rule may apply: the tokenizer's own
        words = [Word([part], [ord(found) - MARKER_BASE for found in MARKERS.findall(part)]) for part in parts]
        tokenizer = Tokenizer(text, places, 0)
        tokenizer.flow.folder, tokenizer.flow.elsewhere = folder, elsewhere
        tokenizer.simple_command(words)
        tokenizer.finish()
    return places


def tokenized(text: str, folder: str | None = None, elsewhere: frozenset[str] = frozenset()) -> dict[int, Place]:
    """`classify` by the tokenizer, for any text."""
    places: dict[int, Place] = {}
    tokenizer = Tokenizer(text, places, 0)
    tokenizer.flow.folder, tokenizer.flow.elsewhere = folder, elsewhere
    # a value held by a variable or `$1` reaches inner shells' scripts too: `sh -c 'eval "$1"' sh "{{ x }}"`
    tokenizer.flow.every_script = MARKERS.search(text) is not None
    try:
        tokenizer.parse_list(0, "", {})
    except RecursionError:  # `$($($(...)))` hundreds deep: Python's stack ends before the text does (no value: nothing to say)
        if tokenizer.flow.every_script:
            raise ShellRefused(_TOO_DEEP) from None
        return {}
    tokenizer.finish()
    for found in MARKERS.finditer(text):
        index = ord(found.group()) - MARKER_BASE
        if index not in places:
            places[index] = Place(kind="UNKNOWN")
        elif _escaped(text, found.start()) and places[index].kind != "COMMENT":
            places[index].escaped = True
    return places


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd run of backslashes: one that escapes it (`\\{{ x }}`, not `\\\\{{ x }}`)."""
    start = at
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (at - start) % 2 == 1


def _plain_words(text: str, folder: str | None = None) -> list[str] | None:
    """The words of a one-line command of plain words, maybe ending in a plain redirection (not a word); None for any
    other text, and for one writing a file run later (`echo {{ x }} > /etc/cron.d/job`, `> job` in `cwd: /etc/cron.d`)."""
    redirect = _TRAILING_REDIRECT.search(text)
    if redirect is not None:
        if runs_later(under(folder, redirect["target"])):
            return None
        text = text[: redirect.start()]
    if _SYNTAX.search(text) is not None:
        return None
    parts = [part for part in _BLANKS.split(text) if part]
    if parts and parts[0] in _OWN_GRAMMAR:
        return None
    start = command_start(parts)  # `install /srv/cron/{{ v }} /etc/cron.d/`: what the value picks runs later (`wrote`)
    if start < len(parts) - 2 and parts[start].rpartition("/")[2] in COPIERS and runs_later(under(folder, parts[-1])):
        return None
    return parts


@lru_cache(maxsize=256)
def _environment_flow(text: str) -> Flow:
    """What flows where in a command, inner shells' scripts included (read, never changed, by the two below)."""
    tokenizer = Tokenizer(text, {}, 0)
    tokenizer.flow.every_script = True  # the environment reaches inner shells too: `bash -c 'echo $(( N + 1 ))'`
    tokenizer.parse_list(0, "", {})
    return tokenizer.flow


@lru_cache(maxsize=1024)
def environment_in_arithmetic(text: str, names: tuple[str, ...]) -> frozenset[str]:
    """Which of these environment variables the command's arithmetic reads (`(( N > 1 ))`, `M=$N; $((M))`)."""
    return frozenset(_environment_flow(text).environment_in_arithmetic(names))


def environment_in_program_path(text: str, names: tuple[str, ...]) -> frozenset[str]:
    """Which of these environment variables are where the command's programs are looked for (`PATH`, `"$BIN/psql"`)."""
    return frozenset(_environment_flow(text).environment_in_program_path(names))


def environment_code(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """Which of these environment variables the command expands into an interpreter's code (`python3 -c "$CODE"`)."""
    return _environment_flow(text).environment_code(names)


def environment_options(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """Which of these environment variables the command expands where a program reads options (`ssh "$H"`), with it."""
    flow = _environment_flow(text)
    return flow.environment_code(names, flow.options)


def environment_opened(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """Which of these environment variables the command expands where perl's two-argument open reads them
    (`perl -ne CODE "$LOG"`: `shell_perl_open`), with that program."""
    flow = _environment_flow(text)
    return flow.environment_code(names, flow.opened)


def environment_reparsed(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """Which of these environment variables the command expands into a script another shell parses (`eval "$CMD"`),
    each with that shell."""
    return _environment_flow(text).environment_reparsed(names)
