"""Reaching people and the alerting stack, as written: `notify:`, `alerts:` and a panel's `on_no_data:`.

The keys come from the field table in `field_table.py`. The same reader serves a
runbook (strings are templates, header values may use `secrets.*`) and the
settings file (plain strings). Problems are diagnostics at `FILE:LINE:COL`,
like every other runbook error. Pure: nothing here sends anything.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.diagnostics import Collector, Diagnostic, RunbookInvalid, shown
from runbook_tui.runbook.document import YMap, load_document
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.fields import Fields, describe
from runbook_tui.runbook.host_entries import is_host_name
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.matchers import Matcher, MatcherError, parse_matcher
from runbook_tui.runbook.model import Mark, Secret, Text, TextKind
from runbook_tui.runbook.re2_syntax import re2_problem
from runbook_tui.runbook.texts import Scope

NotifyFormat = Literal["json", "slack"]  # T.NOTIFY_FORMATS
Until = Literal["session_end", "window_end"]  # T.SILENCE_UNTIL
#: Makes a Text of one templated string at its mark (the loader's `TextMaker.make`); None when it has errors.
TextMaker = Callable[[str, Mark, TextKind, Scope], "Text | None"]
#: What an HTTP request line or header cannot carry: `http.client` refuses it at send time, after retries, quoting it.
_NOT_IN_URL = lazy_re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_NOT_IN_HEADER = lazy_re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_HEADER_NAME = lazy_re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: Headers the request itself sets from its URL and body: one from a runbook sent the request to another virtual host
#: (`Host`), cut or stretched its body for the receiver (`Content-Length`, `Transfer-Encoding`: the rest of the body
#: read as a second request on a kept-alive connection) or changed how the connection is used.
FRAMING_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade", "expect", "proxy-connection"}
)


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A value read when the run starts from the environment or the keyring, never written anywhere."""

    mark: Mark
    env: str | None = None
    keyring_service: str | None = None
    keyring_username: str | None = None
    prefix: str = ""

    def secret(self, name: str) -> Secret:
        """As the runbook's own secrets are declared, so `secrets.py` reads both the same way."""
        return Secret(name, self.mark, self.env, self.keyring_service, self.keyring_username)

    @property
    def shown(self) -> str:
        """Where the value comes from (never the value): `env:HOOK_URL`, `keyring:service/user`."""
        return f"env:{self.env}" if self.env else f"keyring:{self.keyring_service}/{self.keyring_username}"


#: A URL or header value: a (templated) string, or a reference to a secret.
Value = Text | SecretRef


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    """One `notify:` entry: where to send which events, in which shape, with which headers."""

    url: Value
    mark: Mark
    events: tuple[str, ...] = ()  # empty: every event
    format: NotifyFormat = "json"
    headers: tuple[tuple[str, Value], ...] = ()

    @property
    def shown_url(self) -> str:
        """The URL as the journal and the screen name it: a secret URL by its source, a template unrendered, the query's
        values as `***` (`query_masked`)."""
        if isinstance(self.url, SecretRef):
            return self.url.shown
        return query_masked(self.url.shown())


def query_masked(url: str) -> str:
    """`url` with each value of its query as `***`: webhooks take their token there (Google Chat's `?key=…&token=…`,
    Azure Functions' `?code=…`), and the journal, the screens and the report name a receiver by this. Before, they
    showed the token whole (a `user:password@`'s password was already `***`)."""
    base, asked, rest = url.partition("?")
    if not asked:
        return url
    query, hashed, fragment = rest.partition("#")
    parts = [(name, equals) for name, equals, _value in (part.partition("=") for part in query.split("&"))]
    return f"{base}?{'&'.join(f'{name}=***' if equals else ('***' if name else '') for name, equals in parts)}{hashed}{fragment}"


@dataclass(frozen=True, slots=True)
class Silence:
    """One silence to create: its matchers (parsed at load) and why."""

    matchers: tuple[Matcher, ...]
    comment: str
    mark: Mark


@dataclass(frozen=True, slots=True)
class Alerts:
    """The `alerts:` block: which Alertmanager, which silences, and how long they last."""

    alertmanager: str
    silences: tuple[Silence, ...]
    until: Until
    mark: Mark


#: The longest one attempt at a webhook or Alertmanager may take (`notify_timing.timeout`).
MAX_TIMEOUT = 600.0


