"""Reading what a Prometheus server answered: its JSON, its values, its errors, in words.

The answer is a peer's text: it may be cut short, nested 100,000 deep, of
another `resultType`, hold `NaN`, `+Inf`, `1e400`, numbers where strings
belong, or an `error` with escapes, markup and a megabyte of text. Each of
these ends as a value or as an error in words (one visible line, bounded),
never as an exception.

Truth first: a value that is not a number (`NaN`) is no reading, said so;
an infinite one (`+Inf`: a `histogram_quantile` past its highest bucket) is
a reading past any line on its side, and the guards see it as such; the
journal, which cannot hold infinities, gets no value and the words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from runbook_tui.engine.http_bounded import short
from runbook_tui.engine.peer_json import peer_json
from runbook_tui.metrics.exposition import label_escaped


class AnswerError(ValueError):
    """The answer is not what the Prometheus API gives; `str()` says how, in words."""


def number(raw: Any) -> float | None:
    """A Prometheus sample value (`"1.5"`, `"NaN"`, `"+Inf"`; a JSON number is taken too, a bool is not): None if not one."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None
    try:
        return float(raw)
    except (ValueError, OverflowError):
        return None


def shown(value: float) -> str:
    """A non-finite value as Prometheus writes it."""
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def parse(body: bytes) -> Any:
    """The `data` of a successful answer; AnswerError when the body is not the API's JSON."""
    try:
        answer = peer_json(body.decode("utf-8", "replace"))
    except RecursionError:
        raise AnswerError("the answer is not Prometheus JSON (nested too deep)") from None
    except ValueError as exc:
        raise AnswerError(f"the answer is not JSON ({short(str(exc), 80)})") from None
    if not isinstance(answer, dict):
        raise AnswerError("the answer is not Prometheus JSON (not an object)")
    if answer.get("status") != "success":
        raise AnswerError(f"Prometheus said the query failed: {_error_text(answer) or 'no reason given'}")
    data = answer.get("data")
    if not isinstance(data, dict):
        raise AnswerError("the answer is not Prometheus JSON (no data)")
    return data


def _error_text(answer: Any) -> str:
    if not isinstance(answer, dict):
        return ""
    error = answer.get("error")
    return short(error) if isinstance(error, str) else ""


#: What a TLS server answers a plain HTTP request with: Go's net/http (Prometheus' or an exporter's own
#: --web.config.file TLS), nginx (in an HTML page).
_PLAIN_TO_TLS = (b"Client sent an HTTP request to an HTTPS server", b"The plain HTTP request was sent to HTTPS port")
#: Said after "Prometheus at URL" or "exporter at URL".
TLS_PORT_WORDS = "the server there speaks HTTPS, not plain HTTP; write the address with https://"


def plain_to_tls(status: int, body: bytes) -> bool:
    """The answer of a TLS server to a plain HTTP request (an http:// address for an https:// server)."""
    return status == 400 and any(words in body[:4096] for words in _PLAIN_TO_TLS)


def http_error(url: str, status: int, body: bytes) -> str:
    """A non-200 answer in words, with Prometheus' own reason (bounded, one visible line)."""
    try:
        reason = _error_text(peer_json(body.decode("utf-8", "replace")))
    except (ValueError, RecursionError):
        reason = short(body.decode("utf-8", "replace").strip().split("\n", 1)[0]) if body.strip() else ""
    if status in (401, 403):
        return f"Prometheus at {url} refused the credentials (HTTP {status}): check the token"
    if plain_to_tls(status, body):
        return f"Prometheus at {url}: {TLS_PORT_WORDS}"
    if status in (400, 422):
        return f"Prometheus refused the query: {reason or f'HTTP {status}'}"
    if status == 503 and "timeout" in reason.lower():
        return f"Prometheus at {url} gave up on the query (timeout): {reason}"
    return f"Prometheus at {url} answered HTTP {status}" + (f": {reason}" if reason else "")


def instant_values(data: Any) -> tuple[list[float], str | None]:
    """An instant query's values, one per series (NaN and infinities kept); or no values and why."""
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar":
        value = number(result[1]) if isinstance(result, list) and len(result) == 2 else None
        return ([value], None) if value is not None else ([], "the query's scalar is not a number")
    if kind == "matrix":
        return [], "the query returns a range of values (a matrix), not one value per series: drop the [range]"
    if kind == "string":
        return [], "the query returns a string, not a number"
    if kind != "vector" or not isinstance(result, list):
        return [], f"the answer is not Prometheus JSON (resultType {short(str(kind), 40)})"
    if not result:
        return [], "the query returned no data (empty result)"
    values: list[float] = []
    for series in result:
        pair = series.get("value") if isinstance(series, dict) else None
        value = number(pair[1]) if isinstance(pair, list) and len(pair) == 2 else None
        if value is None:
            return [], "the answer is not Prometheus JSON (a series without a value)"
        values.append(value)
    return values, None


#: Above this many series a series is named by all its labels (which tell it from the others costs a pass over each).
NAMED_AMONG = 200


def vector_labels(data: Any) -> list[dict[str, Any]]:
    """Each series' labels of an instant vector, in order ({} for a series without them; [] for another answer)."""
    result = data.get("result") if data.get("resultType") == "vector" else None
    if not isinstance(result, list):
        return []
    return [s["metric"] if isinstance(s, dict) and isinstance(s.get("metric"), dict) else {} for s in result]


def series_name(labels: Sequence[Mapping[str, Any]], index: int) -> str:
    """The `index`th of several series named by the labels that tell it from the others (`service="batch"`), bounded
    and visible; "" when there is no such series. For words only: which series a value is."""
    if not 0 <= index < len(labels):
        return ""
    if len(labels) > NAMED_AMONG:  # the labels that differ would be looked for across every series at each reading:
        return short(", ".join(f'{k}="{label_escaped(str(v))}"' for k, v in sorted(labels[index].items())), 120)  # all its own
    names = sorted({str(k) for one in labels for k in one})
    differ = [k for k in names if len({str(one.get(k, "")) for one in labels}) > 1]
    # Quoted as PromQL writes them: `a", env="prod` read as two labels, a series that is not there.
    return short(", ".join(f'{k}="{label_escaped(str(labels[index].get(k, "")))}"' for k in differ), 120)


def evaluated_at(data: Any) -> float | None:
    """The time an instant vector was evaluated at (each series' `value[0]`): `timestamp()` is asked for at the same."""
    result = data.get("result") if data.get("resultType") == "vector" else None
    pair = result[0].get("value") if isinstance(result, list) and result and isinstance(result[0], dict) else None
    at = number(pair[0]) if isinstance(pair, list) and len(pair) == 2 else None
    return at if at is not None and math.isfinite(at) else None


def range_series(data: Any) -> list[list[float]]:
    """A range query's finite values, per series (a baseline ignores NaN and infinities)."""
    result = data.get("result")
    if data.get("resultType") != "matrix" or not isinstance(result, list):
        raise AnswerError("the answer is not Prometheus JSON (expected a matrix)")
    out = []
    for series in result:
        points = series.get("values") if isinstance(series, dict) else None
        if not isinstance(points, list):
            raise AnswerError("the answer is not Prometheus JSON (a series without values)")
        values = [number(p[1]) if isinstance(p, list) and len(p) == 2 else None for p in points]
        out.append([v for v in values if v is not None and math.isfinite(v)])
    return out
