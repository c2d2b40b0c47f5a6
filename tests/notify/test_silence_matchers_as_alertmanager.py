"""A silence's matchers are read by Alertmanager, not by Python: `validate` refuses what Alertmanager refuses, and passes
what it takes, judged against the real Alertmanager on loopback: an `=~` / `!~` regular expression RE2 cannot read, and
a silence whose every matcher matches an empty value.

Before, a lookahead, a backreference, a possessive `a++`, `\\Z` or a repeat past 1000 compiled in Python and passed
`validate`; at the start of the change Alertmanager answered HTTP 400 `silence invalid`, the silence was not made and
the change's alerts paged the on-call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from peers_alertmanager import Alertmanager

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook

pytestmark = pytest.mark.peers

#: Each compiles in Python. RE2 refuses the first group and reads the second.
REFUSED_BY_RE2 = [
    r"(?=x)api", r"(?!x)api", r"(?<=x)api", r"(?<!x)api", r"(?>api)", r"(a)\1", r"(?P<n>a)(?P=n)", r"a++", r"a*+", r"a?+",
    r"a{2}+", r"a{1,2}+", r"a{1001}", r"a{2,1001}", r"a{1001,}", r"(a{500}){3}", r"((a{100}){10}){2}", r"\Z", r"api\u0041",
    r"\N{DIGIT ONE}", r"(?#why)api", r"(?x)a pi", r"(?a)api", r"(?u)api", r"[a-\d]", r"[a-[:alpha:]]", r"[\b]", r"\é",
]  # fmt: skip
READ_BY_RE2 = [
    r"api|web", r"(?i)API", r"(?i-s:a.)", r"(?P<n>a)+", r"a{1000}", r"(a{10}){100}", r"(?:a{40}){25}", r"a{2,}?", r"\x41\t\012",
    r"[[:alpha:]]+-[[:digit:]]", r"[\w-z]", r"[-\d]", r"[a\-z]", r"[]a]", r"a{,3}", r"\bapi\B", r"\A(api)", r"(a*)*", r"\.\-\_",
]  # fmt: skip


def alertmanager_reads(alertmanager: Alertmanager, matchers: list[dict[str, object]]) -> bool:
    """Alertmanager's own verdict: the silence is made (then expired again), or refused with HTTP 400."""
    now = dt.datetime.now(dt.UTC)
    body = {
        "matchers": matchers, "startsAt": now.isoformat(), "endsAt": (now + dt.timedelta(minutes=5)).isoformat(), "createdBy": "test",
        "comment": "probe",
    }  # fmt: skip
    answer = requests.post(f"{alertmanager.url}/api/v2/silences", json=body, timeout=5)
    if answer.status_code == 400:
        return False
    answer.raise_for_status()
    requests.delete(f"{alertmanager.url}/api/v2/silence/{answer.json()['silenceID']}", timeout=5).raise_for_status()
    return True


def regex(pattern: str) -> list[dict[str, object]]:
    return [{"name": "alertname", "value": "Re2Probe", "isRegex": False}, {"name": "svc", "value": pattern, "isRegex": True}]


def validate_reads(write_runbook: Callable[..., Path], pattern: str, matchers: str = "") -> str | None:
    """None when the runbook with this silence loads, else its one error: `svc=~"pattern"` beside `alertname`, or `matchers`."""
    quoted = pattern.replace("\\", "\\\\").replace('"', '\\"').replace("'", "''")
    matchers = matchers or f"""'alertname="HighErrorRate"', 'svc=~"{quoted}"'"""
    path = write_runbook(f"""\
runbook: 1
id: re2
title: RE2
alerts:
  alertmanager: http://am.example:9093
  silence:
    - matchers: [{matchers}]
sections:
  - {{id: s, kind: precheck, steps: [{{id: one, run: "true"}}]}}
""")
    try:
        load_runbook(path)
    except RunbookInvalid as invalid:
        [error] = invalid.errors
        return str(error).replace(str(path), "F")
    return None


@pytest.mark.parametrize("pattern", REFUSED_BY_RE2 + READ_BY_RE2)
def test_validate_refuses_a_silence_regex_exactly_when_alertmanager_does(alertmanager: Alertmanager, write_runbook: Callable[..., Path], pattern: str) -> None:
    reads = alertmanager_reads(alertmanager, regex(pattern))
    assert reads == (pattern in READ_BY_RE2), f"the real Alertmanager {'reads' if reads else 'refuses'} {pattern!r}: the lists are wrong"
    said = validate_reads(write_runbook, pattern)
    if reads:
        assert said is None, said
    else:
        assert said is not None and said.startswith("F:7:47: ") and "Alertmanager cannot read the regular expression" in said, said
        assert "expected" in said, said


def test_the_words_name_the_construct_and_what_is_expected(write_runbook: Callable[..., Path]) -> None:
    assert validate_reads(write_runbook, "(?<!canary-)api") == (
        "F:7:47: 'svc=~\"(?<!canary-)api\"': Alertmanager cannot read the regular expression '(?<!canary-)api': '(?<!' is Perl"
        " syntax RE2 does not have; expected RE2 syntax (no lookaround, backreference, atomic group, possessive repeat or comment)"
    )
    said = validate_reads(write_runbook, "api-{1001}")
    assert said is not None and said.endswith("the repeat {1001} is over 1000; expected at most {1000}, as RE2 allows"), said


#: Matchers as a runbook writes them, and as the API takes them (name, value, isRegex, isEqual).
EMPTY_CASES = [
    (['service=~"api|"'], [("service", "api|", True, True)], False),
    (['service=""', 'env=~".*"'], [("service", "", False, True), ("env", ".*", True, True)], False),
    (['severity=~".*"'], [("severity", ".*", True, True)], False),
    (['service=""', 'env!="prod"'], [("service", "", False, True), ("env", "prod", False, False)], True),
    (['env!~"prod"'], [("env", "prod", True, False)], True),
    (['service=~"api|"', 'alertname="X"'], [("service", "api|", True, True), ("alertname", "X", False, True)], True),
]


@pytest.mark.parametrize(("written", "api", "taken"), EMPTY_CASES)
def test_a_silence_whose_every_matcher_matches_an_empty_value_is_refused_as_alertmanager_does(
    alertmanager: Alertmanager, write_runbook: Callable[..., Path], written: list[str], api: list[tuple[str, str, bool, bool]], taken: bool
) -> None:
    """Before: a warning ("names no alert") and `ok`; at the start Alertmanager answered HTTP 400 `at least one matcher must
    not match the empty string`, and the change ran unsilenced."""
    as_api = [{"name": n, "value": v, "isRegex": r, "isEqual": e} for n, v, r, e in api]
    assert alertmanager_reads(alertmanager, as_api) == taken, "the real Alertmanager disagrees with the case"
    said = validate_reads(write_runbook, "", ", ".join(f"'{m}'" for m in written))
    if taken:
        assert said is None, said
    else:
        assert said == (
            f"F:7:7: Alertmanager refuses a silence whose every matcher matches an empty value ({', '.join(written)}): at least one"
            ' must not; expected a matcher that names the alerts, like alertname="HighErrorRate"'
        ), said