@dataclass(frozen=True, slots=True)
class NotifyTiming:
    """Settings `notify_timing:`: when the "late" notices go out, and how hard a send tries (seconds)."""

    verifier_missing: float = 600.0  # no verifier joined this long after the start
    confirmation_waiting: float = 600.0  # a step waited this long for the verifier
    window_closing: float = 900.0  # this long before the change window ends
    timeout: float = 5.0  # one attempt's limit
    retries: int = 2  # further attempts after a failed one


def no_data_action(fields: Fields, panel: YMap) -> str:
    """A panel's `on_no_data`; by default a guard that pauses or rolls back also pauses on no data."""
    on_critical = panel.get("on_critical", "pause")
    default = "pause" if on_critical in ("pause", "rollback") else "notify"
    return fields.choice(panel, "on_no_data", T.ON_NO_DATA, default)


def loaded_url(text: Text) -> str | None:
    """A URL's text as rendered at load; None when it was not rendered: a template kept as written because the parameters
    it reads have no values yet (a required one not given: said on its own; the picker then asks for it). Before, that
    template was checked as a URL (`'url': expected an http:// or https:// URL, got '{{ prometheus_url }}'`): an error
    of the file, so the picker refused to open `new`'s rolling-restart and k8s-rollout runbooks for their values."""
    return None if text.value is None or (text.uses and text.value == text.source) else text.value


def url_problem(key: str, value: str) -> str | None:
    """What is wrong with an http(s) URL a runbook names (a webhook's, Alertmanager's, a metrics source's), or None: found
    at `validate`, where a request would only fail later (`http://[::1`, `http://a..b:9090` and a port over 65535 passed
    and were refused in the run)."""
    if not value.startswith(("http://", "https://")):
        return f"'{key}': expected an http:// or https:// URL, got {describe(value)}"
    if _NOT_IN_URL.search(value):
        return f"'{key}': expected a URL without spaces, line breaks or control characters (a space is %20), got {describe(value)}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (reading it checks it: a port that is no number, or out of range, raises)
        host = parts.hostname
    except ValueError as exc:
        return f"'{key}': {describe(value)} cannot be read as a URL ({exc}); expected http://HOST[:PORT]/PATH"
    if not host:
        return f"'{key}': {describe(value)} names no host; expected http://HOST[:PORT]/PATH"
    if not is_host_name(host):
        return f"'{key}': the host {describe(host)} is no valid host name (a part between dots is empty or over 63 characters)"
    return None


def header_value_problem(value: str) -> str | None:
    """What an HTTP header cannot carry in `value` (a line break, a control character, a character past Latin-1), in
    words that never quote it (it may be a secret); None when it can be sent."""
    if _NOT_IN_HEADER.search(value):
        return "expected a value on one line, without control characters"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return "expected a value of Latin-1 characters (an HTTP header carries no other)"
    return None


def url_value_problem(value: str) -> str | None:
    """What is wrong with a URL read from a secret, in words that never quote it; None when it can be sent."""
    if not value.startswith(("http://", "https://")):
        return "expected an http:// or https:// URL"
    if _NOT_IN_URL.search(value):
        return "expected a URL without spaces, line breaks or control characters"
    return None


