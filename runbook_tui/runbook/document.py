"""YAML loading that remembers where every key and value stood in the file.

PyYAML's composer already knows the position of every node; we turn its node
tree into plain dicts, lists and scalars that carry those positions, so the
schema checks can say `FILE:LINE:COL` for anything they reject.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.yaml_hints import hint

try:  # libyaml's composer is several times faster; the pure one gives the same tree
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_SCALARS = yaml.constructor.SafeConstructor()
_CONSTRUCTORS: dict[str | None, Callable[[Any, yaml.Node], Any]] = yaml.constructor.SafeConstructor.yaml_constructors
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

#: Limits on hostile or broken input, each refused with a positioned diagnostic naming it.
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
#: Values that aliases may add when expanded (a "billion laughs" document adds billions).
MAX_ALIAS_VALUES = 100_000
#: Values (scalars, lists, mappings) in the document itself, counted while parsing, before anything
#: is composed: each composed value costs about 1 KB, so a 4 MiB file of `[{},{},...]` (1.4 million
#: values, 1.6 GB composed) is refused at the cost of reading it, and no accepted document composes
#: more than about 110 MB. A realistic 1,000-step runbook has about 31,000 (bench/load.py).
MAX_NODES = 100_000


Position = tuple[int, int]  # (line, column), 1-based; a Mark is made only when one is asked for


class YMap(dict[str, Any]):
    """A mapping with the position of itself, of each key and of each value."""

    file: str
    pos: Position
    key_pos: dict[str, Position]
    value_pos: dict[str, Position]

    @property
    def mark(self) -> Mark:
        return Mark(self.file, *self.pos)

    def key_mark(self, key: str) -> Mark:
        return Mark(self.file, *self.key_pos.get(key, self.pos))

    def value_mark(self, key: str) -> Mark:
        return Mark(self.file, *self.value_pos.get(key, self.pos))


class YList(list[Any]):
    """A sequence with the position of itself and of each item."""

    file: str
    pos: Position
    item_pos: list[Position]

    @property
    def mark(self) -> Mark:
        return Mark(self.file, *self.pos)

    @property
    def item_marks(self) -> list[Mark]:
        return [Mark(self.file, *p) for p in self.item_pos]


def _pos(node: yaml.Node) -> Position:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, *_pos(node))


def check_size(size: int, file: str) -> None:
    """Refuse a file over MAX_BYTES before reading or parsing it."""
    if size > MAX_BYTES:
        message = f"runbook is {size} bytes; the limit is {MAX_BYTES // (1024 * 1024)} MiB"
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), message)])


def _check_shape(text: str, file: str) -> int:
    """Walk the parser's events (no recursion) to refuse deep nesting before composing; returns the node count.

    Our limit decides, whatever the installed YAML library's own limit is: libyaml (since the
    build in PyYAML 6.0.4) refuses about 1,000 levels itself while scanning ahead, before any
    event reaches us. Its refusal means the text is deeper than ours allows too, so the walk
    is redone with the pure-Python parser (no limit of its own, and lazy) to find and name the
    place where our limit is first passed.
    """
    try:
        return _walk_shape(text, file, _Loader)
    except yaml.MarkedYAMLError as exc:
        if _Loader is yaml.SafeLoader or "nesting depth" not in f"{exc.problem} {exc.context}":
            raise
    return _walk_shape(text, file, yaml.SafeLoader)


def _event_mark(file: str, event: yaml.Event) -> Mark:
    mark = event.start_mark
    return Mark(file, mark.line + 1, mark.column + 1) if mark is not None else Mark(file, 1, 1)


def _walk_shape(text: str, file: str, loader: type) -> int:
    depth = nodes = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
            nodes += 1
            if nodes > MAX_NODES:
                where = _event_mark(file, event)
                raise RunbookInvalid([Diagnostic(where, f"more than {MAX_NODES} values in the document; the limit is {MAX_NODES}")])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                where = _event_mark(file, event)
                raise RunbookInvalid([Diagnostic(where, f"nested deeper than {MAX_DEPTH} levels; the limit is {MAX_DEPTH}")])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return nodes


def compose(text: str, file: str) -> yaml.Node | None:
    """Parse YAML text into PyYAML's node tree; syntax errors become a positioned diagnostic."""
    check_size(len(text.encode("utf-8", "surrogatepass")), file)
    try:
        _check_shape(text, file)
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text)):
            mark = exc.context_mark  # "end of stream while scanning a quoted scalar": point at the quote
        where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
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
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return Diagnostic(Mark(file, line, col), f"invalid YAML: the character U+{ord(char):04X} is not allowed; expected text without control characters")


