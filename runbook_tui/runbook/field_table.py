"""The runbook format's field table: every mapping, its keys, what each holds, which are required.

One source for two readers: the loader takes its allowed and required keys
and its enums from here, and `runbook-tui schema` turns the same table into
a JSON Schema (with these descriptions) for editors. A key added here is
known to both; a key added elsewhere is caught by tests/runbook/test_schema.py.
"""

from __future__ import annotations

from typing import Any, Literal

from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import ParamType, RiskLevel, SectionKind, StepKind, VerifyMode
from runbook_tui.runbook.schema_patterns import FLOAT, percent_text, whole_text

JSON = dict[str, Any]

PARAM_TYPES: tuple[ParamType, ...] = ("string", "int", "float", "bool", "choice", "list")
SECTION_KINDS: tuple[SectionKind, ...] = ("precheck", "backup", "implement", "verify", "postcheck", "rollback")
STEP_KINDS: tuple[StepKind, ...] = ("run", "note", "wait", "ask")
RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "high", "critical")
VERIFY_MODES: tuple[VerifyMode, ...] = ("after", "before", "both", "none", "per_wave")
DIRECTIONS: tuple[Literal["above", "below"], ...] = ("above", "below")
ON_CRITICAL: tuple[Literal["pause", "rollback", "notify"], ...] = ("pause", "rollback", "notify")
ON_NO_DATA: tuple[Literal["pause", "notify", "ignore"], ...] = ("pause", "notify", "ignore")
SOURCE_KINDS: tuple[Literal["prometheus", "scrape"], ...] = ("prometheus", "scrape")

# -- value shapes (JSON Schema fragments) ---------------------------------------------

#: A string holding a Jinja2 template: its value is only known once rendered.
TEMPLATE: JSON = {"type": "string", "pattern": r"\{[{%]"}
#: Null, where the loader takes it as "not given" (a section: `metrics:`, `alerts:`, a list of panels). A typed key
#: written with no value (`timeout:`) is an error to the loader ("got nothing (null)"), so none of the typed shapes
#: below takes null.
NULL: JSON = {"type": "null"}
TEXT: JSON = {"type": ["string", "number"]}
#: Text the loader refuses when empty or blank (`run: "  "`, `ticket: {id: ""}`).
FILLED: JSON = {"anyOf": [{"type": "string", "pattern": r"\S"}, {"type": "number"}]}
#: One word on a command line: a host's name, address or user (no space or control character, no leading `-`).
WORD_TEXT: JSON = {"type": "string", "pattern": r"^(?!-)[^\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+$"}
WORD: JSON = {"anyOf": [WORD_TEXT, {"type": "number"}, TEMPLATE]}
NAME: JSON = {"anyOf": [{"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"}, {"type": "number", "minimum": 0}]}
IDENT: JSON = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
NUMERIC_TEXT: JSON = {"type": "string", "pattern": rf"^\s*[-+]?{FLOAT}\s*$"}
NUMBER: JSON = {"anyOf": [{"type": "number"}, NUMERIC_TEXT, TEMPLATE]}
BOOLEAN: JSON = {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\s*$"}, TEMPLATE]}
#: A number of seconds (`90`, `1.5`, `1e3`), or units each once, largest first (`1h30m`; never `30s5m` nor `1m1m`),
#: as the loader reads them.
_DURATION_TEXT = rf"\s*(\+?{FLOAT}|(?=\d)(\d+(\.\d+)?d)?\s*(\d+(\.\d+)?h)?\s*(\d+(\.\d+)?m)?\s*(\d+(\.\d+)?s)?\s*(\d+(\.\d+)?ms)?)\s*$"
DURATION: JSON = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": f"^{_DURATION_TEXT}"}, TEMPLATE]}
#: A duration where 0 means nothing useful (a timeout, a polling interval): the loader refuses it, and anything under
#: 100ms (a text such as `1ms` passes the pattern; the loader says why it is too short).
LASTING: JSON = {"anyOf": [{"type": "number", "minimum": 0.1}, {"type": "string", "pattern": f"^(?=[^1-9]*[1-9]){_DURATION_TEXT}"}, TEMPLATE]}
#: An http(s) URL as the loader takes it (its host and port are checked by `validate`).
URL: JSON = {"anyOf": [{"type": "string", "pattern": r"^https?://[^\s\x00-\x1f\x7f]+$"}, TEMPLATE]}


def hosts_share(least: int) -> JSON:
    """A count of hosts (at least `least`, also as text) or a share of them (`25%`; above 0% where `least` is 1), at most
    100%, as the loader reads `serial` and `max_fail`."""
    return {
        "anyOf": [
            {"type": "integer", "minimum": least},
            {"type": "string", "pattern": whole_text(least)},
            {"type": "string", "pattern": percent_text(least > 0)},
            TEMPLATE,
        ]
    }


#: An exit status: 0-255, as a number, its digits, or a template rendering to them.
EXIT_CODE: JSON = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 255}, {"type": "string", "pattern": whole_text(0, 255)}, TEMPLATE]}
TEXT_LIST: JSON = {"anyOf": [{"type": "string"}, {"type": "array", "items": TEXT}]}