def shape_problem(url: str, fmt: str) -> str | None:
    """A chat's incoming webhook that refuses the body it would be sent, so every notice of the change fails, and the
    first anyone hears of it is the night itself: Slack's reads `text` (HTTP 400 `no_text` to our JSON), a Teams
    connector's too (`Summary or Text is required`), Discord's reads `content` (400 `Cannot send an empty message`)
    unless its URL ends in /slack. Said at load for a URL written out, and by preflight for one read from a secret
    (which no word here quotes)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host, path = (parts.hostname or "").lower(), parts.path.rstrip("/")
    if host in ("discord.com", "discordapp.com") and path.startswith("/api/webhooks/") and not path.endswith(("/slack", "/github")):
        return "a Discord webhook reads its own body, not ours: add /slack to its URL and set format: slack (else Discord refuses every notice)"
    if fmt != "json":
        return None
    if host == "hooks.slack.com" and path.startswith("/services/"):  # a Workflow Builder trigger (/triggers/) takes any JSON
        return "a Slack incoming webhook takes format: slack; with json (the default) Slack refuses every notice (HTTP 400 no_text)"
    if host.endswith(".webhook.office.com") or host == "outlook.office.com":
        return "a Microsoft Teams incoming webhook reads `text`: set format: slack; with json (the default) Teams refuses every notice"
    return None


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1: a request that never leaves the machine."""
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ReachReader:
    """Reads `notify:` lists and the `alerts:` block with the loader's fields and text reader."""

    def __init__(self, fields: Fields, make: TextMaker) -> None:
        self.fields = fields
        self.make = make

    def text(self, m: YMap, key: str, scope: Scope | None = None, kind: TextKind = "plain", nullable: bool = False) -> Text | None:
        """`key`'s string as a Text; None when absent. Written with its value left out (`url:`, `Authorization: ~`) it is an
        error unless `nullable`: the receiver, the header, the secret's source or the Alertmanager was dropped without a
        word (the silences never made, the on-call paged), where the schema allows no null."""
        if m.get(key) is None:
            if key in m and not nullable:
                self.diags.error(m.value_mark(key), f"'{key}': expected a string, got nothing (null)")
            return None
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.diags.error(m.value_mark(key), f"'{key}': expected a string, got {describe(value)}")
            return None
        return self.make(str(m.as_written(key)), m.value_mark(key), kind, scope or Scope())

    @property
    def diags(self) -> Collector:
        return self.fields.diags

    # -- notify -------------------------------------------------------------------------------

    def notify(self, container: YMap) -> tuple[NotifyTarget, ...]:
        if container.get("notify") is None:
            return ()
        items = self.fields.sequence(container["notify"], container.value_mark("notify"), "notify: a list of {url, events, format, headers}")
        if items is None:
            return ()
        targets = (self._target(value, mark) for value, mark in zip(items, items.item_marks))
        return tuple(t for t in targets if t is not None)

    def _target(self, value: object, mark: Mark) -> NotifyTarget | None:
        f = self.fields
        m = f.shaped(value, mark, "a notify entry {url, events, format, headers}", T.NOTIFY, "notify entry")
        if m is None:
            return None
        url = self._value(m, "url", "url")
        if isinstance(url, Text) and (text := loaded_url(url)) is not None and not self._is_url(text, m.value_mark("url"), "url"):
            url = None
        events = []
        for name, event_mark in f.string_list(m, "events"):
            if name not in T.NOTIFY_EVENTS:
                self.diags.error(event_mark, f"unknown event '{name}'; expected one of: {', '.join(T.NOTIFY_EVENTS)}")
            else:
                events.append(name)
        if isinstance(m.get("events"), list) and not m["events"]:  # read as "every event": a receiver muted this way got them all
            self.diags.error(m.value_mark("events"), "'events': an empty list; expected events listed, `events` left out for every event, or no entry for none")
        headers = []
        if m.get("headers") is not None:
            given = f.mapping(m["headers"], m.value_mark("headers"), "headers: {Name: value}")
            for name in given or {}:
                header = self._value(given, name) if given is not None else None
                if header is not None and given is not None and self._is_header(given, name, header):
                    headers.append((str(name), header))
        fmt = f.choice(m, "format", T.NOTIFY_FORMATS, "json")
        if url is None:
            return None
        self._warn_cleartext(url, headers, m.value_mark("url"))
        self._warn_shape(url, fmt, m.value_mark("url"))
        return NotifyTarget(url, mark, tuple(events), fmt, tuple(headers))

    def _warn_cleartext(self, url: Value, headers: list[tuple[str, Value]], mark: Mark) -> None:
        """A secret (a header's, or in the URL) sent over plain http:// to another machine: anyone on the way reads it."""
        if not isinstance(url, Text) or not url.source.startswith("http://"):
            return
        host = (urlsplit(url.value or url.source).hostname or "") if _NOT_IN_URL.search(url.value or "") is None else ""
        secret = [name for name, value in headers if isinstance(value, SecretRef) or (isinstance(value, Text) and "secrets" in value.uses)]
        if "secrets" in url.uses:
            secret.insert(0, "the url itself")
        if not secret or not host or is_loopback(host):
            return
        what = ", ".join(secret)
        self.diags.warning(mark, f"'url': plain http:// to {host} carries secrets ({what}) unencrypted: anyone on the way reads them; use https://")

    def _warn_shape(self, url: Value, fmt: str, mark: Mark) -> None:
        if isinstance(url, Text) and url.value is not None and (problem := shape_problem(url.value, fmt)) is not None:
            self.diags.warning(mark, f"'url': {problem}")

    def _is_url(self, value: str, mark: Mark, key: str) -> bool:
        problem = url_problem(key, value)
        if problem is not None:
            self.diags.error(mark, problem)
        return problem is None

    def _is_header(self, given: YMap, name: str, header: Value) -> bool:
        """A header name is an HTTP token; its value (or a secret's prefix) holds no line break or control character."""
        if not _HEADER_NAME.fullmatch(name):
            self.diags.error(given.key_mark(name), f"header name {describe(name)}: expected letters, digits and - (like X-Api-Key)")
            return False
        if name.lower() in FRAMING_HEADERS:
            self.diags.error(given.key_mark(name), f"header '{name}': set by the request itself from the url and the body; expected it left out")
            return False
        text = header.value if isinstance(header, Text) else header.prefix
        if text is not None and (problem := header_value_problem(text)) is not None:
            self.diags.error(given.value_mark(name), f"header '{name}': {problem}, got {describe(text)}")
            return False
        return True

    def _value(self, m: YMap, key: str, kind: TextKind = "plain") -> Value | None:
        """A string (a template that may use `secrets.*`), or {env: VAR} / {keyring: {service, username}} with `prefix`."""
        if not isinstance(m.get(key), YMap):
            return self.text(m, key, Scope(late_allowed=True), kind)
        f = self.fields
        ref = m[key]
        if not f.keys(ref, f"'{key}' secret", T.SECRET_REF.keys):
            return None
        prefix = self._rendered(ref, "prefix") or ""
        if ("env" in ref) == ("keyring" in ref):
            self.diags.error(ref.mark, f"'{key}': expected exactly one of env: VARIABLE or keyring: {{service, username}}")
            return None
        if "env" in ref:
            return SecretRef(ref.mark, env=self._rendered(ref, "env"), prefix=prefix)
        ring = f.mapping(ref["keyring"], ref.value_mark("keyring"), "keyring: {service, username}")
        if ring is None or not f.keys(ring, "keyring", T.KEYRING.keys, T.KEYRING.required):
            return None
        return SecretRef(ref.mark, keyring_service=self._rendered(ring, "service"), keyring_username=self._rendered(ring, "username"), prefix=prefix)

    def _rendered(self, m: YMap, key: str) -> str | None:
        """A secret reference's field: in a runbook a string value, so a template rendered from the parameters as the
        runbook's own `secrets:` are (`env: "HOOK_{{ team | upper }}"` was looked up as written); as written in settings."""
        text = self.text(m, key)
        return None if text is None else text.value

    # -- alerts -------------------------------------------------------------------------------

    def alerts(self, root: YMap) -> Alerts | None:
        if root.get("alerts") is None:
            return None
        f = self.fields
        m = f.shaped(root["alerts"], root.value_mark("alerts"), "alerts: {alertmanager, silence, until}", T.ALERTS)
        if m is None:
            return None
        url = self.text(m, "alertmanager", kind="url")
        until = f.choice(m, "until", T.SILENCE_UNTIL, "session_end")
        items = f.sequence(m.get("silence"), m.value_mark("silence"), "silence: a list of {matchers, comment}")
        silences = [self._silence(value, mark) for value, mark in zip(items or [], items.item_marks if items else [])]
        # the URL is checked whatever the silences say: a mistake there must not wait for the next run of validate
        url_ok = url is not None and (text := loaded_url(url)) is not None and self._is_url(text, m.value_mark("alertmanager"), "alertmanager")
        if url is None or url.value is None or not url_ok or any(s is None for s in silences):
            return None
        if not silences:
            self.diags.error(m.value_mark("silence"), "'silence': expected at least one {matchers, comment}")
            return None
        return Alerts(url.value.rstrip("/"), tuple(s for s in silences if s is not None), until, m.mark)

    def _silence(self, value: object, mark: Mark) -> Silence | None:
        f = self.fields
        m = f.shaped(value, mark, "a silence {matchers, comment}", T.SILENCE)
        if m is None:
            return None
        matchers: list[Matcher] = []
        ok = True
        for source, item_mark in f.string_list(m, "matchers"):
            text = self.make(source, item_mark, "promql", Scope())  # `name="value"`: a value stays data, as in a query
            if text is None or text.value is None:
                ok = False
                continue
            try:
                matcher = parse_matcher(text.value)
                if matcher.is_regex and (problem := re2_problem(matcher.value)) is not None:  # Alertmanager reads it, with RE2
                    raise MatcherError(f"{text.value!r}: Alertmanager cannot read the regular expression {matcher.value!r}: {problem}")
                matchers.append(matcher)
            except MatcherError as exc:
                self.diags.error(item_mark, str(exc))
                ok = False
        if ok and not matchers:
            self.diags.error(m.mark, "a silence needs at least one matcher; expected one or more (an empty list would silence every alert)")
            return None
        comment = self.text(m, "comment", nullable=True)  # `comment:` left empty: no words beside the ticket (the schema allows it)
        if not ok:
            return None
        shown_matchers = ", ".join(str(x) for x in matchers)
        if all(x.is_equal and x.matches({}) for x in matchers):  # Alertmanager's own rule (silence.go's matchesEmpty)
            self.diags.error(m.mark, (
                f"Alertmanager refuses a silence whose every matcher matches an empty value ({shown_matchers}): at least one must"
                ' not; expected a matcher that names the alerts, like alertname="HighErrorRate"'
            ))  # fmt: skip
            return None
        if not any(map(_narrow, matchers)):
            self.diags.warning(m.mark, f"this silence names no alert ({shown_matchers}): it silences nearly every alert in the Alertmanager for the change")
        return Silence(tuple(matchers), (comment.value or "") if comment is not None else "", mark)


