"""A Jinja sandbox whose templates cost bounded time and memory.

`{{ 9**(9**10) }}`, `'a' * 3000000000`, `'%2000000000s' % 1`, nested
`range(100000)` loops, exponential macro recursion, `'a'.ljust(1000000000)`,
`s | replace('', s)`, `s ~ s ~ ...` and a thousand-line loop of big values
would hang or exhaust the machine at load. Every power, repetition,
formatting or padding width, replacement, join, loop iteration, call,
concatenation and the rendered text are checked against a budget per render;
over it, the render stops with `TemplateCost`, which `templating` reports at
the string's position. A template nested deeper than 64 levels is a syntax
error (Jinja's compiler would recurse past Python's limit).
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import do_batch as _BATCH
from jinja2.filters import do_indent as _INDENT
from jinja2.filters import do_pprint as _PPRINT
from jinja2.filters import do_replace as _REPLACE
from jinja2.filters import do_tojson as _TOJSON
from jinja2.filters import sync_do_join as _JOIN
from jinja2.filters import sync_do_slice as _SLICE
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import soft_str as _STRING

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass

#: Largest text or list one operation may build.
MAX_SIZE = 1_000_000
#: Characters and items all the operations of one render may build together.
MAX_BUILT = 10 * MAX_SIZE
#: Largest integer (in bits) a power or product may build.
MAX_BITS = 4096
#: Loop iterations plus calls per render.
MAX_STEPS = 1_000_000
#: Seconds one render may take.
MAX_SECONDS = 2.0
#: Widest field or precision a format may ask for.
MAX_WIDTH = 10_000
#: Deepest nesting of expressions, filters and blocks a template may have (as YAML's 64 levels).
MAX_NESTING = 64

_ITER = "__rbt_iter"
_CONCAT = "__rbt_concat"
#: String methods that pad to the width given as their first argument.
_PADDING_METHODS = frozenset({"ljust", "rjust", "center", "zfill"})
_PERCENT_SPEC = lazy_re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_SPEC = lazy_re.compile(r"\{[^{}]*?:[^{}]*?\}")
_NESTED_FIELD = lazy_re.compile(r"\{[^{}]*:[^{}]*\{")


class TemplateCost(ValueError):
    """A template asked for more time or memory than a runbook string may take."""


@dataclass
class _Budget:
    steps: int = 0
    deadline: float = 0.0
    built: int = 0


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def start_budget() -> contextvars.Token[_Budget | None]:
    return _budget.set(_Budget(0, time.monotonic() + MAX_SECONDS, 0))


def end_budget(token: contextvars.Token[_Budget | None]) -> None:
    _budget.reset(token)


def _tick(count: int = 1, built: int = 0) -> None:
    """`count` loop iterations or calls, and `built` items built, spent from the render's budget."""
    budget = _budget.get()
    if budget is None:
        return
    budget.steps += count
    budget.built += built
    if budget.built > MAX_BUILT:
        raise TemplateCost(f"the template builds more than {MAX_BUILT} items in all")
    if budget.steps > MAX_STEPS:
        raise TemplateCost(f"the template takes more than {MAX_STEPS} loop iterations and calls")
    if budget.steps % 1024 == 0:
        _check_deadline(budget)


def _check_deadline(budget: _Budget | None) -> None:
    if budget is not None and time.monotonic() > budget.deadline:
        raise TemplateCost(f"the template takes longer than {MAX_SECONDS:g} seconds to render")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        yield item


def _check_size(size: int) -> None:
    if size > MAX_SIZE:
        raise TemplateCost(f"the template builds a value of {size} items; the limit is {MAX_SIZE}")


def _spend(size: int) -> None:
    """An operation about to build a value of `size` items: checked alone, then against what the render built so far."""
    _check_size(size)
    _tick(0, size)


def _weight(value: Any) -> int:
    """Items a value holds, each character of its texts counted, down to its deepest list; counting stops past the limit.

    `[s] * 1000` is 1000 items, but as text (`{{ [s] * 1000 }}`) it is 1000 copies of `s`.
    """
    total = 0
    pending = [value]
    while pending and total <= MAX_SIZE:
        item = pending.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, (list, tuple)):
            total += len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            total += len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            total += 1
    return total


def _refuse_code(value: Any) -> None:
    """A function or method never becomes text (`'%s'|format(range)`, `x.upper|e` printed `<function … at 0x7f…>`):
    refused wherever it stands in the value, down to the limit `_weight` counts to."""
    pending = [value]
    seen = 0
    budget = _budget.get()
    while pending and seen <= MAX_SIZE:
        item = pending.pop()
        seen += 1
        if seen % 4096 == 0:  # a big list walked at every call of a loop: the render's time limit still holds
            _check_deadline(budget)
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif callable(item) and not isinstance(item, (Undefined, str)):
            raise SecurityError("a template can use a function only by calling it (range(3), x.upper()), not as a value")


