"""Read a runbook's `params:`: each declaration checked at its place, then the defaults rendered and the values bound."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook.bounded_search import compile_problem
from runbook_tui.runbook.diagnostics import shown
from runbook_tui.runbook.document import YList, YMap
from runbook_tui.runbook.fields import describe
from runbook_tui.runbook.load_base import IDENT, PARAM_KEYS, PARAM_TYPES, ReaderBase
from runbook_tui.runbook.model import Mark, Param, Text
from runbook_tui.runbook.params import ParamError, bind, convert, templated_default
from runbook_tui.runbook.templating import JINJA_NAMES, ROOTS, TemplateError, analyse, base_context, is_template
from runbook_tui.runbook.texts import Names, Scope

#: What each key of a declaration takes instead of a template (`default` alone renders, from earlier parameters).
_PLAIN_KEYS = {
    "type": f"one of {', '.join(PARAM_TYPES)}",
    "required": "true or false",
    "min": "a plain number",
    "max": "a plain number",
    "pattern": "a regular expression written out",
    "choices": "each choice written out",
    "description": "plain text (it is shown on the form before any parameter has a value)",
}


class ParamsReader(ReaderBase):
    def _params(self, root: YMap) -> tuple[Param, ...]:
        f = self.fields
        params = []
        for name, value, key_mark, value_mark in self._entries(root, "params", "params: name -> declaration"):
            if not IDENT.fullmatch(name) or name in ROOTS:
                self.diags.error(
                    key_mark, f"parameter name '{name}': expected a name like to_version ([A-Za-z_][A-Za-z0-9_]*) that is not one of {', '.join(sorted(ROOTS))}"
                )
                continue
            if name in JINJA_NAMES:
                self.diags.warning(key_mark, f"parameter name '{name}' is a name Jinja keeps: write params.{name} in templates (a bare {name} is Jinja's own)")
            m = f.mapping(value, value_mark, f"parameter '{name}'")
            if m is None:
                continue
            f.keys(m, f"parameter '{name}'", PARAM_KEYS, T.PARAM.required)
            templated = self._templated_keys(m, name)
            kind = f.choice(m, "type", PARAM_TYPES, "string")
            choices = tuple(self._as_written(m, "choices"))
            if kind == "choice" and not choices and not isinstance(m.get("choices"), str):  # (a string: said as not a list)
                self.diags.error(m.mark, f"parameter '{name}' of type choice: expected a non-empty 'choices' list")
            self._choices_one_each(m, name, choices)
            pattern = None if "pattern" in templated else m.get("pattern")
            if "pattern" in m and "pattern" not in templated and type(pattern) is not str:
                self.diags.error(m.value_mark("pattern"), f"'pattern': expected a regular expression in a string, got {describe(pattern)}")
                pattern = None
            if pattern is not None and (problem := compile_problem(pattern)) is not None:
                self.diags.error(m.value_mark("pattern"), f"'pattern': expected a regular expression: {problem}")
                pattern = None
            param = Param(
                name=name,
                type=kind,
                mark=key_mark,
                description=f.string(m, "description", "") or "",
                required=f.boolean(m, "required"),
                choices=choices,
                pattern=pattern,
                min=f.number(m, "min"),
                max=f.number(m, "max"),
            )
            self._limits_fit(m, param)
            default = m.get("default")
            if default is not None:  # read as `-p NAME=TEXT` reads the text: `0644` is 644 for an int too (YAML 1.1 said 420)
                default = self._as_written(m, "default") if isinstance(default, YList) else m.as_written("default")
            if default is not None and not templated_default(default):  # a template is checked once rendered
                try:
                    default = convert(param, default)
                except ParamError as exc:
                    self.diags.error(default_mark(m, exc.item), f"default: {exc}")
                    default = None
            params.append(replace(param, default=default))
        return tuple(params)

    def _templated_keys(self, m: YMap, name: str) -> frozenset[str]:
        """The keys of a declaration written as templates, each refused at its place: a declaration is read before
        any parameter has a value (`min: "{{ 5 }}"` rendered to nothing and the bound was dropped without a word)."""
        found = set()
        for key, expected in _PLAIN_KEYS.items():
            value = m.get(key)
            items = list(zip(value, value.item_marks, strict=True)) if isinstance(value, YList) else [(value, m.value_mark(key))]
            where = next((mark for item, mark in items if isinstance(item, str) and is_template(item)), None)
            if where is not None:
                self.diags.error(
                    where, f"parameter '{name}': '{key}' is read before any parameter has a value, so it cannot be a template; expected {expected}"
                )
                found.add(key)
        return frozenset(found)

    def _limits_fit(self, m: YMap, param: Param) -> None:
        """A limit the type never checks is refused: `type: string` with `choices:` would take any value."""
        checked = {"choices": ("choice",), "min": ("int", "float"), "max": ("int", "float")}
        for key, kinds in checked.items():
            if key in m and param.type not in kinds:
                self.diags.error(
                    m.key_mark(key),
                    f"parameter '{param.name}': '{key}' is never checked for type {param.type}; expected type {' or '.join(kinds)} with it, or no {key}",
                )
        if param.min is not None and param.max is not None and param.min > param.max:
            self.diags.error(m.value_mark("max"), f"parameter '{param.name}': 'max' is below 'min'; expected max >= min (no value would fit)")

    def _render_defaults(self, root: YMap, params: tuple[Param, ...], given: dict[str, Any]) -> tuple[Param, ...]:
        """A default is a string value, so a template: `backup: {default: "{{ cluster }}-backup"}` renders from the
        parameters declared before it (it ran as the literal text `{{ cluster }}-backup`). A value given is data."""
        self.texts.names = Names(frozenset(p.name for p in params), declared_names(root, "secrets"))
        earlier: dict[str, Any] = {}  # the values of the parameters before this one (those that have one)
        seen: set[str] = set()
        rendered: list[Param] = []
        for param in params:
            if param.name not in given and templated_default(param.default):
                declaration = root["params"][param.name]
                self.texts.context = base_context(earlier, None)
                items = param.default if isinstance(param.default, list) else [param.default]
                texts = [
                    self._default_text(str(item), default_mark(declaration, index if isinstance(param.default, list) else None), param.name, seen, earlier)
                    for index, item in enumerate(items)
                ]
                values = [t.value for t in texts if t is not None and t.value is not None]
                param = replace(param, default=(values if isinstance(param.default, list) else values[0]) if len(values) == len(items) else None)
            rendered.append(param)
            seen.add(param.name)
            try:
                earlier[param.name] = convert(param, given[param.name] if param.name in given else param.default)
            except (ParamError, KeyError):
                pass  # bind says what is wrong with it
        return tuple(rendered)

    def _default_text(self, source: str, mark: Mark, name: str, seen: set[str], earlier: dict[str, Any]) -> Text | None:
        try:
            uses = analyse(source).roots & self.texts.names.params
        except TemplateError:
            uses = frozenset()  # the Text below says what is wrong with the template
        if uses - seen:
            self.diags.error(mark, f"default of '{name}': {', '.join(sorted(uses - seen))} is declared after it; expected parameters declared before it")
            return None
        if uses - set(earlier):
            return None  # a parameter it uses has no value: its own error says why
        return self.texts.make(source, mark, "plain", Scope())

    def _choices_one_each(self, m: YMap, name: str, choices: tuple[Any, ...]) -> None:
        """Each choice a value a person can pick and type once: `[x, {a: 1}]` offered a mapping (shown as Python's
        text), and `[x, x]` the same value twice."""
        seen: set[str] = set()
        items = m.get("choices")
        for index, choice in enumerate(choices):
            where = items.item_marks[index] if isinstance(items, YList) else m.value_mark("choices")
            if isinstance(choice, (YMap, YList, dict, list)) or choice is None:
                self.diags.error(where, f"parameter '{name}': expected each choice a text, number or true/false, got {describe(choice)}")
            elif str(choice) in seen:
                self.diags.error(where, f"parameter '{name}': choice {shown(str(choice))} is listed twice; expected each choice once")
            seen.add(str(choice))

    def _as_written(self, m: YMap, key: str) -> list[Any]:
        """The items of a list (none when it is null) as `as_written` gives them: `[0755, yes]` is ["0755", "yes"]."""
        if m.get(key) is None:
            return []
        items = self.fields.sequence(m[key], m.value_mark(key), f"'{key}'")
        return [] if items is None else [items.as_written(index) for index in range(len(items))]

    def _bind(self, root: YMap, params: tuple[Param, ...], given: dict[str, Any]) -> dict[str, Any]:
        values, problems = bind(self._render_defaults(root, params, given), given)
        where = root.key_mark("params") if "params" in root else Mark(self.file, 1, 1)
        for problem in problems:
            param = problem.param
            if param is None:
                self.diags.error(where, problem.message)
            else:  # a default that renders to a value that does not fit: at the default (at its item), as one written so
                self.diags.error(default_mark(root["params"][param.name], problem.item) if problem.defaulted else param.mark, problem.message)
        return values


def default_mark(declaration: YMap, item: int | None) -> Mark:
    """Where a parameter's default is written: the item `item` (from 0) of a list one, else the value's start."""
    written = declaration.get("default")
    if item is not None and isinstance(written, YList) and item < len(written.item_marks):
        return written.item_marks[item]
    return declaration.value_mark("default")


def declared_names(root: YMap, key: str) -> frozenset[str]:
    """The names a section (`secrets:`) declares, each declaration right or not (a wrong one is said at itself)."""
    section = root.get(key)
    return frozenset(name for name in section if isinstance(name, str)) if isinstance(section, YMap) else frozenset()
