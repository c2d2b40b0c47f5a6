"""`dataclass` as the standard library's, without compiling six methods from source for every class at import.

`dataclasses.dataclass` writes `__init__`, `__repr__`, `__eq__`, `__hash__`, and for a frozen
class `__setattr__` and `__delattr__`, as Python source and `exec`s it: about half a
millisecond per class, in every process, before the program can do anything (the ~60
classes `runbook-tui exec` imports spent ~40% of its import time there). Here:

- `__repr__`, `__eq__`, `__hash__`, `__setattr__` and `__delattr__` are closures over the
  field names (`operator.attrgetter` for the tuples compared and hashed): nothing is compiled;
- `__init__` is compiled from the same source the standard library writes, on the class's
  first instantiation, and then replaces itself: as fast per object as the standard one (the
  loader makes tens of thousands), paid only by classes a run actually makes.

The classes behave as the standard library's (equality and hashing over the same tuples,
the same `repr`, `FrozenInstanceError`, `__post_init__`, slots, `__match_args__`) and are
dataclasses to `dataclasses.fields`, `replace`, `asdict` and `is_dataclass`. Type checkers
see them through `typing.dataclass_transform` (mypy checks every constructor call's fields
and refuses an assignment to a frozen one). Supported: the options this project uses
(`frozen`, `slots`) and `field(default=, default_factory=, init=, repr=, compare=, hash=)`;
`InitVar`, `KW_ONLY` and `order` are refused with a TypeError rather than half-supported.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import reprlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, Field, FrozenInstanceError, field
from operator import attrgetter
from types import SimpleNamespace
from typing import Any, ClassVar, TypeVar, dataclass_transform, get_origin, overload

__all__ = ["dataclass", "field"]

T = TypeVar("T")

_FIELD: Any = vars(dataclasses)["_FIELD"]  # what `fields()` and `replace()` look for in a Field (not public)
_HAS_DEFAULT_FACTORY = SimpleNamespace()  # an __init__ argument left out: call the field's factory (as the standard one's)


@overload
def dataclass(cls: type[T], /) -> type[T]: ...


@overload
def dataclass(*, frozen: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field, Field))
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = False, slots: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass`, `@dataclass(frozen=True)`, `@dataclass(frozen=True, slots=True)`: as `dataclasses.dataclass`."""

    def wrap(cls: type[T]) -> type[T]:
        return _process(cls, frozen=frozen, slots=slots)

    return wrap if cls is None else wrap(cls)


def _process(cls: type[T], *, frozen: bool, slots: bool) -> type[T]:
    """The class with its fields and methods (made again with `__slots__` when `slots`), as `dataclasses._process_class` leaves it."""
    fields = _fields(cls, frozen)
    own = cls.__dict__
    for name, spec in list(own.items()):
        if isinstance(spec, Field) and name not in fields:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"cannot overwrite __setattr__ or __delattr__ in frozen class {cls.__name__}")
    if slots:
        cls = _with_slots(cls, fields)
    for f in fields.values():  # a plain default stays a class attribute, as the standard library leaves it
        if isinstance(cls.__dict__.get(f.name), Field):
            if f.default is MISSING:
                delattr(cls, f.name)
            else:
                setattr(cls, f.name, f.default)
    names = tuple(fields)
    added: dict[str, Any] = {
        "__dataclass_fields__": fields,
        "__dataclass_params__": SimpleNamespace(init=True, repr=True, eq=True, order=False, unsafe_hash=False, frozen=frozen),
        "__match_args__": tuple(f.name for f in fields.values() if f.init),
        "__init__": _first_init(cls, tuple(fields.values()), frozen),
        "__repr__": _repr([f.name for f in fields.values() if f.repr]),
        "__eq__": _eq(_as_tuple([f.name for f in fields.values() if f.compare])),
    }
    hashed = _as_tuple([f.name for f in fields.values() if (f.compare if f.hash is None else f.hash)])
    if _sets_hash(own):
        added["__hash__"] = _hash(hashed) if frozen else None
    if frozen:
        added["__setattr__"], added["__delattr__"] = _frozen_attributes(cls, frozenset(names))
        if slots:
            added["__getstate__"], added["__setstate__"] = _slots_state(names)
    for name, value in added.items():
        if name not in own or name in ("__dataclass_fields__", "__dataclass_params__", "__hash__"):  # a class's own method is kept
            if callable(value):
                value.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, value)
    return cls


