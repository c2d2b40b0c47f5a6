"""A broken or hostile Prometheus (or exporter) on loopback: every answer ends as a value or as words, in time.

The peer (hostile_peer.py) is a real HTTP server; what it does is chosen by
the panel's query. Each failure must come back on the sample as one bounded
line of words, within the source's timeout, and the connection must be
closed by us (a thread left reading a drip filled the shared thread pool and
kept `exec` from exiting).
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import time
from typing import Any

import pytest
from hostile_peer import Peer, hostile_peer
from metrics_helpers import runbook_with, until
from peers import Prometheus

from runbook_tui.metrics.guards import Guard, format_value
from runbook_tui.metrics.sources import PanelQuery, PrometheusSource, Sample, ScrapeSource

pytestmark = pytest.mark.peers

TIMEOUT = 2.0


def poll(source: Any, *queries: PanelQuery) -> dict[str, Sample]:
    return asyncio.run(source.poll(list(queries)))


def one(peer: Peer, query: str, *, direction: str = "above", token: str | None = None, timeout: float = TIMEOUT) -> Sample:
    return poll(PrometheusSource(peer.url, token, timeout=timeout), PanelQuery("p", query, direction))["p"]  # type: ignore[arg-type]


def vector(*values: Any) -> bytes:
    result = [{"metric": {"pod": f"p{i}"}, "value": [time.time(), v]} for i, v in enumerate(values)]
    return json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).encode()


def assert_one_bounded_line(text: str | None) -> None:
    assert text is not None
    assert "\x1b" not in text and "\x07" not in text and "\n" not in text and "\r" not in text, repr(text)
    assert len(text) <= 400, len(text)


@pytest.mark.parametrize(
    ("behaviour", "words"),
    [
        ("drip", "did not answer within 2s"),
        ("drip-headers", "did not answer within 2s"),
        ("drip-close", "did not answer within 2s"),
        ("endless", "longer than the 16,777,216 bytes allowed"),
        ("gigabyte", "the answer is 1,073,741,824 bytes, more than the 16,777,216 allowed"),
        ("silent", "did not answer within 2s"),
        ("reset", "the server closed the connection in the middle of its answer"),
    ],
)
def test_a_peer_that_drips_floods_or_stays_silent_costs_one_timeout_and_its_connection_is_closed(behaviour: str, words: str) -> None:
    with hostile_peer() as peer:
        started = time.monotonic()
        sample = one(peer, behaviour)
        took = time.monotonic() - started
        assert sample.value is None and sample.error is not None and words in sample.error, sample
        assert sample.error.startswith(f"Prometheus at {peer.url}")
        assert took < TIMEOUT + 1.5, f"the poll took {took:.1f}s"
        if behaviour in ("drip", "drip-headers", "drip-close", "endless", "gigabyte", "silent"):
            # We closed the connection (the peer's write or read ended): no thread is left reading it.
            end = time.monotonic() + 3
            while behaviour not in peer.dropped and time.monotonic() < end:
                time.sleep(0.05)
            assert behaviour in peer.dropped, f"the connection to the {behaviour!r} peer was still open 3 s after the poll"
            assert peer.dropped[behaviour] - started < TIMEOUT + 2


def test_redirects_are_followed_a_few_times_and_the_token_stays_with_its_server() -> None:
    with hostile_peer() as peer, hostile_peer("127.0.0.2") as other:
        other.answers["moved"] = (200, vector("7.5"))
        peer.redirects["moved"] = f"{other.url}/api/v1/query?query=moved"
        peer.redirects["loop"] = f"{peer.url}/api/v1/query?query=loop"
        assert one(peer, "moved", token="s3cret").value == 7.5
        assert peer.seen[-1][1]["authorization"] == "Bearer s3cret"
        assert "authorization" not in other.seen[-1][1], "the token went to the other server"
        loop = one(peer, "loop", token="s3cret")
        assert loop.error == f"Prometheus at {peer.url}: redirected more than 3 times (last to {peer.url}/api/v1/query?query=loop)"


@pytest.mark.peers
def test_a_failure_after_a_redirect_names_where_it_was_sent(prometheus: Prometheus) -> None:
    """A proxy in front of the real Prometheus redirecting to it: to its plain port as https://, to a path it does not
    serve, and (for an exporter) to a page that is not there. Before: each failure named only the first address
    (`Prometheus at http://PROXY: ... did not answer the TLS handshake`), which answered nothing but the redirect."""
    with hostile_peer() as peer:
        real = f"127.0.0.1:{prometheus.port}"
        peer.redirects["tls"] = f"https://{real}/api/v1/query?query=up"
        peer.redirects["path"] = f"http://{real}/prometheus/api/v1/query?query=up"
        peer.redirects["metrics"] = f"http://{real}/no/metrics"
        peer.redirects["fine"] = f"http://{real}/api/v1/query?query=up"
        said = poll(PrometheusSource(peer.url, None, timeout=TIMEOUT), *(PanelQuery(q, q) for q in ("tls", "path", "fine")))
        scraped = poll(ScrapeSource(f"{peer.url}/metrics", timeout=TIMEOUT), PanelQuery("m", "up"))["m"]
    assert said["fine"].value == 1 and said["fine"].error is None, said["fine"]
    assert said["tls"].error == (
        f"Prometheus at {peer.url}: the server there does not speak TLS (it answered the handshake in plain text); "
        f"if it serves plain HTTP, write the address with http:// (redirected to https://{real}/api/v1/query?…)"
    )
    assert said["path"].error == f"Prometheus at {peer.url} answered HTTP 404: 404 page not found (redirected to http://{real}/prometheus/api/v1/query?…)"
    assert scraped.error == f"exporter at {peer.url}/metrics answered HTTP 404 (redirected to http://{real}/no/metrics)"


def test_a_redirect_to_an_address_that_cannot_be_read_is_words_not_an_exception() -> None:
    """Before: urllib's ValueError (`Invalid IPv6 URL`, a port that is no number) escaped the bounded GET: the poller
    logged a traceback and said `internal error reading the metrics source`, the baseline task died unseen."""
    with hostile_peer() as peer:
        peer.redirects["ipv6"] = "http://[::1"
        peer.redirects["port"] = "http://admin:hunter2@127.0.0.1:notaport/api/v1/query"
        source = PrometheusSource(peer.url, None, timeout=TIMEOUT)
        said = poll(source, PanelQuery("a", "ipv6"), PanelQuery("b", "port"))
        baseline = asyncio.run(source.baseline(PanelQuery("a", "ipv6"), time.time()))
    assert said["a"].error == f"Prometheus at {peer.url}: redirected to an address that cannot be read (http://[::1: Invalid IPv6 URL)", said["a"]
    assert said["b"].error is not None and said["b"].error.startswith(f"Prometheus at {peer.url}: redirected to an address that cannot be read ("), said["b"]
    assert "hunter2" not in said["b"].error and "127.0.0.1:notaport" in said["b"].error, said["b"]
    assert baseline.value is None and "redirected to an address that cannot be read" in (baseline.error or ""), baseline


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://[::1", "Prometheus unreachable at http://[::1: http://[::1/api/v1/query?query=x is no address that can be read (Invalid IPv6 URL)"),
        ("http://a..b:9090", "Prometheus unreachable at http://a..b:9090: a..b is no valid host name (encoding with 'idna' codec failed"),
    ],
)
def test_a_source_address_urllib_or_idna_cannot_read_is_words(url: str, words: str) -> None:
    """Before: a ValueError (`Invalid IPv6 URL`) or UnicodeError (idna) out of the bounded GET: `exec` printed tracebacks
    and `preflight` ended in one."""
    source = PrometheusSource(url, None, timeout=TIMEOUT)
    said = poll(source, PanelQuery("x", "x"))["x"]
    assert said.value is None and (said.error or "").startswith(words), said
    baseline = asyncio.run(source.baseline(PanelQuery("x", "x"), time.time()))
    assert baseline.value is None and baseline.error is not None, baseline


def test_credentials_in_the_address_are_sent_as_basic_auth_and_never_shown() -> None:
    with hostile_peer() as peer:
        peer.answers["up"] = (200, vector("1"))
        address = f"http://alice:pa%3As5word@{peer.host}:{peer.port}"
        source = PrometheusSource(address, timeout=TIMEOUT)
        assert poll(source, PanelQuery("p", "up"))["p"].value == 1.0, "a Prometheus behind Basic auth answers"
        expected = "Basic " + base64.b64encode(b"alice:pa:s5word").decode()
        assert peer.seen[-1][1]["authorization"] == expected, "user:password@ is sent as Basic credentials, decoded"
        assert source.url == f"http://alice:***@{peer.host}:{peer.port}", "the address people are shown hides the password"
        one_with_token = PrometheusSource(address, "s3cret-token", timeout=TIMEOUT)
        poll(one_with_token, PanelQuery("p", "up"))
        assert peer.seen[-1][1]["authorization"] == "Bearer s3cret-token", "a bearer token given on its own wins"
    gone = PrometheusSource(address, timeout=TIMEOUT).query_now(PanelQuery("p", "up"))  # the peer is closed now
    assert gone.error is not None and "unreachable" in gone.error and "s5word" not in gone.error, gone.error


HOSTILE = "\x1b]0;pwned\x07\x1b[2J[bold]red[/] [@click=app.quit]x[/]\nforged line"


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (200, b'{"status": "success", "data": ', "the answer is not JSON"),
        (200, b"[" * 100_000 + b"]" * 100_000, "the answer is not Prometheus JSON (nested too deep)"),
        (200, b'{"status": "success", "data": {"resultType": "matrix", "result": []}}', "a matrix"),
        (200, b'{"status": "success", "data": {"resultType": "string", "result": [1, "x"]}}', "a string, not a number"),
        (200, b'{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}}]}}', "a series without a value"),
        (200, b'{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, true]}]}}', "a series without a value"),
        (200, json.dumps({"status": "error", "error": HOSTILE}).encode(), "Prometheus said the query failed: ␛]0;pwned␇␛[2J[bold]red[/]"),
        (400, json.dumps({"status": "error", "error": HOSTILE}).encode(), "Prometheus refused the query: ␛]0;pwned␇␛[2J[bold]red[/]"),
        (400, json.dumps({"status": "error", "error": "x" * 1_000_000}).encode(), "Prometheus refused the query: xxx"),
        (502, HOSTILE.encode() * 1000, "answered HTTP 502: ␛]0;pwned␇"),
    ],
)
def test_an_answer_that_is_not_prometheus_json_is_one_bounded_line_of_words(status: int, body: bytes, words: str) -> None:
    with hostile_peer() as peer:
        peer.answers["q"] = (status, body)
        sample = one(peer, "q")
    assert sample.value is None and sample.error is not None and words in sample.error, sample
    assert_one_bounded_line(sample.error)


def test_a_hundred_thousand_series_give_the_worst_one() -> None:
    with hostile_peer() as peer:
        peer.answers["many"] = (200, vector(*[str(i % 997) for i in range(100_000)]))
        # ~0.9 s of parsing each on a quiet machine: the 2 s deadline of the other tests failed it under a full suite's
        # load, and 20 s once beside eight other workers (the peer serves from this process, sharing its GIL)
        assert one(peer, "many", timeout=60).value == 996
        assert one(peer, "many", direction="below", timeout=60).value == 0


@pytest.mark.parametrize(
    ("values", "direction", "value", "infinite", "error"),
    [
        (["NaN"], "above", None, None, "the value is NaN (not a number"),
        (["+Inf"], "above", None, math.inf, "the value is +Inf (infinite: above every line)"),
        (["1e400"], "above", None, math.inf, "the value is +Inf"),
        (["-Inf"], "below", None, -math.inf, "the value is -Inf (infinite: below every line)"),
        (["3", "+Inf"], "above", None, math.inf, "+Inf"),
        (["3", "NaN"], "above", 3.0, None, None),  # an unknown series among known ones: the worst known one (and a note)
        (["NaN", "NaN"], "above", None, None, "the value is NaN in all 2 series"),
        ([7, 2.5], "above", 7.0, None, None),  # numbers as JSON numbers, not strings
        (["5", "1e5000"], "below", 5.0, None, None),  # +Inf is the good side when low is bad
    ],
)
def test_values_that_are_not_finite_numbers_are_said_and_infinities_reach_the_guard(
    values: list[Any], direction: str, value: float | None, infinite: float | None, error: str | None
) -> None:
    with hostile_peer() as peer:
        peer.answers["v"] = (200, vector(*values))
        sample = one(peer, "v", direction=direction)
    assert sample.value == value and sample.infinite == infinite, sample
    assert (sample.error is None) if error is None else (sample.error is not None and error in sample.error), sample
    nan = sum(1 for v in values if v == "NaN")
    assert sample.note == (f"{nan} of {len(values)} series NaN (no number): the value is of the other {len(values) - nan}" if 0 < nan < len(values) else None)
    guard = Guard("p", 300.0, direction, 0.0, "pause")
    trip = guard.observe(sample.ts, sample.guarded)
    if infinite is not None:
        assert trip is not None and trip.words("ms") == f"guard 'p' tripped: {format_value(infinite, 'ms')} {direction} 300 ms"
        assert format_value(infinite, "ms") == ("+Inf ms" if infinite > 0 else "-Inf ms")


def test_an_exporter_that_floods_drips_or_sends_nan_is_read_in_words() -> None:
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, b'# TYPE x gauge\nx{a="1"} 3\nx{a="2"} NaN\ny +Inf\n')
        source = ScrapeSource(f"{peer.url}/metrics", timeout=TIMEOUT)
        samples = poll(source, PanelQuery("x", "x"), PanelQuery("y", "y"))
        # as Prometheus' is: the worst series with a number, saying what it leaves out (tests/metrics/test_scrape_series.py)
        assert (samples["x"].value, samples["x"].note) == (3, "1 of 2 series NaN (no number): the value is of the other 1"), samples["x"]
        assert samples["y"].infinite == math.inf, samples["y"]
        for behaviour in ("drip", "gigabyte"):
            started = time.monotonic()
            failed = poll(ScrapeSource(f"{peer.url}/{behaviour}", timeout=TIMEOUT), PanelQuery("x", "x"))["x"]
            assert failed.error is not None and failed.error.startswith(f"exporter at {peer.url}/{behaviour}"), failed
            assert time.monotonic() - started < TIMEOUT + 1.5
        peer.answers["bad"] = (200, HOSTILE.encode() * 100)
        garbled = poll(ScrapeSource(f"{peer.url}/bad", timeout=TIMEOUT), PanelQuery("x", "x"))["x"]
        assert garbled.error is not None and garbled.error.startswith("cannot read the exporter's output"), garbled
        assert_one_bounded_line(garbled.error)


def test_an_exporter_line_that_cannot_be_read_is_named_with_its_number() -> None:
    """One bad line fails the scrape (as Prometheus fails it); the words say which line, so the exporter's owner can look.

    Before: only what the parser choked on, `could not convert string to float: 'line'`, for a 3,000-line output.
    """
    good = "".join(f'x{{a="{i}"}} {i}\n' for i in range(3000))
    with hostile_peer() as peer:
        peer.answers["metrics"] = (200, f"# TYPE x gauge\n{good}garbage line \x1b[31mhere\n{good}".encode())
        failed = poll(ScrapeSource(f"{peer.url}/metrics", timeout=TIMEOUT), PanelQuery("x", "x"))["x"]
    assert failed.value is None and failed.error is not None, failed
    assert failed.error.startswith(f"cannot read the exporter's output at {peer.url}/metrics: line 3002 `garbage line ␛[31mhere`: "), failed
    assert_one_bounded_line(failed.error)


def test_the_proxy_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests and urllib honoured HTTP_PROXY (with credentials) and NO_PROXY; the bounded request does too."""
    with hostile_peer() as proxy, hostile_peer("127.0.0.2") as direct:
        proxy.answers["through"] = (200, vector("4"))
        direct.answers["direct"] = (200, vector("5"))
        monkeypatch.setenv("HTTP_PROXY", f"http://user:pa%20ss@127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.2")
        assert one(direct, "direct").value == 5 and not proxy.seen, "NO_PROXY: straight to the server"
        # http://prometheus.invalid is never resolved: the proxy gets the whole URL.
        sample = poll(PrometheusSource("http://prometheus.invalid:9090", timeout=TIMEOUT), PanelQuery("p", "through"))["p"]
        assert sample.value == 4, sample
        target = proxy.seen[0][0]  # then `timestamp(through)`, how old its samples are (through the proxy too)
        assert target.startswith("http://prometheus.invalid:9090/api/v1/query?query=through")
        assert all(headers["proxy-authorization"] == "Basic dXNlcjpwYSBzcw==" for _target, headers in proxy.seen)  # user:pa ss


