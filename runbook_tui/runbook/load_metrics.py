"""The loader's reader for `metrics:`: the source, panels and success criteria."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook.document import YMap
from runbook_tui.runbook.load_base import NAME, ReaderBase, written_at
from runbook_tui.runbook.model import (
    Mark,
    MetricCheck,
    Metrics,
    MetricsSource,
    Panel,
)
from runbook_tui.runbook.promql_shape import no_single_values
from runbook_tui.runbook.reach import is_loopback, loaded_url, no_data_action, url_problem
from runbook_tui.runbook.scrape_query import QueryError, parse_scrape_query
from runbook_tui.runbook.templating import is_template
from runbook_tui.runbook.texts import Scope

#: The shortest `metrics.interval` (seconds): tests poll at 0.2s; a person reads a panel no faster.
SHORTEST_INTERVAL = 0.1


class MetricsReader(ReaderBase):
    # -- metrics -------------------------------------------------------------

    def _metrics(self, root: YMap) -> Metrics | None:
        f = self.fields
        if "metrics" not in root or root["metrics"] is None:
            return None
        m = f.shaped(root["metrics"], root.value_mark("metrics"), "metrics", T.METRICS)
        if m is None:
            return None
        source = self._source(m)
        panels = []
        seen: dict[str, Mark] = {}
        for value, mark in self._items(m, "panels", "panels"):
            panel = self._panel(value, mark)
            if panel is not None and self._unique(seen, panel.id, written_at(value, mark, "id"), "panel id"):
                panels.append(panel)
        self.panel_ids = set(seen)
        self.panel_directions = {panel.id: panel.direction for panel in panels}
        if panels and source is None and "source" not in m:  # a source written wrong has its own error
            self.diags.error(m.mark, "metrics has panels but no source; expected source: {prometheus: {url}} or {scrape: {url}}")
        for panel in panels:
            if source is not None:
                self._query_answers(source.kind, panel)
        success = [self._check(value, mark, "a success criterion") for value, mark in self._items(m, "success", "success")]
        # `1ms`: the poller asked the server again as each answer came, a sample each journaled
        interval = f.duration(m, "interval", 5.0, shortest=(SHORTEST_INTERVAL, "polling faster floods the metrics server and the journal; leave it out for 5s"))
        interval = 5.0 if interval is None else interval
        return Metrics(source=source, interval_seconds=interval, panels=tuple(panels), success=tuple(c for c in success if c is not None))

    def _query_answers(self, kind: str, panel: Panel) -> None:
        """Refuse a query the source would answer at every poll with no value: the guard blind all night."""
        query = panel.query.value
        if query is None or not panel.query.source.strip():  # a blank query is said as empty already
            return
        try:
            if kind == "scrape":
                parse_scrape_query(query)
            elif problem := no_single_values(query):  # a range or a string (Prometheus answers a matrix or a string)
                raise QueryError(problem)
        except QueryError as exc:
            self.diags.error(panel.query.mark, f"'query': {exc}")

    def _source(self, metrics: YMap) -> MetricsSource | None:
        f = self.fields
        if "source" not in metrics:
            return None
        m = f.shaped(metrics["source"], metrics.value_mark("source"), "source: {prometheus: {url, token}} or {scrape: {url}}", T.SOURCE, "metrics source")
        if m is None:
            return None
        kinds = [k for k in T.SOURCE_KINDS if k in m]
        if len(kinds) != 1:
            self.diags.error(m.mark, "metrics source: expected exactly one of prometheus: {url, token} or scrape: {url}")
            return None
        kind = kinds[0]
        spec = f.shaped(m[kind], m.value_mark(kind), f"{kind}: {{url}}", T.SOURCES[kind], f"{kind} source")
        if spec is None:
            return None
        url = self._text(spec, "url", "url")
        if url is None:
            return None
        if (text := loaded_url(url)) is not None and (problem := url_problem("url", text)) is not None:
            self.diags.error(spec.value_mark("url"), problem)  # (the source is kept: its panels are not said to have none)
        token = self._text(spec, "token", "plain", Scope(late_allowed=True))
        if token is not None and text is not None and text.startswith("http://") and url_problem("url", text) is None:
            host = urlsplit(text).hostname or ""  # the notify receivers' rule: a secret to another machine over plain http
            if host and not is_loopback(host):
                self.diags.warning(
                    spec.value_mark("url"),
                    f"'url': plain http:// to {host} carries secrets (the token) unencrypted: anyone on the way reads them; use https://",
                )
        return MetricsSource(kind, url, token)

    def _panel(self, value: Any, mark: Mark) -> Panel | None:
        f = self.fields
        m = f.shaped(value, mark, "a panel {id, title, query, ...}", T.PANEL)
        if m is None:
            return None
        panel_id = f.identifier(m, "id", NAME, "a panel id (ASCII letters and digits, then also -, _ or .)")
        query = self._text(m, "query", "promql")
        if panel_id is None or query is None:
            return None
        if isinstance(m["query"], str) and not m["query"].strip():  # Prometheus answers 'empty query': a panel of no data
            self.diags.error(m.value_mark("query"), "'query' is empty; expected a PromQL expression (with the scrape source: a metric name)")
        for key in ("on_critical", "for", "on_no_data") if "critical" not in m else ():
            if key in m:  # a guard without its line never trips: `on_critical: rollback` alone would protect nothing
                self.diags.error(m.key_mark(key), f"'{key}' acts only on a guard; expected 'critical:' (the value the guard trips at) beside it, or no '{key}'")
        warn, critical = f.number(m, "warn"), f.number(m, "critical")
        direction = f.choice(m, "direction", T.DIRECTIONS, "above")
        if warn is not None and critical is not None and (warn > critical if direction == "above" else warn < critical):
            # the panel would turn critical before it warned: the warning, meant to come first, never shows
            side = "at or below" if direction == "above" else "at or above"
            self.diags.error(
                m.value_mark("warn"),
                f"'warn': expected a value {side} critical ({_figure(critical)}) for direction {direction} (the warning comes before "
                f"the guard trips), got {_figure(warn)}",
            )
        return Panel(
            id=panel_id,
            title=self._plain(m, "title") or panel_id,
            query=query,
            mark=mark,
            unit=self._plain(m, "unit", "") or "",  # a string value, so a template: `unit: "{{ unit }}"` showed as written
            warn=warn,
            critical=critical,
            direction=direction,
            for_seconds=f.duration(m, "for", 0.0) or 0.0,
            on_critical=f.choice(m, "on_critical", T.ON_CRITICAL, "pause"),
            on_no_data=no_data_action(f, m),  # type: ignore[arg-type]
        )

    def _panel_named(self, written: str | None, mark: Mark) -> str | None:
        """A panel id as `watch:` or a check names it: a string value, so a template, rendered as `on:` is (None when it
        cannot render: said already, or the parameters are broken)."""
        if written is None or not is_template(written):
            return written
        return self.texts.render_now(written, mark)

    def _check(self, value: Any, mark: Mark, what: str) -> MetricCheck | None:
        f = self.fields
        m = f.shaped(value, mark, f"{what} {{panel, below|above, within}}", T.CHECK, what)
        if m is None:
            return None
        panel = self._panel_named(f.string(m, "panel"), m.value_mark("panel") if "panel" in m else m.mark)
        if panel is not None and panel not in self.panel_ids:
            self.diags.error(
                m.value_mark("panel"), f"unknown panel '{panel}'; expected one of metrics.panels: {', '.join(sorted(self.panel_ids)) or 'none declared'}"
            )
            return None
        if ("below" in m) == ("above" in m):
            self.diags.error(m.mark, f"{what}: expected exactly one of below: or above:")
            return None
        check = MetricCheck(panel=panel or "", mark=mark, below=f.number(m, "below"), above=f.number(m, "above"), within_seconds=f.duration(m, "within"))
        self._one_sided(check, what)
        return check

    def _one_sided(self, check: MetricCheck, what: str) -> None:
        """A check on the side its panel calls bad judges the series nearest trouble by the panel's side, not its own:
        `{panel: up, above: 0.5}` on a panel that shows the highest of its series holds when any one target is up."""
        side, line = ("above", check.above) if check.above is not None else ("below", check.below)
        direction = self.panel_directions.get(check.panel)
        if direction != side or line is None:
            return
        shows, other, merge = ("highest", "below", "min") if side == "above" else ("lowest", "above", "max")
        self.diags.warning(
            check.mark,
            f"{what} {check.panel} {side} {_figure(line)}: panel '{check.panel}' shows the {shows} of its series (direction: {direction}),"
            f" so where its query answers several series this holds when any one is {side} {_figure(line)}; expected direction:"
            f" {other} on the panel (its {'lowest' if shows == 'highest' else 'highest'} is then judged), or a query of one series ({merge}(...))",
        )


def _figure(number: float) -> str:
    """A threshold as the author wrote it: `300`, not `300.0`."""
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
