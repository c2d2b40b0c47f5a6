"""Load a runbook file into a validated, rendered `Runbook`, or every problem at `FILE:LINE:COL`.

The walk follows the format's order of dependence: parameters first (they
feed every template), then secrets and hosts (names templates may use),
then the ticket, the metrics and the sections. Problems are collected, not
raised one by one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.diagnostics import Collector, Diagnostic, RunbookInvalid
from runbook_tui.runbook.document import MAX_BYTES, YList, YMap, check_size, load_document
from runbook_tui.runbook.fields import Fields, describe
from runbook_tui.runbook.host_entries import HostEntries
from runbook_tui.runbook.model import (
    LOCAL,
    Expect,
    Host,
    Mark,
    MetricCheck,
    Metrics,
    MetricsSource,
    Panel,
    Param,
    Risk,
    Runbook,
    Secret,
    Section,
    Step,
    Text,
    TextKind,
    Ticket,
)
from runbook_tui.runbook.params import ParamError, bind, convert
from runbook_tui.runbook.reach import ReachReader, no_data_action
from runbook_tui.runbook.shell_values import PREFIX as VALUE_PREFIX
from runbook_tui.runbook.templating import ROOTS, base_context
from runbook_tui.runbook.texts import Capture, Names, Scope, TextMaker

FORMAT_VERSION = 1
RUNBOOK_ID = re.compile(r"[a-z0-9-]+")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

TOP_KEYS, TICKET_KEYS, PARAM_KEYS, HOST_KEYS = T.RUNBOOK.keys, T.TICKET.keys, T.PARAM.keys, T.HOST.keys
SECTION_KEYS, STEP_KEYS, PANEL_KEYS, CHECK_KEYS = T.SECTION.keys, T.STEP.keys, T.PANEL.keys, T.CHECK.keys
PARAM_TYPES, SECTION_KINDS, STEP_KINDS = T.PARAM_TYPES, T.SECTION_KINDS, T.STEP_KINDS

LOCAL_HOST = Host(LOCAL, "127.0.0.1", Mark("<builtin>", 1, 1))


@dataclass(frozen=True, slots=True)
class Loaded:
    runbook: Runbook
    warnings: list[Diagnostic]


def load_runbook(path: str | Path, given: Mapping[str, Any] | None = None) -> Loaded:
    """Read, validate and render a runbook file; raises RunbookInvalid listing every problem."""
    file = str(path)
    try:
        data = read_limited(path, MAX_BYTES)  # a huge file, /dev/zero or a FIFO is refused, never read whole
    except OSError as exc:
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), f"cannot read the file: {exc.strerror}")]) from None
    return load_text(data, file, given)


def load_text(data: bytes, file: str, given: Mapping[str, Any] | None = None) -> Loaded:
    """The same as load_runbook for bytes already in memory (the TUI's picker, tests)."""
    check_size(len(data), file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RunbookInvalid([Diagnostic(Mark(file, line, 1), "expected UTF-8 text; the file has bytes that are not")]) from None
    document = load_document(text, file)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    return _Builder(file, text).build(document, digest, dict(given or {}))


class _Builder:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.diags = Collector()
        self.texts = TextMaker(self.diags, Names(frozenset(), frozenset()), text.splitlines())
        self.fields = Fields(self.diags, self.texts.render_now)
        self.step_ids: dict[str, Mark] = {}
        self.panel_ids: set[str] = set()
        self.hosts: dict[str, tuple[Host, ...]] = {}

    # -- the whole document ----------------------------------------------------

    def build(self, doc: Any, digest: str, given: dict[str, Any]) -> Loaded:
        f = self.fields
        root = f.mapping(doc, Mark(self.file, 1, 1), "a runbook")
        if root is None:
            self.diags.raise_if_errors()
        assert root is not None
        f.keys(root, "the runbook", TOP_KEYS, T.RUNBOOK.required)
        self._version(root)
        runbook_id = f.identifier(root, "id", RUNBOOK_ID, "lowercase letters, digits and dashes ([a-z0-9-]+)") or "invalid"

        params = self._params(root)
        values = self._bind(root, params, given)
        secrets = self._secrets(root)
        self.texts.names = Names(frozenset(p.name for p in params), frozenset(s.name for s in secrets))
        self.texts.names.captures = self._captures(root)
        self.texts.names.has_ticket = "ticket" in root
        context = None if values is None else base_context(values, None)
        self.texts.context = context  # before the hosts: their name, address, user, port and identity render from params
        self.hosts = self._hosts(root, params, values)

        ticket = self._ticket(root)
        if context is not None and ticket is not None:
            self.texts.context = base_context(values or {}, ticket.as_context())
        title = self._plain(root, "title") or runbook_id
        metrics = self._metrics(root)
        sections = self._sections(root)
        reach = ReachReader(self.fields, self.texts.make)
        notify, alerts = reach.notify(root), reach.alerts(root)
        self.diags.raise_if_errors()
        runbook = Runbook(
            id=runbook_id,
            title=title,
            file=self.file,
            digest=digest,
            ticket=ticket,
            params=params,
            param_values=tuple((values or {}).items()),
            hosts=tuple(self.hosts.items()),
            secrets=secrets,
            metrics=metrics,
            sections=sections,
            notify=notify, alerts=alerts,
        )
        return Loaded(runbook, sorted(self.diags.items, key=lambda d: (d.mark.line, d.mark.col)))

    def _version(self, root: YMap) -> None:
        if "runbook" in root and root["runbook"] != FORMAT_VERSION:
            self.diags.error(
                root.value_mark("runbook"),
                f"unsupported format version {root['runbook']!r}; expected runbook: {FORMAT_VERSION}",
            )

    # -- helpers -------------------------------------------------------------

    def _text(self, m: YMap, key: str, kind: TextKind, scope: Scope = Scope()) -> Text | None:
        if key not in m:
            return None
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.diags.error(m.value_mark(key), f"'{key}': expected a string, got {describe(value)}")
            return None
        return self.texts.make(str(value), m.value_mark(key), kind, scope)

    def _plain(self, m: YMap, key: str, default: str | None = None) -> str | None:
        """A string rendered at load (titles, ticket fields)."""
        text = self._text(m, key, "plain")
        return default if text is None else text.value

    def _entries(self, root: YMap, key: str, what: str) -> list[tuple[str, Any, Mark, Mark]]:
        """(name, value, key mark, value mark) for each entry of a mapping section such as params."""
        if key not in root or root[key] is None:
            return []
        m = self.fields.mapping(root[key], root.value_mark(key), what)
        if m is None:
            return []
        return [(name, value, m.key_mark(name), m.value_mark(name)) for name, value in m.items()]

    def _items(self, m: YMap, key: str, what: str) -> list[tuple[Any, Mark]]:
        if key not in m or m[key] is None:
            return []
        items = self.fields.sequence(m[key], m.value_mark(key), what)
        return [] if items is None else list(zip(items, items.item_marks))

    def _unique(self, seen: dict[str, Mark], name: str, mark: Mark, what: str) -> bool:
        if name in seen:
            self.diags.error(mark, f"duplicate {what} '{name}' (first at line {seen[name].line}); expected a unique id")
            return False
        seen[name] = mark
        return True

    # -- params --------------------------------------------------------------

    def _params(self, root: YMap) -> tuple[Param, ...]:
        f = self.fields
        params = []
        for name, value, key_mark, value_mark in self._entries(root, "params", "params: name -> declaration"):
            if not IDENT.fullmatch(name) or name in ROOTS:
                self.diags.error(key_mark, f"parameter name '{name}': expected a name like to_version ([A-Za-z_][A-Za-z0-9_]*) that is not one of {', '.join(sorted(ROOTS))}")
                continue
            m = f.mapping(value, value_mark, f"parameter '{name}'")
            if m is None:
                continue
            f.keys(m, f"parameter '{name}'", PARAM_KEYS, T.PARAM.required)
            kind = f.choice(m, "type", PARAM_TYPES, "string")
            choices = tuple(value for value, _ in self._items(m, "choices", "'choices'"))
            if kind == "choice" and not choices:
                self.diags.error(m.mark, f"parameter '{name}' of type choice: expected a non-empty 'choices' list")
            pattern = f.string(m, "pattern")
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    self.diags.error(m.value_mark("pattern"), f"'pattern': expected a regular expression: {exc}")
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
            default = m.get("default")
            if default is not None:
                try:
                    default = convert(param, default)
                except ParamError as exc:
                    self.diags.error(m.value_mark("default"), f"default: {exc}")
                    default = None
            params.append(replace(param, default=default))
        return tuple(params)

    def _bind(self, root: YMap, params: tuple[Param, ...], given: dict[str, Any]) -> dict[str, Any] | None:
        values, problems = bind(params, given)
        where = root.key_mark("params") if "params" in root else Mark(self.file, 1, 1)
        for param, message in problems:
            self.diags.error(param.mark if param else where, message)
        return None if problems else values

    # -- secrets and hosts ---------------------------------------------------

    def _secrets(self, root: YMap) -> tuple[Secret, ...]:
        f = self.fields
        secrets = []
        for name, value, key_mark, value_mark in self._entries(root, "secrets", "secrets: name -> source"):
            m = f.mapping(value, value_mark, f"secret '{name}' (env: VAR or keyring: {{service, username}})")
            if m is None:
                continue
            f.keys(m, f"secret '{name}'", T.SECRET.keys)
            if len([k for k in T.SECRET.keys if k in m]) != 1:
                self.diags.error(m.mark, f"secret '{name}': expected exactly one of env: VAR or keyring: {{service, username}}")
                continue
            if "env" in m:
                secrets.append(Secret(name, key_mark, env=f.string(m, "env")))
                continue
            ring = f.mapping(m["keyring"], m.value_mark("keyring"), "keyring: {service, username}")
            if ring is not None:
                f.keys(ring, f"secret '{name}' keyring", T.KEYRING.keys, T.KEYRING.required)
                secrets.append(Secret(name, key_mark, keyring_service=f.string(ring, "service"), keyring_username=f.string(ring, "username")))
        return tuple(secrets)

    def _hosts(self, root: YMap, params: tuple[Param, ...], values: dict[str, Any] | None) -> dict[str, tuple[Host, ...]]:
        entries = self._entries(root, "hosts", "hosts: group -> list of hosts")
        groups = HostEntries(self.fields, self.diags, self._plain).groups(entries, params, values)
        names = {h.name for hosts in groups.values() for h in hosts}
        for group in groups:
            if group in names:
                self.diags.error(root["hosts"].key_mark(group), f"group '{group}' has the same name as a host; expected distinct names so 'on:' is unambiguous")
        groups[LOCAL] = (LOCAL_HOST,)
        return groups

    # -- ticket --------------------------------------------------------------

    def _ticket(self, root: YMap) -> Ticket | None:
        f = self.fields
        if "ticket" not in root:
            return None
        m = f.mapping(root["ticket"], root.value_mark("ticket"), "ticket")
        if m is None:
            return None
        f.keys(m, "ticket", TICKET_KEYS, T.TICKET.required)
        start = end = None
        if "window" in m:
            start, end = self._window(m)
        assignee = self._plain(m, "assignee")
        verifier = self._plain(m, "verifier")
        if assignee and verifier and assignee == verifier:
            self.diags.error(m.value_mark("verifier"), f"verifier '{verifier}' is also the assignee; expected a different person (two-person rule)")
        return Ticket(
            id=self._plain(m, "id") or "",
            mark=m.mark,
            subject=self._plain(m, "subject", "") or "",
            description=self._plain(m, "description", "") or "",
            window_start=start,
            window_end=end,
            assignee=assignee,
            verifier=verifier,
            risk=self._risk(m),
            success_criteria=tuple(self._plain_list(m, "success_criteria")),
        )

    def _window(self, ticket: YMap) -> tuple[str | None, str | None]:
        m = self.fields.mapping(ticket["window"], ticket.value_mark("window"), "window: {start, end}")
        if m is None:
            return None, None
        self.fields.keys(m, "window", T.WINDOW.keys, T.WINDOW.required)
        times = {}
        for key in ("start", "end"):
            text = self._plain(m, key)
            if text is None or self.texts.context is None:
                continue  # missing, or templated on parameters that are broken (reported already)
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                self.diags.error(m.value_mark(key), f"window {key}: expected an ISO 8601 time with an offset, like 2026-11-23T02:00:00+09:00, got {text!r}")
                continue
            times[key] = (text, moment)
        if "start" in times and "end" in times and times["end"][1] <= times["start"][1]:
            self.diags.error(m.value_mark("end"), "window end: expected a time after the window start")
        return (times["start"][0] if "start" in times else None, times["end"][0] if "end" in times else None)

    def _risk(self, ticket: YMap) -> Risk | None:
        if "risk" not in ticket:
            return None
        m = self.fields.mapping(ticket["risk"], ticket.value_mark("risk"), "risk: {level, summary, mitigations}")
        if m is None:
            return None
        self.fields.keys(m, "risk", T.RISK.keys, T.RISK.required)
        return Risk(
            level=self.fields.choice(m, "level", T.RISK_LEVELS, "high"),
            summary=self._plain(m, "summary", "") or "",
            mitigations=tuple(self._plain_list(m, "mitigations")),
        )

    def _plain_list(self, m: YMap, key: str) -> list[str]:
        result = []
        for source, mark in self.fields.string_list(m, key):
            text = self.texts.make(source, mark, "plain", Scope())
            if text is not None and text.value is not None:
                result.append(text.value)
        return result

    # -- metrics -------------------------------------------------------------

    def _metrics(self, root: YMap) -> Metrics | None:
        f = self.fields
        if "metrics" not in root or root["metrics"] is None:
            return None
        m = f.mapping(root["metrics"], root.value_mark("metrics"), "metrics")
        if m is None:
            return None
        f.keys(m, "metrics", T.METRICS.keys)
        source = self._source(m)
        panels = []
        seen: dict[str, Mark] = {}
        for value, mark in self._items(m, "panels", "panels"):
            panel = self._panel(value, mark)
            if panel is not None and self._unique(seen, panel.id, mark, "panel id"):
                panels.append(panel)
        self.panel_ids = set(seen)
        if panels and source is None:
            self.diags.error(m.mark, "metrics has panels but no source; expected source: {prometheus: {url}} or {scrape: {url}}")
        success = [self._check(value, mark, "a success criterion") for value, mark in self._items(m, "success", "success")]
        interval = f.duration(m, "interval", 5.0) or 5.0
        return Metrics(source=source, interval_seconds=interval, panels=tuple(panels), success=tuple(c for c in success if c is not None))

    def _source(self, metrics: YMap) -> MetricsSource | None:
        f = self.fields
        if "source" not in metrics:
            return None
        m = f.mapping(metrics["source"], metrics.value_mark("source"), "source: {prometheus: {url, token}} or {scrape: {url}}")
        if m is None:
            return None
        f.keys(m, "metrics source", T.SOURCE.keys)
        kinds = [k for k in T.SOURCE_KINDS if k in m]
        if len(kinds) != 1:
            self.diags.error(m.mark, "metrics source: expected exactly one of prometheus: {url, token} or scrape: {url}")
            return None
        kind = kinds[0]
        spec = f.mapping(m[kind], m.value_mark(kind), f"{kind}: {{url}}")
        if spec is None:
            return None
        f.keys(spec, f"{kind} source", T.SOURCES[kind].keys, T.SOURCES[kind].required)
        url = self._text(spec, "url", "plain")
        if url is None:
            return None
        token = self._text(spec, "token", "plain", Scope(late_allowed=True))
        return MetricsSource(kind, url, token)

    def _panel(self, value: Any, mark: Mark) -> Panel | None:
        f = self.fields
        m = f.mapping(value, mark, "a panel {id, title, query, ...}")
        if m is None:
            return None
        f.keys(m, "panel", PANEL_KEYS, T.PANEL.required)
        panel_id = f.identifier(m, "id", NAME, "a panel id (letters, digits, -, _, .)")
        query = self._text(m, "query", "plain")
        if panel_id is None or query is None:
            return None
        return Panel(
            id=panel_id,
            title=self._plain(m, "title") or panel_id,
            query=query,
            mark=mark,
            unit=f.string(m, "unit", "") or "",
            warn=f.number(m, "warn"),
            critical=f.number(m, "critical"),
            direction=f.choice(m, "direction", T.DIRECTIONS, "above"),
            for_seconds=f.duration(m, "for", 0.0) or 0.0,
            on_critical=f.choice(m, "on_critical", T.ON_CRITICAL, "pause"),
            on_no_data=no_data_action(f, m),  # type: ignore[arg-type]
        )

    def _check(self, value: Any, mark: Mark, what: str) -> MetricCheck | None:
        f = self.fields
        m = f.mapping(value, mark, f"{what} {{panel, below|above, within}}")
        if m is None:
            return None
        f.keys(m, what, CHECK_KEYS, T.CHECK.required)
        panel = f.string(m, "panel")
        if panel is not None and panel not in self.panel_ids:
            self.diags.error(m.value_mark("panel"), f"unknown panel '{panel}'; expected one of metrics.panels: {', '.join(sorted(self.panel_ids)) or 'none declared'}")
            return None
        if ("below" in m) == ("above" in m):
            self.diags.error(m.mark, f"{what}: expected exactly one of below: or above:")
            return None
        return MetricCheck(
            panel=panel or "",
            mark=mark,
            below=f.number(m, "below"),
            above=f.number(m, "above"),
            within_seconds=f.duration(m, "within"),
        )

    # -- sections and steps --------------------------------------------------

    def _captures(self, root: YMap) -> dict[str, Capture]:
        """Every `capture:` in document order, so a use before its step can be named precisely."""
        captures: dict[str, Capture] = {}
        for section in root.get("sections") or [] if isinstance(root.get("sections"), YList) else []:
            for step in (section.get("steps") or []) if isinstance(section, YMap) and isinstance(section.get("steps"), YList) else []:
                if isinstance(step, YMap) and isinstance(step.get("capture"), str):
                    captures.setdefault(step["capture"], Capture(step["capture"], str(step.get("id")), step.value_mark("capture")))
        return captures

    def _sections(self, root: YMap) -> tuple[Section, ...]:
        sections = []
        seen: dict[str, Mark] = {}
        captured: set[str] = set()
        items = self._items(root, "sections", "sections")
        for value, mark in items:
            section = self._section(value, mark, captured)
            if section is not None and self._unique(seen, section.id, mark, "section id"):
                sections.append(section)
        if "sections" in root and not any(s.steps for s in sections) and not self.diags.has_errors:
            self.diags.error(root.value_mark("sections"), "expected at least one section with at least one step")
        return tuple(sections)

    def _section(self, value: Any, mark: Mark, captured: set[str]) -> Section | None:
        f = self.fields
        m = f.mapping(value, mark, "a section {id, title, kind, steps}")
        if m is None:
            return None
        f.keys(m, "section", SECTION_KEYS, T.SECTION.required)
        section_id = f.identifier(m, "id", NAME, "a section id (letters, digits, -, _, .)")
        kind = f.choice(m, "kind", SECTION_KINDS, "implement")
        title = self._plain(m, "title") or section_id or ""
        steps = []
        items = self._items(m, "steps", f"the steps of section '{section_id}'")
        if "steps" in m and not items:
            self.diags.error(m.value_mark("steps"), f"section '{section_id}': expected at least one step")
        for step_value, step_mark in items:
            step = self._step(step_value, step_mark, section_id or "", captured)
            if step is not None:
                steps.append(step)
        if section_id is None:
            return None
        return Section(section_id, title, kind, tuple(steps), mark)

    def _step(self, value: Any, mark: Mark, section_id: str, captured: set[str]) -> Step | None:
        f = self.fields
        m = f.mapping(value, mark, "a step {id, title, run|note|wait|ask, ...}")
        if m is None:
            return None
        f.keys(m, f"step '{m.get('id', '?')}'", STEP_KEYS, T.STEP.required)
        step_id = f.identifier(m, "id", NAME, "a step id (letters, digits, -, _, .)")
        if step_id is not None and not self._unique(self.step_ids, step_id, m.value_mark("id"), "step id"):
            step_id = None
        kinds = [k for k in STEP_KINDS if k in m]
        if len(kinds) != 1:
            where = m.key_mark(kinds[1]) if len(kinds) > 1 else m.mark
            self.diags.error(where, f"step '{step_id}': expected exactly one of run, note, wait, ask; got {', '.join(kinds) or 'none'}")
            return None
        kind = kinds[0]
        on = self._on(m, kind)
        scope = Scope(
            in_step=True,
            captures_before=frozenset(captured),
            host_attrs=self._host_attrs(on),
            late_allowed=True,
            own_capture=m.get("capture") if isinstance(m.get("capture"), str) else None,
        )
        capture = self._capture(m, kind)
        body = None if kind == "wait" else self._text(m, kind, "shell" if kind == "run" else "plain", scope)
        # The undo runs only after its step ran, so it may use the step's own capture.
        undo_scope = replace(scope, captures_before=scope.captures_before | {capture}, own_capture=None) if capture else scope
        title_text = self._text(m, "title", "plain", scope)  # may use captured.* and host: rendered just before the step
        step = Step(
            id=step_id or "",
            title=title_text.shown() if title_text is not None else step_id or "",
            title_text=title_text,
            kind=kind,
            section_id=section_id,
            mark=mark,
            body=body,
            wait_seconds=f.duration(m, "wait", 0.0) if kind == "wait" else None,
            watch=tuple(self._panel_refs(m)),
            on=on,
            expect=self._expect(m, scope),
            timeout_seconds=f.duration(m, "timeout"),
            retries=f.integer(m, "retries", 0, 0, 100),
            retry_delay_seconds=f.duration(m, "retry_delay", 5.0) or 0.0,
            capture=capture,
            verify=f.choice(m, "verify", T.VERIFY_MODES, "after"),
            undo=self._text(m, "undo", "shell", undo_scope) if self._only(m, "undo", kind, ("run", "note")) else None,
            checkpoint=f.boolean(m, "checkpoint"),
            env=tuple(self._env(m, scope)),
            cwd=self._text(m, "cwd", "plain", scope) if self._only(m, "cwd", kind, ("run",)) else None,
            sudo=f.boolean(m, "sudo"),
            serial=tuple(self._serial(m)),
            max_fail=(f.count_or_percent(m["max_fail"], m.value_mark("max_fail"), "max_fail", 0) if "max_fail" in m else 0) or 0,
            confirm=self._text(m, "confirm", "plain", scope),
        )
        if capture is not None:
            captured.add(capture)
        return step if step_id else None

    def _only(self, m: YMap, key: str, kind: str, kinds: tuple[str, ...]) -> bool:
        """True when `key` is present and fits this step kind; reports it when it does not."""
        if key not in m:
            return False
        if kind not in kinds:
            self.diags.error(m.key_mark(key), f"'{key}' does not apply to a {kind} step; expected it on a {' or '.join(kinds)} step")
            return False
        return True

    def _on(self, m: YMap, kind: str) -> str:
        if not self._only(m, "on", kind, ("run",)):
            return LOCAL
        target = self._plain(m, "on") or LOCAL  # `on: "{{ replica }}"` names a host rendered from params
        known = set(self.hosts) | {h.name for hosts in self.hosts.values() for h in hosts}
        if target not in known:
            others = ", ".join(sorted(known - {LOCAL}))
            self.diags.error(m.value_mark("on"), f"unknown host or group '{target}'; expected local" + (f" or one of: {others}" if others else " (no hosts: are declared)"))
            return LOCAL
        return target

    def _host_attrs(self, on: str) -> frozenset[str]:
        """`host.X` names a template may use: the built-in fields plus vars every target host has."""
        hosts = self.hosts.get(on) or tuple(h for hs in self.hosts.values() for h in hs if h.name == on)[:1]
        shared = set.intersection(*(set(dict(h.vars)) for h in hosts)) if hosts else set()
        return frozenset({"name", "address", "port", "user"} | shared)

    def _capture(self, m: YMap, kind: str) -> str | None:
        if not self._only(m, "capture", kind, ("run", "ask")):
            return None
        name = self.fields.identifier(m, "capture", IDENT, "a capture name like lag ([A-Za-z_][A-Za-z0-9_]*)")
        owner = self.texts.names.captures.get(name or "")
        if name is not None and owner is not None and owner.mark != m.value_mark("capture"):
            self.diags.error(m.value_mark("capture"), f"capture '{name}' is already declared by step '{owner.step_id}' (line {owner.mark.line}); expected a unique name")
        return name

    def _panel_refs(self, m: YMap) -> list[str]:
        refs = []
        for panel, mark in self.fields.string_list(m, "watch"):
            if panel in self.panel_ids:
                refs.append(panel)
            else:
                self.diags.error(mark, f"unknown panel '{panel}'; expected one of metrics.panels: {', '.join(sorted(self.panel_ids)) or 'none declared'}")
        return refs

    def _expect(self, step: YMap, scope: Scope) -> Expect:
        f = self.fields
        if "expect" not in step:
            return Expect()
        m = f.mapping(step["expect"], step.value_mark("expect"), "expect: {exit, stdout, metric}")
        if m is None:
            return Expect()
        f.keys(m, "expect", T.EXPECT.keys)
        codes: list[int] = []
        if "exit" in m:
            raw = m["exit"] if isinstance(m["exit"], YList) else [m["exit"]]
            for code in raw:
                if isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 255:
                    codes.append(code)
                else:
                    self.diags.error(m.value_mark("exit"), f"'exit': expected an exit code 0-255 or a list of them, got {code!r}")
        stdout = self._text(m, "stdout", "regex", scope)
        if stdout is not None and stdout.value is not None:
            try:
                re.compile(stdout.value)
            except re.error as exc:
                self.diags.error(m.value_mark("stdout"), f"'stdout': expected a regular expression: {exc}")
        metric = self._check(m["metric"], m.value_mark("metric"), "expect.metric") if "metric" in m else None
        return Expect(tuple(codes) or (0,), stdout, metric)

    def _env(self, step: YMap, scope: Scope) -> list[tuple[str, Text]]:
        if "env" not in step:
            return []
        m = self.fields.mapping(step["env"], step.value_mark("env"), "env: NAME -> value")
        if m is None:
            return []
        result = []
        for name in m:
            if not IDENT.fullmatch(name):
                self.diags.error(m.key_mark(name), f"env name '{name}': expected a variable name like PGHOST")
                continue
            if name.startswith(VALUE_PREFIX):
                self.diags.error(m.key_mark(name), f"env name '{name}': names starting with {VALUE_PREFIX} carry the command's templated values; expected another name")
                continue
            text = self._text(m, name, "plain", scope)
            if text is not None:
                result.append((name, text))
        return result

    def _serial(self, step: YMap) -> list[int | str]:
        if "serial" not in step:
            return []
        raw = step["serial"]
        marks = raw.item_marks if isinstance(raw, YList) else [step.value_mark("serial")]
        values = raw if isinstance(raw, YList) else [raw]
        sizes = [self.fields.count_or_percent(v, mk, "serial", 1) for v, mk in zip(values, marks)]
        if not sizes:
            self.diags.error(step.value_mark("serial"), "'serial': expected batch sizes like [1, \"25%\", \"100%\"]")
        return [s for s in sizes if s is not None]


@dataclass(frozen=True, slots=True)
class Probe:
    """A runbook as a picker or a parameter form sees it, before (all) values are given.

    `errors` are the runbook's own problems (an author must edit the file);
    `value_problems` are missing or invalid values for declared parameters,
    which a form can fix. `loaded` is set when it loaded with the values given.
    """

    file: str
    id: str
    title: str  # rendered when it loaded; the template source otherwise
    params: tuple[Param, ...]
    loaded: Loaded | None
    errors: list[Diagnostic]
    value_problems: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not self.errors


def probe_runbook(path: str | Path, given: Mapping[str, Any] | None = None) -> Probe:
    """Load with `given`; when that fails, tell the runbook's own errors from problems with the values."""
    file = str(path)
    given = dict(given or {})
    try:
        loaded = load_runbook(path, given)
    except RunbookInvalid as invalid:
        diagnostics = invalid.errors
    else:
        runbook = loaded.runbook
        return Probe(file, runbook.id, runbook.title, runbook.params, loaded, [], [])
    try:
        text = read_limited(path, MAX_BYTES).decode("utf-8")
        document = load_document(text, file)
    except (OSError, UnicodeDecodeError, RunbookInvalid):
        return Probe(file, "", "", (), None, diagnostics, [])
    if not isinstance(document, YMap):
        return Probe(file, "", "", (), None, diagnostics, [])
    # The declarations alone, with a throw-away collector: their own problems are in `diagnostics` already.
    params = _Builder(file, text)._params(document)
    _, problems = bind(params, given)
    fixable = {message for param, message in problems if param is not None}
    errors = [d for d in diagnostics if d.message not in fixable]
    value_problems = [d for d in diagnostics if d.message in fixable]
    runbook_id = document.get("id")
    title = document.get("title")
    return Probe(
        file,
        runbook_id if isinstance(runbook_id, str) else "",
        title if isinstance(title, str) else "",
        params,
        None,
        errors,
        value_problems,
    )