def _data_only(name: str, apply: Callable[..., Any]) -> Callable[..., Any]:
    """The filter, refusing a function among its value and arguments (it would print its repr, or call nothing)."""
    skip = 1 if getattr(apply, "jinja_pass_arg", None) is not None else 0  # the context or environment Jinja passes first

    @functools.wraps(apply)  # keeps `jinja_pass_arg`
    def checked(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[skip:], *kwargs.values()):
            _refuse_code(value)
        return apply(*args, **kwargs)

    return checked


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
        size = _weight(seq) if isinstance(seq, (list, tuple)) else _sized(seq)
        if size is not None and isinstance(count, int):
            _spend(size * max(count, 0))
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise TemplateCost(f"a product larger than {MAX_BITS} bits is refused")
    return left * right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left)
        _check_text_of(*(right if isinstance(right, tuple) else (right,)))
    return left % right


def _plus(left: Any, right: Any) -> Any:
    a, b = (_weight(x) if isinstance(x, (list, tuple)) else _sized(x) for x in (left, right))
    if a is not None and b is not None:
        _spend(a + b)
    return left + right


_BINOPS = {"**": _power, "*": _times, "%": _modulo, "+": _plus}


def _bounded_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    _check_size(len(numbers))  # lazy: nothing is built
    return _counted(numbers)


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    _check_format(text)
    _check_text_of(*args, *kwargs.values())
    return text % (kwargs or args)


def _center_filter(value: Any, width: int = 80) -> str:
    if int(width) > MAX_WIDTH:
        raise TemplateCost(f"center({width}) is wider than {MAX_WIDTH}")
    text = str(value)
    _spend(max(len(text), int(width)))
    return text.center(int(width))


