"""The editor's schema says what `validate` says, value by value: a corpus of one-key changes to a valid runbook.

Issue 22 promises a schema "generated from the same field table the loader uses": an editor must not flag in red
what `validate` accepts, nor pass what it refuses, unless the refusal is one of the checks a schema cannot make
(`SEMANTIC_CHECKS`, named per case below). Each case is a key written into a step, a section or the top of a
small runbook; the loader (`validate`, no values) and the schema (`jsonschema`, draft-07) each give a verdict.
"""

from __future__ import annotations

import re

import jsonschema
import pytest

from runbook_tui.runbook.document import load_document
from runbook_tui.runbook.schema import SEMANTIC_CHECKS, runbook_schema
from runbook_tui.runbook.schema_patterns import digits_between, percent_text
from runbook_tui.runbook.symbolic import validate

VALIDATOR = jsonschema.Draft7Validator(runbook_schema())

RUNBOOK = """\
runbook: 1
id: corpus
title: Corpus
{top}
sections:
  - id: main
    {section}
    steps:
      - id: one
        {step}
      - id: two
        note: then this
"""


def prom(panel: str = "", url: str = "http://prom:9090", query: str = "up", more: str = "") -> str:
    return f'metrics: {{source: {{prometheus: {{url: "{url}"}}}}, panels: [{{id: p, query: {query}{", " + panel if panel else ""}}}]{more}}}'


def hook(more: str = "", url: str = "http://hooks.example/x") -> str:
    return f'notify: [{{url: "{url}"{", " + more if more else ""}}}]'


def alerts(more: str = "", url: str = "http://am:9093", silence: str = "{matchers: ['alertname=\"X\"']}") -> str:
    return f'alerts: {{alertmanager: "{url}", silence: [{silence}]{", " + more if more else ""}}}'


#: (where: top, section or step; what is written there; the documented check that refuses it when the schema cannot; None: both agree)
CASES: list[tuple[str, str, str | None]] = [
    # durations: numbers of seconds as float() reads them, units each once; 0 for a timeout or an interval is refused
    *(
        ("step", f"run: x\ntimeout: {v}", None)
        for v in ("30s", "1h 30m", "1.5m", "100ms", "1.5", '"1e3"', '"5."', '"+5"', "0", '"0s"', "null", "-1", "30S", "1m1m")
    ),
    *(("step", f"run: x\nretry_delay: {v}", None) for v in ("0", '"0s"', "null", "5s")),
    *(("top", prom(more=f", interval: {v}"), None) for v in ("0", "10s", "null")),
    # whole numbers, also as text, within their bounds
    *(("step", f"run: x\nretries: {v}", None) for v in ("3", '"3"', '" 3 "', '"+3"', '"03"', "100", '"100"', "101", '"101"', "-1", "null", "3.0")),
    *(("step", f"run: x\nexpect: {{exit: {v}}}", None) for v in ("0", '"255"', '"256"', "256", "[0, 1]", "[]", "null", '[0, "300"]')),
    *(("top", f"hosts: {{web: [{{name: a, port: {v}}}]}}", None) for v in ("22", '"2222"', '"70000"', "0", "null")),
    # waves: counts and shares, also as text
    *(
        ("step", f"run: x\non: web\nserial: {v}", None)
        for v in ("2", '"2"', '"+2"', '"25%"', '"12.5%"', '"100%"', '"0%"', '"150%"', '" 5% "', "0", '[1, "50%"]', '["5"]', '[1, "0%"]', "[]", "null")
    ),
    *(("step", f"run: x\non: web\nmax_fail: {v}", None) for v in ("0", '"0"', '"5"', '"0%"', '"20%"', '"101%"', "-1", "null")),
    # a typed key written with nothing after it is an error, not "not given"
    *(("step", f"run: x\n{k}: null", None) for k in ("checkpoint", "sudo", "verify", "cwd", "undo", "env", "expect")),
    ("section", "kind: null", None),
    ("top", "ticket: {id: C, risk: {level: null}}", None),
    ("top", "params: {v: {type: null}}", None),
    ("top", "params: {v: {type: int, min: null}}", None),
    ("top", "params: {v: {type: string, required: null}}", None),
    ("top", "hosts: {web: [{name: a, forward_agent: null}]}", None),
    *(("top", prom(f"critical: 1, {k}: null"), None) for k in ("for", "on_no_data", "on_critical", "warn", "direction")),
    ("top", hook("format: null"), None),
    ("top", alerts("until: null"), None),
    ("top", alerts(silence="{matchers: ['a=\"b\"'], comment: null}"), None),
    # text the loader refuses blank
    *(("step", v, None) for v in ('run: "  "', 'note: ""', "run: x\ncwd: ' '", 'ask: ""')),
    *(("top", f"ticket: {{id: {v}}}", None) for v in ('""', '" "', "2041", "CHG-1")),
    ("top", prom(query='" "'), None),
    ("top", 'secrets: {t: {env: ""}}', None),
    ("top", 'secrets: {t: {keyring: {service: " ", username: u}}}', None),
    *(("top", f"hosts: {{web: [{{name: a, {k}: {v}}}]}}", None) for k in ("address", "user", "identity") for v in ('""', '" "')),
    *(("top", f"hosts: {{web: [{{name: {v}}}]}}", None) for v in ('""', '"a b"', '"-a"', '"a\\u202e"', "db1", "5")),
    ("top", 'hosts: {web: {from_param: " "}}', None),
    # groups of no hosts
    *(("top", f"hosts: {{web: {v}}}", None) for v in ("[]", "{hosts: []}", "[{name: a}]", "{hosts: [{name: a}], via: null}")),
    # URLs
    *(("top", prom(url=v), None) for v in ("", " http://p", "HTTP://p", "ftp://p", "https://p/x")),
    ("top", hook(url="ftp://h"), None),
    ("top", alerts(url=""), None),
    ("top", prom(url="http://a..b:9090"), "URLs that parse"),
    # a guard's keys need its line
    *(("top", prom(v), None) for v in ("for: 1m", "on_critical: pause", "on_no_data: pause", "critical: 1, for: 1m", "warn: 1")),
    # webhooks and silences
    ("top", hook("events: [bogus]"), None),
    ("top", hook("events: [session_started]"), None),
    ("top", hook("headers: {X: 1}"), None),
    ("top", hook("headers: {X: true}"), None),
    ("top", hook('headers: {"X Y": a}'), None),
    ("top", hook("headers: null"), None),
    ("top", hook('headers: {X: {prefix: "Bearer "}}'), None),
    ("top", hook('headers: {X: {env: T, prefix: "Bearer "}}'), None),
    ("top", hook("headers: {Host: a}"), "header names a request sets itself"),
    ("top", "notify: [{url: {env: A, keyring: {service: s, username: u}}}]", None),
    ("top", "notify: [{url: {prefix: x}}]", None),
    ("top", alerts(silence=""), None),
    ("top", alerts(silence="{matchers: [bad]}"), "Alertmanager label matchers"),
    # parameters: keys the loader says are never checked for the type
    ("top", "params: {v: {type: string, choices: [a]}}", None),
    ("top", "params: {v: {type: string, min: 3}}", None),
    ("top", "params: {v: {type: bool, max: 3}}", None),
    ("top", "params: {v: {type: float, min: 0, max: 1}}", None),
    ("top", "params: {v: {type: choice, choices: [a, b]}}", None),
    ("top", "params: {v: {type: int, min: 5, max: 1}}", "min not above its max"),
    ("top", 'hosts: {"db hosts": [{name: db1}]}', None),  # a group's name is a host name's kind of word
    ("top", 'hosts: {"": [{name: db1}]}', None),
    ("top", "hosts: {-db: [{name: db1}]}", None),
    ("top", "hosts: {db.eu-1: [{name: db1}]}", None),
    ("top", 'params: {v: {type: int, min: "{{ 5 }}", max: "{{ 9 }}"}}', None),  # a declaration is read before any value
    ("top", 'params: {v: {type: "{{ t }}", required: "{{ true }}"}}', None),
    ("top", 'params: {v: {type: choice, choices: [a, "{{ b }}"], pattern: "^{{ p }}"}}', None),
    ("top", 'params: {v: {type: string}, w: {type: string, default: "{{ v }}-x"}}', None),
    ("top", "params: {v: {type: choice, choices: []}}", "a choice parameter with choices"),
    ("top", "params: {v: {type: int, default: 3.5}}", "a default of the parameter's type"),
    ("top", 'params: {v: {type: string, pattern: "("}}', "patterns that compile"),
    # the window's times
    ("top", 'ticket: {id: C, window: {start: "2026-11-23T02:00:00+09:00", end: "2026-11-23T04:00:00+09:00"}}', None),
    ("top", 'ticket: {id: C, window: {start: "2026-11-23T02:00:00", end: "2026-11-23T04:00:00"}}', "window times"),
]


