"""One bounded HTTP request for every peer (Prometheus, an exporter, a webhook, Alertmanager).

A whole-request deadline, a size limit, few redirects (or none). A peer may be broken or hostile: it may accept and never answer,
send one byte every half second, send a body that never ends or is a
gigabyte long, or redirect in a loop. `requests`' timeout bounds each socket
operation, not the request, so a slow drip kept a worker thread for hours:
the default thread pool (which the journal's durability wait shares) filled
up, and `exec` could not exit at the end because Python joins those threads
(urllib, for webhooks and Alertmanager, had the same per-operation timeout).
Here the deadline is the whole request's: a watchdog shuts the socket down
when it passes, whatever the request is doing; the body is read in pieces
and refused past `limit` bytes (a `Content-Length` over it is refused before
reading), or, with `truncate`, cut there. Redirects are followed up to
`redirects` times; one to another origin (scheme, host or port) loses the
`Authorization` header (one to the same origin keeps it, a `user:password@`'s Basic credentials too). A webhook or Alertmanager call follows none: a
redirect would carry its secret headers to wherever it points. The proxy
environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) is honoured as requests and
urllib honoured it: a plain-HTTP proxy gets the whole URL, an https one a
CONNECT tunnel.

`request` (and `get`) raise `FetchError` with the problem in words; `kind` says which part
failed (`connect`, `tls`, `timeout`, `size`, `redirect`, `answer`).
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

from runbook_tui.engine import dns_bounded
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line

if TYPE_CHECKING:  # http.client and ssl load at the first request (http.client brings the email package: ~35 ms)
    import http.client
    import ssl

#: Redirects followed before giving up (a loop ends here).
REDIRECTS = 3
#: Bytes read from the socket at a time.
CHUNK = 64 * 1024

_REASONS = (
    ("connection refused", "connection refused"),
    ("name or service not known", "host name not found"),
    ("temporary failure in name resolution", "host name not found (DNS)"),
    ("nodename nor servname", "host name not found"),
    ("no route to host", "no route to host"),
    ("network is unreachable", "network unreachable"),
    ("connection reset", "connection reset"),
    ("timed out", "connection timed out"),
)


class FetchError(Exception):
    """The request failed; `str()` is the problem in words, `kind` the part that failed."""

    def __init__(self, words: str, kind: str) -> None:
        super().__init__(words)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Fetched:
    """A whole answer: its status, its body (at most the limit) and the URL that gave it; `moved_to`: where a redirect
    that was not followed points, as people are shown it (`redirect_target`), "" for any other answer."""

    status: int
    body: bytes
    url: str
    moved_to: str = ""
    retry_after: str = ""  # the answer's Retry-After header as sent (a 429's or a 503's), "" without one
    date: str = ""  # the answer's Date header as sent: the peer's clock, which a Retry-After date is counted from


def short(text: str, limit: int = 200) -> str:
    """Peer text for a message: one visible line (no escape, no newline), at most `limit` characters."""
    line = visible_line(text.strip())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def seconds(value: float) -> str:
    return f"{value:g}s"


def os_reason(exc: BaseException) -> str:
    """An OSError boiled down to what a person can act on."""
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError)):
        return "connection reset"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    lowered = str(exc).lower()
    for needle, words in _REASONS:
        if needle in lowered:
            return words
    return short(str(exc)) or type(exc).__name__


def _tls_context() -> ssl.SSLContext:
    """Verified TLS against the system's certificate store; a private CA through REQUESTS_CA_BUNDLE (as requests read
    it) or SSL_CERT_FILE. (Not certifi's bundle: that came with requests, which a plain install no longer has, so the
    trust would have differed between a test install and a user's.)"""
    import ssl

    return ssl.create_default_context(cafile=os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or None)


#: OpenSSL's verify codes for a certificate whose issuer is not in the trust store: self-signed (18, 19), issuer unknown
#: (2, 20), a chain that ends nowhere (21).
_UNKNOWN_ISSUER = frozenset({2, 18, 19, 20, 21})


def _tls_failure(exc: ssl.SSLError) -> FetchError:
    """A failed TLS handshake in words: only a certificate that was checked and refused is "not trusted" (kind `tls`,
    where a private CA is the usual fix); a port answering in plain HTTP, or closing the handshake, says so instead."""
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError):
        hint = "; if it comes from a private CA, set REQUESTS_CA_BUNDLE (or SSL_CERT_FILE) to that CA's certificate file"
        unknown = exc.verify_code in _UNKNOWN_ISSUER  # not for an expired one, or one made for another name: a CA file mends neither
        return FetchError(f"TLS certificate not trusted ({short(exc.verify_message or str(exc))}){hint if unknown else ''}", "tls")
    reason = getattr(exc, "reason", None) or ""
    if reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
        return FetchError(
            "the server there does not speak TLS (it answered the handshake in plain text); if it serves plain HTTP, write the address with http://",
            "handshake",
        )
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)) or reason == "UNEXPECTED_EOF_WHILE_READING":
        return FetchError("the server closed the connection during the TLS handshake", "handshake")
    return FetchError(f"the TLS handshake failed ({short(reason or str(exc), 120)})", "handshake")