def _fields(cls: type, frozen: bool) -> dict[str, Field[Any]]:
    """The class's fields in order: its dataclass bases' first, then its own annotations (ClassVars are not fields)."""
    fields: dict[str, Field[Any]] = {}
    for base in cls.__mro__[-1:0:-1]:
        inherited = base.__dict__.get("__dataclass_fields__")
        if inherited is not None:
            if base.__dict__["__dataclass_params__"].frozen != frozen:
                raise TypeError(f"cannot inherit {'non-' if frozen else ''}frozen dataclass {base.__name__} in {cls.__name__}")
            fields.update(inherited)
    seen_default = False
    for name, annotation in inspect.get_annotations(cls).items():
        if _is_class_var(annotation):
            continue
        if _refused(annotation):
            raise TypeError(f"{cls.__name__}.{name}: InitVar and KW_ONLY are not supported by lean_dataclass; use dataclasses.dataclass")
        default = cls.__dict__.get(name, MISSING)
        spec: Any = default if isinstance(default, Field) else field(default=default)
        spec.name, spec.type, spec._field_type, spec.kw_only = name, annotation, _FIELD, False
        if spec.default is not MISSING and type(spec.default).__hash__ is None:
            raise ValueError(f"mutable default {type(spec.default)} for field {name} is not allowed: use default_factory")
        fields[name] = spec
    for spec in fields.values():
        if spec.init:
            has_default = spec.default is not MISSING or spec.default_factory is not MISSING
            if seen_default and not has_default:
                raise TypeError(f"non-default argument {spec.name!r} follows default argument")
            seen_default = seen_default or has_default
    return fields


def _is_class_var(annotation: Any) -> bool:
    if isinstance(annotation, str):  # `from __future__ import annotations`: as written
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return annotation is ClassVar or get_origin(annotation) is ClassVar


def _refused(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("InitVar", "dataclasses.InitVar", "KW_ONLY", "dataclasses.KW_ONLY"))
    return isinstance(annotation, dataclasses.InitVar) or annotation is dataclasses.InitVar or annotation is dataclasses.KW_ONLY


