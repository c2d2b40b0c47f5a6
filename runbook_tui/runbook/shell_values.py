"""Values reach a shell command out of band: as environment variables the command text refers to.

`run: echo {{ name }}` does not put the value into the command text. The
text becomes `echo "${RBT_V1}"` and the value travels as the environment
variable `RBT_V1` of the shell (locally: the process environment; over SSH:
exported by the remote wrapper, which deletes itself once started). A
parameter expansion is never parsed as code, so `$(...)`, backticks, quotes
and newlines in a value stay data - wherever the shell expands parameters:
unquoted words, "...", `$(...)`, backticks, unquoted heredocs, `${x:-...}`.

Where the shell does not expand (inside '...', `$'...'`, a heredoc with a
quoted delimiter) or parses the value's text again (`sh -c "..."`, `ssh
host "..."`, `eval`, `su -c`, `watch`), a reference cannot work: such a
template is refused at `validate`, at the value's position, with the fix.
A value parsed once more takes `| shq` per extra shell (quoted for it, then
passed out of band as above). Arithmetic (`$((...))`, `((...))`, `let`,
`[[ a -eq b ]]`, `${a[...]}`) reads a variable's text as an expression,
which bash evaluates as code (`a[$(cmd)]`): there, only an integer passes.
"""

from __future__ import annotations

import contextvars
import re
import shlex
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook import shell_files as files
from runbook_tui.runbook import shell_perl_open as perl_open
from runbook_tui.runbook import shell_programs as programs
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.shell_classify import classify
from runbook_tui.runbook.shell_code import PLUS_COMMANDS
from runbook_tui.runbook.shell_environment import EXPANDS, INTEGER, PLAIN_WORD, PLAIN_WORD_CHARACTERS, clip, expanded_again
from runbook_tui.runbook.shell_flow import COMMAND_VARIABLES, PROMPTS, REEXPANDED
from runbook_tui.runbook.shell_instead import code_instead
from runbook_tui.runbook.shell_perl_open import MODE_CHARACTERS
from runbook_tui.runbook.shell_places import (
    MARKER_LIMIT,
    MARKERS,
    Place,
    has_markers,
    marker,
)
from runbook_tui.runbook.shell_shown import shown_text, shown_value
from runbook_tui.runbook.template_segments import ShellRefused, segments
from runbook_tui.runbook.template_simple import SimpleTemplate

#: Environment variables carrying values are named PREFIX1, PREFIX2, ...
PREFIX = "RBT_V"
#: Characters all the values of one command may hold together (the template sandbox's limit for one value).
MAX_VALUES_SIZE = 1_000_000
_VARIABLE_NAME = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: A plain word in a manifest or a patch (`Place.document_of`): an image reference too (`registry/api@sha256:...`); no comma
#: (JSON's next member).
_DOCUMENT_WORD = lazy_re.compile(r"[A-Za-z0-9._:+=/@-]*\Z")
_FILTER = lazy_re.compile(r"\|\s*(raw|shq)\b")


class Raw(str):
    """Text the author asked to insert as is (`| raw`): no quoting, no escaping."""


class ShellQuoted(str):
    """A value quoted by `| shq` for `levels` more shells."""

    levels: int = 0


def shq(value: Any, to_text: Any = str) -> ShellQuoted:
    """`| shq`: quote the value as one word for a shell that parses it again (`sh -c "... {{ x | shq }}"`)."""
    levels = value.levels if isinstance(value, ShellQuoted) else 0
    if isinstance(value, (list, tuple)):
        text = " ".join(shlex.quote(to_text(item)) for item in value)
    else:
        text = shlex.quote(to_text(value))
    quoted = ShellQuoted(text)
    quoted.levels = levels + 1
    return quoted


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """A rendered shell command: `text` refers to `env` by name; `shown` has the values inline, for people."""

    text: str
    env: tuple[tuple[str, str], ...]
    shown: str


# -- the template side -----------------------------------------------------------------------------