def enum(values: tuple[str, ...]) -> JSON:
    """One of `values`, or a template that renders to one."""
    return {"anyOf": [{"enum": list(values)}, TEMPLATE]}


def plain(shape: JSON) -> JSON:
    """`shape` without the template it takes."""
    return {"anyOf": [one for one in shape["anyOf"] if one is not TEMPLATE]}


def integer(minimum: int, maximum: int | None = None) -> JSON:
    bounds: JSON = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        bounds["maximum"] = maximum
    return {"anyOf": [bounds, {"type": "string", "pattern": whole_text(minimum, maximum)}, TEMPLATE]}


def ref(name: str) -> JSON:
    return {"$ref": f"#/definitions/{name}"}


def mapping_of(value: JSON, names: JSON | None = None, nullable: bool = True) -> JSON:
    schema: JSON = {"type": ["object", "null"] if nullable else "object", "additionalProperties": value}
    if names is not None:
        schema["propertyNames"] = names
    return schema


def exactly_one_of(*keys: str) -> JSON:
    return {"oneOf": [{"required": [key]} for key in keys]}


# -- the table --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    value: JSON
    description: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Shape:
    """One mapping of the format: its keys, and any rule across keys (`extra`, JSON Schema)."""

    name: str
    description: str
    fields: tuple[Field, ...]
    extra: JSON = field(default_factory=dict)
    keys: frozenset[str] = field(init=False, repr=False, compare=False)  # derived once: the loader checks every mapping
    required: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(f.key for f in self.fields))
        object.__setattr__(self, "required", tuple(f.key for f in self.fields if f.required))


CHECK = Shape("check", "A measured check on a panel: exactly one of below or above, optionally within a time.", (
    Field("panel", TEXT, "Id of a panel declared under metrics.panels.", True),
    Field("below", NUMBER, "The value must fall below this."),
    Field("above", NUMBER, "The value must rise above this."),
    Field("within", DURATION, "How long it may take to get there (30s, 10m)."),
), exactly_one_of("below", "above"))  # fmt: skip

EXPECT = Shape("expect", "What a finished run step must show to count as succeeded.", (
    Field("exit", {"anyOf": [EXIT_CODE, {"type": "array", "minItems": 1, "items": EXIT_CODE}]}, "Exit code (default 0), or a list of accepted codes."),
    Field("stdout", TEXT, "A regular expression searched in stdout (values interpolated into it are escaped)."),
    Field("metric", ref("check"), "A panel check made once the command finished."),
))  # fmt: skip

