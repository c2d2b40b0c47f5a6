"""The parameter form: one field per declared parameter, checked as you type, then the whole runbook re-validated.

Each field is checked with the same `convert()` the command line's `-p`
uses, so a value the form accepts is a value `-p` would accept and the
messages (which name the parameter) read the same. Start reloads the runbook
with the values bound; anything the loader still finds is shown here, at
`FILE:LINE:COL`, and nothing starts until it loads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select, Static, Switch

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import Loaded, load_runbook
from runbook_tui.runbook.model import Param
from runbook_tui.runbook.params import ParamError, convert, templated_default, wanted_words
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.ui.dialog import DialogScroll
from runbook_tui.ui.note_line import NoteLine
from runbook_tui.ui.picker_rows import placeholders
from runbook_tui.ui.typed_input import TypedInput

#: Sentinel: the field holds no value, so the default (or the required error) applies.
_NOT_GIVEN = object()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def type_hint(param: Param) -> str:
    """What the field expects, in a few words: 'integer, 0 to 600', 'one of a, b', ..."""
    kind = {"string": "text", "int": "integer", "float": "number", "bool": "yes / no", "choice": "choice", "list": "list, comma-separated"}[param.type]
    limits = []
    if param.min is not None and param.max is not None:
        limits.append(f"{_num(param.min)} to {_num(param.max)}")
    elif param.min is not None:
        limits.append(f"at least {_num(param.min)}")
    elif param.max is not None:
        limits.append(f"at most {_num(param.max)}")
    if param.pattern is not None:
        limits.append(f"matching {param.pattern}")
    return ", ".join([kind, *limits])


def required_message(param: Param) -> str:
    return f"parameter '{param.name}' is required"


def _text_of(value: Any, param: Param) -> str:
    """A default or a -p value as an Input shows it."""
    if value is None:
        return ""
    if param.type == "list" and isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _yes_no(on: bool) -> str:
    return "yes (true)" if on else "no (false)"


class ConvertValidator(Validator):
    """Input validation through `convert()`, so a field turns red for exactly what `-p` would refuse."""

    def __init__(self, param: Param) -> None:
        super().__init__()
        self.param = param

    def validate(self, value: str) -> ValidationResult:
        if not value:
            # Empty means "not given": the default applies, or the parameter is missing.
            if self.param.required and self.param.default is None:
                return self.failure(required_message(self.param))
            return self.success()
        try:
            convert(self.param, value)
        except ParamError as exc:
            return self.failure(str(exc))
        return self.success()


class ParamField(Horizontal):
    """One parameter: its name, description and type on the left; the input and its message on the right."""

    def __init__(self, param: Param, initial: Any) -> None:
        super().__init__(classes="param-row", id=f"row-{param.name}")
        self.param = param
        self.touched = False
        #: A -p value a switch or a list of choices cannot hold (`notify=maybe`, `env=prod`): said until the field is
        #: changed. (The switch showed `-p notify=true` as no, and a choice typo as the first choice, without a word.)
        self.unfit: str | None = None
        if param.type in ("bool", "choice") and initial is not None:
            try:
                initial = convert(param, initial)
            except ParamError as exc:
                self.unfit = str(exc)
                initial = param.default
        self.initial = initial

    def compose(self) -> ComposeResult:
        param = self.param
        # Every word here comes from the runbook (or is quoted from it): shown, never obeyed (`ESC[2J` in a
        # description cleared the terminal at each repaint), and never markup.
        name = Text(visible_line(param.name), style="bold")
        if param.required:
            name.append(" *", style="bold")
        with Vertical(classes="param-label"):
            yield Label(name, classes="param-name")
            if param.description:
                yield Static(Text(visible(param.description)), classes="param-description")
            yield Static(Text(visible(type_hint(param))), classes="param-type")
        with Vertical(classes="param-input"):
            if param.type == "bool":
                with Horizontal(classes="param-switch"):
                    yield self._input()
                    yield Label(_yes_no(self.initial is True), classes="param-switch-value")
            else:
                yield self._input()
            yield Static("", classes="param-message")

    def _input(self) -> Widget:
        param = self.param
        wid = f"param-{param.name}"
        if param.type == "bool":
            return Switch(value=self.initial if isinstance(self.initial, bool) else False, id=wid)
        if param.type == "choice":
            options = [(Text(visible_line(str(choice))), choice) for choice in param.choices]
            value = Select.NULL if self.unfit else next((c for c in param.choices if self.initial is not None and str(c) == str(self.initial)), Select.NULL)
            return Select(options, value=value, allow_blank=param.default is None or self.unfit is not None, prompt="choose one", id=wid)
        placeholder = {"list": "comma-separated, e.g. a, b", "int": "a whole number", "float": "a number"}.get(param.type, "")
        if param.default is not None:
            placeholder = visible_line(f"empty: the default, {_text_of(param.default, param)}")
        return TypedInput(
            value=_text_of(self.initial, param),
            placeholder=placeholder,
            # Text for numbers too: Textual's "integer"/"number" fields drop each key that does not fit, so `15.6`
            # typed became 156 without a word; here what was typed stays, and ConvertValidator says why it is refused.
            type="text",
            validators=[ConvertValidator(param)],
            id=wid,
        )

    @property
    def widget(self) -> Widget:
        return self.query_one(f"#param-{self.param.name}")

    def raw(self) -> Any:
        """The field's value as the loader takes it (text, like -p; a bool; a declared choice), or _NOT_GIVEN."""
        widget = self.widget
        if isinstance(widget, Switch):
            return widget.value
        if isinstance(widget, Select):
            return _NOT_GIVEN if widget.value is Select.NULL else widget.value
        assert isinstance(widget, Input)
        # The field shows the value on one line with stand-ins (`⏎`, `␛`, a tab as spaces); left as it is, the value is
        # the one it stands for: a default `a\nb\tc` ran as `a⏎b     c` from the form and as written from exec.
        written = _text_of(self.initial, self.param)
        text = written if widget.value == visible_line(written) else widget.value
        return text if text else _NOT_GIVEN

    def on_switch_changed(self) -> None:
        self.unfit = None  # the person chose; the message bubbles on to the screen, which shows what holds now

    def problem(self) -> str | None:
        value = self.raw()
        if self.unfit is not None and (value is _NOT_GIVEN or self.param.type == "bool"):
            return self.unfit  # a choice's field stays blank until one is chosen
        if value is _NOT_GIVEN:
            return required_message(self.param) if self.param.required and self.param.default is None else None
        try:
            convert(self.param, value)
        except ParamError as exc:
            return str(exc).removesuffix(wanted_words(self.param))  # the description stands beside the field
        return None

    def show(self, message: str | None) -> None:
        self.query_one(".param-message", Static).update(Text(visible(message or "")))
        self.set_class(bool(message), "-bad")
        if self.param.type == "bool":
            self.query_one(".param-switch-value", Label).update(_yes_no(self.query_one(Switch).value))