def static_problems(source: str, simple: SimpleTemplate | None = None) -> list[tuple[int, str]]:
    """What `validate` refuses in a shell template: (offset in the source, message) per value.

    Follows the literal text with every `{% %}` tag left out; `render_command`
    checks the text each render really produces, so a branch taken at run
    time cannot slip past. `simple`: the template's simple form (`template_simple.split`),
    when it has one: its text is checked without splitting the source again, and
    only a command with a problem is read the long way, for the problems' offsets.
    """
    if simple is not None and len(simple.roots) < MARKER_LIMIT and not has_markers(source):
        # The same text the loop below builds: each `{{ name }}` is a value (no raw, no shq) and the rest is data.
        count = len(simple.roots)
        try:
            places = classify("".join([simple.texts[index] + marker(index) for index in range(count)]) + simple.texts[-1])
        except ShellRefused as exc:  # (nested too deeply to be read)
            return [(0, str(exc))]
        if all(refusal(places[index], 0) is None for index in range(count)):
            return []
    problems: list[tuple[int, str]] = []
    text: list[str] = []
    values: list[tuple[int, str, int]] = []  # offset, expression, shq count
    try:
        parts = list(segments(source))
    except ShellRefused as exc:
        return [(0, str(exc))]
    for seg in parts:
        if seg.kind == "data":
            reserved = MARKERS.search(seg.text)
            if reserved:
                problems.append((seg.start + reserved.start(), "this character is reserved (U+100000 and above); expected none in a command"))
            text.append(seg.text)
        elif seg.kind == "value":
            filters = _FILTER.findall(seg.text)
            if "raw" in filters:
                continue
            text.append(marker(len(values)))
            values.append((seg.start, seg.text.strip(" -"), filters.count("shq")))
    if len(values) >= MARKER_LIMIT:
        return [(0, f"more than {MARKER_LIMIT - 1} values in one command")]
    try:
        places = classify("".join(text))
    except ShellRefused as exc:
        return [(0, str(exc))]
    for index, (offset, expression, shq_count) in enumerate(values):
        problem = refusal(places[index], shq_count, expression)
        if problem:
            problems.append((offset, problem))
    return problems


#: Places where the shell would not expand a reference (or its reading is unclear): always refused.
_NOT_EXPANDED = frozenset({"SINGLE", "ANSI_C", "QUOTED_HEREDOC", "UNKNOWN"})