def test_panels_waiting_on_a_silent_server_do_not_hold_back_a_decisions_fsync(tmp_path: Any) -> None:
    """The journal waits for a decision's fsync (a pause the person just pressed) in asyncio's default thread pool. Each
    panel's baseline, read when the run starts, holds a thread until its timeout when Prometheus is silent: in that pool
    (at most 32 threads, 6 on a 2-core machine) 40 of them made the pause wait for the metrics' timeout. The sources
    have a pool of their own now."""
    from runbook_tui.engine.journal import JournalWriter

    panels = [PanelQuery(f"p{i}", "silent", "above") for i in range(40)]  # type: ignore[arg-type]

    async def pause_while_baselines_wait(peer: Peer) -> float:
        journal = JournalWriter(tmp_path / "j.jsonl", new=True)
        source = PrometheusSource(peer.url, None, timeout=TIMEOUT)
        try:
            reading = asyncio.gather(*(source.baseline(panel, time.time()) for panel in panels))
            await until(lambda: len(peer.seen) >= 8, 10, "the baselines' requests to wait on the silent server")
            started = time.monotonic()
            event = journal.queue("paused", "alice", {"reason": "paused by alice"})
            await journal.durable(event["seq"])
            took = time.monotonic() - started
            await reading
            return took
        finally:
            journal.close()

    with hostile_peer() as peer:
        took = asyncio.run(pause_while_baselines_wait(peer))
    assert took < 1.0, f"the pause was on disk {took:.1f} s after it was asked for: it waited for the panels' threads"