class ProblemsScroll(DialogScroll):
    """The problems below the form: its box's border says how many lines are below and that pgdn shows them."""

    def keys(self) -> str:
        return ": pgdn"


class ParamsScreen(Screen[None]):
    """Fill in the parameters of one runbook; Start hands the loaded runbook to `on_loaded`, escape dismisses.

    The form stays on the stack under the run it starts: when starting is refused
    (secrets missing, a journal already there) the values are still here to fix.
    """

    CSS_PATH = Path(__file__).parent / "picker.tcss"

    BINDINGS = [
        Binding("ctrl+s", "start", "start", priority=True),
        Binding("escape", "back", "back"),
        Binding("escape", "back_out", "quit"),  # when there is no list to go back to (`run FILE`)
        # before the fields' own pgdn (they scroll as tab moves on) while problems are shown below them
        Binding("pagedown", "problems(1)", show=False, priority=True),
        Binding("pageup", "problems(-1)", show=False, priority=True),
    ]

    def __init__(
        self,
        path: str,
        params: tuple[Param, ...],
        on_loaded: Callable[[Loaded], None],
        given: Mapping[str, Any] | None = None,
        *,
        title: str = "",
        quits: bool = False,
    ) -> None:
        super().__init__()
        self.path = path
        self.on_loaded = on_loaded
        self.params = params
        self.given = dict(given or {})
        self.runbook_title = title
        self.quits = quits
        #: Problems found by the last Start, by parameter name; "" for the runbook as a whole.
        self.problems: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        # One row, the title cut in the middle with … when it is longer (a Label cropped it without a sign).
        # Its template parts as `‹name›`: the values are what this form asks for (it read `{{ target }}`, raw).
        yield NoteLine("Parameters  ", placeholders(self.runbook_title), id="form-title")
        yield Static(
            Text(f"{visible_line(self.path)}   ·   * required   ·   ctrl+s: start   ·   escape: {'quit' if self.quits else 'back to the list'}"), id="form-hint"
        )
        # Not focusable itself: tab past Back landed on it and typed words went nowhere (focusing a field scrolls it in).
        with VerticalScroll(id="form-fields", can_focus=False):
            for param in self.params:
                # a templated default (`{{ cluster }}-backup`) stays blank: typed in, it would be data, never rendered
                yield ParamField(param, self.given.get(param.name, None if templated_default(param.default) else param.default))
            if not self.params:
                yield Static("This runbook declares no parameters.", classes="param-description")
        # The problems no field holds, in a box of capped height (the fields keep some room) that says what is below it
        # and scrolls on pgdn / pgup: six of them at 80x24 showed three and a half, the rest cut with no sign.
        with Vertical(id="form-diagnostics-box"):
            with ProblemsScroll(id="form-diagnostics-scroll", can_focus=False):
                yield Static("", id="form-diagnostics")
        with Horizontal(id="form-buttons"):
            yield Button("Start", variant="primary", id="start")
            yield Button("Quit" if self.quits else "Back", id="back")
            yield Static("", id="form-status")
        yield Footer()

    def on_mount(self) -> None:
        # Values given on the command line that do not fit are shown at once; empty required fields wait for Start.
        for field in self.fields:
            if field.param.name in self.given:
                field.touched = True
                field.show(field.problem())
        first = self.fields[0].widget if self.fields else self.query_one("#start")
        first.focus()

    @property
    def fields(self) -> list[ParamField]:
        return list(self.query(ParamField))

    def field(self, name: str) -> ParamField:
        return self.query_one(f"#row-{name}", ParamField)

    # -- checking as you type -----------------------------------------------------------

    def _recheck(self, widget: Widget) -> None:
        for field in widget.ancestors:
            if isinstance(field, ParamField):
                field.touched = True
                field.show(field.problem())
                if field.has_focus_within:  # a default filling its field at mount scrolled the form to its last field
                    self._in_view(field)
                return

    def _in_view(self, field: ParamField) -> None:
        """Scroll the form so `field`'s row shows whole, its message too, once the message is laid out: a message
        under the last field grew below the form's edge, only its first row in view (at 80x24)."""
        fields = self.query_one("#form-fields", VerticalScroll)
        self.call_after_refresh(lambda: fields.scroll_to_widget(field, animate=False))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._recheck(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._recheck(event.select)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self._recheck(event.switch)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field moves on to the next one; in the last one it starts."""
        fields = self.fields
        for index, field in enumerate(fields):
            if event.input is field.widget:
                if index + 1 < len(fields):
                    fields[index + 1].widget.focus()
                else:
                    self.action_start()
                return

    # -- start / back -----------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "back":
            self.action_back()

    def values(self) -> dict[str, Any]:
        """The values given in the form; parameters left empty take their defaults in the loader."""
        return {f.param.name: value for f in self.fields if (value := f.raw()) is not _NOT_GIVEN}

    def action_start(self) -> None:
        self.problems = {}
        bad: list[ParamField] = []
        for field in self.fields:
            message = field.problem()
            field.show(message)
            if message:
                bad.append(field)
                self.problems[field.param.name] = [message]
        self._diagnostics([])
        if bad:
            self._status(f"Not started: {len(bad)} {'field needs' if len(bad) == 1 else 'fields need'} a fix (marked in red).")
            bad[0].widget.focus()
            self._in_view(bad[0])
            return
        try:
            loaded = load_runbook(self.path, self.values())
        except RunbookInvalid as invalid:
            self._refused(invalid)
            return
        self._status("")
        self.on_loaded(loaded)

    def _refused(self, invalid: RunbookInvalid) -> None:
        """Put each problem under its field when it points at a parameter; the rest below the form."""
        by_mark = {param.mark: param.name for param in self.params}
        general: list[str] = []
        for diagnostic in invalid.errors:
            name = by_mark.get(diagnostic.mark)
            if name is None:
                general.append(str(diagnostic))
                self.problems.setdefault("", []).append(str(diagnostic))
                continue
            self.problems.setdefault(name, []).append(diagnostic.message)
        for name, messages in self.problems.items():
            if name:
                self.field(name).show("\n".join(messages))
        if named := [name for name in self.problems if name]:
            self._in_view(self.field(named[0]))
        self._diagnostics(general)
        count = len(invalid.errors)
        self._status(f"Not started: the runbook does not load with these values ({count} {'problem' if count == 1 else 'problems'}).")

    def _diagnostics(self, lines: list[str]) -> None:
        self.query_one("#form-diagnostics", Static).update(Text(visible("\n".join(lines))))
        self.query_one("#form-diagnostics-box").set_class(bool(lines), "visible")
        self.query_one(ProblemsScroll).scroll_home(animate=False)

    def action_problems(self, pages: int) -> None:
        """pgdn / pgup: scroll the problems below the form (the cursor stays in its field)."""
        self.query_one(ProblemsScroll).page(pages)

    def _status(self, message: str) -> None:
        self.query_one("#form-status", Static).update(Text(message))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.quits
        if action == "back_out":
            return self.quits
        if action == "problems":
            return self.query_one("#form-diagnostics-box").has_class("visible")
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_back_out(self) -> None:
        self.dismiss(None)