def refusal(place: Place, shq_count: int, expression: str = "x") -> str | None:
    """Why a value cannot stand at `place`, with the fix; None when it is one literal word there."""
    if place.kind not in _NOT_EXPANDED and not (
        place.nested_backticks
        or place.reparsed_output
        or place.reparsed_variable
        or place.levels
        or shq_count
        or place.format_of
        or place.program_of
        or place.written_to
        or place.runs_as
        or place.unknown_program
        or place.runs_commands_of
        or place.escaped
        or place.option_name_of
        or place.expanded_by in PROMPTS
    ):
        return None  # the common case (what every check below lets through), before any message is composed
    name = re.sub(r"\s*\|\s*shq\b", "", expression) or "x"
    if place.program_of:
        return (
            f"{place.program_of} reads its program on stdin, so a value in the text fed to it (a heredoc, a here-string, a pipe)"
            f" is code to {place.program_of}{programs.why(place.program_of)}, whatever the shell's quoting; pass it as an argument or a variable instead:"
            f" {programs.instead(place.program_of, name)}"
        )
    as_argument = f'pass it as an argument instead: sh -c \'... "$1"\' sh "{{{{ {name} }}}}"'
    if place.kind == "SINGLE" and place.levels:  # the '...' is a script another shell runs: "{{ x }}" inside it is no fix
        return (
            f"a value inside '...' is not expanded by the shell, and '{place.by}' runs that text as shell code; write that text in \"...\""
            f" with the value as a word of its own, {{{{ {name}{' | shq' * place.levels} }}}}, or {as_argument}"
        )
    if place.kind == "SINGLE":
        return f"a value inside '...' is not expanded by the shell, so it cannot be passed safely; write \"{{{{ {name} }}}}\" instead of '{{{{ {name} }}}}'"
    if place.kind == "ANSI_C":
        return f"a value inside $'...' cannot be passed safely; write \"{{{{ {name} }}}}\" instead"
    if place.kind == "QUOTED_HEREDOC":
        return "a heredoc with a quoted delimiter (<<'EOF') is written as is, so a value there stays a template; use an unquoted delimiter (<<EOF): the value is inserted as data"
    if place.kind == "UNKNOWN":
        return f'the shell\'s reading of a value here is unclear; expected it as a word of its own: "{{{{ {name} }}}}"'
    if place.expanded_by in PROMPTS:  # `PS4="{{ x }}"; set -x`: bash expands the prompt's text, `$(...)` too, each time
        return (
            f"this value becomes the text of {place.expanded_by}, and bash expands {place.expanded_by} each time it prints that"
            f" prompt, where $(...) runs as code; name a variable in the prompt's text and pass the value in it:"
            f" {place.expanded_by}='+ $V: ' V=\"{{{{ {name} }}}}\" (bash expands the prompt once: V's value is only printed)"
        )
    if place.escaped:
        return (
            "a backslash right before a value escapes the quote or $ the value is passed with, so the shell would not read"
            f" it as one word (a syntax error, or its name printed); expected no backslash before {{{{ {name} }}}} (\\\\ for a literal backslash)"
        )
    if place.format_of:
        return (
            f"{place.format_of} reads its format's % and \\ as directives and a leading - as an option, so a value there"
            f" is not printed as is; write {place.format_of} '%s' \"{{{{ {name} }}}}\" (the value as an argument) instead"
        )
    if place.nested_backticks:
        return "a value inside nested backticks, or backticks inside ${...}, cannot be passed safely; expected $(...) instead of backticks"
    if place.written_to:  # `echo "{{ x }}" > f.sh; sh f.sh`
        return (
            f"this value is written to {place.written_to}, which {place.by}: the value's text is parsed again there as code;"
            f' write the script without it and pass the value as an argument: sh {place.written_to} "{{{{ {name} }}}}"'
            f' and "$1" there (or in an environment variable)'
        )
    if place.reparsed_variable == "@":  # `sh -c 'eval "$1"' sh "{{ x }}"`, `f() { eval "$1"; }; f "{{ x }}"`
        return (
            f"this value is an argument ($1, $2...) that '{place.by}' expands into a script it parses again as shell code;"
            f' in that script use "$1" as data only (printf \'%s\' "$1"), never as code (eval, sh -c, a command name)'
        )
    if place.by in REEXPANDED:  # `PS4='$(eval "$V")' V="{{ x }}"`: the prompt runs what it names
        return (
            f"this value flows into ${place.reparsed_variable}, which the text of {place.by} names: bash expands {place.by} again"
            f" as it reads it, where $(eval ...) or $((...)) runs the variable's text as code; write the value in the runbook"
        )
    if place.reparsed_variable in COMMAND_VARIABLES:  # `GIT_SSH_COMMAND="ssh -i {{ x }}" git fetch`
        return (
            f"this value flows into ${place.reparsed_variable}, whose text {place.by} runs as a shell command, where the value is"
            f" parsed again as shell code; "
            + (  # a variable PROMPT_COMMAND's text names is code too
                "write the command in the runbook"
                if place.reparsed_variable in REEXPANDED
                else f'write a reference there and pass the value in a variable of its own: {place.reparsed_variable}=\'... "$V"\' V="{{{{ {name} }}}}"'
            )
        )
    if place.reparsed_variable:
        return f"this value flows into ${place.reparsed_variable}, which '{place.by}' expands into a script it parses again as shell code; {as_argument}"
    if place.runs_as and place.levels <= shq_count:  # `{{ x }} --version`, `eval {{ x | shq }}`: whatever program it names runs
        return (
            f"this value is {place.runs_as}, so it picks the program that runs (any program, with the step's rights);"
            f" write the program's name in the runbook and pass the value as an argument, or pick among programs you"
            f' name with a case on the value: case "{{{{ {name} }}}}" in psql) psql ...;; esac'
        )
    if place.option_name_of:  # `apt-get -o Dpkg::Options::=--{{ x }}` with x = `pre-invoke=reboot`
        return (
            f"this value stands in {place.option_name_of}, so it picks what runs; write the option's name in the runbook"
            f" (Dpkg::Options::=--force-conf{{{{ {name} }}}}), or pick among options you name with a case on the value"
        )
    if place.runs_commands_of:  # `awk -v v="{{ x }}" 'BEGIN { system(v) }'`
        awk = place.runs_commands_of
        return (
            f"this value reaches {awk}'s program (a -v or NAME=VALUE variable, ENVIRON, ARGV, its input), and that program runs commands (system(), a pipe |),"
            f" so the value could run as one; run the command outside {awk} and pass the value to it as an argument, or keep"
            f" system() and pipes out of the program (print its output and pipe that: {awk} ... | sort)"
        )
    if place.unknown_program:  # `$(echo eval) "{{ x }}"`: eval, `sh -c` or any program could be the one
        return (
            "the command's name comes from a command substitution ($(...) or backticks), so the program is not known when the"
            " runbook is checked and could run this value as code (eval, sh -c ...); write the program's name in the runbook"
            ' (its folder may come from one: "$(pg_config --bindir)/pg_ctl"), then pass the value to it'
        )
    if place.reparsed_output:
        return f"'{place.by}' parses the output of this expansion again as shell code; {as_argument}"
    if place.levels > shq_count and place.by in ("scp -O", "rsync --old-args"):  # `scp -O db1:"/var/log/{{ x }}" .`
        return (
            f"'{place.by}' has the host's shell parse the remote path after HOST: again as shell code; write"
            f" {{{{ {name}{' | shq' * place.levels} }}}} to quote it for that shell (scp -O also needs -T to fetch a file so named),"
            f" or copy without {place.by.split()[1]} (then the path is data)"
        )
    if place.levels > shq_count:
        filters = " | shq" * place.levels
        return f"'{place.by}' parses this value again as shell code; write {{{{ {name}{filters} }}}} to quote it for that shell too, or {as_argument}"
    if place.levels < shq_count:
        return "'| shq' quotes a value for a shell that parses it again, but no such shell (sh -c, ssh, eval, su -c, watch) reads it here; remove '| shq'"
    if place.levels and place.inner not in ("WORD", "COMMENT"):
        return f"inside the script '{place.by}' runs, a '| shq' value must stand as a word of its own, not inside quotes there; {as_argument}"
    return None


