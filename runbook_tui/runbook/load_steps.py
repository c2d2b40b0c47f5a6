"""The loader's reader for `sections:` and their steps (kinds, hosts, captures, panels, expect, env, serial)."""

from __future__ import annotations

from typing import Any

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook.arg_limit import ONE_STRING_LIMIT, size, too_long
from runbook_tui.runbook.bounded_search import compile_problem
from runbook_tui.runbook.document import YList, YMap
from runbook_tui.runbook.fields import describe, exit_code
from runbook_tui.runbook.load_base import IDENT, NAME, SECTION_KINDS, STEP_KEYS, STEP_KINDS, written_at
from runbook_tui.runbook.load_metrics import MetricsReader
from runbook_tui.runbook.model import (
    LOCAL,
    Expect,
    Mark,
    Section,
    Step,
    Text,
)
from runbook_tui.runbook.shell_values import PREFIX as VALUE_PREFIX
from runbook_tui.runbook.template_simple import split
from runbook_tui.runbook.templating import GLOBALS, is_template
from runbook_tui.runbook.texts import Capture, CapturesBefore, Scope

#: The shortest step `timeout:` (seconds): a shorter one (`1ms`, as 0) failed every host with `timed out after 0.001s`.
SHORTEST_TIMEOUT = 0.1
#: What each text key of a step holds, for the error when it is written empty.
_BLANK_EXPECTED = {
    "run": "a shell command",
    "undo": "the command that reverses this step (a rollback would run nothing and call it undone), or undo left out",
    "note": "the instruction the assignee follows",
    "ask": "the question the assignee answers",
    "confirm": "the text the assignee must acknowledge (it warns of nothing), or confirm left out",
    "cwd": "a directory, or cwd left out",
}

#: The step's texts a command receives: a NUL in them is refused, and a text longer than Linux passes (`_no_nul`).
_GIVEN_TO_COMMANDS = ("run", "undo", "cwd")

#: `on:` of a step whose template never rendered because the parameters are broken (the load fails with their error).
UNRENDERED = "{{ on }}"


