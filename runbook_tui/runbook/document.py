"""YAML loading that remembers where every key and value stood in the file.

The parser's events carry the position of every value; `yaml_values` builds
plain dicts, lists and scalars that keep those positions, so the schema
checks can say `FILE:LINE:COL` for anything they reject. Here: the size
limit and turning every YAML error into such a diagnostic.
"""

from __future__ import annotations

from typing import Any

import yaml

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.yaml_values import MAX_ALIAS_VALUES as MAX_ALIAS_VALUES
from runbook_tui.runbook.yaml_values import MAX_DEPTH as MAX_DEPTH
from runbook_tui.runbook.yaml_values import MAX_NODES as MAX_NODES
from runbook_tui.runbook.yaml_values import Builder
from runbook_tui.runbook.yaml_values import YList as YList
from runbook_tui.runbook.yaml_values import YMap as YMap

try:  # libyaml's composer is several times faster; the pure one gives the same tree (the theme files use it too)
    SAFE_LOADER: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    SAFE_LOADER = yaml.SafeLoader


#: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks to YAML 1.1 (PyYAML), invisible in an editor. Found with
#: `str.find` (a pattern of them took ~0.15 ms to compile at every start, before the runbook was read).
HIDDEN_BREAKS = "\x85\u2028\u2029"

#: Limits on hostile or broken input, each refused with a positioned diagnostic naming it.
MAX_BYTES = 4 * 1024 * 1024


def decode(data: bytes, file: str) -> str:
    """The file's text; RunbookInvalid at the first byte that is not UTF-8 (its line and column), naming UTF-16."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")  # (valid up to there)
        where = _mark_at(before, file, len(before))
        line, col = where.line, where.col
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        what = "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8" if utf16 else f"the byte 0x{data[exc.start]:02X} is not"
        raise RunbookInvalid([Diagnostic(Mark(file, line, col), f"expected UTF-8 text; {what}")]) from None


def check_size(size: int, file: str) -> None:
    """Refuse a file over MAX_BYTES before reading or parsing it."""
    if size > MAX_BYTES:
        message = f"runbook is {size} bytes; the limit is {MAX_BYTES // (1024 * 1024)} MiB"
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), message)])


def _parse(text: str, file: str) -> tuple[bool, Any]:
    """(whether there is a document, its marked values); every problem becomes a positioned diagnostic.

    Our limits decide, whatever the installed YAML library's own limit is: libyaml (since the
    build in PyYAML 6.0.4) refuses about 1,000 levels itself while scanning ahead, before any
    event reaches us. Its refusal means the text is deeper than ours allows too, so the build
    is redone with the pure-Python parser (no limit of its own, and lazy) to find and name the
    place where our limit is first passed.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file)
    hidden = min((at for at in map(text.find, HIDDEN_BREAKS) if at >= 0), default=None)
    if hidden is not None:
        code = ord(text[hidden])
        message = (
            f"the character U+{code:04X} is a line break to YAML that editors do not show (what follows it on this line"
            f" is read as a new line: a comment could hide a key); expected lines that end with \\n"
            f" (in a double-quoted string, write \\u{code:04x} for the character itself)"
        )
        raise RunbookInvalid([Diagnostic(_mark_at(text, file, hidden), message)])
    try:
        try:
            return Builder(file).run(text, SAFE_LOADER)
        except yaml.MarkedYAMLError as exc:
            if SAFE_LOADER is yaml.SafeLoader or "nesting depth" not in f"{exc.problem} {exc.context}":
                raise
        return Builder(file).run(text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text)):
            mark = exc.context_mark  # "end of stream while scanning a quoted scalar": point at the quote
        where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        from runbook_tui.runbook.yaml_hints import hint  # only for a document that is not YAML: a valid load skips its import

        advice = hint(text, exc)
        advice = f"; {advice}" if advice else ""
        raise RunbookInvalid([Diagnostic(where, f"invalid YAML: {problem}{context}{advice}")]) from None
    except yaml.reader.ReaderError as exc:  # a NUL or another control character: said at its own line
        raise RunbookInvalid([_unacceptable(text, file, exc)]) from None
    except yaml.YAMLError as exc:
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), f"invalid YAML: {exc}")]) from None


def _unacceptable(text: str, file: str, exc: yaml.reader.ReaderError) -> Diagnostic:
    """The reader stops at the first character it refuses; find that character's line and column."""
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    index = text.find(char)
    if index < 0:
        return Diagnostic(Mark(file, 1, 1), f"invalid YAML: {exc.reason}")
    return Diagnostic(_mark_at(text, file, index), f"invalid YAML: the character U+{ord(char):04X} is not allowed; expected text without control characters")


#: Where YAML ends a line: CRLF, LF, and a lone CR (the hidden breaks NEL, U+2028, U+2029 are refused first).
_BREAK = lazy_re.compile("\r\n|\r|\n")


def _mark_at(text: str, file: str, index: int) -> Mark:
    """The line and column of `text[index]` as YAML counts them, so as every other error in the file (a lone CR ends
    a line: a file saved with old Mac line ends had its NUL or non-UTF-8 byte put on line 1, the rest on their lines)."""
    breaks = list(_BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return Mark(file, len(breaks) + 1, index - start + 1)


def load_document(text: str, file: str) -> Any:
    """The whole document as marked values; raises RunbookInvalid on syntax errors or duplicate keys."""
    found, value = _parse(text, file)
    if not found:
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), "empty file; expected a runbook mapping (runbook: 1, id, title, sections)")])
    return value


def load_values(text: str, file: str) -> Any:
    """As load_document, for files that may be empty (settings): None when there is no document."""
    return _parse(text, file)[1]
