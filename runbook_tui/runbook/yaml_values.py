"""Marked values from YAML parser events, built in one pass: limits, aliases and duplicate keys checked as they come.

No node tree is composed: each event becomes a value at once (`YMap`, `YList`
or a scalar with its position), so the limits on hostile input (depth, number
of values, values added by aliases) are checked while reading, before the
document is held whole, and a realistic runbook costs one walk of its events.
Scalars are typed as PyYAML's safe loader types them; timestamps stay text.
A plain scalar YAML 1.1 retypes into a value that prints otherwise (`0644` is
420, `15.10` is 15.1, `12:30:00` is 45000, `yes` is True) keeps the text as
written beside it, for the fields that are text (`as_written`).
An alias stands for its anchor's value (the same object, as PyYAML's
composer shares the node), at the alias's own position: an error about the
value where it is used (a duplicate id, a wrong type) names that line; what
is inside a shared mapping or list keeps the anchor's. An alias inside its
own anchor is refused.
A plain scalar followed by a comment on its line keeps that comment beside it (`cut`): a ` #` ends a plain
scalar, and the loader warns when that cut a text meant for people (a note, a title).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import yaml

from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid, shown
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.yaml_comments import NO_CUTS, Cut, comment_ends, keep_cut

MAX_DEPTH = 64
#: Values that aliases may add when expanded (a "billion laughs" document adds billions).
MAX_ALIAS_VALUES = 100_000
#: Values (scalars, lists, mappings) in the document itself, counted while parsing: a 4 MiB file of
#: `[{},{},...]` (1.4 million values) is refused after 100,000 of them are built. A realistic
#: 1,000-step runbook has about 31,000 (bench/load.py).
MAX_NODES = 100_000

Position = tuple[int, int]  # (line, column), 1-based; a Mark is made only when one is asked for

_YAML = "tag:yaml.org,2002:"
_STR = _YAML + "str"
_TIMESTAMP = _YAML + "timestamp"
#: The tags of a single value constructed as PyYAML does (str, timestamp and int are read before), with what each takes.
_VALUE_TAGS = {_YAML + "null": "nothing", _YAML + "bool": "true or false (also yes/no, on/off)", _YAML + "float": "a number"}
#: Plain scalars YAML 1.1 tags as keys nothing constructs (`=`, `<<`): as values they are text, as YAML 1.2 reads them.
_TEXT_TAGS = frozenset({_YAML + "value", _YAML + "merge"})
_SCALARS = yaml.constructor.SafeConstructor()
_CONSTRUCTORS: dict[str | None, Callable[[Any, yaml.Node], Any]] = yaml.constructor.SafeConstructor.yaml_constructors
_IMPLICIT: dict[str | None, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_ANY_START = _IMPLICIT.get(None, [])
#: The resolvers to try for a plain scalar, by its first character (PyYAML's order).
_RESOLVERS = {first: resolvers + _ANY_START for first, resolvers in _IMPLICIT.items() if first is not None}
_INT = "tag:yaml.org,2002:int"
#: An int PyYAML's constructor reads exactly as `int()` does (no `_`, base prefix, leading 0 or `:`).
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
#: The most digits an integer may have: Python refuses to turn a longer one from or to text (and no runbook needs one).
MAX_INT_DIGITS = 4300
_INT_LIMIT = 10**MAX_INT_DIGITS


_new_mark = tuple.__new__
#: The types YAML makes of a plain scalar that may print otherwise than it was written.
_RETYPED = frozenset({int, float, bool})
#: `written` of a collection with no retyped scalar (most): shared, read-only.
_NONE_WRITTEN: Mapping[Any, str] = MappingProxyType({})


class YMap(dict[str, Any]):
    """A mapping with the position of itself, of each key and of each value.

    Marks are made by `tuple.__new__`, one C call (a NamedTuple's own constructor is a Python
    function): a load asks for about ten per step.
    """

    file: str
    pos: Position
    key_pos: dict[str, Position]
    value_pos: dict[str, Position]
    written: Mapping[str, str] = _NONE_WRITTEN
    cut: Mapping[str, Cut] = NO_CUTS

    def as_written(self, key: str) -> Any:
        """The value for a text field: the text as written when YAML retyped it (`0644`, not 420), else the value."""
        return self.written.get(key, self[key])

    @property
    def mark(self) -> Mark:
        return _new_mark(Mark, (self.file, *self.pos))

    def key_mark(self, key: str) -> Mark:
        return _new_mark(Mark, (self.file, *self.key_pos.get(key, self.pos)))

    def value_mark(self, key: str) -> Mark:
        return _new_mark(Mark, (self.file, *self.value_pos.get(key, self.pos)))


class YList(list[Any]):
    """A sequence with the position of itself and of each item."""

    file: str
    pos: Position
    item_pos: list[Position]
    written: Mapping[int, str] = _NONE_WRITTEN
    cut: Mapping[int, Cut] = NO_CUTS

    def as_written(self, index: int) -> Any:
        """The item for a text field: the text as written when YAML retyped it (`0644`, not 420), else the item."""
        return self.written.get(index, self[index])

    @property
    def mark(self) -> Mark:
        return _new_mark(Mark, (self.file, *self.pos))

    @property
    def item_marks(self) -> list[Mark]:
        return [_new_mark(Mark, (self.file, *p)) for p in self.item_pos]


def _resolve_plain(value: str) -> str:
    """The tag of a plain scalar, as PyYAML's resolver gives it (int, float, bool, null, timestamp, merge, str)."""
    for tag, pattern in _RESOLVERS.get(value[:1], _ANY_START):
        if pattern.match(value):
            return tag
    return _STR


