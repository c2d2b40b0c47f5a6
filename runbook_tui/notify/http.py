"""One HTTP request with the standard library, its failure in words; blocking (callers run it in a thread).

urllib is enough for a webhook POST or an Alertmanager call and costs no
import time; `timeout` bounds every socket operation, so a receiver that
accepts and never answers ends as "did not answer within 5s".
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from typing import Any

from runbook_tui.runbook.lean_dataclass import dataclass

#: Bytes of an answer kept (an error page can be large; the first line says enough).
ANSWER_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: an HTTP status and the start of the body, or `error` in words (no status)."""

    status: int | None
    body: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Worth another try: no answer, a server error, or "too many requests"."""
        return self.status is None or self.status >= 500 or self.status == 429

    def problem(self, what: str) -> str:
        """Why it failed, for the journal: `HTTP 500: upstream broke`, `connection refused`."""
        if self.error is not None:
            return self.error
        first = self.body.strip().splitlines()[0][:200] if self.body.strip() else ""
        return f"{what} answered HTTP {self.status}" + (f": {first}" if first else "")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, (TimeoutError, socket.timeout)) or "timed out" in str(exc).lower():
        return f"did not answer within {timeout:g}s"
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError) or "refused" in str(reason).lower():
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host name not found"
    text = str(reason).strip().splitlines()
    return (text[0][:200] if text else "") or type(exc).__name__


def request(method: str, url: str, *, body: Any = None, headers: Mapping[str, str] | None = None, timeout: float = 5.0, raw: bytes | None = None) -> Answer:
    """Send one request (`body` as JSON, or `raw` bytes); never raises for network or HTTP problems."""
    import http.client  # here, not at import: urllib.request loads ssl and email (tens of ms) and most runs send nothing
    import urllib.error
    import urllib.request

    data = raw if raw is not None else (json.dumps(body).encode("utf-8") if body is not None else None)
    sent = {"Content-Type": "application/json", "User-Agent": "runbook-tui", **dict(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # http(s) only: checked at load
            return Answer(response.status, response.read(ANSWER_BYTES).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        try:
            text = exc.read(ANSWER_BYTES).decode("utf-8", "replace")
        except OSError:
            text = ""
        return Answer(exc.code, text)
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        return Answer(None, error=_reason(exc, timeout))