def _proxy(scheme: str, host: str) -> SplitResult | None:
    """The proxy the environment names for `scheme` (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, as urllib and requests read them)."""
    import urllib.request  # here: it loads the email package, and most runs talk to no peer

    if urllib.request.proxy_bypass(host):
        return None
    found = urllib.request.getproxies().get(scheme)
    if not found:
        return None
    proxy = urlsplit(found if "://" in found else f"http://{found}")
    return proxy if proxy.hostname else None


def _basic(parts: SplitResult) -> str:
    """HTTP Basic credentials from an address's `user:password@`, as curl and Prometheus's own clients send them."""
    pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _proxy_auth(proxy: SplitResult) -> dict[str, str]:
    return {} if proxy.username is None else {"Proxy-Authorization": _basic(proxy)}


def _without_userinfo(parts: SplitResult) -> SplitResult:
    return parts._replace(netloc=parts.netloc.rpartition("@")[2])


def without_password(url: str) -> str:
    """`url` as people are shown it: a `user:password@`'s password as `***` (requests still send it, as Basic auth)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[::1`: shown as written, any `user:password@` cut
        return _unreadable(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{_without_userinfo(parts).netloc}"))


def _unreadable(location: str) -> str:
    """A redirect's address urllib cannot read, as people are shown it: a `user:password@` cut, one short visible line."""
    scheme, slashes, rest = location.partition("//")
    return short(scheme + slashes + rest.rpartition("@")[2] if slashes else location, 80)


def redirect_target(url: str, location: str) -> str:
    """Where a redirect from `url` points, as people are shown it: the address made whole, without a password, and its
    query and fragment as `?…` (a receiver's Location may carry a token there); one short visible line."""
    try:
        parts = urlsplit(urljoin(url, location))
        whole = urlunsplit(parts._replace(query="…" if parts.query else "", fragment=""))
    except ValueError:  # `http://[::1`: as written, any `user:password@` cut
        return _unreadable(location)
    return short(without_password(whole), 120)


def redirected_note(asked: str, answered: str) -> str:
    """` (redirected to TARGET)` when the answer (or the failure) came from elsewhere than the address asked, else ""."""
    return "" if answered == asked else f" (redirected to {redirect_target(asked, answered)})"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def get(url: str, *, headers: Mapping[str, str] | None = None, timeout: float, limit: int) -> Fetched:
    """GET `url` within `timeout` seconds in all, at most `limit` bytes of body, following few redirects."""
    return request("GET", url, headers=headers, timeout=timeout, limit=limit, redirects=REDIRECTS)


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float,
    limit: int,
    redirects: int = 0,
    truncate: bool = False,
) -> Fetched:
    """One request within `timeout` seconds in all; the body refused past `limit` bytes (cut there with `truncate`)."""
    deadline = time.monotonic() + timeout
    sent = {"Accept-Encoding": "identity", "User-Agent": "runbook-tui", **dict(headers or {})}
    current = url
    for _hop in range(redirects + 1):
        try:
            status, location, answer, retry_after, date = _once(method, current, sent, body, deadline, timeout, limit, truncate)
        except FetchError as exc:
            if current == url:
                raise
            raise FetchError(f"{exc}{redirected_note(url, current)}", exc.kind) from None
        if redirects and status in (301, 302, 303, 307, 308) and location:
            try:  # the peer's words: `http://[::1`, a port that is no number make urllib raise ValueError
                target = urljoin(current, location)
                shown, scheme, elsewhere = short(without_password(target)), urlsplit(target).scheme, _origin(target) != _origin(current)
            except ValueError as exc:
                raise FetchError(f"redirected to an address that cannot be read ({_unreadable(location)}: {exc})", "redirect") from None
            if scheme not in ("http", "https"):
                raise FetchError(f"redirected to {shown}, not an http(s) address", "redirect")
            if elsewhere:
                sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}  # the token stays with its server
            elif (given := urlsplit(current)).username is not None and not any(k.lower() == "authorization" for k in sent):
                sent = {**sent, "Authorization": _basic(given)}  # `user:password@` goes on to its own server (before: a 401)
            current = target
            continue
        moved = redirect_target(current, location) if status in (301, 302, 303, 307, 308) and location else ""
        return Fetched(status, answer, current, moved, retry_after, date)
    raise FetchError(f"redirected more than {redirects} times (last to {short(without_password(current))})", "redirect")


def _cut(held: list[socket.socket]) -> None:
    """The watchdog: wake whatever the request is blocked in by shutting its socket down. The socket is held from the
    connect on: a response that closes the connection after it (`Connection: close`, HTTP/1.0) takes it from the
    connection object, and a drip of its body went on for hours."""
    for sock in held:
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