#: A label value no alert has: a regex matcher that matches it matches anything (`.+`, `.*x?`).
_PROBE = "zz-no-such-value-7f3a9c"


def _narrow(matcher: Matcher) -> bool:
    """Does this matcher pick some alerts out (`alertname="X"`, `service=~"api|web"`), rather than let nearly all through
    (`!=`, `!~`, `=~".+"`)? Alertmanager refuses a silence whose every matcher matches an empty value; not one whose
    matchers match every alert that has the label, which every alert has for `alertname`."""
    if matcher.op == "=":
        return matcher.value != ""
    if matcher.op != "=~":
        return False
    try:
        return re.fullmatch(matcher.value, _PROBE) is None and re.fullmatch(matcher.value, "") is None
    except re.error:
        return True  # Alertmanager's RE2 reads it; said nothing of here


def _as_written(source: str, mark: Mark, kind: TextKind, scope: Scope) -> Text:
    """Settings hold no templates: every string is taken as written."""
    return Text(source, mark, kind, source)


def _timing(fields: Fields, settings: YMap) -> NotifyTiming:
    if settings.get("notify_timing") is None:
        return NotifyTiming()
    what = "notify_timing: {verifier_missing, confirmation_waiting, window_closing, timeout, retries}"
    fields = Fields(fields.diags, fields.render, under="notify_timing.")  # its keys named by their path, as ssh's are
    m = fields.shaped(settings["notify_timing"], settings.value_mark("notify_timing"), what, T.NOTIFY_TIMING)
    if m is None:
        return NotifyTiming()
    default = NotifyTiming()
    durations = {
        f.key: fields.duration(m, f.key, getattr(default, f.key), longest=math.inf if f.key == "timeout" else None)  # (its own bound below)
        for f in T.NOTIFY_TIMING.fields
        if f.value is T.DURATION
    }
    timeout = durations["timeout"]
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT:  # 0s failed every send; past the clock's range, a traceback
        fields.diags.error(
            m.value_mark("timeout"), f"{fields.named('timeout')}: expected more than 0s and at most {format_duration(MAX_TIMEOUT)}, got {shown(m['timeout'])}"
        )
        durations["timeout"] = default.timeout
    return NotifyTiming(**durations, retries=fields.integer(m, "retries", default.retries, 0, 10))  # type: ignore[arg-type]


def settings_notify(text: str, file: str) -> tuple[tuple[NotifyTarget, ...], NotifyTiming, list[Diagnostic]]:
    """The settings file's `notify:` list and `notify_timing:`, or the problems with them at `FILE:LINE:COL`."""
    try:
        document = load_document(text, file)
    except RunbookInvalid as invalid:
        return (), NotifyTiming(), invalid.errors
    if not isinstance(document, YMap):
        return (), NotifyTiming(), []
    collector = Collector()
    fields = Fields(collector, lambda source, _mark: source)
    targets = ReachReader(fields, _as_written).notify(document)
    timing = _timing(fields, document)
    return targets, timing, [d for d in collector.items if d.severity == "error"]
