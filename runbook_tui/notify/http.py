"""One HTTP request, its failure in words; blocking (callers run it in a thread).

A webhook POST or an Alertmanager call through engine/http_bounded.py (the
standard library's http.client): `timeout` bounds the whole request, so a
receiver that accepts and never answers, or answers a byte at a time, ends
as "did not answer within 5s".
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Callable, Mapping
from typing import Any

from runbook_tui.engine.http_bounded import FetchError, short
from runbook_tui.engine.http_bounded import request as bounded
from runbook_tui.engine.peer_json import peer_json
from runbook_tui.runbook.lean_dataclass import dataclass

#: Bytes of an answer kept (an error page can be large; the first line says enough).
ANSWER_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: an HTTP status and the start of the body, or `error` in words (no status)."""

    status: int | None
    body: str = ""
    error: str | None = None
    moved_to: str = ""  # a redirect's target, as shown (http_bounded.redirect_target): never followed
    retry_after: float | None = None  # seconds a 429 or 503 asked to wait (its Retry-After), None when it did not say
    date: str = ""  # the answer's Date header: the peer's clock (which may be off from ours)
    kind: str = ""  # with `error`: the part of the request that failed (http_bounded's FetchError.kind)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def not_acted_on(self) -> bool:
        """The peer certainly did nothing with the request: no connection was made, or it answered 429 / 503 (too many
        requests, unavailable). Safe to send again even where a second one would make a second thing."""
        return self.kind == "connect" or self.status in (429, 503)

    @property
    def retryable(self) -> bool:
        """Worth another try: no answer, a server error, or "too many requests"."""
        return self.status is None or self.status >= 500 or self.status == 429

    def problem(self, what: str, mask: Callable[[str], str] = str) -> str:
        """Why it failed, for the journal: `HTTP 500: upstream broke`, `connection refused`.

        `mask` hides secrets in the answer before it is cut to one short line: cut first, a token the receiver
        quoted near the cut kept its first characters, which no mask recognised.
        """
        if self.error is not None:
            return self.error
        if self.moved_to:  # where it points, so the fix can be made (before: "(a redirect, not followed)", named nowhere)
            return (
                f"{what} answered HTTP {self.status}, a redirect to {mask(self.moved_to)}: not followed (it would take the request's"
                " headers there); if that is its address now, put it in the runbook"
            )
        body = mask(self.body).strip()
        first = short(body.splitlines()[0]) if body else ""
        return f"{what} answered HTTP {self.status}" + (f": {first}" if first else "")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not (nested too deep included)."""
        try:
            return peer_json(self.body) if self.body else None
        except RecursionError:
            raise ValueError("nested too deep") from None


def request(
    method: str, url: str, *, body: Any = None, headers: Mapping[str, str] | None = None, timeout: float = 5.0, raw: bytes | None = None,
    limit: int = ANSWER_BYTES,
) -> Answer:  # fmt: skip
    """Send one request (`body` as JSON, or `raw` bytes); never raises for network or HTTP problems.

    Bounded as a whole (engine/http_bounded.py): a receiver that drips its answer a byte at a time ends at
    `timeout` too, and only the first `limit` bytes of an answer are read (ANSWER_BYTES unless a caller reads a list). No redirect is followed: it would
    carry the secret headers to wherever it points; a 3xx is a failure that says so.
    """
    data = raw if raw is not None else (json.dumps(body).encode("utf-8") if body is not None else None)
    given = dict(headers or {})  # a receiver's own `content-type` replaces ours (before: both were sent)
    sent = {**({} if any(k.lower() == "content-type" for k in given) else {"Content-Type": "application/json"}), **given}
    try:
        answer = bounded(method, url, headers=sent, body=data, timeout=timeout, limit=limit, truncate=True)
    except FetchError as exc:
        return Answer(None, error=str(exc), kind=exc.kind)
    text = answer.body.decode("utf-8", "replace")
    if 300 <= answer.status < 400:
        return Answer(answer.status, text, moved_to=answer.moved_to or "nowhere (no Location)")
    waited = _seconds(answer.retry_after, answer.date) if answer.status in (429, 503) else None
    return Answer(answer.status, text, retry_after=waited, date=answer.date)


def _seconds(header: str, date: str = "") -> float | None:
    """Retry-After (RFC 9110 10.2.3) in seconds: delta-seconds (`120`), or an HTTP-date counted from the answer's own
    `Date` (the receiver's clock may be off from ours), from our clock without one; None for anything else (the
    sender's own pace then). Before, a date was ignored: the retry came at the sender's pace and was refused again.
    The sender waits at most RETRY_AFTER_MAX (a longer wait ends the notice, said); a date already past is no wait."""
    header = header.strip()
    if header.isascii() and header.isdigit():  # `²` is a digit to str.isdigit(), and no number to float()
        return float(header[:12])  # more digits than that: far past any bound the sender keeps anyway
    when = _http_date(header)
    if when is None:
        return None
    since = _http_date(date) or dt.datetime.now(dt.UTC)
    return max(0.0, (when - since).total_seconds())


#: A peer's clock further off ours than this is no clock to go by (a hostile or broken Date): read as ours.
CLOCK_BOUND = dt.timedelta(days=1)


def clock_off(answer: Answer) -> dt.timedelta | None:
    """How far the peer's clock is ahead of ours (behind: negative), from its answer's Date; None without one (or one
    past the year 9999 in UTC: the arithmetic overflows)."""
    said = _http_date(answer.date)
    if said is None:
        return None
    try:
        return said - dt.datetime.now(dt.UTC)
    except OverflowError:
        return None


def peer_clock(answer: Answer) -> dt.timedelta | None:
    """`clock_off`, or None past CLOCK_BOUND: a clock to go by in arithmetic (a resume's, a retry's)."""
    off = clock_off(answer)
    return off if off is not None and abs(off) <= CLOCK_BOUND else None


def _http_date(text: str) -> dt.datetime | None:
    """An HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete forms email.utils reads), as UTC; None otherwise."""
    if not text or len(text) > 64:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
