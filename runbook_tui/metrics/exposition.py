"""An exporter's text exposition read for the scrape panels: only the lines of the metrics they name are parsed.

The scrape source runs in the run's own process (the TUI's). prometheus_client's parser held the interpreter for
about a second of CPU at every poll to read an exporter of 100,000 series of which the panels wanted one, and the
screen answered no key meanwhile. Now:

- every line is looked at (a regular expression, in C), and one that is neither a comment, blank nor shaped like a
  sample is given to the parser alone: if the parser refuses it, the scrape fails naming that line by its number, as
  Prometheus fails a scrape with a line it cannot read;
- only the lines of the metrics the panels name are parsed, by prometheus_client's parser;
- a query that could match more than `limit` series is not parsed at all: its panel says how many (words, a failed
  reading its no-data guard sees) instead of costing that second at every poll. The query's `label="value"`
  matchers are looked for in the line's text first, so `big_series{pod="p7"}` over 100,000 pods is read.

A line of a metric no panel names is only looked at for its shape: labels it cannot have go unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from runbook_tui.engine.http_bounded import short
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.scrape_query import ScrapeQuery

Samples = list[tuple[str, Mapping[str, str], float]]
#: Each sample's own timestamp as its exporter wrote it (`name{labels} value TIMESTAMP`), in Unix seconds; None without.
Stamps = list[float | None]

#: The series of one metric a scrape panel reads at most (parsing 10,000 costs the run's process about 0.1 s a poll).
SCRAPE_SERIES_LIMIT = 10_000

#: What prometheus_client's parser raises for text that is not the exposition format.
_UNREADABLE = (ValueError, TypeError, IndexError, RecursionError)
_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_VALUE = r"[+-]?(?:[0-9][0-9_.eE+-]*|\.[0-9][0-9_eE+-]*|[Ii]nf|NaN|nan)"
#: The start of a line that is neither blank, a comment nor shaped like a sample (`name{labels} value [timestamp]`).
_ODD = lazy_re.compile(rf"^(?![ \t]*(?:#|\r?$)|[ \t]*{_NAME}[ \t]*(?:\{{[^\n]*\}})?[ \t]+{_VALUE}(?:[ \t]+-?[0-9]+)?[ \t]*\r?$)", re.M)


def _parsed(text: str) -> Samples:
    return [(name, labels, value) for name, labels, value, _stamp in _stamped(text)]


def _stamped(text: str) -> list[tuple[str, Mapping[str, str], float, float | None]]:
    from prometheus_client.parser import text_string_to_metric_families

    return [
        (s.name, s.labels, float(s.value), None if s.timestamp is None else float(s.timestamp))
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def _line_at(text: str, start: int) -> tuple[int, str]:
    end = text.find("\n", start)
    return text.count("\n", 0, start) + 1, text[start : end if end >= 0 else len(text)]


def _refused(number: int, line: str, why: str) -> ValueError:
    return ValueError(f"line {number} `{short(line, 80)}`: {why}")


def _check_every_line(text: str) -> None:
    """Raise ValueError naming the first line the parser refuses among those not shaped like a sample."""
    for found in _ODD.finditer(text):
        number, line = _line_at(text, found.start())
        try:
            _parsed(line + "\n")
        except _UNREADABLE as exc:
            raise _refused(number, line, short(str(exc)) or type(exc).__name__) from None


def label_escaped(value: str) -> str:
    """A label value as the exposition format (and PromQL) writes it between its quotes."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def wanted_samples(text: str, queries: Sequence[ScrapeQuery], limit: int = SCRAPE_SERIES_LIMIT) -> tuple[Samples, dict[ScrapeQuery, int], Stamps]:
    """The samples of the metrics `queries` name, {query: its series} for each query that could match more than `limit`
    series (not parsed), and each sample's own timestamp. Raises ValueError naming a line that cannot be read."""
    _check_every_line(text)
    names = sorted({query.name for query in queries})
    if not names:
        return [], {}, []
    lines: dict[str, list[tuple[int, str]]] = {name: [] for name in names}
    pattern = re.compile(rf"^[ \t]*({'|'.join(map(re.escape, names))})(?=[ \t{{]).*$", re.M)
    for found in pattern.finditer(text):
        lines[found.group(1)].append((found.start(), found.group(0)))
    too_many: dict[ScrapeQuery, int] = {}
    wanted: dict[int, str] = {}  # offset -> line
    for query in queries:
        found_lines = lines[query.name]
        if len(found_lines) > limit:  # only the lines holding the query's `label="value"`s, before giving up
            # `label=""` matches the series without the label: its line holds no such text, so it filters nothing here.
            parts = [f'{m.label}="{label_escaped(m.value)}"' for m in query.matchers if m.op == "=" and m.value]
            found_lines = [(at, line) for at, line in found_lines if all(part in line for part in parts)]
        if len(found_lines) > limit:
            too_many[query] = len(found_lines)
        else:
            wanted.update(found_lines)
    kept = sorted(wanted.items())
    try:
        stamped = _stamped("\n".join(line for _, line in kept) + "\n")
        return [(name, labels, value) for name, labels, value, _ in stamped], too_many, [stamp for *_, stamp in stamped]
    except _UNREADABLE as exc:
        why = short(str(exc)) or type(exc).__name__
        for at, line in kept:
            try:
                _parsed(line + "\n")
            except _UNREADABLE:
                raise _refused(_line_at(text, at)[0], line, why) from None
        raise ValueError(why) from None


def too_many_words(url: str, name: str, count: int) -> str:
    """A panel whose metric has more series than a scrape panel reads, in words."""
    return (
        f"the exporter at {url} has {count:,} series of {name} for this panel, more than the {SCRAPE_SERIES_LIMIT:,} a scrape panel "
        f'reads: narrow the query with label matchers ({name}{{label="value"}}), or read it through Prometheus'
    )
