"""Markers standing for values in a command's text, and what the tokenizer learns about each one's place.

A marker is one code point of Supplementary Private Use Area-B (U+100000 +
the value's index), which runbooks do not contain: a template holding one is
refused, so a marker can only be one the renderer put there.
"""

from __future__ import annotations

from typing import Literal

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass, field

MARKER_BASE = 0x100000
MARKER_LIMIT = 0xFFFD  # values per command

#: WORD: unquoted, expanded and split; QUOTED: expanded, not split ("...", unquoted heredoc, ${x:-...} in "...");
#: PATTERN: a pattern or replacement inside "${s#...}", "${s/.../...}" (expanded, not split, quoted to stay literal);
#: ARITH: read as an arithmetic expression; the others are not expanded at all.
Kind = Literal["WORD", "QUOTED", "PATTERN", "ARITH", "SINGLE", "ANSI_C", "QUOTED_HEREDOC", "COMMENT", "UNKNOWN"]


def marker(index: int) -> str:
    return chr(MARKER_BASE + index)


def marker_index(char: str) -> int | None:
    code = ord(char) - MARKER_BASE
    return code if 0 <= code < MARKER_LIMIT else None


#: Any marker character (searched in C: the tokenizer asks this of every run of plain characters).
MARKERS = lazy_re.compile(f"[{chr(MARKER_BASE)}-{chr(MARKER_BASE + MARKER_LIMIT - 1)}]")


#: A command's name that is one value or one variable as a whole (`{{ x }}`, `$cmd`, `${cmd}`, `$1`), as cooked.
WHOLE_NAME = lazy_re.compile(r"[\U00100000-\U0010ffff]|\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\}|[0-9])")


def has_markers(text: str) -> bool:
    return MARKERS.search(text) is not None


@dataclass
class Place:
    """Where one value stands."""

    kind: Kind = "WORD"  # for the outermost shell
    integer: bool = False  # read as arithmetic (by this or an inner shell): only an integer is safe
    name_of: str = ""  # the name part of `export`'s or `readonly`'s word (`export "{{ x }}"`): a variable's name only
    in_backticks_in_quotes: bool = False  # "`...`": its double quotes must be written \"
    nested_backticks: bool = False
    levels: int = 0  # how many more shells parse it again
    inner: Kind = "WORD"  # its context for the innermost shell
    reparsed_output: bool = False  # inside an expansion whose OUTPUT another shell parses
    by: str = ""  # the command that parses it again
    runs_as: str = ""  # the name of the command that runs (`{{ x }} --version`): it picks the program
    program_path: bool = False  # a part of the path of the program that runs (its name, `$PATH`): one name only
    runs_commands_of: str = ""  # a variable of an awk program that runs commands (`awk -v v=... 'BEGIN{system(v)}'`)
    unknown_program: bool = False  # an argument of a program named by a command substitution (`$(echo eval) "{{ x }}"`)
    written_to: str = ""  # a file it is written to, which a shell or an interpreter then runs (`> f.sh; sh f.sh`)
    written_files: tuple[str, ...] = ()  # files it is written to named by values (`> "{{ f }}"`): run later, once rendered?
    reparsed_variable: str = ""  # a variable it flows into, which a command expands into a script (`eval "$v"`)
    program_of: str = ""  # an interpreter reading it in its program on stdin (`python3 - <<EOF`, `| perl`): refused
    code_of: str = ""  # an interpreter that runs this word as its own code (`sed`, `awk`, `python3 -c`): plain words only
    document_of: str = ""  # a manifest or patch kubectl reads as YAML or JSON (`shell_manifests`): plain words only
    command_line: bool = False  # in a command line a program splits into words and runs (`rsync -e`): no leading `-`
    option_of: str = ""  # a program that may read a word starting with `-` here as an option that runs a command
    opened_by: str = ""  # a program opening this word with a two-argument open (`perl -ne CODE FILE`): no `|`, `>`
    assigned_by: str = ""  # a program reading a `=` in this word as a variable's assignment (`make {{ target }}`): none
    option_name_of: str = ""  # in the name of an option passed on (apt's `Dpkg::Options::=--{{ x }}`): it could name any
    sudo_shell: bool = False  # in the command of `sudo -s`/`-i`, which the target's shell reads with `$` unescaped
    host_part_of: str = ""  # before the host's `:` of a copy whose remote paths a shell parses (`scp -O`): no `:` in it
    echoed: bool = False  # among `echo`'s arguments: dash's echo reads backslashes in them, `-n` is its option
    format_of: str = ""  # a command reading this word as a format (`printf`): its `%` and `\\` are directives
    expanded_by: str = ""  # a variable a shell expands again as it reads it (`BASH_ENV`, `ENV`, `PS4`): its name
    escaped: bool = False  # right after a backslash that escapes (`\\{{ x }}`): it would escape the value's own `"` or `$`
    # Only for the text shown to people (`shell_values.shown_value`), which must mean what runs:
    in_brace: str = ""  # in the word of "${x:-...}" (or in a heredoc): "bare", or "quoted" in a "..." of its own there
    backticks: str = ""  # inside `...`: "plain", "quoted" (in "..."), "heredoc" (in an unquoted heredoc's body)
    heredoc_body: bool = False  # directly in an unquoted heredoc's body, where `"` is just a character
    heredoc: str = ""  # the delimiter of the unquoted heredoc whose body holds it (at any depth)
    heredoc_strips: bool = False  # that heredoc is `<<-`: its lines' leading tabs are removed


#: The builtins reading a word as a variable's NAME=VALUE that evaluate no subscript there (`declare`, `unset` do).
NAMING_ONLY = frozenset({"export", "readonly"})
EXPANSION = "\U0010fffe"  # stands, in a word's cooked value, for what an expansion produces


@dataclass
class Word:
    """A word of a command as the tokenizer reads it: its value (quotes removed) and the values in it."""

    cooked: list[str] = field(default_factory=list)
    markers: list[int] = field(default_factory=list)  # standing directly in the word
    expanded_markers: list[int] = field(default_factory=list)  # inside $(...), `...` of the word
    refs: list[str] = field(default_factory=list)  # variables the word expands (`$n`, `${n}`, inside `$(...)` too)
    substitutions: list[int] = field(default_factory=list)  # where in `cooked` a `$(...)` or backticks' output stands
    started: bool = False

    @property
    def text(self) -> str:
        return "".join(self.cooked)

    def name_substituted(self) -> bool:
        """Whether what a command substitution prints is in the word's last path component (`$(echo eval)`,
        `/bin/$(echo sh)`, not `"$(pg_config --bindir)/pg_ctl"`): as a command's name, the program is unknown."""
        slash = max((k for k, part in enumerate(self.cooked) if "/" in part), default=-1)
        return any(k > slash for k in self.substitutions)
