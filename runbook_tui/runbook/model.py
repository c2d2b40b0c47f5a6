"""The runbook as frozen data: what the loader produces and everything downstream reads.

Every value that came from the file keeps its `Mark` so that any later error
(a bad parameter, a render failure at run time) can still point at
`FILE:LINE:COL`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass, field

if TYPE_CHECKING:  # defined with their reader; the model only carries them
    from runbook_tui.runbook.reach import Alerts, NotifyTarget

ParamType = Literal["string", "int", "float", "bool", "choice", "list"]
SectionKind = Literal["precheck", "backup", "implement", "verify", "postcheck", "rollback"]
StepKind = Literal["run", "note", "wait", "ask"]
VerifyMode = Literal["after", "before", "both", "none", "per_wave"]
RiskLevel = Literal["low", "medium", "high", "critical"]
TextKind = Literal["plain", "shell", "regex", "promql", "url", "folder"]  # folder: a step's cwd (templating.render)

#: Section kinds whose steps change things; preflight wants an undo or a confirm there.
MUTATING_SECTION_KINDS: frozenset[str] = frozenset({"backup", "implement"})
#: Section kinds whose steps only look; a missing undo there is not worth a warning.
READ_ONLY_SECTION_KINDS: frozenset[str] = frozenset({"precheck", "verify", "postcheck"})

LOCAL = "local"


class Mark(NamedTuple):
    """A position in a runbook file, 1-based, as editors show it (a tuple: tens of thousands are made per load)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Text:
    """A templated string from the runbook.

    `value` holds the text rendered at load. It is None when the template
    uses `captured.*`, `host` or `secrets.*`: those are rendered just before
    their step runs (see `runbook.templating.render_text`).
    """

    source: str
    mark: Mark
    kind: TextKind = "plain"
    value: str | None = None
    uses: frozenset[str] = frozenset()  # root names used: params, captured, host, secrets, ...
    #: a literal block scalar's (`run: |`) indentation, for a template rendered at run time: where a place inside it is
    block_indent: int | None = None

    @property
    def lazy(self) -> bool:
        return self.value is None

    def shown(self) -> str:
        """The rendered text, or the template where it is not known yet (a plan says that in words: `plan_words`)."""
        return self.value if self.value is not None else self.source

    def mark_at(self, offset: int | None) -> Mark:
        """Where character `offset` of the template stands in the file, as `validate` names it: exact in a literal block
        scalar rendered at run time (the value a capture refused on line 14 of `run: |`), else the string's own place."""
        if offset is None or self.block_indent is None:
            return self.mark
        column = offset - (self.source.rfind("\n", 0, offset) + 1)
        return Mark(self.mark.file, self.mark.line + self.source.count("\n", 0, offset) + 1, self.block_indent + column + 1)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType
    mark: Mark
    description: str = ""
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] = ()
    pattern: str | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True, slots=True)
class Host:
    """One machine. `local` is the machine the program runs on."""

    name: str
    address: str
    mark: Mark
    port: int = 22
    user: str | None = None
    identity: str | None = None
    vars: tuple[tuple[str, Any], ...] = ()
    #: The bastion this host is reached through (itself a host entry, maybe behind its own bastion).
    via: Host | None = None
    #: Agent forwarding to this host: off unless the runbook (or ~/.ssh/config's ForwardAgent) asks.
    forward_agent: bool = False
    #: The connection fields the runbook set itself (address, port, user, identity): they win over ~/.ssh/config.
    given: frozenset[str] = frozenset()

    @property
    def is_local(self) -> bool:
        return self.name == LOCAL

    @property
    def path(self) -> str:
        """How the host is reached, for people: `db1`, `db1 via bastion1`, `db1 via inner via outer`."""
        hops = [self.name]
        via = self.via
        while via is not None:
            hops.append(via.name)
            via = via.via
        return " via ".join(hops)

    def as_context(self) -> dict[str, Any]:
        """The `host` mapping templates see."""
        ctx: dict[str, Any] = dict(self.vars)
        ctx.update(name=self.name, address=self.address, port=self.port, user=self.user)
        return ctx


@dataclass(frozen=True, slots=True)
class Secret:
    """Where a secret's value comes from; the value itself is never kept in the model."""

    name: str
    mark: Mark
    env: str | None = None
    keyring_service: str | None = None
    keyring_username: str | None = None


@dataclass(frozen=True, slots=True)
class Panel:
    id: str
    title: str
    query: Text
    mark: Mark
    unit: str = ""
    warn: float | None = None
    critical: float | None = None
    direction: Literal["above", "below"] = "above"
    for_seconds: float = 0.0
    on_critical: Literal["pause", "rollback", "notify"] = "pause"
    on_no_data: Literal["pause", "notify", "ignore"] = "pause"  # no successful reading for `for`


@dataclass(frozen=True, slots=True)
class MetricCheck:
    """`{panel: p99, below: 250[, within: 10m]}`: a measured condition."""

    panel: str
    mark: Mark
    below: float | None = None
    above: float | None = None
    within_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class MetricsSource:
    kind: Literal["prometheus", "scrape"]
    url: Text
    token: Text | None = None


@dataclass(frozen=True, slots=True)
class Metrics:
    source: MetricsSource | None
    interval_seconds: float
    panels: tuple[Panel, ...]
    success: tuple[MetricCheck, ...]

    def panel(self, panel_id: str) -> Panel:
        return next(p for p in self.panels if p.id == panel_id)