STEP = Shape("step", "One step: exactly one of run, note, wait or ask.", (
    Field("id", NAME, "Unique step id (ASCII letters and digits, then also -, _ or .).", True),
    Field("title", TEXT, "What the step does, as the assignee and verifier read it."),
    Field("run", FILLED, "A shell command run with `sh -c` on each host of `on`; interpolated values are shell-quoted."),
    Field("note", FILLED, "A manual instruction; the assignee marks it done."),
    Field("wait", DURATION, "A timed pause (30s, 5m); `watch` shows panels meanwhile."),
    Field("ask", FILLED, "A question the assignee answers; `capture` stores the answer."),
    Field("watch", {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}, "Panel ids to show during the step."),
    Field("on", TEXT, "Where a run step runs: a host group, a host name, or local (the default)."),
    Field("expect", ref("expect"), "What counts as success: exit code, stdout pattern, a metric."),
    Field("timeout", LASTING, "Stop the command after this long (30s, 5m)."),
    Field("retries", integer(0, 100), "Re-run a failed command this many times."),
    Field("retry_delay", DURATION, "Pause between retries (default 5s)."),
    Field("capture", IDENT, "Keep stdout (stripped), or an ask step's answer, as captured.NAME for later steps."),
    Field("verify", enum(VERIFY_MODES), "When the verifier confirms: after (default), before, both, none, or per_wave (between the waves of `serial`, and after the last)."),
    Field("undo", TEXT, "A command that reverses this step, run on the same hosts at rollback."),
    Field("checkpoint", BOOLEAN, "A safe point: rollback to the last checkpoint undoes only the steps after it."),
    Field("env", mapping_of(TEXT, IDENT, nullable=False), "Environment variables for the command."),
    Field("cwd", FILLED, "Working directory of the command."),
    Field("sudo", BOOLEAN, "Run the command with `sudo -n`."),
    Field("serial", {"anyOf": [*hosts_share(1)["anyOf"], {"type": "array", "minItems": 1, "items": hosts_share(1)}]},
          "Waves on a group: a count, a percentage, or a ramp like [1, 5, \"50%\"] (the last value repeats)."),
    Field("max_fail", hosts_share(0), "Failed hosts tolerated (a count, or \"10%\" of the step's hosts); one more stops the rollout before the next wave (default 0). A failed host is left out of the later steps."),
    Field("confirm", TEXT, "Text the assignee must acknowledge before the step runs (for steps that cannot be undone)."),
), {
    **exactly_one_of(*STEP_KINDS),
    "allOf": [
        {"if": {"required": [key]}, "then": {"anyOf": [{"required": [kind]} for kind in kinds]}}
        for key, kinds in (("undo", ("run", "note")), ("cwd", ("run",)), ("on", ("run",)), ("capture", ("run", "ask")))
    ],
})  # fmt: skip

SECTION = Shape("section", "A group of steps of one kind.", (
    Field("id", NAME, "Unique section id.", True),
    Field("title", TEXT, "The section's heading."),
    Field("kind", enum(SECTION_KINDS), "precheck, backup, implement (default), verify, postcheck or rollback."),
    Field("steps", {"type": "array", "minItems": 1, "items": ref("step")}, "The steps, in order.", True),
))  # fmt: skip

PANEL = Shape(
    "panel",
    "A Prometheus (or scraped) series shown during the run, optionally guarding it.",
    (
        Field("id", NAME, "Unique panel id, used by watch, expect.metric and success.", True),
        Field("title", TEXT, "The panel's heading."),
        Field("query", FILLED, "PromQL (prometheus source) or a metric name with label matchers (scrape source).", True),
        Field("unit", {"type": ["string", "number"]}, "Unit shown after values (ms, %, req/s)."),
        Field("warn", NUMBER, "Value at which the panel turns to warning."),
        Field("critical", NUMBER, "Value at which the guard trips."),
        Field("direction", enum(DIRECTIONS), "Which side of the line is bad: above (default) or below."),
        Field("for", DURATION, "How long past critical before the guard trips."),
        Field("on_critical", enum(ON_CRITICAL), "What a tripped guard does: pause (default), rollback, notify."),
        Field(
            "on_no_data",
            enum(ON_NO_DATA),
            "What a guard does when its panel had no successful reading for its `for`: "
            "pause, notify or ignore (default: pause when on_critical is pause or rollback, else notify).",
        ),
    ),
    {"dependencies": {key: ["critical"] for key in ("for", "on_critical", "on_no_data")}},
)  # fmt: skip  (they act only on a guard)

