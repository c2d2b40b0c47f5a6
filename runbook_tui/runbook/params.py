"""Parameter values: from `-p NAME=VALUE` text (or the TUI's form) to typed, checked values."""

from __future__ import annotations

import json
import math
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.bounded_search import found, too_slow
from runbook_tui.runbook.diagnostics import shown
from runbook_tui.runbook.document import MAX_BYTES
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Param
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.runbook.templating import is_template

#: The line ends at a file's end (LF or CRLF), which a value read from it leaves out.
_FINAL_LINE_ENDS = lazy_re.compile(r"(?:\r?\n)+\Z")
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


#: The value of an optional parameter given no value and no default (None for the other types: a template must not insert it).
EMPTY: dict[str, Any] = {"string": "", "list": []}


def yaml_value(value: object) -> str:
    """A parameter as a runbook's YAML writes it: `false`, `null`, `["a", "b"]`, not Python's `False` (the plan, approve and the report).

    A string is quoted (`"checked, dry_run=false"`) where it would read otherwise in a `name=value, ...` line: as more
    parameters (a comma), another type (`false`, `3`), or with its blanks and line ends unseen."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value and _misread(value):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _misread(text: str) -> bool:
    """The string would read as something else bare: a list of parameters, a bool, null or a number, a quoted or
    bracketed value, or without the blanks and line ends it holds."""
    if "," in text or text != text.strip() or not text.isprintable() or text[0] in "\"'[{" or text.lower() in _TRUE | _FALSE | {"null", "~"}:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


class ParamError(ValueError):
    """A value that does not fit its parameter; the message names the parameter, `item` the list item at fault (from 0),
    so that a default's error stands at that item in the file."""

    def __init__(self, message: str, item: int | None = None) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """A value `bind` refused: its parameter (None for a name none declares), the words, the list item at fault (from 0),
    and whether the value was the runbook's default (its place is then the default, not the declaration)."""

    param: Param | None
    message: str
    item: int | None = None
    defaulted: bool = False


@dataclass(frozen=True, slots=True)
class StandIn:
    """A typed placeholder `validate` uses for a value it was not given: taken as is, never checked."""

    value: Any


class FileText(str):
    """A value read from `-p NAME=@FILE`: a `list` parameter takes one item per line of it (see `_typed`)."""

    __slots__ = ()


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """`["a=1", "b=@file", "c=@@x"]` -> {"a": "1", "b": <file contents>, "c": "@x"}; `@FILE` reads the value from a
    file (a FileText: a `list` parameter splits it on lines), `@@` stands for a literal `@` at the value's start (`-p handle=@@ops` gives `@ops`).

    A name given twice is refused: `-p version=15.6 ... -p version=15.4` (an edited line from the shell's history) is a
    mistake, and taking either value would run a change nobody meant."""
    values: dict[str, str] = {}
    typed: dict[str, str] = {}  # name -> the -p that gave it, as typed
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParamError(f"-p {shown(item)}: expected NAME=VALUE, NAME=@FILE or NAME=@@VALUE (a value starting with @)")
        if name.strip() in typed:
            raise ParamError(f"-p {shown(typed[name.strip()])} and -p {shown(item)} both give {shown(name.strip())}: expected each parameter once")
        typed[name.strip()] = item
        if value.startswith("@@"):
            value = value[1:]  # a literal value starting with @: no file
        elif value.startswith("@"):
            path = Path(value[1:])
            given = visible_line(f"-p {name}=@{value[1:]}")  # as typed, escapes shown: the error goes to a terminal
            if not value[1:]:  # Path("") is ".": the error named a folder nobody typed
                raise ParamError(f"{given}: expected a file name after @ (NAME=@FILE)")
            try:  # a pipe too: `-p token=@<(pass show db)` keeps a secret off the disk and out of the shell's history
                value = FileText(_file_value(read_limited(path, MAX_BYTES, pipes=True).decode("utf-8")))
                if not value and stat.S_ISFIFO(path.stat().st_mode):  # a named pipe nothing writes to reads as empty
                    raise ParamError(f"{given}: the pipe gave no text (does anything write to it?); expected the value")
            except OSError as exc:
                if value == "@-" and isinstance(exc, FileNotFoundError):  # as curl's `@-`: it read as a file named '-'
                    raise ParamError(
                        f"{given}: no file named '-' here; standard input is not read: expected NAME=@FILE, or NAME=@@- for the text '@-'"
                    ) from None
                raise ParamError(f"{given}: cannot read the file: {exc.strerror}") from None
            except UnicodeDecodeError:
                raise ParamError(f"{given}: expected UTF-8 text; the file has bytes that are not") from None
        values[name.strip()] = value
    return values


