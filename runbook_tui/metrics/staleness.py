"""Whether a Prometheus panel's value comes from fresh samples: the selectors of its query, and the age of their data.

An instant query shows a series for five minutes after its last sample (Prometheus' lookback), stamped with the
evaluation's time: an exporter's own timestamps, a stalled remote write or federation keep an old value looking
current. `timestamp(QUERY)` tells a plain selector's age (`up{job="x"}`), but of an expression (`rate(...)`,
`sum(...)`, `a / b`) it gives the evaluation's time: always fresh. So each vector selector of the query is asked on
its own (`timestamp(SELECTOR)`, at the same evaluation time): a value any of whose selectors has no fresh sample at
all is computed from old data, and is no reading (the guards count it as no data, the panel says `NO VALUE` and why).

Choice, for a tired SRE: a stale value is not shown as the current one, nor judged by a guard or a success check; a
panel whose staleness cannot be told (an `offset` or `@` moves the evaluation on purpose) says so in its note rather
than nothing. Pure: the source (sources.py) asks the questions and hands the answers here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from runbook_tui.metrics.prom_answer import number
from runbook_tui.runbook import lazy_re

_IDENT = lazy_re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
#: Words of PromQL that are no metric name (operators, modifiers, numbers written as words).
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"})
#: Words followed by a list of label names, not of series: `sum by (le) (...)`, `a / on (job) group_left (x) b`.
_LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
#: What moves a selector's evaluation time on purpose: its samples' age then says nothing of staleness.
UNKNOWN_NOTE = "staleness not checked: the query uses offset or @"


class Unreadable(ValueError):
    """The query could not be read for its selectors (the server refuses such a query anyway)."""


def _skip_string(text: str, at: int) -> int:
    """The index after the string literal starting at `at` (quotes ", ', `; backslash escapes in the first two)."""
    quote, i = text[at], at + 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    raise Unreadable("a string is not closed")


def _skip_to(text: str, at: int, close: str) -> int:
    """The index after the `close` that ends the bracket at `at`, strings skipped."""
    i = at + 1
    while i < len(text):
        char = text[i]
        if char in "\"'`":
            i = _skip_string(text, i)
            continue
        if char == close:
            return i + 1
        i += 1
    raise Unreadable(f"a {text[at]} is not closed")


def selectors(query: str) -> tuple[list[str], bool]:
    """The vector selectors of a PromQL query, in order, each once (`name{matchers}`, `{matchers}`), and whether an
    `offset` or `@` modifier is in it. Raises Unreadable for a query that does not read as PromQL."""
    found: list[str] = []
    moved = False
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace() or char in "()+-*/%^=!<>,":
            i += 1
        elif char in "\"'`":
            i = _skip_string(query, i)
        elif char == "#":  # a comment, to the end of its line
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif char == "[":
            i = _skip_to(query, i, "]")  # a range or a subquery's
        elif char == "@":
            moved, i = True, i + 1
        elif char == "{":
            end = _skip_to(query, i, "}")
            found.append(query[i:end])
            i = end
        elif char.isdigit() or (char == "." and i + 1 < n and query[i + 1].isdigit()):
            while i < n and (query[i].isalnum() or query[i] in "._"):
                i += 1
        elif match := _IDENT.match(query, i):
            word, i = match.group(), match.end()
            j = i
            while j < n and query[j].isspace():
                j += 1
            lowered = word.lower()
            if lowered in _LABEL_LISTS and j < n and query[j] == "(":
                i = _skip_to(query, j, ")")
            elif lowered == "offset":
                moved = True
            elif lowered in _KEYWORDS or (j < n and query[j] == "(") or _grouping_follows(query, j):
                pass  # an operator, or a function's or an aggregation's name (`sum by (le) (...)`)
            elif j < n and query[j] == "{":
                end = _skip_to(query, j, "}")
                found.append(word + query[j:end])
                i = end
            else:
                found.append(word)
        else:
            raise Unreadable(f"unexpected {char!r}")
    return list(dict.fromkeys(found)), moved


def _grouping_follows(query: str, at: int) -> bool:
    """`by (` or `without (` comes at `at`: the word before it is an aggregation's name, not a metric's."""
    match = _IDENT.match(query, at)
    return match is not None and match.group().lower() in ("by", "without") and query[match.end() :].lstrip().startswith("(")


def is_plain(query: str, found: Sequence[str]) -> bool:
    """The query is one selector and nothing else: `timestamp(QUERY)` gives each of its series' own age."""
    return len(found) == 1 and query.strip() == found[0]


def _age(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{int(seconds // 86400)}d"
    if seconds >= 3600:
        return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60)}m"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s" if minutes and rest else f"{minutes}m" if minutes else f"{rest}s"


def _labels(series: Any) -> frozenset[tuple[str, str]] | None:
    metric = series.get("metric") if isinstance(series, dict) else None
    if not isinstance(metric, dict):
        return None
    return frozenset((str(k), str(v)) for k, v in metric.items() if k != "__name__")


def _stamps(data: Any) -> list[tuple[frozenset[tuple[str, str]] | None, float]]:
    """(labels, last sample time) of each series of an answer to `timestamp(...)`; none for an answer of another shape."""
    result = data.get("result") if isinstance(data, dict) and data.get("resultType") == "vector" else None
    out = []
    for series in result if isinstance(result, list) else ():
        pair = series.get("value") if isinstance(series, dict) else None
        stamp = number(pair[1]) if isinstance(pair, list) and len(pair) == 2 else None
        if stamp is not None and math.isfinite(stamp):
            out.append((_labels(series), stamp))
    return out


def old_stamps_query(selector: str, at: float, older_than: float) -> str:
    """The times of a plain selector's series last sampled more than `older_than` before `at`, those only: a vector of
    65,000 fresh series answers none, where `timestamp(SELECTOR)` gave all 65,000 again (15 MB read twice a poll)."""
    return f"timestamp({selector}) < {at - older_than!r}"


def plain_stale(values_data: Any, stamps_data: Any, at: float, older_than: float) -> tuple[set[int], str | None]:
    """For a plain selector: the indexes (in the answer's `result`) of the series whose last sample is older than
    `older_than` at `at`, and the words for them (None when none is). A series the stamps do not name is fresh."""
    old = {labels: at - stamp for labels, stamp in _stamps(stamps_data) if at - stamp > older_than}
    if not old:
        return set(), None
    result = values_data.get("result") if isinstance(values_data, dict) else None
    series = result if isinstance(result, list) else []
    stale = {index for index, one in enumerate(series) if _labels(one) in old}
    if not stale:
        return set(), None
    ages = [old[labels] for labels in (_labels(series[i]) for i in stale) if labels is not None]
    return stale, stale_words(ages, len(series))


def stale_words(ages: Sequence[float], total: int) -> str:
    """The age of a panel's old series (`ages`, of its `total`), in words."""
    if total == 1:
        return f"its last sample is {_age(max(ages))} old"
    if len(ages) == total:  # no data: how fresh the freshest is says it
        return f"the newest of its {total} series is {_age(min(ages))} old"
    return f"{len(ages)} of {total} series last sampled up to {_age(max(ages))} ago"


def summary_query(selector: str, at: float, older_than: float) -> str:
    """One query that sums up the age of a selector's series in four numbers (newest and oldest sample time, series,
    series older than `older_than` at `at`), whatever their number: an expression over 10,000 series is asked four
    values, not 10,000 timestamps, each poll."""
    stamps = f"timestamp({selector})"
    parts = {"newest": f"max({stamps})", "oldest": f"min({stamps})", "count": f"count({stamps})", "old": f"count({stamps} < {at - older_than!r})"}
    return " or ".join(f'label_replace({q}, "rbt_what", "{what}", "", "")' for what, q in parts.items())


def selector_stale(selector: str, summary: Any, at: float) -> tuple[bool, str | None]:
    """For one selector of an expression, from the answer to `summary_query`: (every one of its series is old,
    words); (False, None) when it has a fresh sample or no series (the expression may not need it: `x or vector(0)`)."""
    told = {dict(labels or ()).get("rbt_what"): value for labels, value in _stamps(summary)}
    newest, oldest, count, old = (told.get(what) for what in ("newest", "oldest", "count", "old"))
    if newest is None or oldest is None or not count or not old:
        return False, None
    name = selector if len(selector) <= 60 else selector[:59] + "…"
    if old >= count:
        age = _age(at - newest)
        return True, f"{name} was last sampled {age} ago" if count == 1 else f"the newest of {int(count)} series of {name} is {age} old"
    return False, f"{int(old)} of {int(count)} series of {name} last sampled up to {_age(at - oldest)} ago: counted in the value"


def stale_error(words: str, value: str | None) -> str:
    """The error of a reading made of old samples only: no data, said with the old value."""
    read = f" (it read {value})" if value is not None else ""
    return f"the value is stale: {words}{read}; no fresh data"


def without(values: Sequence[float], drop: set[int]) -> list[float]:
    return [value for index, value in enumerate(values) if index not in drop]