PROMETHEUS = Shape("prometheus", "A Prometheus server.", (
    Field("url", URL, "The server's base URL.", True),
    Field("token", TEXT, "Bearer token, usually {{ secrets.NAME }}."),
))  # fmt: skip

SCRAPE = Shape("scrape", "An exporter's /metrics page read directly (no server).", (
    Field("url", URL, "The metrics page URL.", True),
))  # fmt: skip

SOURCES = {"prometheus": PROMETHEUS, "scrape": SCRAPE}

SOURCE = Shape("source", "Where panel values come from: exactly one of prometheus or scrape.", (
    Field("prometheus", ref("prometheus"), "Query a Prometheus server."),
    Field("scrape", ref("scrape"), "Read an exporter directly."),
), exactly_one_of(*SOURCE_KINDS))  # fmt: skip

METRICS = Shape("metrics", "Panels shown during the run, guards, and measured success criteria.", (
    Field("source", ref("source"), "Where values come from."),
    Field("interval", LASTING, "How often panels refresh (default 5s)."),
    Field("panels", {"type": ["array", "null"], "items": ref("panel")}, "The panels."),
    Field("success", {"type": ["array", "null"], "items": ref("check")}, "Measured success criteria, checked in verify sections and at the end."),
))  # fmt: skip

KEYRING = Shape("keyring", "An entry of the system keyring.", (
    Field("service", FILLED, "Keyring service name.", True),
    Field("username", FILLED, "Keyring user name.", True),
))  # fmt: skip

