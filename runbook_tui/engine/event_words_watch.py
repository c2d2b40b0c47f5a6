"""The events of what watches over the run in words (for `event_words.SAYS`): metrics and their guards, notices,
Alertmanager's silences, signatures and seals."""

from __future__ import annotations

from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.said import Said, clock_words


def _number(value: Any) -> str:
    return "?" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


def guard_tripped(e: Event) -> Said:
    words = e.get("words") or f"guard '{e.get('panel')}' tripped at {e.get('value')}"
    return Said("!", [f"{words} -> {e.get('action')}"])


def metrics_started(e: Event) -> Said:
    source = e.get("source") or {}
    panels = ", ".join(str(p.get("id", "?")) for p in e.get("panels", []))
    return Said("──", [f"{source.get('kind')} {source.get('url')} every {_number(e.get('interval'))}s: {panels or 'no panels'}"])


def metric_baseline(e: Event) -> Said:
    if e.get("error"):
        return Said("──", [f"{e.get('panel')}: no baseline: {e['error']}"])
    return Said("──", [f"{e.get('panel')}: before {_number(e.get('value'))} ({e.get('basis')})"])


def notified(e: Event) -> Said:
    result = f"HTTP {e.get('status')}" if e["type"] == ev.NOTIFIED else f"FAILED: {e.get('error')}"
    return Said("──" if e["type"] == ev.NOTIFIED else "!!", [f"{e.get('event')} to {e.get('target')}: {result} (attempts {e.get('attempts')})"])


#: A silence that failed, by its `action`: what could not be done to it.
FAILED_WORDS = {"create": "be made", "expire": "be expired", "extend": "be extended"}


def silence(e: Event) -> Said:
    kind = e["type"]
    matchers = ", ".join(e.get("matchers") or [])
    until = clock_words(e.get("ends_at" if kind in (ev.SILENCE_CREATED, ev.SILENCE_EXTENDED) else "until"), e.get("ts"))  # exec's clock, not ISO text
    extended = f"extended until {until}" + (f" (was {e.get('replaces')})" if e.get("replaces") else "")
    detail = {ev.SILENCE_CREATED: f"{matchers} until {until}", ev.SILENCE_KEPT: f"until {until}", ev.SILENCE_EXTENDED: extended}.get(kind, "")
    # `could not be made: …`, not `could not create: …` (the silence, not Alertmanager, the subject of the line)
    failure = (
        f"could not {FAILED_WORDS.get(str(e.get('action')), e.get('action'))}: {e.get('error')}" if kind == ev.SILENCE_FAILED else str(e.get("gone") or "")
    )
    return Said("!!" if kind == ev.SILENCE_FAILED else "──", [f"{e.get('id') or matchers} at {e.get('alertmanager')} {detail or failure}".rstrip()])


def _line(seq: Any) -> str:
    """The journal line of the event numbered `seq`: lines count from 1, as `journal verify` and the report's signatures
    name them, seqs from 0 (a seal read `line 8` for the event on line 9, beside the report's `seal of line 9`)."""
    return str(seq + 1) if isinstance(seq, int) and not isinstance(seq, bool) else "?"


def signed(e: Event) -> Said:
    found = e.get("statement")
    said: dict[str, Any] = found if isinstance(found, dict) else {}
    about = {
        ev.DECISION_SIGNED: f"{said.get('action')} {said.get('step') or ''} (line {_line(e.get('decision'))})",
        ev.SEAL: f"line {_line(said.get('seq'))}",
    }.get(e["type"], f"plan sha256 {str(said.get('plan'))[:16]} approved")
    solo = said.get("solo") if e["type"] == ev.PLAN_APPROVED else None  # the board's word that it may run without its verifier
    alone = f"; it may run solo: {solo}" if isinstance(solo, str) and solo.strip() else ""
    return Said("──", [f"{about} by {said.get('by')} with {e.get('key')}{alone}"])