def test_preflight_finds_a_server_that_is_not_a_prometheus_and_answers_that_are_not_values(tmp_path: Any) -> None:
    """An HTML login page, a 404 or a 500 at the address is a finding about the source (once); a query answered with
    what no panel can read is one about its panel; an empty result, NaN or an infinity is not a finding."""
    from runbook_tui.metrics.check import check_queries

    def findings(peer: Peer, *queries: str) -> list[str]:
        return check_queries(runbook_with(f'prometheus: {{url: "{peer.url}"}}', list(queries), tmp_path), {})

    with hostile_peer() as peer:
        peer.answers.update(
            login=(200, b"<html><body>Sign in</body></html>"), oops=(500, b"oops"), empty=(200, vector()), nan=(200, vector("NaN", "+Inf")),
            odd=(200, b'{"status": "success", "data": {"resultType": "string", "result": [1, "x"]}}'),
        )  # fmt: skip
        assert findings(peer, "empty", "nan") == []
        assert findings(peer, "login", "empty") == [
            f"metrics source {peer.url}: Prometheus at {peer.url}: the answer is not JSON (Expecting value: line 1 column 1 (char 0))"
        ]
        assert findings(peer, "oops", "login") == [f"metrics source {peer.url}: Prometheus at {peer.url} answered HTTP 500: oops"]
        assert findings(peer, "nothing-here") == [f"metrics source {peer.url}: Prometheus at {peer.url} answered HTTP 404: no such behaviour"]
        [odd] = findings(peer, "empty", "odd")
        assert odd.endswith("panel 'p1': the query returns a string, not a number"), odd


