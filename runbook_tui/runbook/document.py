"""YAML loading that remembers where every key and value stood in the file.

PyYAML's composer already knows the position of every node; we turn its node
tree into plain dicts, lists and scalars that carry those positions, so the
schema checks can say `FILE:LINE:COL` for anything they reject.
"""

from __future__ import annotations

from typing import Any

import yaml

from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid
from runbook_tui.runbook.model import Mark

try:  # libyaml's composer is several times faster; the pure one gives the same tree
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_SCALARS = yaml.constructor.SafeConstructor()
_CONSTRUCTORS = yaml.constructor.SafeConstructor.yaml_constructors
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


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


def compose(text: str, file: str) -> yaml.Node | None:
    """Parse YAML text into PyYAML's node tree; syntax errors become a positioned diagnostic."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text)):
            mark = exc.context_mark  # "end of stream while scanning a quoted scalar": point at the quote
        where = Mark(file, mark.line + 1, mark.column + 1) if mark else Mark(file, 1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        raise RunbookInvalid([Diagnostic(where, f"invalid YAML: {problem}{context}")]) from None
    except yaml.YAMLError as exc:
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), f"invalid YAML: {exc}")]) from None


def to_value(node: yaml.Node, file: str, errors: list[Diagnostic]) -> Any:
    """Turn a node into YMap / YList / scalar, recording duplicate keys as errors."""
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
            result[key] = to_value(value_node, file, errors)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YList()
        items.file = file
        items.pos = _pos(node)
        items.item_pos = []
        for item in node.value:
            items.item_pos.append(_pos(item))
            items.append(to_value(item, file, errors))
        return items
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(Diagnostic(_mark(file, node), f"cannot read this value: {problem}"))
        return None


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