class StepsReader(MetricsReader):
    """Steps refer to panels and success checks, so this reader extends the metrics one."""

    _known_targets: frozenset[str] | None = None
    _attrs_by_target: dict[str, frozenset[str]]

    def __init__(self, file: str, text: str) -> None:
        super().__init__(file, text)
        self._attrs_by_target = {}

    # -- sections and steps --------------------------------------------------

    def _captures(self, root: YMap) -> dict[str, Capture]:
        """Every `capture:` in document order, so a use before its step can be named precisely."""
        captures: dict[str, Capture] = {}
        for section in root.get("sections") or [] if isinstance(root.get("sections"), YList) else []:
            rollback = isinstance(section, YMap) and section.get("kind") == "rollback"
            for step in (section.get("steps") or []) if isinstance(section, YMap) and isinstance(section.get("steps"), YList) else []:
                if isinstance(step, YMap) and isinstance(step.get("capture"), str):
                    captures.setdefault(step["capture"], Capture(step["capture"], str(step.get("id")), step.value_mark("capture"), rollback))
        return captures

    def _sections(self, root: YMap) -> tuple[Section, ...]:
        sections = []
        seen: dict[str, Mark] = {}
        # capture name -> its position in document order: of the change's steps, and of every step (a rollback
        # section's steps run only in a full rollback: their captures are for later rollback steps alone)
        forward: dict[str, int] = {}
        every: dict[str, int] = {}
        items = self._items(root, "sections", "sections")
        for value, mark in items:
            section = self._section(value, mark, forward, every)
            if section is not None and self._unique(seen, section.id, written_at(value, mark, "id"), "section id"):
                sections.append(section)
        if "sections" in root and not any(s.steps for s in sections) and not self.diags.has_errors:
            self.diags.error(root.value_mark("sections"), "expected at least one section with at least one step")
        elif sections and all(s.kind == "rollback" for s in sections) and not self.diags.has_errors:
            # a rollback section runs only in a full rollback: exec ran nothing and ended `done`
            self.diags.error(
                root.value_mark("sections"),
                "every section is a rollback section, which runs only in a full rollback; expected at least one step the change runs",
            )
        return tuple(sections)

    def _section(self, value: Any, mark: Mark, forward: dict[str, int], every: dict[str, int]) -> Section | None:
        f = self.fields
        m = f.shaped(value, mark, "a section {id, title, kind, steps}", T.SECTION)
        if m is None:
            return None
        section_id = f.identifier(m, "id", NAME, "a section id (ASCII letters and digits, then also -, _ or .)")
        kind = f.choice(m, "kind", SECTION_KINDS, "implement")
        title, template = self._plain_and_template(m, "title")
        title = title or section_id or ""
        steps = []
        items = self._items(m, "steps", f"the steps of section '{section_id}'")
        if "steps" in m and not items:
            self.diags.error(m.value_mark("steps"), f"section '{section_id}': expected at least one step")
        for step_value, step_mark in items:
            step = self._step(step_value, step_mark, section_id or "", every if kind == "rollback" else forward, every, kind == "rollback")
            if step is not None:
                steps.append(step)
        if section_id is None:
            return None
        return Section(section_id, title, kind, tuple(steps), mark, template)

    def _step(self, value: Any, mark: Mark, section_id: str, captured: dict[str, int], every: dict[str, int], rollback: bool) -> Step | None:
        """One step, its names checked against the captures before it (`captured`); its own capture is added there and
        to `every` (the same record for a rollback section's step, `rollback`)."""
        f = self.fields
        m = f.mapping(value, mark, "a step {id, title, run|note|wait|ask, ...}")
        if m is None:
            return None
        f.keys(m, f"step '{m.get('id', '?')}'", STEP_KEYS, T.STEP.required)
        step_id = f.identifier(m, "id", NAME, "a step id (ASCII letters and digits, then also -, _ or .)")
        if step_id is not None and not self._unique(self.step_ids, step_id, m.value_mark("id"), "step id"):
            step_id = None
        kinds = [k for k in STEP_KINDS if k in m]
        if len(kinds) != 1:
            where = m.key_mark(kinds[1]) if len(kinds) > 1 else m.mark
            self.diags.error(where, f"step '{step_id}': expected exactly one of run, note, wait, ask; got {', '.join(kinds) or 'none'}")
            return None
        kind = kinds[0]
        on = self._on(m, kind)
        own_capture = m.get("capture") if isinstance(m.get("capture"), str) else None
        host_attrs = self._host_attrs(on)
        scope = Scope(
            in_step=True,
            captures_before=CapturesBefore(captured, len(captured)),
            host_attrs=host_attrs,
            late_allowed=True,
            own_capture=own_capture,
            step_mark=mark,
        )
        capture = self._capture(m, kind)
        cwd = self._text(m, "cwd", "folder", scope) if self._only(m, "cwd", kind, ("run",)) else None
        scope = scope._replace(cwd=None if cwd is None else cwd.value)  # its commands start there: `> job` in /etc/cron.d is cron's
        body = None if kind == "wait" else self._text(m, kind, "shell" if kind == "run" else "plain", scope)
        # The undo runs only after its step ran, so it may use the step's own capture.
        undo_scope = scope._replace(captures_before=CapturesBefore(captured, len(captured), own=capture), own_capture=None) if capture else scope
        self._not_blank(m)
        title_text = self._text(m, "title", "plain", scope)  # may use captured.* and host: rendered just before the step
        for key in ("timeout", "retries", "retry_delay", "env", "sudo", "serial", "max_fail"):  # a command's: elsewhere they do nothing
            self._only(m, key, kind, ("run",))
        said = len(self.diags.items)
        retries = f.integer(m, "retries", 0, 0, 100)
        retries_refused = any(d.severity == "error" for d in self.diags.items[said:])  # said: no warning on top
        expect = m.get("expect")
        if kind != "run" and isinstance(expect, YMap):
            for key in ("exit", "stdout"):
                self._only(expect, key, kind, ("run",))
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
            timeout_seconds=f.duration(
                m, "timeout", shortest=(SHORTEST_TIMEOUT, "a shorter one stops the command as it starts; leave timeout out for no limit")
            ),
            retries=retries,
            retry_delay_seconds=f.duration(m, "retry_delay", 5.0) or 0.0,
            capture=capture,
            verify=f.choice(m, "verify", T.VERIFY_MODES, "after"),
            undo=self._text(m, "undo", "shell", undo_scope) if self._only(m, "undo", kind, ("run", "note")) else None,
            checkpoint=self._checkpoint(m, step_id, rollback),
            env=tuple(self._env(m, scope)),
            cwd=cwd,
            sudo=f.boolean(m, "sudo"),
            serial=tuple(self._serial(m)),
            max_fail=(f.count_or_percent(m["max_fail"], m.value_mark("max_fail"), "max_fail", 0) if "max_fail" in m else 0) or 0,
            confirm=self._text(m, "confirm", "plain", scope),
        )
        if step.verify == "per_wave" and kind != "run":  # `serial:` is refused there: the advice below would not fit
            article = "an" if kind == "ask" else "a"
            self.diags.warning(
                m.key_mark("verify"),
                f"step '{step_id}': 'verify: per_wave' does nothing on {article} {kind} step (only a run step on a group has waves;"
                " the verifier confirms it once, after); expected 'verify: after'",
            )
        elif step.verify == "per_wave" and not step.serial:
            self.diags.warning(
                m.key_mark("verify"), f"step '{step_id}': 'verify: per_wave' without 'serial:' runs one wave; expected 'serial:' batches, or 'verify: after'"
            )
        if kind in ("note", "ask") and step.watch and step.expect.metric is None:  # it runs for an instant: no panel drawn large
            self.diags.warning(
                m.key_mark("watch"),
                f"step '{step_id}': 'watch' does nothing on {'an' if kind == 'ask' else 'a'} {kind} step (panels are drawn large while a step runs:"
                " a command, a wait, or an expect.metric check); expected it on a run or wait step, or expect.metric beside it",
            )
        if kind == "run" and self.texts.context is not None:  # (broken parameters: nothing rendered to judge, their error is said)
            self._waves_on_one_host(m, step_id, on)
            if "retry_delay" in m and not retries and not retries_refused:  # the author meant a retry and wrote none
                self.diags.warning(
                    m.key_mark("retry_delay"),
                    f"step '{step_id}': 'retry_delay' has no effect without 'retries' (nothing is retried); expected 'retries:' beside it, or 'retry_delay' left out",
                )
        if capture is not None:
            captured.setdefault(capture, len(captured))
            every.setdefault(capture, len(every))
        return step if step_id else None

    def _checkpoint(self, m: YMap, step_id: str | None, rollback: bool) -> bool:
        """`checkpoint:`; on a rollback section's step a warning and no checkpoint: it runs only in a full rollback,
        after every completed step was undone (once done it was journaled `checkpoint_reached`, the header's
        `⚑ last checkpoint`, a point no rollback goes back to)."""
        checkpoint = self.fields.boolean(m, "checkpoint")
        if checkpoint and rollback:
            self.diags.warning(
                m.key_mark("checkpoint"),
                f"step '{step_id}': 'checkpoint: true' does nothing in a rollback section (its steps run only in a full rollback,"
                " which no rollback goes back into); expected it on a step the change runs, or checkpoint left out",
            )
        return checkpoint and not rollback

    def _waves_on_one_host(self, m: YMap, step_id: str | None, on: str) -> None:
        """`serial:` / `max_fail:` on `local` or one host name: one host is one wave, so they do nothing; a warning
        (a group of one host may grow, and its size can come from a parameter: not warned)."""
        if (on != LOCAL and on in self.hosts) or (on == LOCAL and m.get("on", LOCAL) != LOCAL):
            return  # a group; or an unknown `on:`, refused already (taken as local)
        where = "local" if on == LOCAL else f"the single host '{on}'"
        for key in ("serial", "max_fail"):
            if key in m:
                self.diags.warning(
                    m.key_mark(key), f"step '{step_id}': '{key}' has no effect on {where} (one host is one wave); expected 'on:' a group, or '{key}' left out"
                )

    def _not_blank(self, m: YMap) -> None:
        """A command, instruction, question or directory written empty is refused: `run: ""` passed as done having
        run nothing, and a blank note or question asked the assignee nothing. A blank undo or confirm (a placeholder
        while drafting) is a warning: preflight counts it as missing, and a rollback would call the step undone."""
        for key, expected in _BLANK_EXPECTED.items():
            value = m.get(key)
            if isinstance(value, str) and not value.strip():
                report = self.diags.warning if key in ("undo", "confirm") else self.diags.error
                report(m.value_mark(key), f"'{key}' is empty; expected {expected}")
            elif key in _GIVEN_TO_COMMANDS:
                self._no_nul(m, key, key)

    def _no_nul(self, m: YMap, key: str, said: str) -> None:
        """A NUL written in a command's text, folder or environment (YAML's "\\0"): the kernel ends strings at it, so
        no command can receive one. validate ended in a traceback (bash -n was given it); a cwd or env value failed the
        step only as it started, after the steps before it had run."""
        value = m.get(key)
        if isinstance(value, str) and "\0" in value:
            self.diags.error(m.value_mark(key), f"'{said}' holds a NUL character (\\0), which no command can receive; expected text without it")
        # Longer than one argument (an env value: `NAME=VALUE`) may be: it failed only as the step started, after the
        # steps before it had run. A text that grows past the limit as it renders still fails then, in these words.
        counted = size(value) + (size(key) + 2 if said.startswith("env ") else 1) if isinstance(value, str) else 0
        if counted > ONE_STRING_LIMIT:
            words = too_long(f"'{said}'", size(str(value)))
            self.diags.error(m.value_mark(key), f"{words}; expected a shorter text (keep data this large in a file the command reads)")

    def _only(self, m: YMap, key: str, kind: str, kinds: tuple[str, ...]) -> bool:
        """True when `key` is present and fits this step kind; reports it when it does not."""
        if key not in m:
            return False
        if kind not in kinds:
            article = "an" if kind == "ask" else "a"  # 'a ask step' before
            self.diags.error(m.key_mark(key), f"'{key}' does not apply to {article} {kind} step; expected it on a {' or '.join(kinds)} step")
            return False
        return True

    def _on(self, m: YMap, kind: str) -> str:
        if not self._only(m, "on", kind, ("run",)):
            return LOCAL
        target = self._plain(m, "on")  # `on: "{{ replica }}"` names a host rendered from params
        if target is None:
            return LOCAL  # not a string, or a template that failed: said already
        if self.texts.context is None and is_template(target):
            return UNRENDERED  # never rendered: the parameters are broken (said), nothing runs
        if not target.strip():
            # `on: "{{ target }}"` with `-p target=` ran the step on this machine instead of the host meant
            written = m.get("on")
            rendered = "" if written == target else f" (rendered from {written!r})"
            self.diags.error(m.value_mark("on"), f"'on' is empty{rendered}; expected a host group, a host name, or local (or 'on' left out for local)")
            return LOCAL
        known = self._targets()
        if target not in known:
            others = ", ".join(sorted(known - {LOCAL}))
            self.diags.error(
                m.value_mark("on"), f"unknown host or group '{target}'; expected local" + (f" or one of: {others}" if others else " (no hosts: are declared)")
            )
            return LOCAL
        return target

    def _targets(self) -> frozenset[str]:
        """Every group and host name a step may run `on` (read once: the hosts are read before the sections)."""
        if self._known_targets is None:
            self._known_targets = frozenset(self.hosts) | {h.name for hosts in self.hosts.values() for h in hosts}
        return self._known_targets

    def _host_attrs(self, on: str) -> frozenset[str]:
        """`host.X` names a template may use: the built-in fields plus vars every target host has."""
        if on not in self._attrs_by_target:
            self._attrs_by_target[on] = self._shared_host_attrs(on)
        return self._attrs_by_target[on]

    def _shared_host_attrs(self, on: str) -> frozenset[str]:
        if on == UNRENDERED:  # which hosts is not known (broken parameters, said): any field a host has is taken
            every = {name for hs in self.hosts.values() for h in hs for name, _value in h.vars}
            return frozenset({"name", "address", "port", "user"} | every)
        hosts = self.hosts.get(on) or tuple(h for hs in self.hosts.values() for h in hs if h.name == on)[:1]
        shared = set.intersection(*(set(dict(h.vars)) for h in hosts)) if hosts else set()
        # `user` only where every host names one (`local` has none): else `{{ host.user }}` has no value
        user = {"user"} if hosts and all(h.user is not None for h in hosts) else set()
        return frozenset({"name", "address", "port"} | user | shared)

    def _capture(self, m: YMap, kind: str) -> str | None:
        if not self._only(m, "capture", kind, ("run", "ask")):
            return None
        name = self.fields.identifier(m, "capture", IDENT, "a capture name like lag ([A-Za-z_][A-Za-z0-9_]*)")
        owner = self.texts.names.captures.get(name or "")
        if name is not None and owner is not None and owner.mark != m.value_mark("capture"):
            self.diags.error(
                m.value_mark("capture"), f"capture '{name}' is already declared by step '{owner.step_id}' (line {owner.mark.line}); expected a unique name"
            )
        return name

    def _panel_refs(self, m: YMap) -> list[str]:
        refs = []
        for written, mark in self.fields.string_list(m, "watch"):
            panel = self._panel_named(written, mark)
            if panel is None:
                continue  # a template that cannot render: said already
            if panel in self.panel_ids:
                refs.append(panel)
            else:
                self.diags.error(mark, f"unknown panel '{panel}'; expected one of metrics.panels: {', '.join(sorted(self.panel_ids)) or 'none declared'}")
        return refs

    def _expect(self, step: YMap, scope: Scope) -> Expect:
        f = self.fields
        if "expect" not in step:
            return Expect()
        m = f.shaped(step["expect"], step.value_mark("expect"), "expect: {exit, stdout, metric}", T.EXPECT)
        if m is None:
            return Expect()
        codes: list[int] = []
        if "exit" in m:
            written = m["exit"]
            items = list(zip(written, written.item_marks)) if isinstance(written, YList) else [(written, m.value_mark("exit"))]
            if not items:  # (it was taken as 0: a list meant to hold codes, emptied by an edit, accepted only success)
                self.diags.error(m.value_mark("exit"), "'exit': an empty list; expected the exit codes that count as success (leave exit out for 0)")
            for code, mark in items:
                value = f.resolve(code, mark)  # `exit: "{{ expected_status }}"`: every string value is a template
                if value is None and code is not None:
                    continue  # a template that cannot render: said already
                number = exit_code(value)
                if number is None:
                    self.diags.error(mark, f"'exit': expected an exit code 0-255 or a list of them, got {describe(value)}")
                else:
                    codes.append(number)
        stdout = self._text(m, "stdout", "regex", scope)
        if stdout is not None and (problem := _pattern_problem(stdout)) is not None:
            self.diags.error(m.value_mark("stdout"), f"'stdout': expected a regular expression: {problem}")
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
                self.diags.error(
                    m.key_mark(name), f"env name '{name}': names starting with {VALUE_PREFIX} carry the command's templated values; expected another name"
                )
                continue
            self._no_nul(m, name, f"env {name}")
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
            self.diags.error(step.value_mark("serial"), '\'serial\': expected batch sizes like [1, "25%", "100%"]')
        return [s for s in sizes if s is not None]


def _pattern_problem(stdout: Text) -> str | None:
    """Why `expect.stdout` is no pattern: as rendered at load; or, rendered only as its step runs (a secret, a host, a
    capture), as its own text reads with each value as one literal character, since a value is escaped into one literal
    run whatever it holds (`^{{ secrets.tok }}($` failed only at 2 AM). A template beyond plain lookups (`| raw`) is
    the step's to judge. Two characters are tried, so that only text broken whatever the values are is refused."""
    if stdout.value is not None:
        return compile_problem(stdout.value)
    simple = split(stdout.source, GLOBALS) if stdout.lazy else None
    if simple is None:
        return None
    first, second = (compile_problem(one.join(simple.texts)) for one in ("_", "a"))
    return None if first is None or second is None else f"{first} (each value read as one character)"