def test_a_series_named_in_a_guards_words_is_one_visible_bounded_line() -> None:
    """The labels that name the worst series (guard words) are the peer's text: escapes shown, one line, cut short."""
    from runbook_tui.metrics.prom_answer import series_name, vector_labels

    data = {
        "resultType": "vector",
        "result": [
            {"metric": {"job": "x", "service": "api"}, "value": [1, "1"]},
            {"metric": {"job": "x", "service": "\x1b]0;pwned\x07\nforged" + "y" * 500}, "value": [1, "9"]},
            "not a series",
        ],
    }
    labels = vector_labels(data)
    name = series_name(labels, 1)
    # The line break as PromQL writes it, `\n` (it was `⏎`: the quotes held the value as written, a quote in it too).
    assert 'service="␛]0;pwned␇\\nforgedyyy' in name and "\n" not in name and "\x1b" not in name and len(name) <= 120, name
    assert series_name(labels, 2) == 'job="", service=""' and series_name(labels, 7) == "" and vector_labels({"resultType": "scalar"}) == []


def test_credentials_in_the_address_go_with_a_redirect_to_the_same_server_only() -> None:
    """A Prometheus behind Basic auth whose proxy redirects its API to a path prefix (`/api/v1/query` to
    `/prom/api/v1/query`, same scheme, host and port). Before: the redirected request went without the credentials,
    which were read from the first address only, and the panel read `HTTP 401` from a Prometheus that was up."""
    with hostile_peer() as peer, hostile_peer() as other:
        peer.answers["prefixed"] = (200, vector("1"))
        peer.redirects["moved"] = f"{peer.url}/prom/api/v1/query?query=prefixed"
        peer.redirects["away"] = f"{other.url}/api/v1/query?query=prefixed"
        other.answers["prefixed"] = (200, vector("1"))
        source = PrometheusSource(f"http://alice:pa55word@{peer.host}:{peer.port}", timeout=TIMEOUT)
        assert poll(source, PanelQuery("p", "moved"))["p"].value == 1.0
        expected = "Basic " + base64.b64encode(b"alice:pa55word").decode()
        assert [(target.split("?")[0], headers.get("authorization")) for target, headers in peer.seen[:2]] == [
            ("/api/v1/query", expected),
            ("/prom/api/v1/query", expected),
        ], peer.seen
        assert poll(source, PanelQuery("p", "away"))["p"].value == 1.0
        assert other.seen and all("authorization" not in headers for _target, headers in other.seen), "another server gets none"