def _indent_filter(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    if isinstance(width, int) and width > MAX_WIDTH:
        raise TemplateCost(f"indent({width}) is wider than {MAX_WIDTH}")
    text = str(value)
    indent_size = len(width) if isinstance(width, str) else int(width)
    _spend(len(text) + max(indent_size, 0) * (text.count("\n") + 1))
    return str(_INDENT(value, width, first, blank))


def _replaced_size(text: str | bytes, old: Any, new: Any, count: Any = -1) -> int:
    """The length `text.replace(old, new, count)` would have (an empty `old` matches between every two characters)."""
    if not isinstance(old, (str, bytes)) or not isinstance(new, (str, bytes)):
        return len(text)  # replace itself refuses these
    found = len(text) + 1 if not old else text.count(old)  # type: ignore[arg-type]
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _joined_size(separator: str | bytes, items: Any) -> int:
    if not isinstance(items, (list, tuple)):
        return 0  # an iterator: its items were bounded as they were built
    texts = [item for item in items if isinstance(item, (str, bytes))]
    return sum(map(len, texts)) + len(separator) * max(len(items) - 1, 0)


def _check_string_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """`'a'.ljust(1000000000)`, `'\t'.expandtabs(...)`, `s.replace('', s)`: refused before the text is built."""
    text = getattr(method, "__self__", None)
    if not isinstance(text, (str, bytes)):
        return
    name = getattr(method, "__name__", "")
    if name in _PADDING_METHODS and args and isinstance(args[0], int):
        if args[0] > MAX_WIDTH:
            raise TemplateCost(f"{name}({args[0]}) is wider than {MAX_WIDTH}")
        _spend(max(len(text), args[0]))
    elif name == "expandtabs":
        tab_size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(tab_size, int):
            _spend(len(text) + text.count("\t" if isinstance(text, str) else b"\t") * max(tab_size, 0))  # type: ignore[arg-type]
    elif name == "replace":
        _spend(_replaced_size(text, *args, **kwargs))
    elif name == "join" and args:
        _spend(_joined_size(text, args[0]))
    elif name == "translate" and args and isinstance(args[0], dict) and isinstance(text, str):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        _spend(len(text) * longest)


@pass_eval_context
def _replace_filter(eval_ctx: EvalContext, value: Any, old: Any, new: Any, count: int | None = None) -> str:
    _spend(_replaced_size(str(value), str(old), str(new), -1 if count is None else count))
    return str(_REPLACE(eval_ctx, value, old, new, count))


@pass_eval_context
def _join_filter(eval_ctx: EvalContext, value: Any, separator: str = "", attribute: Any = None) -> str:
    items = list(_counted(value))
    _check_text_of(*items)
    _spend(_joined_size(str(separator), items))
    return str(_JOIN(eval_ctx, items, separator, attribute))


def _slice_filter(value: Any, slices: int, fill_with: Any = None) -> Iterator[list[Any]]:
    _spend(int(slices) * (1 if fill_with is None else _weight(fill_with)))
    return _SLICE(value, slices, fill_with)


def _batch_filter(value: Any, line_count: int, fill_with: Any = None) -> Iterator[list[Any]]:
    _spend(int(line_count) * (1 if fill_with is None else _weight(fill_with)))
    return _BATCH(value, line_count, fill_with)


@pass_eval_context
def _tojson_filter(eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Any:
    if isinstance(indent, int) and indent > MAX_WIDTH:
        raise TemplateCost(f"tojson({indent}) is wider than {MAX_WIDTH}")
    _check_text_of(value)
    return _TOJSON(eval_ctx, value, indent)


def bounded_concat(parts: Iterable[str]) -> str:
    """Jinja's `concat` (a render's output, a `{% set %}` block's, a macro's), stopped once it grows past the limit."""
    texts: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MAX_SIZE:
            raise TemplateCost(f"the template renders more than {MAX_SIZE} characters")
        texts.append(part)
    return "".join(texts)


def _check_text_of(*values: Any) -> None:
    """Values about to become text: never a function; a list's text counts every copy of what it holds (`[s] * 300` is
    300 copies of `s`)."""
    for value in values:
        _refuse_code(value)
        if isinstance(value, (list, tuple, dict)):
            _spend(_weight(value))


def _string_filter(value: Any) -> str:
    _check_text_of(value)
    return str(_STRING(value))


def _pprint_filter(value: Any) -> str:
    _check_text_of(value)
    return _PPRINT(value)


def _concat(*values: Any) -> str:
    """`a ~ b ~ c`."""
    _check_text_of(*values)
    return bounded_concat(str(value) for value in values)


def _nesting_error(line: int, name: str | None, filename: str | None) -> TemplateSyntaxError:
    message = f"the template nests deeper than {MAX_NESTING} levels (brackets, operators, filters, blocks); expected at most {MAX_NESTING}"
    return TemplateSyntaxError(message, line, name, filename)


def _check_nesting(tree: nodes.Template, name: str | None, filename: str | None) -> None:
    """Without recursion: Jinja's compiler recurses once per level and would raise RecursionError."""
    pending: list[tuple[nodes.Node, int]] = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_NESTING:
            raise _nesting_error(node.lineno or 1, name, filename)
        pending.extend((child, depth + 1) for child in node.iter_child_nodes())


#: Tags that read another template by name: a runbook's strings have no files to read (Jinja said "no loader").
_OTHER_FILES = {nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import"}


def _refuse_other_files(tree: nodes.Template, name: str | None, filename: str | None) -> None:
    for node in tree.find_all(tuple(_OTHER_FILES)):
        tag = _OTHER_FILES[type(node)]
        raise TemplateSyntaxError(
            f"{{% {tag} %}} reads another template, and a runbook's text has none to read; write the text in place (a {{% macro %}} for a repeated piece)",
            node.lineno,
            name,
            filename,
        )


class _Bounding(NodeTransformer):
    """Every `{% for %}` iterates through a counter, so loops spend the budget; every `~` is a bounded concatenation."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name(_ITER, "load"), [node.iter], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(nodes.Name(_CONCAT, "load"), node.nodes, [], None, None, lineno=node.lineno)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with each costly operation checked against a per-render budget."""

    intercepted_binops = frozenset(_BINOPS)
    concat = staticmethod(bounded_concat)
    #: Filters a template may only write as `| name`, never name in a string (`map('raw')`); set by the user of the sandbox.
    written_only_filters: frozenset[str] = frozenset()

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals[_ITER] = _counted
        self.globals[_CONCAT] = _concat
        self.filters["format"] = _format_filter
        self.filters["center"] = _center_filter
        self.filters["indent"] = _indent_filter
        self.filters["replace"] = _replace_filter
        self.filters["join"] = _join_filter
        self.filters["slice"] = _slice_filter
        self.filters["batch"] = _batch_filter
        self.filters["tojson"] = _tojson_filter
        self.filters["string"] = _string_filter
        self.filters["pprint"] = _pprint_filter
        for name, apply in self.filters.items():
            self.filters[name] = _data_only(name, apply)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _BINOPS[operator](left, right)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        for size in (_sized(a) for a in args):
            if size is not None:
                _check_size(size)
        _check_string_method(obj, args, kwargs)
        return super().call(context, obj, *args, **kwargs)

    def call_filter(self, name: str, value: Any, args: Any = None, kwargs: Any = None, context: Any = None, eval_ctx: Any = None) -> Any:
        """A filter named by a string (`map('raw')`, `map('r' ~ 'aw')`): never one that must be seen where it is used."""
        if name in self.written_only_filters:
            raise SecurityError(f"the filter '{name}' can only be written as '| {name}', not named in map() or another filter's argument")
        return super().call_filter(name, value, args, kwargs, context, eval_ctx)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'{:2000000000}'.format(1)`: the format string is checked before it formats anything, and so are its values."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        _check_brace_format(value.__self__)

        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_text_of(*args, *kwargs.values())
            return wrapper(*args, **kwargs)

        return bounded

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parsed, refused when nested too deeply, then every loop counted and every `~` bounded (see `_Bounding`)."""
        try:
            tree = super()._parse(source, name, filename)
        except RecursionError:
            raise _nesting_error(1, name, filename) from None  # Jinja's parser recursed too deeply: brackets, `not`, `-`, blocks
        _check_nesting(tree, name, filename)
        _refuse_other_files(tree, name, filename)
        bounded = _Bounding().visit(tree)
        bounded.set_environment(self)
        return bounded  # type: ignore[no-any-return]