class _Budget:
    """How many more values the walk may make: the document's own plus MAX_ALIAS_VALUES from aliases."""

    def __init__(self, left: int) -> None:
        self.left = left


def to_value(node: yaml.Node, file: str, errors: list[Diagnostic], budget: _Budget | None = None, depth: int = 1) -> Any:
    """Turn a node into YMap / YList / scalar, recording duplicate keys as errors.

    Aliases are expanded; a document whose aliases expand without bound (billion laughs,
    or an anchor that contains itself) is refused instead of exhausting memory or the stack.
    """
    if budget is None:
        budget = _Budget(_count(node) + MAX_ALIAS_VALUES)
    budget.left -= 1
    if budget.left < 0:
        message = f"too many aliases: expanding them makes more than {MAX_ALIAS_VALUES} extra values"
        raise RunbookInvalid([Diagnostic(_mark(file, node), message)])
    if depth > 2 * MAX_DEPTH:  # only aliases can get here: a value placed inside itself
        raise RunbookInvalid([Diagnostic(_mark(file, node), f"too many aliases: nested deeper than {MAX_DEPTH} levels through them")])
    if isinstance(node, yaml.MappingNode):
        result = YMap()
        result.file = file
        result.pos = _pos(node)
        result.key_pos = {}
        result.value_pos = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(Diagnostic(_mark(file, key_node), "expected a plain key (a name), not a mapping or list"))
                continue
            key = str(key_node.value)
            if key in result:
                first = result.key_pos[key][0]
                errors.append(Diagnostic(_mark(file, key_node), f"duplicate key '{key}' (first at line {first})"))
                continue
            result.key_pos[key] = _pos(key_node)
            result.value_pos[key] = _pos(value_node)
            result[key] = to_value(value_node, file, errors, budget, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YList()
        items.file = file
        items.pos = _pos(node)
        items.item_pos = []
        for item in node.value:
            items.item_pos.append(_pos(item))
            items.append(to_value(item, file, errors, budget, depth + 1))
        return items
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError, IndexError, TypeError, OverflowError) as exc:  # PyYAML raises all of these on odd tagged scalars
        problem = getattr(exc, "problem", None) or str(exc) or "not a valid value for its tag"
        errors.append(Diagnostic(_mark(file, node), f"cannot read this value: {problem}"))
        return None


def _count(root: yaml.Node) -> int:
    """Distinct nodes in the tree (each shared node once), without recursion."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def _scalar(node: yaml.Node) -> Any:
    if node.tag == _TIMESTAMP:
        # Timestamps stay text: templates and the journal want what the author wrote.
        return str(node.value)
    construct = _CONSTRUCTORS.get(node.tag, _CONSTRUCTORS[None])
    return construct(_SCALARS, node)


def load_document(text: str, file: str) -> Any:
    """The whole document as marked values; raises RunbookInvalid on syntax errors or duplicate keys."""
    node = compose(text, file)
    if node is None:
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), "empty file; expected a runbook mapping (runbook: 1, id, title, sections)")])
    errors: list[Diagnostic] = []
    value = to_value(node, file, errors)
    if errors:
        raise RunbookInvalid(errors)
    return value
