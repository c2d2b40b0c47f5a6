"""Jinja's side of templating: the three sandboxed environments, parsing and compiled renders.

`templating` imports this module only for a template that is not simple, so
a runbook whose strings are plain `{{ name }}` substitutions never loads Jinja.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from difflib import get_close_matches
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, meta, nodes, pass_context

from runbook_tui.runbook.model import TextKind
from runbook_tui.runbook.shell_values import shq
from runbook_tui.runbook.template_sandbox import BoundedSandbox, TemplateCost, end_budget, start_budget
from runbook_tui.runbook.template_segments import ShellRefused, marked_source
from runbook_tui.runbook.templating import (
    GLOBALS,
    Analysis,
    Reference,
    TemplateError,
    _marked_finalize,
    _plain_finalize,
    _raw,
    _record,
    _regex_finalize,
    _shell_finalize,
    _to_text,
    render_failure,
)


def _defined(value: Any) -> Any:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _environment(finalize: Callable[[Any], str]) -> BoundedSandbox:
    env = BoundedSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["raw"] = _raw
    # Only where it is written, `| raw`, does validate see it and warn; `map('raw')` would hide it.
    env.written_only_filters = frozenset({"raw", "__rbt_value"})
    env.filters["shq"] = lambda value: shq(value, _to_text)
    # Taking the context keeps Jinja from folding `{{ true }}` into the compiled template: the value must be
    # recorded at every render, not once at compile time (a cached template then ran a bare marker).
    env.filters["__rbt_value"] = pass_context(lambda _context, value: _record(_defined(value)))
    # Keep the globals to the harmless ones; a runbook has no use for the others.
    # `dict` and `namespace` are classes: printed, they show Python internals, and as globals they
    # hid an undeclared `{{ namespace }}` from validation.
    for name in ("lipsum", "cycler", "joiner", "dict", "namespace"):
        env.globals.pop(name, None)
    for name, refusal in _BY_CHANCE.items():  # named in a string too (`map('random')`): refused as it renders
        env.filters[name] = _refused(refusal)
    return env


def _refused(refusal: str) -> Callable[..., Any]:
    def refuse(*_: Any, **__: Any) -> Any:
        raise TemplateError(refusal)

    return refuse


#: Filters whose result differs at each render: the text people read (plan, step_ready, the verifier's go-ahead)
#: is rendered apart from the one the shell runs, so they would differ.
_BY_CHANCE = {
    "random": (
        "the filter 'random' picks anew each time the text renders, so the plan, what the verifier approves and what"
        " runs would differ; expected a parameter (type: choice) or the value written out"
    ),
}


ENVIRONMENTS: dict[TextKind, BoundedSandbox] = {
    "plain": _environment(_plain_finalize),
    "shell": _environment(_shell_finalize),
    "regex": _environment(_regex_finalize),
    "promql": _environment(_marked_finalize),
    "url": _environment(_marked_finalize),
}
ENVIRONMENTS["folder"] = ENVIRONMENTS["plain"]  # a step's cwd renders as plain text; templating checks its values


def analysis(source: str) -> Analysis:
    """Which names a template uses and where, by Jinja's parser; raises TemplateError on a syntax error."""
    try:
        tree = ENVIRONMENTS["plain"].parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", exc.lineno or 1) from None
    _check_known(tree)
    _check_secrets_kept(tree)
    # `self` is Jinja's own (the template's blocks), never undeclared to it: it printed `<TemplateReference None>`.
    selves = {"self"} if any(node.name == "self" and node.ctx == "load" for node in tree.find_all(nodes.Name)) else set()
    roots = frozenset(meta.find_undeclared_variables(tree) - GLOBALS) | selves
    references: list[Reference] = []
    seen_attr_nodes: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, (nodes.Getattr, nodes.Getitem))  # what find_all was asked for; narrows the type
        target = node.node
        if not isinstance(target, nodes.Name) or target.name not in roots:
            continue
        if isinstance(node, nodes.Getattr):
            attr: str | None = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            attr = node.arg.value
        else:
            attr = None  # a computed key: checked at render time
        references.append(Reference(target.name, attr, node.lineno))
        seen_attr_nodes.add(id(target))
    for name_node in tree.find_all(nodes.Name):
        if name_node.ctx == "load" and name_node.name in roots and id(name_node) not in seen_attr_nodes:
            references.append(Reference(name_node.name, None, name_node.lineno))
    raw_lines = tuple(f.lineno for f in tree.find_all(nodes.Filter) if f.name == "raw")
    whole = tuple(
        Reference(node.name, None, node.lineno)
        for output in tree.find_all(nodes.Output)
        for node in output.nodes
        if isinstance(node, nodes.Name) and node.name in roots
    )
    return Analysis(roots, tuple(references), raw_lines, whole)