def _file_value(text: str) -> str:
    """A file's text as a value: its final line ends dropped, as `$(cat FILE)` does, CRLF ones too (an editor on
    Windows saves them: the CR stayed, invisible, at the value's end), and a UTF-8 byte order mark at its start."""
    return _FINAL_LINE_ENDS.sub("", text.removeprefix("\ufeff"))


def templated_default(default: Any) -> bool:
    """A default (or an item of a list default) that is a template: the loader renders it, a form leaves it blank."""
    items = default if isinstance(default, list) else [default]
    return any(isinstance(item, str) and is_template(item) for item in items)


def convert(param: Param, value: Any) -> Any:
    """Convert text (or an already typed default) to the parameter's type, then check its limits."""
    if isinstance(value, StandIn):
        return value.value
    typed = _typed(param, value)
    _check(param, typed)
    for index, item in enumerate(typed if isinstance(typed, list) else [typed], start=1):  # no command can receive one
        if isinstance(item, str) and "\0" in item:
            which = f" as item {index}" if isinstance(typed, list) else ""
            raise ParamError(
                f"parameter '{param.name}': expected text without a NUL byte (is it a binary file?), got {shown(item)}{which}",
                index - 1 if isinstance(typed, list) else None,
            )
    return typed


def _typed(param: Param, value: Any) -> Any:
    kind = param.type
    name = param.name
    if kind == "string":
        if isinstance(value, (dict, list, tuple)):
            raise ParamError(f"parameter '{name}': expected a string, got {_collection(value)}")
        return str(value)
    if kind == "int":
        if isinstance(value, bool) or not _ascii_number(value):
            raise ParamError(f"parameter '{name}': expected an integer, got {shown(value)}")
        try:
            return int(str(value).strip(), 10)
        except ValueError:
            raise ParamError(f"parameter '{name}': expected an integer, got {shown(value)}") from None
    if kind == "float":
        if isinstance(value, bool) or not _ascii_number(value):
            raise ParamError(f"parameter '{name}': expected a number, got {shown(value)}")
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ParamError(f"parameter '{name}': expected a number, got {shown(value)}") from None
        if not math.isfinite(number):
            raise ParamError(f"parameter '{name}': expected a finite number, got {shown(value)}")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ParamError(f"parameter '{name}': expected true or false, got {shown(value)}")
    if kind == "list":
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value, start=1):  # (a nested one read as Python's text: `{'b': 1}`, `None`)
                if item is None or isinstance(item, (dict, list, tuple)) or (isinstance(item, str) and not item.strip()):
                    got = "nothing (null)" if item is None else "an empty text" if isinstance(item, str) else _collection(item)
                    raise ParamError(f"parameter '{name}': expected a list of texts, numbers or true/false, got {got} as item {index}", index - 1)
            return [str(item) for item in value]
        if isinstance(value, dict):  # (read as Python's text, `{'a': 1}`, one item)
            raise ParamError(f"parameter '{name}': expected a list of texts, numbers or true/false, got a mapping")
        if isinstance(value, FileText):  # `-p hosts=@hosts.txt`: one item per line, blank lines dropped
            return [item.strip() for item in value.split("\n") if item.strip()]
        return _comma_items(name, str(value))
    # choice: compare as text, return the declared choice (keeps its YAML type)
    for choice in param.choices:
        if str(choice) == str(value):
            return choice
    allowed = ", ".join(str(c) for c in param.choices)
    raise ParamError(f"parameter '{name}': expected one of {allowed}, got {shown(value)}")


def _comma_items(name: str, text: str) -> list[str]:
    """`a, b` -> ["a", "b"]; a blank text is no items. An empty item (`a,,b`, `a,b,`) is refused: a name lost in
    typing, which dropping would have run the change without, unsaid (the spec is silent; a wrong value is an error)."""
    if not text.strip():
        return []
    items = [item.strip() for item in text.split(",")]
    for index, item in enumerate(items, start=1):
        if not item:
            raise ParamError(
                f"parameter '{name}': item {index} of {shown(text)} is empty; expected a value between each two commas (an empty value for no items)"
            )
    return items


