"""`lean_dataclass.dataclass` behaves as `dataclasses.dataclass` for every option the project uses.

Each class is declared twice, once with each decorator, and every behaviour a
caller relies on is compared: construction (positional, keyword, defaults,
factories, `init=False`, `__post_init__`), the errors a bad call raises,
`repr`, equality, hashing, immutability, slots, and the `dataclasses`
functions (`fields`, `replace`, `asdict`, `is_dataclass`), copy and pickle.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import pickle
from pathlib import Path
from typing import Any, ClassVar

import pytest

from runbook_tui.runbook import lean_dataclass
from runbook_tui.runbook.lean_dataclass import field

PACKAGE = Path(__file__).resolve().parents[2] / "runbook_tui"


def declare(decorator: Any) -> Declared:
    @decorator(frozen=True, slots=True)
    class Text:
        source: str
        mark: tuple[int, ...]
        kind: str = "plain"
        value: str | None = None
        uses: frozenset[str] = frozenset()
        LIMIT: ClassVar[int] = 3

        @property
        def lazy(self) -> bool:
            return self.value is None

    @decorator
    class Mutable:
        name: str
        items: list[int] = field(default_factory=list)
        note: str = field(default="", repr=False, compare=False)

    @decorator(frozen=True)
    class Derived:
        fields: tuple[str, ...]
        extra: dict[str, int] = field(default_factory=dict)
        keys: frozenset[str] = field(init=False, repr=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "keys", frozenset(self.fields))

    @decorator(frozen=True, slots=True)
    class Base:
        statement: str
        key: str

    @decorator(frozen=True, slots=True)
    class Child(Base):
        after: int

    @decorator(frozen=True, slots=True)
    class Nested:
        inner: Text | None = None
        count: int = 0

    return Declared(Text=Text, Mutable=Mutable, Derived=Derived, Base=Base, Child=Child, Nested=Nested)


class Declared:
    """The classes one decorator made, by name."""

    def __init__(self, **classes: type) -> None:
        self.__dict__.update(classes)


STD = declare(dataclasses.dataclass)
LEAN = declare(lean_dataclass.dataclass)


def outcome(call: Any) -> tuple[str, str]:
    """What a call gives: its repr, or its exception's type and message (without the declaring function's qualname)."""
    try:
        return "ok", repr(call()).replace("declare.<locals>.", "")
    except Exception as exc:
        return type(exc).__name__, str(exc).replace("declare.<locals>.", "")


CALLS = {
    "positional": lambda k: k.Text("echo", (1, 2)),
    "keywords": lambda k: k.Text(source="echo", mark=(1,), value="echo", kind="shell"),
    "every positional": lambda k: k.Text("a", (1,), "regex", None, frozenset({"params"})),
    "missing": lambda k: k.Text("echo"),
    "too many": lambda k: k.Text("a", (1,), "plain", None, frozenset(), 6),
    "unknown keyword": lambda k: k.Text("a", (1,), colour=1),
    "twice": lambda k: k.Text("a", (1,), source="b"),
    "factory": lambda k: k.Mutable("m"),
    "factory given": lambda k: k.Mutable("m", [1], note="n"),
    "post_init": lambda k: k.Derived(("a", "b")),
    "post_init keys": lambda k: sorted(k.Derived(("b", "a")).keys),
    "init=False refused": lambda k: k.Derived(("a",), {}, frozenset()),
    "inherited": lambda k: k.Child("s", "k", 3),
    "inherited keywords": lambda k: k.Child(after=1, key="k", statement="s"),
    "nested": lambda k: k.Nested(k.Text("x", (1,))),
    "fields": lambda k: [(f.name, f.type, f.init, f.repr, f.compare) for f in dataclasses.fields(k.Derived)],
    "replace": lambda k: dataclasses.replace(k.Text("a", (1,)), value="b"),
    "replace refused": lambda k: dataclasses.replace(k.Derived(("a",)), keys=frozenset()),
    "replace post_init": lambda k: dataclasses.replace(k.Derived(("a",)), fields=("c",)).keys,
    "asdict": lambda k: dataclasses.asdict(k.Nested(k.Text("x", (1,)), 2)),
    "is_dataclass": lambda k: (dataclasses.is_dataclass(k.Text), dataclasses.is_dataclass(k.Text("a", (1,)))),
    "match_args": lambda k: (k.Text.__match_args__, k.Derived.__match_args__),
    "slots": lambda k: (k.Text.__slots__, k.Child.__slots__, hasattr(k.Text("a", (1,)), "__dict__"), hasattr(k.Derived, "__slots__")),
    "class attributes": lambda k: (k.Text.LIMIT, k.Mutable.note, "items" in vars(k.Mutable), k.Text("a", (1,)).lazy),
    "assign frozen": lambda k: setattr(k.Text("a", (1,)), "value", "x"),
    "delete frozen": lambda k: delattr(k.Text("a", (1,)), "value"),
    "assign frozen, no slots": lambda k: setattr(k.Derived(("a",)), "fields", ()),
    "assign mutable": lambda k: (lambda m: (setattr(m, "name", "n2"), m)[1])(k.Mutable("m")),
    "equal": lambda k: (k.Text("a", (1,)) == k.Text("a", (1,)), k.Text("a", (1,)) == k.Text("a", (2,)), k.Text("a", (1,)) == ("a", (1,))),
    "equal ignores compare=False": lambda k: (k.Mutable("m", note="x") == k.Mutable("m", note="y"), k.Derived(("a",)) == k.Derived(("a",))),
    "equal across classes": lambda k: k.Base("s", "k") == k.Child("s", "k", 1),
    "hash": lambda k: (hash(k.Text("a", (1,))) == hash(("a", (1,), "plain", None, frozenset())), hash(k.Derived(("a",))) == hash((("a",), {}))),
    "hash of one field": lambda k: hash(k.Nested()) == hash((None, 0)),
    "unhashable when mutable": lambda k: hash(k.Mutable("m")),
    "in a set": lambda k: len({k.Text("a", (1,)), k.Text("a", (1,)), k.Text("b", (1,))}),
    "copy": lambda k: (copy.copy(k.Text("a", (1,))), copy.deepcopy(k.Nested(k.Text("x", (1,))))),
    "copy, no slots": lambda k: copy.deepcopy(k.Derived(("a",))).keys,
}


@pytest.mark.parametrize("path", ["bound", "compiled"])
@pytest.mark.parametrize("name", CALLS)
def test_behaves_as_the_standard_dataclass(name: str, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through both ways an object is made: a class's first objects bound by `_first_init` itself, later ones by the
    compiled `__init__` (the classes declared afresh for each call, so each takes the way asked)."""
    if path == "compiled":
        monkeypatch.setattr(lean_dataclass, "BOUND_BEFORE_COMPILING", 0)
    call = CALLS[name]
    assert outcome(lambda: call(declare(lean_dataclass.dataclass))) == outcome(lambda: call(STD))