class _Frame:
    """A collection being read, and what its next value is.

    `key` is `_ITEM` in a list; in a mapping, `_KEY` while a key is awaited, the key itself while
    its value is (`key_pos` its position), `_SKIP` when the key was refused. `positions` is the
    collection's `item_pos` or `value_pos`. Typed loosely: the read loop touches these per event.
    """

    __slots__ = ("anchor", "discard", "key", "key_pos", "key_positions", "positions", "value")

    def __init__(self, value: YMap | YList, discard: bool, anchor: str | None) -> None:
        self.value: Any = value
        self.anchor = anchor
        self.discard = discard  # a refused key or its value: read, never used, its problems not reported
        self.key_pos: Position = (0, 0)
        self.key: Any
        self.positions: Any
        self.key_positions: Any
        if isinstance(value, YMap):
            self.key, self.positions, self.key_positions = _KEY, value.value_pos, value.key_pos
        else:
            self.key, self.positions, self.key_positions = _ITEM, value.item_pos, None


#: A merge key was read as a key named `<<` (an "unknown key" in a step, a variable of that name in `vars:`).
_NO_MERGE = "'<<' (a YAML merge key) is not supported; expected the keys written out (an alias *name may stand for a whole value)"
_KEY = object()
_SKIP = object()
_ITEM = object()


class _Anchor:
    """An anchored value; a scalar keeps its event (its text is a key's, its value is made when an alias needs it)."""

    __slots__ = ("event", "pos", "size", "text", "value")

    def __init__(self, value: Any, pos: Position, text: str | None, event: Any) -> None:
        self.value = value
        self.pos = pos
        self.text = text
        self.event = event
        self.size: tuple[int, int] | None = None  # (values, levels) once measured