# -- the render side ---------------------------------------------------------------------------------


class _Recording(list[Any]):
    """The values of the command being rendered, and how many characters they hold together."""

    size: int = 0


_recorded: contextvars.ContextVar[_Recording | None] = contextvars.ContextVar("shell_values", default=None)


def _size(value: Any) -> int:
    if isinstance(value, (list, tuple)):
        return len(value) + sum(len(item) for item in value if isinstance(item, str))
    return len(value) if isinstance(value, str) else 1


def record(value: Any) -> Any:
    """The `__rbt_value` filter: keep the value out of the text, put a marker there (`| raw` stays inline)."""
    if isinstance(value, Raw):
        if MARKERS.search(value):
            raise ShellRefused("a '| raw' value holds a reserved character (U+100000 and above)")
        return value
    values = _recorded.get()
    if values is None:  # rendered outside render_command: nothing to record into
        raise ShellRefused("a shell template rendered without its value recorder")
    if len(values) >= MARKER_LIMIT - 1:
        raise ShellRefused(f"more than {MARKER_LIMIT - 1} values in one command")
    values.size += _size(value)
    if values.size > MAX_VALUES_SIZE:
        raise ShellRefused(f"the values of one command hold more than {MAX_VALUES_SIZE} characters")
    values.append(value)
    return marker(len(values) - 1)


def start_recording() -> contextvars.Token[_Recording | None]:
    return _recorded.set(_Recording())


def stop_recording(token: contextvars.Token[_Recording | None]) -> list[Any]:
    values: list[Any] = _recorded.get() or []
    _recorded.reset(token)
    return values


