"""Load a runbook file into a validated, rendered `Runbook`, or every problem at `FILE:LINE:COL`.

The walk follows the format's order of dependence: parameters first (they
feed every template), then secrets and hosts (names templates may use),
then the ticket, the metrics and the sections. Problems are collected, not
raised one by one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.comment_cuts import warn_cut_texts
from runbook_tui.runbook.diagnostics import Diagnostic, RunbookInvalid, shown
from runbook_tui.runbook.document import MAX_BYTES, YMap, check_size, decode, load_document
from runbook_tui.runbook.folders import dangling, dangling_words, unread_wanted
from runbook_tui.runbook.host_entries import HostEntries
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.load_base import LOCAL_HOST, RUNBOOK_ID, TOP_KEYS
from runbook_tui.runbook.load_other_steps import check_other_steps
from runbook_tui.runbook.load_params import ParamsReader, declared_names
from runbook_tui.runbook.load_steps import StepsReader
from runbook_tui.runbook.model import (
    LOCAL,
    Host,
    Mark,
    Param,
    Risk,
    Runbook,
    Secret,
    Ticket,
)
from runbook_tui.runbook.params import bind
from runbook_tui.runbook.placeholders import check_placeholders, refused_drafts
from runbook_tui.runbook.reach import ReachReader
from runbook_tui.runbook.templating import base_context
from runbook_tui.runbook.texts import Names

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Loaded:
    runbook: Runbook
    warnings: list[Diagnostic]

    def ready(self) -> Loaded:
        """Itself, ready to run or approve; RunbookInvalid while `runbook-tui new`'s placeholders are left in it (a draft
        validates, with a warning at each, and never runs: ticket CHG-0000 by "EDIT-assignee")."""
        if drafts := refused_drafts(self.warnings):
            raise RunbookInvalid(drafts)
        return self


def load_runbook(path: str | Path, given: Mapping[str, Any] | None = None) -> Loaded:
    """Read, validate and render a runbook file; raises RunbookInvalid listing every problem."""
    file = str(path)
    try:
        data = read_limited(path, MAX_BYTES)  # a huge file, /dev/zero or a FIFO is refused, never read whole
    except OSError as exc:
        said = dangling_words(Path(file)) if dangling(Path(file)) else f"cannot read the file: {exc.strerror}{unread_wanted(exc)}"
        raise RunbookInvalid([Diagnostic(Mark(file, 1, 1), said)]) from None
    return load_text(data, file, given)


def load_text(data: bytes, file: str, given: Mapping[str, Any] | None = None) -> Loaded:
    """The same as load_runbook for bytes already in memory (the TUI's picker, tests)."""
    check_size(len(data), file)
    text = decode(data, file)
    with _cyclic_gc_paused():
        return _built(data, text, file, given)


def _built(data: bytes, text: str, file: str, given: Mapping[str, Any] | None) -> Loaded:
    """The load itself, in a frame of its own: the document's values are freed as it returns, before the collector is
    back on, whose first young collection then walks what the runbook keeps, not the document as well (half the objects:
    1.7 of 3.5 ms for 1,000 steps, bench/load.py)."""
    document = load_document(text, file)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    return _Builder(file, text).build(document, digest, dict(given or {}))


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Loading builds tens of thousands of small objects (nodes, marks, steps) and no reference cycles; the cyclic
    collector would walk every object the program holds each time the allocations pass its threshold, about a
    third of a 1,000-step load once the program's modules are imported (bench/load.py). Reference counting still
    frees everything as usual; the collector is back on (if it was on) as the load ends, however it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Builder(StepsReader, ParamsReader):
    # -- the whole document ----------------------------------------------------

    def build(self, doc: Any, digest: str, given: dict[str, Any]) -> Loaded:
        f = self.fields
        root = f.mapping(doc, Mark(self.file, 1, 1), "a runbook")
        if root is None:
            self.diags.raise_if_errors()
        assert root is not None
        if not TOP_KEYS.intersection(root):  # another tool's YAML (a Deployment, a compose file): one line, not one per key
            wanted = ", ".join("'runbook: 1'" if key == "runbook" else f"'{key}:'" for key in T.RUNBOOK.required)
            self.diags.error(root.mark, f"not a runbook: no key at its top is a runbook's; expected {wanted} there")
            self.diags.raise_if_errors()
        f.keys(root, "the runbook", TOP_KEYS, T.RUNBOOK.required)
        self._version(root)
        runbook_id = f.identifier(root, "id", RUNBOOK_ID, "lowercase letters, digits and dashes ([a-z0-9-]+)") or "invalid"

        declared = len(self.diags.items)
        params = self._params(root)
        bound = self._bind(root, params, given)  # the values that bound: a list parameter's group is checked with its own
        # A parameter declared wrongly (a default that does not fit), or one missing, leaves nothing to render with.
        values = None if any(d.severity == "error" for d in self.diags.items[declared:]) else bound
        context = None if values is None else base_context(values, None)
        self.texts.context = context  # before secrets and hosts: a secret's source and a host's fields render from params
        secrets = self._secrets(root)
        self.texts.names = Names(frozenset(p.name for p in params), declared_names(root, "secrets") | {s.name for s in secrets})  # one refused: said once
        self.texts.names.captures = self._captures(root)
        self.texts.names.has_ticket = "ticket" in root
        self.hosts = self._hosts(root, params, values, bound)

        ticket = self._ticket(root)
        self.texts.names.ticket_ready = True
        if context is not None and ticket is not None:
            self.texts.context = base_context(values or {}, ticket.as_context())
        title, title_template = self._plain_and_template(root, "title")
        if isinstance(root.get("title"), str) and not root["title"].strip():  # required: a blank one is none
            self.diags.error(root.value_mark("title"), "'title' is empty; expected what this change does, as people will read it")
        title = title or runbook_id
        metrics = self._metrics(root)
        sections = self._sections(root)
        check_other_steps(sections, self.texts)  # `tar -xzf /srv/{{ v }}.tgz -C /srv/app`, then `/srv/app/migrate.sh`
        reach = ReachReader(self.fields, self.texts.make)
        notify, alerts = reach.notify(root), reach.alerts(root)
        if alerts is not None and alerts.until == "window_end" and (ticket is None or ticket.window_end is None):
            self.diags.error(  # before: the silences quietly lasted 4 hours from the start, and outlived a rollback
                root["alerts"].value_mark("until"),
                "'until: window_end' keeps the silences to the change window's end, and this runbook's ticket has no window; "
                "expected ticket.window (start, end), or until: session_end",
            )
        warn_cut_texts(root, self.file, self.diags)
        check_placeholders(root, self.diags)  # `runbook-tui new`'s EDIT-assignee, CHG-0000, (EDIT): not ready to run
        self.diags.raise_if_errors()
        runbook = Runbook(
            id=runbook_id,
            title=title,
            title_template=title_template,
            file=self.file,
            digest=digest,
            source=self.text,
            ticket=ticket,
            params=params,
            param_values=tuple((values or {}).items()),
            hosts=tuple(self.hosts.items()),
            secrets=secrets,
            metrics=metrics,
            sections=sections,
            notify=notify,
            alerts=alerts,
        )
        return Loaded(runbook, sorted(self.diags.items, key=lambda d: (d.mark.line, d.mark.col)))

    def _version(self, root: YMap) -> None:
        if "runbook" not in root:
            return
        version = root.as_written("runbook")  # `true` and `01` are written otherwise than 1, so they are text here
        if type(version) is not int or version != FORMAT_VERSION:
            self.diags.error(root.value_mark("runbook"), f"unsupported format version {shown(version)}; expected runbook: {FORMAT_VERSION}")

    # -- secrets and hosts ---------------------------------------------------

    def _secrets(self, root: YMap) -> tuple[Secret, ...]:
        f = self.fields
        secrets = []
        for name, value, key_mark, value_mark in self._entries(root, "secrets", "secrets: name -> source"):
            if not name or any(unicodedata.category(char) in ("Cc", "Cf") for char in name):  # every message names it
                self.diags.error(key_mark, f"secret name {shown(name)}: expected a name, like prom_token, without control characters")
                continue
            m = f.mapping(value, value_mark, f"secret '{name}' (env: VAR or keyring: {{service, username}})")
            if m is None:
                continue
            f.keys(m, f"secret '{name}'", T.SECRET.keys)
            if len([k for k in T.SECRET.keys if k in m]) != 1:
                self.diags.error(m.mark, f"secret '{name}': expected exactly one of env: VAR or keyring: {{service, username}}")
                continue
            if "env" in m:  # each a string value, so a template: `env: "PGPASSWORD_{{ cluster | upper }}"` (it was read as written)
                secrets.append(Secret(name, key_mark, env=self._variable(m)))
                continue
            ring = f.mapping(m["keyring"], m.value_mark("keyring"), "keyring: {service, username}")
            if ring is not None:
                f.keys(ring, f"secret '{name}' keyring", T.KEYRING.keys, T.KEYRING.required)
                for key in ("service", "username"):  # a blank one is no entry: found missing only as the run starts
                    if isinstance(ring.get(key), str) and not ring[key].strip():
                        self.diags.error(ring.value_mark(key), f"keyring '{key}' is empty; expected the {key} the value is stored under")
                secrets.append(Secret(name, key_mark, keyring_service=self._plain(ring, "service"), keyring_username=self._plain(ring, "username")))
        return tuple(secrets)

    def _variable(self, m: YMap) -> str | None:
        """A secret's `env:`, rendered: a name an environment can hold (an empty one, or one with `=`, is never set)."""
        variable = self._plain(m, "env")
        if variable is not None and (not variable or "=" in variable or "\0" in variable):
            self.diags.error(m.value_mark("env"), f"'env': expected the name of an environment variable, like PGPASSWORD, got {shown(variable)}")
        return variable

    def _hosts(self, root: YMap, params: tuple[Param, ...], values: dict[str, Any] | None, bound: dict[str, Any]) -> dict[str, tuple[Host, ...]]:
        entries = self._entries(root, "hosts", "hosts: group -> list of hosts")
        groups = HostEntries(self.fields, self.diags, self._plain).groups(entries, params, values, bound)
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
        m = f.shaped(root["ticket"], root.value_mark("ticket"), "ticket", T.TICKET)
        if m is None:
            return None
        start = end = None
        if "window" in m:
            start, end = self._window(m)
        if isinstance(m.get("id"), str) and not m["id"].strip():  # required: a blank one is none (the plan read 'ticket')
            self.diags.error(m.value_mark("id"), "ticket 'id' is empty; expected the change ticket's id, like CHG-2041")
        assignee = self._plain(m, "assignee")
        verifier = self._plain(m, "verifier")
        for key, name, who in (("assignee", assignee, "who executes"), ("verifier", verifier, "who confirms")):
            if name is not None and not person_key(name):  # the plan read `verifier ?`; no one is named by it
                self.diags.error(m.value_mark(key), f"ticket '{key}' is empty; expected {who} (a person's name), or the key left out")
        if assignee and verifier and person_key(verifier) and person_key(assignee) == person_key(verifier):
            same = (
                f"'{verifier}' is also the assignee"
                if assignee == verifier
                else f"{shown(verifier)} is the assignee {shown(assignee)} (the names differ only in case, spaces or invisible characters)"
            )
            self.diags.error(m.value_mark("verifier"), f"verifier {same}; expected a different person (two-person rule)")
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
        m = self.fields.shaped(ticket["window"], ticket.value_mark("window"), "window: {start, end}", T.WINDOW)
        if m is None:
            return None, None
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
        m = self.fields.shaped(ticket["risk"], ticket.value_mark("risk"), "risk: {level, summary, mitigations}", T.RISK)
        if m is None:
            return None
        return Risk(
            level=self.fields.choice(m, "level", T.RISK_LEVELS, "high"),
            summary=self._plain(m, "summary", "") or "",
            mitigations=tuple(self._plain_list(m, "mitigations")),
        )


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
        loaded = load_runbook(path, given).ready()  # a picker offers runbooks to run: a draft of `new` is not one
    except RunbookInvalid as invalid:
        diagnostics = invalid.errors + refused_drafts(invalid.diagnostics)  # its placeholders, whatever values are missing
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
    fixable = {problem.message for problem in problems if problem.param is not None}
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


def person_key(name: str) -> str:
    """Who a ticket's name means: `Alice`, ` alice`, `alice` with a zero-width space, `alice  smith` with two spaces
    (or a no-break one) and `alice` in full-width letters are one person to the people reading the ticket, so the two-person
    rule compares them so (before: only the exact same text was refused; then spaces inside a name still counted)."""
    visible = "".join(char for char in unicodedata.normalize("NFKC", name) if unicodedata.category(char) != "Cf")
    return " ".join(visible.split()).casefold()