def _collection(value: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> str:
    return "a mapping" if isinstance(value, dict) else "a list"


def _ascii_number(value: Any) -> bool:
    """Whether a number's text is ASCII: Python's int() and float() also read other scripts' digits (`٣٠` is 30 to
    them), which neither YAML nor a reviewer reads as a number. (`1_000` is 1000 on the command line and in YAML alike.)"""
    return str(value).isascii()


def _as_written(pattern: str) -> str:
    """A pattern quoted as the runbook wrote it: `'^15\\.\\d+$'` (its repr doubled each backslash, so the pattern
    quoted was not the one written); one with a quote or a control character keeps the repr's escapes."""
    if "'" in pattern or any(not char.isprintable() for char in pattern) or len(pattern) > 200:
        return shown(pattern, 200)
    return f"'{pattern}'"


def _check(param: Param, value: Any) -> None:
    name = param.name
    if param.pattern is not None:
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            at = index if isinstance(value, list) else None
            text = str(item)
            try:
                matches = found(param.pattern, text)
                # `$` also matches before a last line break: '15.6\n' fits '^15\.\d+$'. With a character after the
                # break, only a pattern that does not end at `$` (or takes the break itself) still matches.
                break_let_through = matches and text.endswith("\n") and not found(param.pattern, text + "\0")
            except TimeoutError:
                raise ParamError(f"parameter '{name}': {shown(item)} against the pattern: {too_slow(param.pattern)}", at) from None
            if not matches:
                raise ParamError(
                    f"parameter '{name}': {shown(item)} does not match the pattern {_as_written(param.pattern)}; expected a value it matches{wanted_words(param)}",
                    at,
                )
            if break_let_through:
                raise ParamError(
                    f"parameter '{name}': {shown(item)} ends with a line break, which only the pattern's $ lets through;"
                    f" expected a value matching {_as_written(param.pattern)} without it",
                    at,
                )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if param.min is not None and value < param.min:
            raise ParamError(f"parameter '{name}': expected at least {_num(param.min)}, got {shown(value)}")
        if param.max is not None and value > param.max:
            raise ParamError(f"parameter '{name}': expected at most {_num(param.max)}, got {shown(value)}")


def wanted_words(param: Param) -> str:
    """The parameter's description after a refused value, when it has one: what a person reads to type a fitting value
    (the form leaves it out: the description stands beside the field)."""
    text = " ".join(str(param.description or "").split())
    return f" ({visible_line(text[:80])})" if text else ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def bind(params: tuple[Param, ...], given: Mapping[str, Any]) -> tuple[dict[str, Any], list[ValueProblem]]:
    """Typed values for every parameter, and the problems with them."""
    values: dict[str, Any] = {}
    problems: list[ValueProblem] = []
    declared = {p.name for p in params}
    for name in given:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            import difflib  # only for a name that is wrong: a plain run loads without it

            close = difflib.get_close_matches(name, sorted(declared), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(ValueProblem(None, f"unknown parameter '{name}' (this runbook declares: {known}); expected one of those{hint}"))
    for param in params:
        if param.name in given:
            raw = given[param.name]
        elif param.default is not None:
            raw = param.default
        elif param.required:
            problems.append(ValueProblem(param, f"parameter '{param.name}' is required; expected a value: -p {param.name}=VALUE"))
            continue
        else:
            values[param.name] = EMPTY.get(param.type)
            continue
        try:
            values[param.name] = convert(param, raw)
        except ParamError as exc:
            problems.append(ValueProblem(param, str(exc), exc.item, param.name not in given))
            continue
        if param.required and param.name in given and _none_given(values[param.name]):  # `-p to_version=`: as the form's empty field
            problems.append(ValueProblem(param, f"parameter '{param.name}' is required; expected a value: -p {param.name}=VALUE (an empty one is none)"))
    return values, problems


def _none_given(value: Any) -> bool:
    """An empty text (spaces only too) or list: what an optional parameter without a value holds (EMPTY)."""
    return (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)