def _with_slots(cls: type[T], fields: dict[str, Field[Any]]) -> type[T]:
    """The class made again with `__slots__` for its fields (as the standard library's `slots=True` does)."""
    namespace = dict(cls.__dict__)
    inherited = set(itertools.chain.from_iterable(_slots_of(base) for base in cls.__mro__[1:-1]))
    namespace["__slots__"] = tuple(name for name in fields if name not in inherited)
    for name in fields:
        namespace.pop(name, None)  # defaults live in __init__, not as class attributes the slots would clash with
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    made: type[T] = type.__call__(type(cls), cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _slots_of(cls: type) -> Iterator[str]:
    slots = cls.__dict__.get("__slots__")
    if isinstance(slots, str):
        yield slots
    elif slots is not None:
        yield from slots


def _as_tuple(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple of these attributes (a 1-tuple for one name, as the standard methods compare)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


def _repr(names: list[str]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _sets_hash(own: Any) -> bool:
    """Whether the standard library would set `__hash__` (eq=True): not when the class body defines its own."""
    body_hash = own.get("__hash__", MISSING)
    return body_hash is MISSING or (body_hash is None and "__eq__" in own)


def _hash(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _frozen_attributes(cls: type[Any], names: frozenset[str]) -> tuple[Callable[[Any, str, Any], None], Callable[[Any, str], None]]:
    """The standard library's frozen `__setattr__` and `__delattr__`: refused on the class's own instances and for its fields."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if self.__class__ is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # a subclass's own attribute

    def __delattr__(self: Any, name: str) -> None:
        if self.__class__ is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _slots_state(names: tuple[str, ...]) -> tuple[Callable[[Any], list[Any]], Callable[[Any, Iterable[Any]], None]]:
    """`copy` and `pickle` for a frozen class without `__dict__`: its field values in order, set back past the frozen `__setattr__`."""

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: Iterable[Any]) -> None:
        for name, value in zip(names, state):
            object.__setattr__(self, name, value)

    return __getstate__, __setstate__


#: Objects a class makes through `_first_init`'s own binding before its `__init__` is compiled.
BOUND_BEFORE_COMPILING = 8


def _first_init(cls: type, fields: tuple[Field[Any], ...], frozen: bool) -> Callable[..., None]:
    """An `__init__` that sets the fields itself for a class's first few objects (most classes make no more in a run:
    `exec`'s 29 compilations cost 4.6 ms of its start, bench/README.md session 30); then, and for any call it does not
    bind (a missing, extra or unknown argument: the compiled one raises the standard library's TypeError), it compiles
    the real one, puts it on the class in its place, and runs it."""
    names = tuple(f.name for f in fields if f.init)
    required = frozenset(f.name for f in fields if f.init and f.default is MISSING and f.default_factory is MISSING)
    slotted, post_init = "__slots__" in cls.__dict__, hasattr(cls, "__post_init__")
    assign = object.__setattr__ if frozen else setattr
    made = 0

    def bind(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        """What the compiled `__init__` does, for a call that binds (else False, nothing done): each field in order
        from its argument, its default or its factory, set past a frozen `__setattr__`; then `__post_init__`."""
        if len(args) > len(names) or any(key not in names or key in names[: len(args)] for key in kwargs):
            return False
        given = dict(zip(names, args), **kwargs)
        if not required.issubset(given):
            return False
        for f in fields:
            if f.init and f.name in given:
                assign(self, f.name, given[f.name])
            elif f.default_factory is not MISSING:
                assign(self, f.name, f.default_factory())
            elif f.default is not MISSING and (f.init or slotted):
                assign(self, f.name, f.default)
            # else: not set here, the class attribute (or __post_init__) provides it
        if post_init:
            self.__post_init__()
        return True

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal made
        made += 1
        if made > BOUND_BEFORE_COMPILING or not bind(self, args, kwargs):
            real = _compiled_init(cls, fields, frozen)
            if cls.__dict__.get("__init__") is __init__:
                type.__setattr__(cls, "__init__", real)
            real(self, *args, **kwargs)

    return __init__


def _compiled_init(cls: type, fields: tuple[Field[Any], ...], frozen: bool) -> Callable[..., None]:
    """The `__init__` the standard library would write for these fields: parameters in order with their defaults,
    a factory called for a default left out, assignment past a frozen `__setattr__`, then `__post_init__` if any."""
    values: dict[str, Any] = {"_HAS_DEFAULT_FACTORY": _HAS_DEFAULT_FACTORY, "_object_setattr": object.__setattr__}
    params, body = ["__dataclass_self__"], []
    for f in fields:
        default_name = f"_dflt_{f.name}"
        if f.default_factory is not MISSING:
            values[default_name] = f.default_factory
            value = f"{default_name}() if {f.name} is _HAS_DEFAULT_FACTORY else {f.name}" if f.init else f"{default_name}()"
        elif f.init:
            value = f.name
            if f.default is not MISSING:
                values[default_name] = f.default
        elif f.default is not MISSING and "__slots__" in cls.__dict__:
            values[default_name] = f.default
            value = default_name
        else:
            value = None  # not set here: the class attribute (or __post_init__) provides it
        if f.init:
            default = "" if f.default is MISSING and f.default_factory is MISSING else ("=_HAS_DEFAULT_FACTORY" if f.default is MISSING else f"={default_name}")
            params.append(f"{f.name}{default}")
        if value is not None:
            assign = f"_object_setattr(__dataclass_self__,{f.name!r},{value})" if frozen else f"__dataclass_self__.{f.name}={value}"
            body.append(f"  {assign}")
    if hasattr(cls, "__post_init__"):
        body.append("  __dataclass_self__.__post_init__()")
    source = f"def __create_fn__({', '.join(values)}):\n def __init__({','.join(params)}):\n{chr(10).join(body) or '  pass'}\n return __init__"
    namespace: dict[str, Any] = {}
    exec(source, {}, namespace)  # our own field names and defaults by name, as the standard library's
    init: Callable[..., None] = namespace["__create_fn__"](**values)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
