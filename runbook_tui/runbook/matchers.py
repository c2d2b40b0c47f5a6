"""Label matchers as Prometheus and Alertmanager write them: `name="value"`, `!=`, `=~`, `!~`.

One parser for the scrape source's queries (`http_requests_total{code="500"}`)
and for the silences of a runbook's `alerts:` block
(`'alertname="HighErrorRate"'`), so both read the same syntax the same way.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bounded_search import compile_problem, fully_matched
from runbook_tui.runbook.lean_dataclass import dataclass

_LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
#: One matcher inside `{...}`, followed by a comma or the end.
LIST_ITEM = lazy_re.compile(rf'\s*({_LABEL})\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_ONE = lazy_re.compile(rf'^\s*({_LABEL})\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$')


class MatcherError(ValueError):
    """Text that is not `label="value"` (also `!=`, `=~`, `!~`), in words."""


@dataclass(frozen=True, slots=True)
class Matcher:
    label: str
    op: str
    value: str

    @property
    def is_regex(self) -> bool:
        return self.op in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        return self.op in ("=", "=~")

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = fully_matched(self.value, actual)  # as Prometheus reads it (RE2: `[[:digit:]]` a class), in bounded time
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.label}{self.op}"{escaped}"'


def _made(label: str, op: str, raw: str, text: str) -> Matcher:
    value = raw.encode("latin-1", "backslashreplace").decode("unicode_escape")  # escapes read, any other character kept as it is
    if op in ("=~", "!~") and (problem := compile_problem(value)) is not None:
        raise MatcherError(f"{text!r}: bad regular expression {value!r}: {problem}; expected a regular expression that compiles")
    return Matcher(label, op, value)


def parse_matcher(text: str) -> Matcher:
    """One matcher, e.g. `alertname="HighErrorRate"` or `service=~"api|web"`."""
    found = _ONE.match(text)
    if found is None:
        raise MatcherError(f'{text!r}: expected label="value" (also !=, =~, !~), e.g. alertname="HighErrorRate"')
    return _made(found.group(1), found.group(2), found.group(3), text)


def parse_matcher_list(inner: str, text: str) -> tuple[Matcher, ...]:
    """The matchers between a selector's braces; `text` (the whole query) names the problem."""
    matchers: list[Matcher] = []
    position = 0
    while position < len(inner):
        found = LIST_ITEM.match(inner, position)
        if found is None:
            raise MatcherError(f'{text!r}: cannot read the label matchers at {inner[position:]!r}; expected label="value" (also !=, =~, !~)')
        matchers.append(_made(found.group(1), found.group(2), found.group(3), text))
        position = found.end()
    return tuple(matchers)