def command_from(rendered: str, values: list[Any], to_text: Any, folder: str | None = None, elsewhere: frozenset[str] = frozenset()) -> ShellCommand:
    """Replace each marker by a reference to its variable; refuse any value the shell would not take literally (`folder`:
    the step's, where the command starts, `shell_files.step_folder`; `elsewhere`: `shell_other_steps`)."""
    places = classify(rendered, folder, elsewhere) if has_markers(rendered) else {}
    env: list[tuple[str, str]] = []
    references: dict[str, str] = {}
    shown: dict[str, str] = {}
    index: int | None = None
    try:
        for index, value in enumerate(values):
            place = places.get(index, Place(kind="UNKNOWN"))
            problem = refusal(place, value.levels if isinstance(value, ShellQuoted) else 0)
            if problem:
                raise ShellRefused(problem)
            items = [to_text(item) for item in value] if isinstance(value, (list, tuple)) else [to_text(value)]
            if place.kind != "WORD" or place.levels:
                items = [" ".join(items)]
            refs = []
            # `echo "{{ x }}" >> "{{ f }}"`: with f = ~/.bashrc the file is run later, known once the values render
            code_of = place.code_of or (files.rendered_run_later(place.written_files, lambda i: _joined(values[i], to_text)) or "")
            for item in items:
                if "\0" in item:
                    raise ShellRefused("a value holds a NUL byte, which no command can receive")
                aws = code_of.startswith("aws ")  # `aws ssm send-command --parameters commands=a,b`: a comma adds a command
                path = code_of == "make"  # `make install PREFIX=/usr/local`: a / is nothing to make or to the recipe's shell
                if code_of and (not (PLAIN_WORD.match(item.replace("/", "")) if path else PLAIN_WORD.match(item)) or (aws and "," in item)):
                    raise ShellRefused(
                        f"a value inside {code_of}'s program is code to {code_of}, which can run commands: only a plain word"
                        f" ({PLAIN_WORD_CHARACTERS.replace(' , ', ' ') if aws else PLAIN_WORD_CHARACTERS + (' /' if path else '')}) passes, not {clip(item)};"
                        f" {code_instead(code_of)}"
                    )
                if code_of in ("jq", "gojq", "jaq") and _JQ_ENV.search(item):  # `jq ".{{ x }}"` with x = `a,env.TOKEN`
                    raise ShellRefused(
                        f"{code_of} reads env in its filter as the environment, where this command's values and secrets travel (and"
                        f" the runner's own variables), so a value holding it ({clip(item)}) could print them; {code_instead(code_of)}"
                    )
                if place.command_line and item.startswith("-"):
                    raise ShellRefused(
                        f"a value starting with '-' in the command {place.code_of} runs would be an option there ({clip(item)}),"
                        f" and options such as ssh's -oProxyCommand=CMD run commands; expected a value not starting with '-'"
                    )
                if place.option_of and ((item.startswith("-") and item != "-") or (item.startswith("+") and place.option_of in PLUS_COMMANDS)):
                    raise ShellRefused(
                        f"a value starting with '{item[0]}' would be read by {place.option_of} as an option ({clip(item)}),"
                        f" and some of its options run commands (ssh -oProxyCommand=...); write -- before the operands"
                        f" ({place.option_of} [OPTIONS] -- VALUE) or ./ before a relative path"
                    )
                if place.opened_by and not MODE_CHARACTERS.isdisjoint(item):  # `perl -ne CODE "{{ x }}"` with x = `cmd|`
                    raise ShellRefused(perl_open.refusal(clip(item), place.opened_by))
                if place.host_part_of and ":" in item:
                    raise ShellRefused(
                        f"a ':' in this value would make (or move) the HOST: of an operand of {place.host_part_of} ({clip(item)}),"
                        f" and that host's shell parses the path after it again as code; expected a value without ':' there"
                        " (or copy without -O / --old-args: the path is data then)"
                    )
                if place.echoed and _ECHO_READS.search(item):
                    raise ShellRefused(
                        f"echo would not print this value as is ({clip(item)}): dash's echo reads its backslashes (\\c ends the output,"
                        f" \\n starts a line) and a lone -n or -e is an option to it; write printf '%s\\n' VALUE to print it exactly"
                    )
                if place.sudo_shell and ("$" in item or "\n" in item):
                    raise ShellRefused(
                        f"sudo -s / -i joins the command for the target user's shell, escaping all but $, so a $ in this value would"
                        f" expand that user's variables and a line break vanish ({clip(item)}); expected neither, or sudo without -s/-i"
                    )
                if place.expanded_by and EXPANDS.search(item):
                    raise ShellRefused(expanded_again(place.expanded_by, item))
                if place.document_of and not _DOCUMENT_WORD.match(item):  # `kubectl apply -f - <<EOF` ... `image: {{ x }}`
                    raise ShellRefused(
                        f"a value in {place.document_of} could change its structure (a line break, a quote, a brace or a comma adds"
                        f" keys there, and a container's command runs code); expected a plain word (letters, digits, . _ : + = - / @),"
                        f" not {clip(item)}; give the parameter a pattern that lets only such a word through"
                    )
                if place.program_path and (problem := program_path_refusal(item)):
                    raise ShellRefused(problem)
                if place.assigned_by and "=" in item:  # `make deploy-{{ env }}` with env = `x:=$(shell touch F)`
                    raise ShellRefused(
                        f"{place.assigned_by} reads a word holding = as a variable's assignment, not a target (x:=$(shell CMD) runs"
                        f" CMD as it reads it, SHELL=PROG runs every recipe with PROG): expected no = in {clip(item)}; write the"
                        f" variable's name in the runbook and the value after it: {place.assigned_by} deploy VERSION={{{{ x }}}}"
                    )
                if place.name_of and not _VARIABLE_NAME.match(item):
                    raise ShellRefused(
                        f"{place.name_of} reads this value as a variable's NAME=VALUE, so a value holding = would set any variable"
                        f" (PATH=/tmp/upload, LD_PRELOAD=...) for the commands after it: expected a variable's name (letters, digits, _),"
                        f' not {clip(item)}; write the name in the runbook and the value after it: {place.name_of} NAME="{{{{ x }}}}"'
                    )
                if place.integer and not INTEGER.match(item.strip()):
                    raise ShellRefused(f"a value read as arithmetic must be an integer, not {clip(item)} (the shell would evaluate it as code)")
                name = f"{PREFIX}{len(env) + 1}"
                env.append((name, item))
                refs.append(_reference(name, place))
            key = marker(index)
            references[key] = " ".join(refs)
            shown[key] = " ".join(shown_value(item, place) for item in items)
    except ShellRefused as exc:
        raise ShellRefused(str(exc), value=index) from None
    return ShellCommand(_replace(rendered, references), tuple(env), shown_text(rendered, shown, places))