def _runbook(where: str, text: str) -> str:
    """The runbook with `text` at the top, in the section or in its first step (each line indented there)."""
    indent = {"top": "", "section": "    ", "step": "        "}[where]
    fields = {"top": "", "section": "", "step": "run: x"} | {where: ("\n" + indent).join(text.split("\n"))}
    if "on: web" in text:  # the waves' group
        fields["top"] = "hosts: {web: [{name: web1}, {name: web2}]}"
    return RUNBOOK.format(**fields)


@pytest.mark.parametrize(("where", "text", "semantic"), CASES, ids=[f"{w}:{t}" for w, t, _ in CASES])
def test_the_schema_says_what_the_loader_says(where, text, semantic, tmp_path):
    path = tmp_path / "corpus.yaml"
    path.write_text(_runbook(where, text), encoding="utf-8")
    result = validate(path)
    document = load_document(path.read_text(encoding="utf-8"), str(path))
    schema_errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    loader = "; ".join(d.message for d in result.errors)
    if semantic is not None:
        assert any(semantic in check for check in SEMANTIC_CHECKS), f"'{semantic}' is not a documented semantic check"
        assert not result.ok and schema_errors == [], (loader, schema_errors)
    else:
        assert result.ok == (schema_errors == []), f"loader: {loader or 'ok'}; schema: {schema_errors or 'ok'}"


@pytest.mark.parametrize(("low", "high"), [(0, 255), (1, 65535), (0, 100), (0, 10), (7, 1234), (1, 1), (1, None), (0, None), (30, None)])
def test_the_digits_of_a_range_are_exactly_the_range(low, high):
    pattern = re.compile(rf"^{digits_between(low, high)}$")
    top = 100_000 if high is None else high
    wrong = [n for n in range(top + 1_000) if bool(pattern.match(str(n))) != (low <= n <= top if high else low <= n)]
    assert wrong == []
    assert pattern.match("0" + str(max(low, 1)))  # as int() reads `"03"`


def test_a_share_is_at_most_100_percent_and_above_0_where_it_must_be():
    above_zero, any_share = re.compile(percent_text(True)), re.compile(percent_text(False))
    for share, above, either in [("0%", False, True), ("0.0%", False, True), ("0.5%", True, True), ("25%", True, True), ("100%", True, True),
                                 ("100.0%", True, True), ("100.5%", False, False), ("101%", False, False), (" 5% ", True, True), ("5 %", False, False)]:  # fmt: skip
        assert (bool(above_zero.match(share)), bool(any_share.match(share))) == (above, either), share