def _once(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None, deadline: float, timeout: float, limit: int, truncate: bool
) -> tuple[int, str | None, bytes, str, str]:
    import http.client
    import ssl

    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{_unreadable(url)} is no address that can be read ({exc})", "connect") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{short(without_password(url))} is not an http(s) address", "connect")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"did not answer within {seconds(timeout)}", "timeout")
    try:
        port = parts.port
    except ValueError:
        raise FetchError(f"{short(without_password(url))}: the port is not a number", "connect") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = dict(headers)
    if parts.username is not None and not any(name.lower() == "authorization" for name in sent):
        sent["Authorization"] = _basic(parts)  # `user:password@` is credentials, never part of a request line
    proxy = _proxy(parts.scheme, parts.hostname)
    conn: http.client.HTTPConnection
    if proxy is None:
        host, port_to = parts.hostname, port
    else:
        host, port_to = proxy.hostname or "", proxy.port
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, port_to, timeout=remaining, context=_tls_context())
        if proxy is not None:  # a CONNECT tunnel through the proxy; TLS with the server itself
            conn.set_tunnel(parts.hostname, port, headers=_proxy_auth(proxy))
    else:
        conn = http.client.HTTPConnection(host, port_to, timeout=remaining)
        if proxy is not None:  # a plain-HTTP proxy takes the whole URL
            path = urlunsplit(_without_userinfo(parts)._replace(fragment=""))
            sent.update(_proxy_auth(proxy))
    held: list[socket.socket] = []
    # The name's lookup too within the deadline (engine/dns_bounded.py): before, getaddrinfo blocked for as long as DNS did.
    conn._create_connection = lambda address, *_: dns_bounded.connect(address, deadline, timeout)  # type: ignore[attr-defined]

    def in_handshake() -> bool:  # the TCP connection was made (connect() keeps its socket), TLS had begun on it
        return parts.scheme == "https" and proxy is None and conn.sock is not None

    watchdog = threading.Timer(remaining, _cut, (held,))
    watchdog.daemon = True
    try:
        try:
            conn.connect()
        except ssl.SSLError as exc:
            raise _tls_failure(exc) from None
        except dns_bounded.LookupTimeout as exc:
            raise FetchError(str(exc), "timeout") from None
        except TimeoutError:
            if in_handshake():  # TCP done, TLS never answered
                raise FetchError(f"took the connection but did not answer the TLS handshake within {seconds(timeout)}", "timeout") from None
            raise FetchError("connection timed out", "connect") from None
        except OSError as exc:
            if in_handshake() and isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
                raise FetchError("the server closed the connection during the TLS handshake", "handshake") from None
            raise FetchError(os_reason(exc), "connect") from None
        except UnicodeError as exc:  # idna cannot encode the name (`a..b`)
            raise FetchError(f"{short(host, 80)} is no valid host name ({exc})", "connect") from None
        held.append(conn.sock)
        watchdog.start()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                return response.status, response.getheader("Location"), b"", "", ""
            answer = _read(response, limit, truncate)
            if time.monotonic() >= deadline - 0.05:  # the watchdog's cut reads as the end of the body
                raise FetchError(f"did not answer within {seconds(timeout)}", "timeout")
            if response.length and not truncate:  # Content-Length said more than came
                raise FetchError("the server closed the connection in the middle of its answer", "answer")
            return response.status, None, answer, response.getheader("Retry-After") or "", response.getheader("Date") or ""
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if time.monotonic() >= deadline - 0.05 or isinstance(exc, TimeoutError):
                raise FetchError(f"did not answer within {seconds(timeout)}", "timeout") from None
            if isinstance(exc, http.client.RemoteDisconnected):
                raise FetchError("the server closed the connection without answering", "answer") from None
            if isinstance(exc, http.client.IncompleteRead):
                raise FetchError("the server closed the connection in the middle of its answer", "answer") from None
            if isinstance(exc, OSError):
                raise FetchError(os_reason(exc), "answer") from None
            raise FetchError(f"not an HTTP answer ({short(str(exc)) or type(exc).__name__})", "answer") from None
    finally:
        watchdog.cancel()
        conn.close()


def _read(response: http.client.HTTPResponse, limit: int, truncate: bool) -> bytes:
    """The body, refused once it passes `limit` bytes (or says it will); with `truncate`, its first `limit` bytes."""
    declared = response.getheader("Content-Length")
    if not truncate and declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise FetchError(f"the answer is {int(declared):,} bytes, more than the {limit:,} allowed", "size")
    pieces: list[bytes] = []
    total = 0
    while True:
        piece = response.read1(CHUNK)
        if not piece:
            return b"".join(pieces)
        total += len(piece)
        if total > limit and truncate:
            pieces.append(piece)
            return b"".join(pieces)[:limit]
        if total > limit:
            raise FetchError(f"the answer is longer than the {limit:,} bytes allowed", "size")
        pieces.append(piece)