def _check_known(tree: nodes.Template) -> None:
    """Every filter and test the template names exists (Jinja's compiler would raise a bare assertion error)."""
    environment = ENVIRONMENTS["plain"]
    for kind, node_type, known in (("filter", nodes.Filter, environment.filters), ("test", nodes.Test, environment.tests)):
        for node in tree.find_all(node_type):
            assert isinstance(node, (nodes.Filter, nodes.Test))  # what find_all was asked for; narrows the type
            if kind == "filter" and node.name in _BY_CHANCE:
                raise TemplateError(_BY_CHANCE[node.name], node.lineno)
            if node.name not in known:
                raise TemplateError(f"unknown {kind} '{node.name}'{_close_names(node.name, known)}", node.lineno)


#: Filters after which a secret's text is still whole in what they make, so the masking of output still finds it.
_KEEPING_FILTERS = frozenset({"raw", "shq", "string", "default", "d", "urlencode", "tojson"})  # (encodings masked too)
#: Nodes whose value holds a secret's text whole when a part of it does (joined, chosen between, printed, a branch).
_PASSING = (nodes.Template, nodes.Output, nodes.If, nodes.For, nodes.Concat, nodes.CondExpr, nodes.And, nodes.Or, nodes.Add,
            nodes.Mod, nodes.Keyword)  # fmt: skip
#: Nodes whose value is true or false: nothing of a secret's text.
_BOOLEAN = (nodes.Compare, nodes.Operand, nodes.Test, nodes.Not)
#: The sandbox's calls: `~` joins (its text stays whole), a `{% for %}` loop's iterable (a loop takes the text apart).
_JOINS, _LOOPS = "__rbt_concat", "__rbt_iter"


def _check_secrets_kept(tree: nodes.Template) -> None:
    """A secret is inserted as its own text: output and journals mask that text (and its encodings), never a text
    made from it, so `{{ secrets.tok | upper }}`, `| reverse | join`, `[0]`, `.split()`, a loop over it or a
    `{% filter upper %}` around it would print the secret readable; each is refused at its line."""
    _carried(tree)


def _carried(node: nodes.Node) -> str | None:
    """The secret (`secrets.NAME`) whose whole text `node`'s value holds, or None; raises where one is made over."""
    name = _secret_named(node)
    if name is not None:
        return name
    carried = [(child, found) for child in node.iter_child_nodes() if (found := _carried(child)) is not None]
    if not carried:
        return None
    child, name = carried[0]
    if isinstance(node, _BOOLEAN):
        return None
    callee = node.node.name if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) else None
    if isinstance(node, _PASSING) or callee == _JOINS:
        return name
    if isinstance(node, nodes.Filter) and node.node is child:
        return name if node.name in _KEEPING_FILTERS else _made_over(name, f"the filter '{node.name}'", child)
    if isinstance(node, nodes.FilterBlock):
        return name if node.filter.name in _KEEPING_FILTERS else _made_over(name, f"the filter '{node.filter.name}'", child)
    if isinstance(node, (nodes.Filter, nodes.Call, nodes.Getitem)) and callee != _LOOPS and node.node is not child:
        return name  # an argument or a key: the value goes in whole, and what is made with it may hold it
    return _made_over(name, "a method, index, loop or variable", child)


def _made_over(name: str, what: str, where: nodes.Node) -> str:
    raise TemplateError(
        f"'{name}' goes through {what} here: only a secret's own text is masked (***) in output and the journal; expected {{{{ {name} }}}} inserted as it is",
        where.lineno,
    )


def _secret_named(node: nodes.Node) -> str | None:
    """`secrets.NAME` (or `secrets['NAME']`) for a node reading one secret, `secrets` for the mapping itself."""
    if isinstance(node, (nodes.Getattr, nodes.Getitem)) and isinstance(node.node, nodes.Name) and node.node.name == "secrets":
        key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", "?")
        return f"secrets.{key}"
    if isinstance(node, nodes.Name) and node.name == "secrets" and node.ctx == "load":
        return "secrets"
    return None


def _close_names(name: str, known: Iterable[str]) -> str:
    close = get_close_matches(name, [k for k in known if not k.startswith("_")], n=3)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


@lru_cache(maxsize=8192)
def _compiled(source: str, kind: TextKind) -> Any:
    if kind == "shell":
        try:
            return ENVIRONMENTS[kind].from_string(marked_source(source))
        except ShellRefused as exc:
            raise TemplateError(str(exc)) from None
    return ENVIRONMENTS[kind].from_string(source)


def render(source: str, kind: TextKind, context: Mapping[str, Any]) -> str:
    """A template that is not simple, rendered by Jinja within the budget of time and memory."""
    budget = start_budget()
    try:
        return str(_compiled(source, kind).render(context))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", exc.lineno or 1) from None
    except TemplateCost as exc:
        raise TemplateError(str(exc)) from None
    except Exception as exc:
        raise render_failure(exc) from None
    finally:
        end_budget(budget)