@dataclass(frozen=True, slots=True)
class Expect:
    exit: tuple[int, ...] = (0,)
    stdout: Text | None = None
    metric: MetricCheck | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step. Exactly one of the four kinds; `body` is its command, note text or question."""

    id: str
    title: str  # as plans show it: rendered at load, or the template when it uses captured.* or host
    kind: StepKind
    section_id: str
    mark: Mark
    title_text: Text | None = None  # the title's template, rendered just before the step (captured.*, host)
    body: Text | None = None  # run: command; note: text; ask: question; wait: None
    wait_seconds: float | None = None
    watch: tuple[str, ...] = ()
    on: str = LOCAL
    expect: Expect = field(default_factory=Expect)
    timeout_seconds: float | None = None
    retries: int = 0
    retry_delay_seconds: float = 5.0
    capture: str | None = None
    verify: VerifyMode = "after"
    undo: Text | None = None
    checkpoint: bool = False
    env: tuple[tuple[str, Text], ...] = ()
    cwd: Text | None = None
    sudo: bool = False
    serial: tuple[int | str, ...] = ()  # batch sizes: ints or "25%"; last one repeats
    max_fail: int | str = 0  # a count or "10%"
    confirm: Text | None = None


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    kind: SectionKind
    steps: tuple[Step, ...]
    mark: Mark
    title_template: str | None = None  # the title's template when it reads `now` (a plan shows and binds that)


@dataclass(frozen=True, slots=True)
class Risk:
    level: RiskLevel
    summary: str = ""
    mitigations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    mark: Mark
    subject: str = ""
    description: str = ""
    window_start: str | None = None  # ISO 8601 with offset, as written (rendered)
    window_end: str | None = None
    assignee: str | None = None
    verifier: str | None = None
    risk: Risk | None = None
    success_criteria: tuple[str, ...] = ()

    def as_context(self) -> dict[str, Any]:
        """The `ticket` mapping templates and the journal see."""
        return {
            "id": self.id,
            "subject": self.subject,
            "description": self.description,
            "window": {"start": self.window_start, "end": self.window_end},
            "assignee": self.assignee,
            "verifier": self.verifier,
            "risk": None if self.risk is None else {"level": self.risk.level, "summary": self.risk.summary, "mitigations": list(self.risk.mitigations)},
            "success_criteria": list(self.success_criteria),
        }


#: A runbook larger than this is not copied into its journal (one line of at most 8 MiB holds session_started whole).
KEPT_SOURCE_BYTES = 1024 * 1024
#: `scheme://user:password@` anywhere in a runbook's text: a credential written in it (looked for loosely: a false match
#: only leaves the copy out).
_URL_PASSWORD = lazy_re.compile(r"://[^\s/@'\"]*:[^\s/@'\"]*@")  # compiled for a text with `://` in it


@dataclass(frozen=True, slots=True)
class Runbook:
    """A loaded, validated runbook with its parameters bound and load-time strings rendered."""

    id: str
    title: str
    file: str
    digest: str  # "sha256:<hex>" of the file's bytes
    ticket: Ticket | None
    params: tuple[Param, ...]
    param_values: tuple[tuple[str, Any], ...]
    hosts: tuple[tuple[str, tuple[Host, ...]], ...]  # group name -> hosts, in file order
    secrets: tuple[Secret, ...]
    metrics: Metrics | None
    sections: tuple[Section, ...]
    version: int = 1
    notify: tuple[NotifyTarget, ...] = ()  # added to the settings' notify list
    alerts: Alerts | None = None  # Alertmanager silences for the session
    title_template: str | None = None  # the title's template when it reads `now` (a plan shows and binds that)
    source: str = ""  # the file's text, as read (its sha256 is `digest`): journaled, so resume and practice need only the journal

    @property
    def kept_source(self) -> str | None:
        """The text session_started keeps, or None (resume then needs the file): up to KEPT_SOURCE_BYTES (a journal line
        holds it whole), and only when it writes no credential itself: a URL's password, a literal metrics token or
        notify header value (the journal goes to verifiers and reports, which show those as `***` or not at all)."""
        if not self.source or len(self.source.encode()) > KEPT_SOURCE_BYTES or ("://" in self.source and _URL_PASSWORD.search(self.source)):
            return None
        token = self.metrics.source.token if self.metrics is not None and self.metrics.source is not None else None
        headers = [value for target in self.notify for _name, value in target.headers]
        if (token is not None and not token.uses) or any(isinstance(value, Text) and not value.uses for value in headers):
            return None
        return self.source

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step in document order, rollback sections included."""
        return tuple(step for section in self.sections for step in section.steps)

    @property
    def forward_steps(self) -> tuple[Step, ...]:
        """The steps a normal run walks through: everything but `rollback` sections."""
        return tuple(s for sec in self.sections if sec.kind != "rollback" for s in sec.steps)

    @property
    def rollback_steps(self) -> tuple[Step, ...]:
        """The steps of the `rollback` sections, run at the end of a full rollback."""
        return tuple(s for sec in self.sections if sec.kind == "rollback" for s in sec.steps)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def group(self, name: str) -> tuple[Host, ...]:
        return dict(self.hosts)[name]

    def targets(self, step: Step) -> tuple[Host, ...]:
        """The hosts a step runs on: a group's hosts, one named host, or `local`."""
        groups = dict(self.hosts)
        if step.on in groups:
            return groups[step.on]
        for hosts in groups.values():
            for host in hosts:
                if host.name == step.on:
                    return (host,)
        raise KeyError(step.on)