def test_the_outcomes_compared_are_not_all_errors() -> None:
    """The comparison above would pass for two broken decorators alike: the standard library's results are what we expect."""
    assert outcome(lambda: CALLS["keywords"](LEAN)) == ("ok", "Text(source='echo', mark=(1,), kind='shell', value='echo', uses=frozenset())")
    assert outcome(lambda: CALLS["assign frozen"](LEAN)) == ("FrozenInstanceError", "cannot assign to field 'value'")
    assert outcome(lambda: CALLS["missing"](LEAN)) == ("TypeError", "Text.__init__() missing 1 required positional argument: 'mark'")
    assert outcome(lambda: CALLS["replace"](LEAN))[1] == "Text(source='a', mark=(1,), kind='plain', value='b', uses=frozenset())"


@lean_dataclass.dataclass(frozen=True, slots=True)
class Pickled:
    name: str
    sizes: tuple[int, ...] = ()


def test_pickles_and_unpickles_a_frozen_slotted_object() -> None:
    made = Pickled("a", (1, 2))
    assert pickle.loads(pickle.dumps(made)) == made


def test_a_recursive_repr_ends() -> None:
    @lean_dataclass.dataclass
    class Node:
        children: list[Any]

    node = Node([])
    node.children.append(node)
    assert repr(node).endswith("Node(children=[...])")


def test_refuses_what_the_standard_library_refuses() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        @lean_dataclass.dataclass
        class WithList:
            items: list[int] = []

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @lean_dataclass.dataclass
        class Order:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="cannot inherit"):

        @lean_dataclass.dataclass
        class Thawed(LEAN.Base):  # type: ignore[misc]
            extra: int = 0


def test_refuses_what_it_does_not_support() -> None:
    with pytest.raises(TypeError, match="not supported"):

        @lean_dataclass.dataclass
        class Later:
            hint: dataclasses.InitVar[int]


def test_an_init_is_compiled_once_after_the_first_objects() -> None:
    """Most classes make a few objects in a run (compiling each one's `__init__` was 4.6 ms of `exec`'s start): those are
    bound without compiling; past them (the loader makes thousands of steps), the compiled one takes over, once."""

    @lean_dataclass.dataclass(frozen=True, slots=True)
    class Once:
        a: int
        b: tuple[int, ...] = ()

    first = Once.__init__
    made = [Once(n) for n in range(lean_dataclass.BOUND_BEFORE_COMPILING)]
    assert Once.__init__ is first
    assert made[-1] == Once(lean_dataclass.BOUND_BEFORE_COMPILING - 1, ())
    compiled = Once.__init__
    assert compiled is not first
    Once(2)
    assert Once.__init__ is compiled


def test_a_call_the_binding_refuses_compiles_and_raises_as_the_standard_one() -> None:
    @lean_dataclass.dataclass
    class Pair:
        a: int
        b: int = 0

    first = Pair.__init__
    with pytest.raises(TypeError, match=r"Pair.__init__\(\) got multiple values for argument 'a'"):
        Pair(1, a=2)  # type: ignore[misc]
    assert Pair.__init__ is not first
    assert vars(Pair(1)) == {"a": 1, "b": 0}


def test_the_package_declares_its_dataclasses_with_the_lean_decorator() -> None:
    """`dataclasses.dataclass` compiles six methods per class at import: every module's start-up pays it."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "dataclasses" and any(a.name == "dataclass" for a in node.names):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "dataclass" and isinstance(node.value, ast.Name) and node.value.id == "dataclasses":
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not offenders, f"use runbook_tui.runbook.lean_dataclass.dataclass: {offenders}"
