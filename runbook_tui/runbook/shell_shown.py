"""A command as people see it: each value inline, written so that, read as shell, the text means what runs.

What runs refers to each value by a variable (`"${RBT_V1}"`, see `shell_values`), so
no value is ever code. The text shown to the assignee, the verifier, in the plan,
replay and the report has the values inline instead; written raw they could read as
commands that never run (`echo "{{ v }}"` with `v` = `"; rm -rf x; echo "` showed
`echo ""; rm -rf x; echo ""`). So each value is written as the shell would need it
at its place: `sh -c SHOWN` does what runs, and an ordinary value (a host, a
version, a path) reads unchanged.

- an unquoted word: `shlex.quote` (`'a b'`), and `'-n'`, which `[[ ... ]]` would read as an operator;
- inside "...": `\\`, `$`, backtick and `"` take a backslash; a newline stays one;
- an unquoted heredoc's body: `\\`, `$` and backtick take a backslash (a `"` is a character there);
  a line of the value that would end the heredoc (its delimiter) or lose its leading tabs (`<<-`)
  starts with an empty `$()` (a `\\` line continuation would not do: bash joins the lines first), and
  one ending in a `\\` ends with it too (bash would join it with the next, even inside `$(...)` there);
- the word of `${x:-...}` in "..." or a heredoc: as in "...", and `}` takes a backslash too (it would end
  the expansion), a `'` outside quotes of its own is written "'" (bash reads a lone one as a quote), `<(` and `>(`
  are written `<""(` (bash reads a process substitution there, even in "...", and misses the closing quote);
- a pattern or replacement in "${s#...}", "${s/.../...}": unless plain, every character a pattern, a
  replacement or the expansion reads takes a backslash (in a "..." of its own bash brace-expands `{a,b}`);
- a comment: each further line of the value starts with `# ` (a newline would end the comment);
- inside backticks: their own layer of `\\` on top (`\\`, backtick, and `"` within "...");
- a value quoted by `| shq` for another shell: as it is, in the outer shell's quoting too.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_places import MARKER_BASE, MARKERS, Place

_DOUBLE_QUOTED = lazy_re.compile(r'([\\$`"])')  # what "..." reads specially
_HEREDOC = lazy_re.compile(r"([\\$`])")  # what an unquoted heredoc's body reads specially
_PATTERN = lazy_re.compile(r"([\\$`\"*?\[\]{}/#%^,&()|!@+~'])")
_TEST_OPERATOR = lazy_re.compile(r"(-[A-Za-z]{1,2}|=~?|==)\Z")
_BACKTICKS = lazy_re.compile(r"([\\`$])")  # `\$` too: bash (--posix) starts a `$(` it meets there, whatever quotes are inside
_PROCESS_SUBSTITUTION = lazy_re.compile(r"([<>])\(")
_BACKTICKS_QUOTED = lazy_re.compile(r'([\\`"$])')
#: A value that means itself inside ${...}, also as a pattern or a replacement (no quote, `}`, glob or operator character).
_PLAIN_IN_BRACE = lazy_re.compile(r"[\w.:=@+-]*\Z")
#: What an empty `$()` breaks in an unquoted heredoc's body, by how the value is written there.
_BREAK = {"'": "''", '"': '""', "": "$()"}


def double_quoted(value: str) -> str:
    """`value` as the inside of "..." that means it."""
    return _DOUBLE_QUOTED.sub(r"\\\1", value)


def shown_value(item: str, place: Place) -> str:
    """One value (a list's item where words split) as people read it at `place`."""
    text, _ = _written(item, place)
    return text


def _written(item: str, place: Place) -> tuple[str, str]:
    """The value written for its place, and the quoting a line break inside it stands in ("'", '"', "": none)."""
    kind = place.kind
    if kind == "WORD":
        quoted = shlex.quote(item)
        if place.levels:  # already quoted for the next shell: one word holding exactly that text
            text, within = (item, '"') if quoted == item else (f'"{double_quoted(item)}"', '"')
        else:  # quoted also where `[[ ... ]]` would read it as an operator (`-n`, `-eq`, `==`): the same word elsewhere
            text, within = (f"'{item}'" if quoted == item and _TEST_OPERATOR.match(item) else quoted), "'"
    elif kind == "PATTERN":  # each character that means something in a pattern, a replacement or to "${...}": escaped
        text, within = (item, '"') if _PLAIN_IN_BRACE.match(item) else (_PATTERN.sub(r"\\\1", item), '"')
    elif kind == "QUOTED" and place.in_brace:  # a `}` would end the expansion (and bash brace-expands `{a,b}`)
        text, within = double_quoted(item).replace("}", "\\}"), '"'
        text = _PROCESS_SUBSTITUTION.sub(r'\1""(', text)  # bash reads `<(` there as a process substitution
        if place.in_brace == "bare":  # bash reads a lone `'` there as an unterminated quote
            text = text.replace("'", '"\'"')
    elif kind == "QUOTED" and place.heredoc_body:
        text, within = _HEREDOC.sub(r"\\\1", item), ""
    elif kind == "QUOTED":
        text, within = double_quoted(item), '"'
    elif kind == "COMMENT":
        text, within = item.replace("\n", "\n# "), "#"
    else:  # ARITH: an integer
        text, within = item, ""
    if place.backticks:
        text = (_BACKTICKS_QUOTED if place.in_backticks_in_quotes else _BACKTICKS).sub(r"\\\1", text)
    return text, within


def shown_text(rendered: str, shown: Mapping[str, str], places: Mapping[int, Place]) -> str:
    """The rendered text with each marker replaced by its shown value; in a heredoc, no line of a value ends it."""
    if not any(place.heredoc for place in places.values()):
        return MARKERS.sub(lambda m: shown.get(m.group(0), m.group(0)), rendered)
    out: list[str] = []
    position = 0
    for found in MARKERS.finditer(rendered):
        out.append(rendered[position : found.start()])
        position = found.end()
        text = shown.get(found.group(0), found.group(0))
        place = places.get(ord(found.group(0)) - MARKER_BASE)
        if place is not None and place.heredoc:
            line_start = "".join(out).rsplit("\n", 1)[-1]
            end = rendered.find("\n", position)
            rest = rendered[position : len(rendered) if end < 0 else end]
            text = _unbroken(text, place, line_start, None if MARKERS.search(rest) else rest)
        out.append(text)
    out.append(rendered[position:])
    return "".join(out)


def _continued(line: str) -> bool:
    """Whether the line ends in an odd number of backslashes: a line continuation."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _unbroken(text: str, place: Place, line_start: str, rest: str | None) -> str:
    """`text` with an empty expansion (or quotes) at the start of each of its lines that would end the heredoc.

    `rest`: what follows the value on its last line (None: unknown, another value is there)."""
    _, within = _written("\n", place)
    breaker = _BREAK.get(within, "$()")
    if place.backticks == "quoted":
        breaker = breaker.replace('"', '\\"')
    lines = text.split("\n")
    for number, line in enumerate(lines):
        whole = (line_start if number == 0 else "") + line
        last = number == len(lines) - 1
        read = whole.lstrip("\t") if place.heredoc_strips else whole
        ends = (read + rest == place.heredoc) if last and rest is not None else (place.heredoc.startswith(read) if last else read == place.heredoc)
        loses_tabs = place.heredoc_strips and line.startswith("\t") and not (number == 0 and line_start.strip("\t"))
        # dash drops the byte after a line's leading delimiter when it is not ASCII (`EOFé` came out `EOF\xa9`): a line
        # the value starts with the delimiter's text gets the empty expansion too
        starts = read.startswith(place.heredoc) and (number > 0 or not (line_start.lstrip("\t") if place.heredoc_strips else line_start))
        if ends or loses_tabs or starts:
            lines[number] = breaker + line
        if not last and _continued(lines[number]):  # `\` + newline would join the lines there (bash, at any depth)
            lines[number] += breaker
    return "\n".join(lines)