def _joined(value: Any, to_text: Any) -> str:
    """A value's text as a word holds it (a list's items joined by spaces)."""
    return " ".join(map(to_text, value)) if isinstance(value, (list, tuple)) else str(to_text(value))


#: What a URL reads as `.`, `/` or `\\` (`curl file:///srv/releases/%2e%2e/upload/m.sh` went up a folder; session 38).
_URL_ESCAPED = lazy_re.compile(r"%(?:2[eEfF]|5[cC])")


def program_path_refusal(value: str) -> str | None:
    """Why `value` cannot stand in the path of the program that runs (`/opt/pg/{{ v }}/bin/psql`, `$PATH`), or None:
    there it is one file or folder name, so the program stays in the folder the runbook names."""
    if "/" in value or ":" in value or (value and not value.strip(".")) or _URL_ESCAPED.search(value):
        return (
            f"a value inside the program's path picks the program that runs: expected one file or folder name (no '/' or ':',"
            f" not '.' or '..', none written %2e or %2f), not {clip(value)}; write the folder in the runbook and the value as one name in it"
            " (/usr/lib/postgresql/{{ v }}/bin/psql), or pass a path as an argument"
        )
    return None


#: jq's builtin reading the environment (`env.TOKEN`, `a,env`): a plain word may hold it.
_JQ_ENV = lazy_re.compile(r"(?<![A-Za-z0-9_])env(?![A-Za-z0-9_])")
#: What `echo` does not print as is: a backslash (dash reads `\\c`, `\\n`...), a value that is one of its options.
_ECHO_READS = lazy_re.compile(r"\\|\A-[neE]+\Z")


def _reference(name: str, place: Place) -> str:
    if place.kind in ("WORD", "PATTERN"):
        ref = f'"${{{name}}}"'
        return ref.replace('"', '\\"') if place.in_backticks_in_quotes else ref
    return f"${{{name}}}"


def _replace(text: str, replacements: dict[str, str]) -> str:
    return MARKERS.sub(lambda m: replacements.get(m.group(0), m.group(0)), text)