SECRET = Shape("secret", "Where a secret's value is read when the run starts: exactly one of env or keyring.", (
    Field("env", {"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}]}, "An environment variable."),
    Field("keyring", ref("keyring"), "A keyring entry."),
), exactly_one_of("env", "keyring"))  # fmt: skip

HOST = Shape("host", "A machine reached over SSH (host keys verified against known_hosts).", (
    Field("name", WORD, "The host's name in the plan, the journal and `on:`.", True),
    Field("address", WORD, "Address to connect to (default: the name)."),
    Field("port", integer(1, 65535), "SSH port (default 22)."),
    Field("user", WORD, "SSH user."),
    Field("identity", FILLED, "Private key file (default: ~/.ssh/config's IdentityFile, the SSH agent, ~/.ssh/id_*)."),
    Field("via", TEXT, "A bastion: the name of another host entry this host is reached through (chains allowed)."),
    Field("forward_agent", BOOLEAN, "Forward the SSH agent to this host (default false)."),
    Field("vars", {"type": "object"}, "Values templates may use as host.NAME."),
))  # fmt: skip

FROM_PARAM = Shape("from_param", "A group built from a list parameter of host names.", (
    Field("from_param", IDENT, "Name of a declared list parameter.", True),
    Field("via", TEXT, "A bastion (another host entry's name) every host of the group is reached through."),
))  # fmt: skip

GROUP = Shape("group", "A list of hosts with settings for all of them.", (
    Field("hosts", {"type": "array", "minItems": 1, "items": ref("host")}, "The hosts.", True),
    Field("via", TEXT, "A bastion (another host entry's name) for the hosts that name none themselves."),
))  # fmt: skip

# A declaration is read before any parameter has a value: no template in it but the default's.
PARAM = Shape("param", "A value given with -p NAME=VALUE or the TUI's form.", (
    Field("type", {"enum": list(PARAM_TYPES)}, "string, int, float, bool, choice or list.", True),
    Field("choices", {"type": ["array", "null"], "items": {"not": TEMPLATE}}, "The allowed values of a choice parameter."),
    Field("description", {"type": ["string", "number"], "not": TEMPLATE}, "What the value is, shown in the form."),
    Field("required", plain(BOOLEAN), "The run refuses to start without a value (validate stands one in)."),
    Field("default", {}, "The value when none is given."),
    Field("pattern", {"type": "string", "not": TEMPLATE}, "A regular expression the value (each item of a list) must match."),
    Field("min", plain(NUMBER), "Smallest allowed number."),
    Field("max", plain(NUMBER), "Largest allowed number."),
), {
    "allOf": [  # what the loader refuses as never checked: choices but for a choice, limits but for a number
        {"if": {"required": [key]}, "then": {"properties": {"type": {"enum": list(types)}}}}
        for key, types in (("choices", ("choice",)), ("min", ("int", "float")), ("max", ("int", "float")))
    ],
})  # fmt: skip

WINDOW = Shape("window", "The approved change window.", (
    Field("start", TEXT, "ISO 8601 time with an offset, like 2026-11-23T02:00:00+09:00.", True),
    Field("end", TEXT, "ISO 8601 time with an offset, after the start.", True),
))  # fmt: skip

RISK = Shape("risk", "The change's risk as the change board assessed it.", (
    Field("level", enum(RISK_LEVELS), "low, medium, high or critical.", True),
    Field("summary", TEXT, "What could go wrong."),
    Field("mitigations", TEXT_LIST, "What limits it."),
))  # fmt: skip

TICKET = Shape("ticket", "The change ticket this run carries out.", (
    Field("id", FILLED, "Ticket id, like CHG-2041.", True),
    Field("subject", TEXT, "One line: what changes."),
    Field("description", TEXT, "Why, scope, impact."),
    Field("window", ref("window"), "The approved change window."),
    Field("assignee", TEXT, "Who executes."),
    Field("verifier", TEXT, "Who confirms each step; must differ from the assignee."),
    Field("risk", ref("risk"), "Risk level, summary and mitigations."),
    Field("success_criteria", TEXT_LIST, "Success in prose; measured checks go in metrics.success."),
))  # fmt: skip

RUNBOOK = Shape("runbook", "A runbook-tui runbook (format version 1): a templated, reviewed production change.", (
    Field("runbook", {"const": 1}, "Format version: 1.", True),
    Field("id", {"type": "string", "pattern": "^[a-z0-9-]+$"}, "Runbook id: lowercase letters, digits and dashes.", True),
    Field("title", TEXT, "The change in one line (a template).", True),
    Field("ticket", ref("ticket"), "The change ticket; a run without one says so on screen and in the journal."),
    Field("params", mapping_of(ref("param"), IDENT), "Parameters by name."),
    Field("hosts", mapping_of({"anyOf": [{"type": "array", "minItems": 1, "items": ref("host")}, ref("from_param"), ref("group")]}, WORD_TEXT),
          "Host groups by name: a list of hosts, {hosts: [...], via: BASTION}, or {from_param: NAME}. `local` is always defined."),
    Field("secrets", mapping_of(ref("secret")), "Secrets by name, read when the run starts, shown as ***."),
    Field("metrics", {"anyOf": [ref("metrics"), {"type": "null"}]}, "Panels, guards and measured success."),
    Field("sections", {"type": "array", "minItems": 1, "items": ref("section")}, "The sections, in order; at least one step in all.", True),
    Field("notify", {"type": ["array", "null"], "items": ref("notify")}, "Webhooks told about the session (added to the settings' own)."),
    Field("alerts", {"anyOf": [ref("alerts"), NULL]}, "Alertmanager silences made for the change."),
))  # fmt: skip

#: A header's value: text, or a secret reference.
SECRET_TEXT: JSON = {"anyOf": [{"type": ["string", "number"]}, ref("secret_ref")]}

#: What can be notified, in the order a run meets them.
NOTIFY_EVENTS: tuple[str, ...] = (
    "session_started", "verifier_missing", "confirmation_waiting", "guard_tripped",
    "rollback_started", "rollback_finished", "window_closing", "session_finished",
)  # fmt: skip
NOTIFY_FORMATS: tuple[Literal["json", "slack"], ...] = ("json", "slack")
SILENCE_UNTIL: tuple[Literal["session_end", "window_end"], ...] = ("session_end", "window_end")

SECRET_REF = Shape("secret_ref", "A value read from the environment or the keyring when the run starts.", (
    Field("env", TEXT, "Read the value from this environment variable."),
    Field("keyring", ref("keyring"), "Read the value from the keyring: {service, username}."),
    Field("prefix", TEXT, "Text put before the secret value, e.g. 'Bearer '."),
), exactly_one_of("env", "keyring"))  # fmt: skip

NOTIFY = Shape("notify", "A webhook receiver told about the session's events.", (
    Field("url", {"anyOf": [URL, ref("secret_ref")]}, "Where to POST: a webhook URL, or a secret reference holding it.", True),
    Field("events", {"type": "array", "minItems": 1, "items": {"enum": list(NOTIFY_EVENTS)}}, "Which events to send (at least one); all of them when absent."),
    Field("format", enum(NOTIFY_FORMATS), "json: our own body; slack: an incoming-webhook {text} message."),
    Field("headers", mapping_of(SECRET_TEXT, {"pattern": r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"}), "HTTP headers; each value a string or a secret reference."),
))  # fmt: skip

SILENCE = Shape("silence", "One Alertmanager silence.", (
    Field("matchers", {"type": "array", "minItems": 1, "items": {"type": "string"}}, 'Label matchers, like alertname="HighErrorRate" (also !=, =~, !~).', True),
    Field("comment", {"type": ["string", "number", "null"]}, "Why; the ticket id is added to it."),
))  # fmt: skip

ALERTS = Shape("alerts", "Silences created through Alertmanager's API v2 while the change runs.", (
    Field("alertmanager", URL, "The Alertmanager base URL.", True),
    Field("silence", {"type": "array", "minItems": 1, "items": ref("silence")}, "The silences to create when the session starts.", True),
    Field("until", enum(SILENCE_UNTIL), "session_end (default), or window_end: after a rollback keep them until the window ends."),
))  # fmt: skip

#: Settings only (not in a runbook, so not in SHAPES): when the late notices go out, and how hard a send tries.
NOTIFY_TIMING = Shape("notify_timing", "When the late notices go out, and how hard a send tries.", (
    Field("verifier_missing", DURATION, "Notify verifier_missing when no verifier joined this long after the start (default 10m)."),
    Field("confirmation_waiting", DURATION, "Notify confirmation_waiting when a step waited this long for the verifier (default 10m)."),
    Field("window_closing", DURATION, "Notify window_closing this long before the ticket's window ends (default 15m)."),
    Field("timeout", DURATION, "One delivery attempt's limit (default 5s)."),
    Field("retries", integer(0, 10), "Further attempts after a failed one: no answer, 5xx or 429 (default 2, at most 10)."),
))  # fmt: skip

SHAPES = (
    RUNBOOK,
    TICKET,
    WINDOW,
    RISK,
    PARAM,
    HOST,
    FROM_PARAM,
    GROUP,
    SECRET,
    KEYRING,
    METRICS,
    SOURCE,
    PROMETHEUS,
    SCRAPE,
    PANEL,
    CHECK,
    SECTION,
    STEP,
    EXPECT,
    NOTIFY,
    SECRET_REF,
    ALERTS,
    SILENCE,
)