class Builder:
    """One document's marked values; problems that do not stop the read are collected in `errors`."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Diagnostic] = []
        self.anchors: dict[str, tuple[_Anchor, Any]] = {}  # with the mark of its definition
        self.alias_values = 0

    def run(self, text: str, loader: type) -> tuple[bool, Any]:
        """(whether the stream has a document, its value); raises RunbookInvalid or PyYAML's errors."""
        found, value = self._read(text, loader)
        if self.errors:
            raise RunbookInvalid(self.errors)
        return found, value

    def _refuse(self, pos: Position, message: str) -> RunbookInvalid:
        return RunbookInvalid([Diagnostic(Mark(self.file, *pos), message)])

    def _read(self, text: str, loader: type) -> tuple[bool, Any]:
        # The hot loop of a load (one pass per event, ~34,000 for 1,000 steps): the parser is driven
        # directly, the frame being filled is kept in `parent`, and placing a value is written inline.
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end, doc_start, stream_end = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.DocumentStartEvent, yaml.StreamEndEvent
        file = self.file
        stack: list[_Frame] = []
        parent: _Frame | None = None  # the collection being filled: stack[-1]
        open_anchors: set[str] = set()
        nodes = 0
        found = False
        first_line = 0  # where the document starts
        root: Any = None
        value: Any
        key_text: str | None
        cut_at = comment_ends(text)  # empty (nothing more to look at) unless a comment follows text on some line
        parser = loader(text)
        try:
            get_event = parser.get_event
            while True:
                event = get_event()
                kind = type(event)
                if kind is scalar_event or kind is map_start or kind is seq_start or kind is alias_event:
                    nodes += 1
                    mark = event.start_mark
                    pos = (mark.line + 1, mark.column + 1)
                    if nodes > MAX_NODES:
                        raise self._refuse(pos, f"more than {MAX_NODES} values in the document; the limit is {MAX_NODES}")
                    if parent is None:
                        discard = as_key = False
                    else:
                        as_key = parent.key is _KEY
                        discard = parent.discard or parent.key is _SKIP
                    if kind is scalar_event:
                        key_text = event.value
                        if as_key or discard:
                            value = None
                        elif event.tag is None and (not event.implicit[0] or (key_text[:1] not in _RESOLVERS and not _ANY_START)):
                            value = key_text  # quoted, or plain with no resolver for its first character: a string
                        else:
                            value = self._scalar(event, pos)
                            if value.__class__ in _RETYPED and parent is not None:
                                _keep_written(parent, value, key_text)
                        if cut_at and not event.style and parent is not None and not (as_key or discard):  # plain: '' (libyaml) or None
                            end = event.end_mark
                            if (end.line, end.column) in cut_at:
                                index = len(parent.value) if parent.key is _ITEM else parent.key
                                keep_cut(parent.value, index, text, cut_at[end.line, end.column], end, key_text)
                        if event.anchor is not None:
                            self._anchor(event.anchor, _Anchor(value, pos, key_text, event), mark)
                    elif kind is alias_event:
                        value, pos, key_text = self._alias(event, len(stack), open_anchors, as_key or discard)
                        if value.__class__ in _RETYPED and parent is not None and key_text is not None and not (as_key or discard):
                            _keep_written(parent, value, key_text)
                    else:
                        if len(stack) >= MAX_DEPTH:
                            raise self._refuse(pos, f"nested deeper than {MAX_DEPTH} levels; the limit is {MAX_DEPTH}")
                        collection: YMap | YList
                        if kind is map_start:
                            collection = YMap()
                            collection.key_pos = {}
                            collection.value_pos = {}
                        else:
                            collection = YList()
                            collection.item_pos = []
                        collection.file = file
                        collection.pos = pos
                        anchor = event.anchor
                        if anchor is not None:
                            self._anchor(anchor, _Anchor(collection, pos, None, None), mark)
                            open_anchors.add(anchor)
                        parent = _Frame(collection, discard or as_key, anchor)
                        stack.append(parent)
                        continue
                elif kind is map_end or kind is seq_end:
                    assert parent is not None
                    if parent.anchor is not None:
                        open_anchors.discard(parent.anchor)
                    value = parent.value
                    pos, key_text = value.pos, None
                    stack.pop()
                    parent = stack[-1] if stack else None
                elif kind is doc_start:
                    start = event.start_mark
                    if found:
                        message = f"a second YAML document starts here; expected one document per file (the first starts at line {first_line})"
                        raise self._refuse((start.line + 1, start.column + 1), message)
                    found, first_line = True, start.line + 1
                    continue
                elif kind is stream_end:
                    return found, root
                else:
                    continue
                # Place the finished value: the root, an item, a key, or a key's value.
                if parent is None:
                    root = value
                    continue
                key = parent.key
                if key is _ITEM:
                    parent.value.append(value)
                    parent.positions.append(pos)
                elif key is _KEY:
                    if key_text is not None and key_text not in parent.value and key_text != "<<":
                        parent.key, parent.key_pos = key_text, pos  # a new plain key (else `_refuse_key` says why not)
                    else:
                        self._refuse_key(parent, pos, key_text)
                else:
                    if key is not _SKIP:
                        parent.value[key] = value
                        parent.key_positions[key] = parent.key_pos
                        parent.positions[key] = pos
                    parent.key = _KEY
        finally:
            parser.dispose()

    def _refuse_key(self, frame: _Frame, pos: Position, key_text: str | None) -> None:
        """A refused key (not a plain key, a merge key, or a duplicate): its value is read and dropped."""
        if not frame.discard:
            container = frame.value
            if key_text is None:
                self.errors.append(Diagnostic(Mark(self.file, *pos), "expected a plain key (a name), not a mapping or list"))
            elif key_text == "<<":
                self.errors.append(Diagnostic(Mark(self.file, *pos), _NO_MERGE))
            else:
                assert isinstance(container, YMap)
                first = container.key_pos[key_text][0]
                self.errors.append(Diagnostic(Mark(self.file, *pos), f"duplicate key '{key_text}' (first at line {first}); expected each key once"))
        frame.key = _SKIP

    def _anchor(self, name: str, anchor: _Anchor, mark: Any) -> None:
        if name in self.anchors:
            first = self.anchors[name][1].line + 1
            raise self._refuse((mark.line + 1, mark.column + 1), f"anchor '&{name[:40]}' again (first at line {first}); expected each anchor name once")
        self.anchors[name] = (anchor, mark)

    def _alias(self, event: Any, depth: int, open_anchors: set[str], unused: bool) -> tuple[Any, Position, str | None]:
        """The anchored value, counted against the alias limits unless it is a key or discarded."""
        name = event.anchor
        if name not in self.anchors:
            mark = event.start_mark
            message = f"alias '*{name[:40]}': expected the name of an anchor (&name) defined before it"
            raise self._refuse((mark.line + 1, mark.column + 1), message)
        anchor = self.anchors[name][0]
        here = (event.start_mark.line + 1, event.start_mark.column + 1)
        if name in open_anchors:
            raise self._refuse(here, f"too many aliases: nested deeper than {MAX_DEPTH} levels through them (an anchor inside itself)")
        if unused:
            return None, here, anchor.text
        if anchor.event is not None and anchor.value is None:
            anchor.value = self._scalar(anchor.event, anchor.pos)
        if anchor.size is None:
            anchor.size = _measure(anchor.value, MAX_ALIAS_VALUES + 1)
        values, levels = anchor.size
        self.alias_values += values
        if self.alias_values > MAX_ALIAS_VALUES:
            raise self._refuse(here, f"too many aliases: expanding them makes more than {MAX_ALIAS_VALUES} extra values")
        if depth + levels > 2 * MAX_DEPTH:
            raise self._refuse(here, f"too many aliases: nested deeper than {MAX_DEPTH} levels through them")
        return anchor.value, here, anchor.text  # where the alias stands: the place its use is judged (a duplicate, a type)

    def _scalar(self, event: Any, pos: Position) -> Any:
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            tag = _resolve_plain(value) if event.implicit[0] else _STR
            tag = _STR if tag in _TEXT_TAGS else tag
        if tag == _STR or tag == _TIMESTAMP:  # timestamps stay text: templates and the journal want what the author wrote
            return value
        if tag == _INT:
            return self._integer(event, pos)
        if tag not in _VALUE_TAGS:  # !!binary (bytes), the tags of collections (a generator here), `!custom`, `!!python/name:…`
            short = tag.replace(_YAML, "!!")
            message = (
                f"cannot read this value: {short} is no kind of value this file takes; expected text, a number, true/false or null (the value without {short})"
            )
            self.errors.append(Diagnostic(Mark(self.file, *pos), message))
            return None
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        construct = _CONSTRUCTORS.get(tag, _CONSTRUCTORS[None])
        try:
            return construct(_SCALARS, node)
        except (yaml.YAMLError, ValueError, IndexError, KeyError, TypeError, OverflowError) as exc:  # PyYAML raises all of these on odd tagged scalars
            wanted = _VALUE_TAGS.get(tag)
            problem = getattr(exc, "problem", None) or str(exc) or "not a valid value for its tag"
            said = f"{tag.replace(_YAML, '!!')} {shown(value)}: expected {wanted}" if wanted is not None else problem
            self.errors.append(Diagnostic(Mark(self.file, *pos), f"cannot read this value: {said}"))
            return None

    def _integer(self, event: Any, pos: Position) -> int | None:
        """An integer (decimal, 0o/0x/0b, leading 0, `_`, sexagesimal), refused past MAX_INT_DIGITS before or after it is made."""
        text = event.value
        number = None
        if len(text) <= MAX_INT_DIGITS:
            if _DECIMAL.fullmatch(text):
                number = int(text)
            else:
                node = yaml.ScalarNode(_INT, text, event.start_mark, event.end_mark, event.style)
                try:
                    number = _CONSTRUCTORS[_INT](_SCALARS, node)
                except (ValueError, IndexError):  # `!!int` on text that is not a number, or on none
                    self.errors.append(Diagnostic(Mark(self.file, *pos), f"cannot read this value: expected an integer, got {shown(text)}"))
                    return None
        if number is None or not -_INT_LIMIT < number < _INT_LIMIT:
            self.errors.append(
                Diagnostic(Mark(self.file, *pos), f"cannot read this value: expected an integer of at most {MAX_INT_DIGITS} digits (quotes keep it as text)")
            )
            return None
        return number


def _keep_written(frame: _Frame, value: Any, text: str) -> None:
    """Note the text of a retyped scalar about to be placed in `frame` (as its next item, or its awaited key's value)."""
    if str(value) == text:
        return
    container = frame.value
    if container.written is _NONE_WRITTEN:
        container.written = {}
    container.written[len(container) if frame.key is _ITEM else frame.key] = text


def _measure(value: Any, limit: int) -> tuple[int, int]:
    """(values, levels) of a built value, aliases inside counted again; stops counting past `limit`."""
    count = 0
    levels = 0
    stack = [(value, 1)]
    while stack and count <= limit:
        item, level = stack.pop()
        count += 1
        levels = max(levels, level)
        if isinstance(item, YMap):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, YList):
            stack.extend((child, level + 1) for child in item)
    return count, levels
