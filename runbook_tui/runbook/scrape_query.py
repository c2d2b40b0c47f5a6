"""A scrape panel's query: `name`, `name{label="v"}` or `rate(name{...}[1m])`, read when the runbook loads
(validate refuses one the scrape source cannot answer) and by the scrape source as it polls."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.durations import parse_duration
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.matchers import Matcher, MatcherError, parse_matcher_list

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SELECTOR = lazy_re.compile(rf"^\s*({_NAME})\s*(?:\{{(.*)\}})?\s*$", re.S)
_RATE = lazy_re.compile(r"^\s*rate\s*\((.*)\[\s*([0-9a-z.]+)\s*\]\s*\)\s*$", re.S)


class QueryError(ValueError):
    """A scrape panel's query is not `name{matchers}` or `rate(name{matchers}[window])`."""


@dataclass(frozen=True, slots=True)
class ScrapeQuery:
    """A parsed scrape query: the metric, its matchers, and the rate window (None: the value itself)."""

    name: str
    matchers: tuple[Matcher, ...] = ()
    rate_window: float | None = None

    def select(self, samples: Sequence[tuple[str, Mapping[str, str], float]]) -> dict[tuple[tuple[str, str], ...], float]:
        """The matching series, keyed by their labels."""
        return {tuple(sorted(labels.items())): value for name, labels, value in samples if name == self.name and all(m.matches(labels) for m in self.matchers)}


def parse_scrape_query(text: str) -> ScrapeQuery:
    """`name`, `name{label="v", other=~"re"}` or `rate(name{...}[1m])`; raises QueryError in words."""
    window = None
    body = text
    rate = _RATE.match(text)
    if rate:
        body = rate.group(1)
        try:
            window = parse_duration(rate.group(2))
        except ValueError:
            raise QueryError(f"rate window {rate.group(2)!r}: expected a duration like 30s or 1m") from None
        if window <= 0:
            raise QueryError("the rate window must be longer than zero")
    elif text.strip().startswith("rate"):
        raise QueryError(f"{text!r}: expected rate(name{{labels}}[window]), e.g. rate(http_requests_total[1m])")
    selector = _SELECTOR.match(body)
    if selector is None:
        raise QueryError(
            f"{text!r}: with the scrape source a query is a metric name with optional label matchers, or rate(...) over one; expected one of those"
        )
    try:
        matchers = parse_matcher_list((selector.group(2) or "").strip(), text)
    except MatcherError as exc:
        raise QueryError(str(exc)) from None
    return ScrapeQuery(selector.group(1), matchers, window)
