"""A Jinja sandbox whose templates cost bounded time and memory.

`{{ 9**(9**10) }}`, `'a' * 3000000000`, `'%2000000000s' % 1`, nested
`range(100000)` loops and exponential macro recursion would hang or exhaust
the machine at load. Every power, repetition, formatting width, loop
iteration and call is checked against a budget per render; over it, the
render stops with `TemplateCost`, which `templating` reports at the string's
position.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.filters import do_indent as _INDENT
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runbook_tui.runbook.lean_dataclass import dataclass

#: Largest text or list one operation may build.
MAX_SIZE = 1_000_000
#: Largest integer (in bits) a power or product may build.
MAX_BITS = 4096
#: Loop iterations plus calls per render.
MAX_STEPS = 1_000_000
#: Seconds one render may take.
MAX_SECONDS = 2.0
#: Widest field or precision a format may ask for.
MAX_WIDTH = 10_000

_ITER = "__rbt_iter"
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:[^{}]*?\}")
_NESTED_FIELD = re.compile(r"\{[^{}]*:[^{}]*\{")


class TemplateCost(ValueError):
    """A template asked for more time or memory than a runbook string may take."""


@dataclass
class _Budget:
    steps: int = 0
    deadline: float = 0.0


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def start_budget() -> contextvars.Token[_Budget | None]:
    return _budget.set(_Budget(0, time.monotonic() + MAX_SECONDS))


def end_budget(token: contextvars.Token[_Budget | None]) -> None:
    _budget.reset(token)


def _tick(count: int = 1) -> None:
    budget = _budget.get()
    if budget is None:
        return
    budget.steps += count
    if budget.steps > MAX_STEPS:
        raise TemplateCost(f"the template takes more than {MAX_STEPS} loop iterations and calls")
    if budget.steps % 1024 == 0 and time.monotonic() > budget.deadline:
        raise TemplateCost(f"the template takes longer than {MAX_SECONDS:g} seconds to render")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        yield item


def _check_size(size: int) -> None:
    if size > MAX_SIZE:
        raise TemplateCost(f"the template builds a value of {size} items; the limit is {MAX_SIZE}")


def _check_format(spec: str) -> None:
    for match in _PERCENT_SPEC.finditer(spec):
        for number in match.groups():
            if number == "*" or (number is not None and int(number) > MAX_WIDTH):
                raise TemplateCost(f"a format width or precision over {MAX_WIDTH} (or '*') is refused")


def _check_brace_format(spec: str) -> None:
    if _NESTED_FIELD.search(spec):
        raise TemplateCost("a format width given by another field ('{:{}}') is refused")
    for field in _BRACE_SPEC.findall(spec):
        for number in re.findall(r"\d+", field.split(":", 1)[1]):
            if int(number) > MAX_WIDTH:
                raise TemplateCost(f"a format width or precision over {MAX_WIDTH} is refused")


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 and right * abs(left).bit_length() > MAX_BITS:
        raise TemplateCost(f"{left} ** {right} is larger than {MAX_BITS} bits")
    if isinstance(left, float) or isinstance(right, float):
        try:
            return float(left) ** float(right)
        except OverflowError:
            raise TemplateCost(f"{left} ** {right} overflows") from None
    return left**right


def _times(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        size = _sized(seq)
        if size is not None and isinstance(count, int):
            _check_size(size * max(count, 0))
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise TemplateCost(f"a product larger than {MAX_BITS} bits is refused")
    return left * right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left)
    return left % right


def _plus(left: Any, right: Any) -> Any:
    a, b = _sized(left), _sized(right)
    if a is not None and b is not None:
        _check_size(a + b)
    return left + right


_BINOPS = {"**": _power, "*": _times, "%": _modulo, "+": _plus}


def _bounded_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    _check_size(len(numbers))
    return _counted(numbers)


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    _check_format(text)
    return text % (kwargs or args)


def _center_filter(value: Any, width: int = 80) -> str:
    if int(width) > MAX_WIDTH:
        raise TemplateCost(f"center({width}) is wider than {MAX_WIDTH}")
    return str(value).center(int(width))


def _indent_filter(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    if isinstance(width, int) and width > MAX_WIDTH:
        raise TemplateCost(f"indent({width}) is wider than {MAX_WIDTH}")
    if isinstance(width, str):
        _check_size(len(width) * (str(value).count("\n") + 1))
    return str(_INDENT(value, width, first, blank))


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with each costly operation checked against a per-render budget."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals[_ITER] = _counted
        self.filters["format"] = _format_filter
        self.filters["center"] = _center_filter
        self.filters["indent"] = _indent_filter

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _BINOPS[operator](left, right)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        for size in (_sized(a) for a in args):
            if size is not None:
                _check_size(size)
        return super().call(context, obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'{:2000000000}'.format(1)`: the format string is checked before it formats anything."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        _check_brace_format(value.__self__)
        return wrapper

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every `{% for %}` iterates through a counter, so loops spend the budget too."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_ITER, "load"), [loop.iter], [], None, None, lineno=loop.lineno)
        return tree
