"""The two sources against real peers: Prometheus on loopback and the exporter it scrapes.

Failures must come back as words on the sample, never as exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import http.server
import json
import math
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from metrics_helpers import metrics_runbook, runbook_with
from peers import PROMETHEUS, Exporter, Prometheus, _accepts, _free_port, spawn_logged, terminate
from waiting import wait_until

from runbook_tui.metrics.sources import PanelQuery, PrometheusSource, ScrapeSource
from runbook_tui.notify.http import request
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.scrape_query import QueryError, parse_scrape_query

API = 'rbt_test_value{service="api"}'


def poll(source: Any, *queries: PanelQuery) -> dict[str, Any]:
    return asyncio.run(source.poll(list(queries)))


# -- Prometheus ---------------------------------------------------------------------------------


@pytest.mark.peers
def test_prometheus_instant_query_gives_the_current_value(prometheus: Prometheus, exporter: Exporter) -> None:
    exporter.set(42)
    prometheus.wait_for(API, lambda v: v == 42)
    source = PrometheusSource(prometheus.url, timeout=3)
    try:
        samples = poll(source, PanelQuery("api", API), PanelQuery("high", "rbt_test_value"), PanelQuery("low", "rbt_test_value", "below"))
    finally:
        source.close()
    assert samples["api"].value == 42 and samples["api"].error is None
    # Several series: the one nearest trouble (highest when high is bad, lowest when low is bad).
    assert samples["high"].value == 42
    assert samples["low"].value == 0


@pytest.mark.peers
def test_a_baseline_of_the_largest_numbers_is_not_infinite(prometheus: Prometheus) -> None:
    """Two points of 1e308 in the half hour before the start: their median is 1e308. Before, +Inf (the two middle
    ones' mean overflowed), journaled as `Infinity`: `journal verify` called the run's own journal NOT intact."""
    started = float(math.floor(time.time()))
    last_two = f"vector(1e308) and on() (vector(time()) > {started - 20:.0f})"  # the range's points at start-15s and start
    baseline = asyncio.run(PrometheusSource(prometheus.url, timeout=3).baseline(PanelQuery("huge", last_two), started))
    assert baseline.value == 1e308 and baseline.error is None, baseline


@pytest.mark.peers
@pytest.mark.parametrize("token", ["prom-token-5521\n", "prom-token-5521\r\nX-Evil: 1", "prom-tök€n-5521"])
def test_a_token_that_cannot_go_into_a_header_is_said_as_such(prometheus: Prometheus, tmp_path: Path, token: str) -> None:
    """A secret read with its line break (or a character past Latin-1): before, http.client refused the header and the
    words were "not an HTTP answer (Invalid header value ...)", which sent the person to look at Prometheus."""
    from runbook_tui.metrics.check import check_queries

    source = PrometheusSource(prometheus.url, token, timeout=3)
    sample = poll(source, PanelQuery("api", API))["api"]
    baseline = asyncio.run(source.baseline(PanelQuery("api", API), time.time()))
    said = f"Prometheus at {prometheus.url}: nothing asked: the token as read cannot go into a header: "
    assert sample.error is not None and sample.error.startswith(said), sample
    assert baseline.error == sample.error and "5521" not in sample.error
    runbook = runbook_with(f'prometheus: {{url: "{prometheus.url}", token: {json.dumps(token)}}}', [API], tmp_path)  # a YAML string
    assert check_queries(runbook, {}) == [f"metrics source {prometheus.url}: {sample.error}"]


@pytest.mark.peers
def test_prometheus_baseline_comes_from_the_half_hour_before_the_start(prometheus: Prometheus, exporter: Exporter) -> None:
    """The value before the start, not the value now: a series at 7 until the start and 100 after has baseline 7."""
    query = 'rbt_test_value{service="baseline"}'
    exporter.set(7, service="baseline")
    source = PrometheusSource(prometheus.url, timeout=3)
    try:
        prometheus.wait_for(query, lambda v: v == 7)  # a reading of 7 from before the start
        # The client sends whole seconds (prometheus_api_client rounds the range's end): start on a whole
        # second after a reading of 7, so that reading is inside the window however the end is rounded.
        prometheus.wait_for(f"timestamp({query})", lambda ts: ts < math.floor(time.time()))
        started = float(math.floor(time.time()))
        # ... and one scraped after it: every later scrape reads 100, so no reading of 100 is from before the start.
        prometheus.wait_for(f"timestamp({query})", lambda ts: ts > started)
        exporter.set(100, service="baseline")
        prometheus.wait_for(query, lambda v: v == 100)  # the run's own readings exist too, and must not count
        baseline = asyncio.run(source.baseline(PanelQuery("baseline", query), started))
        nothing = asyncio.run(source.baseline(PanelQuery("x", "no_such_metric"), time.time()))
    finally:
        source.close()
        exporter.gauge.remove("baseline")  # the other tests sum every series of the gauge
    assert baseline.value == 7 and baseline.error is None, baseline
    assert baseline.basis == "median of the 30m before the start"
    assert nothing.value is None and nothing.error == "no data in the 30m before the start"


@pytest.mark.peers
def test_prometheus_failures_are_words_on_the_sample(prometheus: Prometheus, exporter: Exporter) -> None:
    source = PrometheusSource(prometheus.url, timeout=3)
    try:
        samples = poll(source, PanelQuery("bad", "rate(x[5"), PanelQuery("empty", "no_such_metric"))
    finally:
        source.close()
    assert samples["bad"].value is None
    assert samples["bad"].error.startswith("Prometheus refused the query: ") and "parse error" in samples["bad"].error
    assert samples["empty"].error == "the query returned no data (empty result)"
    port = _free_port()
    down = poll(PrometheusSource(f"http://127.0.0.1:{port}", timeout=2), PanelQuery("api", API))
    assert down["api"].error == f"Prometheus unreachable at http://127.0.0.1:{port}: connection refused"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A stand-in Prometheus API that records the Authorization header and answers as told."""

    seen: list[str | None] = []
    status = 200

    def do_GET(self) -> None:  # http.server's naming
        type(self).seen.append(self.headers.get("Authorization"))
        now = time.time()
        value = str(now) if "timestamp" in self.path else "7.5"  # `timestamp(up)`: its sample is fresh
        body = {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [now, value]}]}}
        if self.status != 200:
            body = {"status": "error", "errorType": "unauthorized", "error": "bad token"}
        data = json.dumps(body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api_server() -> Iterator[tuple[http.server.HTTPServer, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"seen": [], "status": 200})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def test_the_token_goes_as_a_bearer_header(api_server: tuple[http.server.HTTPServer, type[_Recorder]]) -> None:
    server, handler = api_server
    url = f"http://127.0.0.1:{server.server_address[1]}"
    assert poll(PrometheusSource(url, "s3cret", timeout=2), PanelQuery("q", "up"))["q"].value == 7.5
    assert handler.seen == ["Bearer s3cret"] * 2, "the query and `timestamp()` of it (how old its samples are)"
    handler.status = 401
    refused = poll(PrometheusSource(url, "wrong", timeout=2), PanelQuery("q", "up"))["q"]
    assert refused.error == f"Prometheus at {url} refused the credentials (HTTP 401): check the token"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_file, key_file


def test_tls_is_verified(tmp_path: Path, api_server: tuple[http.server.HTTPServer, type[_Recorder]]) -> None:
    """A certificate nobody vouches for is refused, in words; no request reaches the server."""
    server, handler = api_server
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    url = f"https://127.0.0.1:{server.server_address[1]}"
    sample = poll(PrometheusSource(url, "s3cret", timeout=2), PanelQuery("q", "up"))["q"]
    assert sample.value is None
    assert sample.error.startswith(f"Prometheus at {url}: TLS certificate not trusted")
    assert handler.seen == []


@pytest.mark.peers
def test_tls_to_a_port_without_tls_says_so_not_certificate(prometheus: Prometheus, exporter: Exporter) -> None:
    """`https://` to the real Prometheus's plain HTTP port, to a port that takes the connection and never answers the
    handshake, and to one that closes it: each says what happened (before: all three, or the first and the last, read
    `TLS certificate not trusted ([SSL: WRONG_VERSION_NUMBER] ...)` and advised REQUESTS_CA_BUNDLE, a certificate that was
    never sent; the silent one read `unreachable ...: connection timed out`, though it took the connection)."""
    url = f"https://127.0.0.1:{prometheus.port}"
    plain = poll(PrometheusSource(url, "s3cret", timeout=3), PanelQuery("q", API))["q"]
    assert plain.value is None
    assert plain.error == (
        f"Prometheus at {url}: the server there does not speak TLS (it answered the handshake in plain text); "
        "if it serves plain HTTP, write the address with http://"
    )
    with socket.socket() as silent, socket.socket() as closing:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        closing.bind(("127.0.0.1", 0))
        closing.listen()

        def close_each() -> None:
            with contextlib.suppress(OSError):
                while True:
                    closing.accept()[0].close()

        threading.Thread(target=close_each, daemon=True).start()
        quiet = f"https://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        hung = poll(PrometheusSource(quiet, timeout=1), PanelQuery("q", API))["q"]
        assert hung.error == f"Prometheus at {quiet} took the connection but did not answer the TLS handshake within 1s"
        assert time.monotonic() - started < 5
        shut = f"https://127.0.0.1:{closing.getsockname()[1]}"
        closed = poll(PrometheusSource(shut, timeout=2), PanelQuery("q", API))["q"]
        assert closed.error == f"Prometheus at {shut}: the server closed the connection during the TLS handshake"


@pytest.mark.peers
def test_plain_http_to_a_prometheus_serving_tls_says_to_write_https(tmp_path: Path) -> None:
    """A real Prometheus serving TLS (`--web.config.file`) read at `http://`, as a panel's source and as an exporter:
    Go's server answers HTTP 400 `Client sent an HTTP request to an HTTPS server.`. Before: `Prometheus refused the
    query: Client sent ...`, so the panel read NO VALUE as if the PromQL were wrong, and its baseline was given up as
    final; the exporter read `answered HTTP 400` with no reason."""
    cert, key = _self_signed(tmp_path)
    (tmp_path / "web.yml").write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n")
    (tmp_path / "prometheus.yml").write_text("global: {scrape_interval: 1s}\n")
    port = _free_port()
    argv = [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}"]
    argv += [f"--web.listen-address=127.0.0.1:{port}", f"--web.config.file={tmp_path / 'web.yml'}", "--log.level=warn"]
    proc = spawn_logged(argv, tmp_path / "prometheus.log")
    try:
        wait_until(lambda: _accepts(port), f"Prometheus with TLS on port {port}", alive=proc)
        url = f"http://127.0.0.1:{port}"
        sample = poll(PrometheusSource(url, "s3cret", timeout=3), PanelQuery("q", "up"))["q"]
        assert sample.value is None
        assert sample.error == f"Prometheus at {url}: the server there speaks HTTPS, not plain HTTP; write the address with https://"
        scraped = poll(ScrapeSource(f"{url}/metrics", timeout=3), PanelQuery("q", "up"))["q"]
        assert scraped.error == (f"exporter at {url}/metrics answered HTTP 400: the server there speaks HTTPS, not plain HTTP; write the address with https://")
    finally:
        terminate(proc)


def _ip_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the address 127.0.0.1 (a subjectAltName, as clients check), and its key."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "prometheus")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = directory / "ip-cert.pem", directory / "ip-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_file, key_file


@pytest.mark.peers
def test_a_certificate_refused_says_what_mends_it_only_when_a_ca_file_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real Prometheus serving TLS with a self-signed certificate for 127.0.0.1. Before: every refused certificate
    ended `set REQUESTS_CA_BUNDLE for a private CA`, also one made for another name (`localhost` here), which a CA file
    does not mend; and webhooks and Alertmanager (the same client) never said it."""
    cert, key = _ip_cert(tmp_path)
    (tmp_path / "web.yml").write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n")
    (tmp_path / "prometheus.yml").write_text("global: {scrape_interval: 1s}\n")
    port = _free_port()
    argv = [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}"]
    argv += [f"--web.listen-address=127.0.0.1:{port}", f"--web.config.file={tmp_path / 'web.yml'}", "--log.level=warn"]
    proc = spawn_logged(argv, tmp_path / "prometheus.log")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    try:
        wait_until(lambda: _accepts(port), f"Prometheus with TLS on port {port}", alive=proc)
        url = f"https://127.0.0.1:{port}"
        unknown = poll(PrometheusSource(url, timeout=3), PanelQuery("q", "vector(1)"))["q"]
        assert unknown.error == (
            f"Prometheus at {url}: TLS certificate not trusted (self-signed certificate); if it comes from a private CA,"
            " set REQUESTS_CA_BUNDLE (or SSL_CERT_FILE) to that CA's certificate file"
        )
        hook = request("POST", f"{url}/hook", body={"text": "x"}, timeout=3)  # a webhook at the same server: the same words
        assert hook.error is not None and hook.error.endswith("set REQUESTS_CA_BUNDLE (or SSL_CERT_FILE) to that CA's certificate file"), hook
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        assert poll(PrometheusSource(url, timeout=3), PanelQuery("q", "vector(1)"))["q"].value == 1, "trusted through the CA file"
        other = f"https://localhost:{port}"
        named = poll(PrometheusSource(other, timeout=3), PanelQuery("q", "vector(1)"))["q"]
        assert named.error == f"Prometheus at {other}: TLS certificate not trusted (Hostname mismatch, certificate is not valid for 'localhost'.)"
    finally:
        terminate(proc)


# -- scrape ---------------------------------------------------------------------------------------


@pytest.mark.peers
def test_scrape_reads_a_metric_with_label_matchers(exporter: Exporter) -> None:
    exporter.set(3)
    exporter.set(4, service="batch")
    source = ScrapeSource(exporter.url, timeout=2)
    samples = poll(
        source,
        PanelQuery("api", API),
        PanelQuery("both", "rbt_test_value"),
        PanelQuery("regex", 'rbt_test_value{service=~"b.*"}'),
        PanelQuery("not", 'rbt_test_value{service!="api"}'),
        PanelQuery("none", 'rbt_test_value{service="web"}'),
        PanelQuery("bad", "sum(rbt_test_value)"),
    )
    assert samples["api"].value == 3
    assert samples["both"].value == 4, "of several matching series, the worst (tests/metrics/test_scrape_series.py)"
    assert samples["regex"].value == 4 and samples["not"].value == 4
    assert samples["none"].error == f'the exporter at {exporter.url} has no series matching rbt_test_value{{service="web"}}'
    assert samples["bad"].error.startswith("bad query: ")


@pytest.mark.peers
def test_scrape_rate_comes_from_successive_scrapes(exporter: Exporter) -> None:
    source = ScrapeSource(exporter.url, timeout=2)
    query = PanelQuery("errors", 'rate(rbt_test_requests_total{code="500"}[1m])')
    first = poll(source, query)["errors"]
    assert first.pending, "one scrape cannot make a rate: nothing to show yet"
    exporter.add(30)
    time.sleep(0.5)  # not a wait for anything: the time between two scrapes that the rate is over
    second = poll(source, query)["errors"]
    elapsed = second.ts - first.ts
    assert second.error is None
    assert second.value == pytest.approx(30 / elapsed, rel=0.01)


@pytest.mark.peers
def test_scrape_failures_are_words(prometheus: Prometheus) -> None:
    port = _free_port()
    down = poll(ScrapeSource(f"http://127.0.0.1:{port}/metrics", timeout=2), PanelQuery("api", API))["api"]
    assert down.error == f"exporter unreachable at http://127.0.0.1:{port}/metrics: connection refused"
    wrong = f"{prometheus.url}/no-such-page"  # a web server, but no exporter there
    missing = poll(ScrapeSource(wrong, timeout=2), PanelQuery("api", API))["api"]
    assert missing.error == f"exporter at {wrong} answered HTTP 404"


@pytest.mark.parametrize(
    ("text", "name", "matchers", "window"),
    [
        ("up", "up", [], None),
        ('http_requests_total{code="500", method=~"GET|POST"}', "http_requests_total", [("code", "=", "500"), ("method", "=~", "GET|POST")], None),
        ("rate(http_requests_total{code!='x'}[1m])".replace("'", '"'), "http_requests_total", [("code", "!=", "x")], 60.0),
        ("rate( errors_total [30s] )", "errors_total", [], 30.0),
    ],
)
def test_scrape_queries_parse(text: str, name: str, matchers: list[tuple[str, str, str]], window: float | None) -> None:
    query = parse_scrape_query(text)
    assert query.name == name
    assert [(m.label, m.op, m.value) for m in query.matchers] == matchers
    assert query.rate_window == window


@pytest.mark.parametrize("text", ["sum(up)", "up{code=500}", "rate(up)", "rate(up[soon])", 'up{code=~"("}'])
def test_bad_scrape_queries_say_what_was_expected(text: str) -> None:
    with pytest.raises(QueryError):
        parse_scrape_query(text)


def test_a_counter_reset_does_not_make_a_negative_rate() -> None:
    source = ScrapeSource("http://unused/metrics")
    query = PanelQuery("r", "rate(c_total[1m])")
    source.evaluate(query, [("c_total", {}, 100.0)], 0.0)
    sample = source.evaluate(query, [("c_total", {}, 5.0)], 10.0)
    assert sample.value == pytest.approx(0.5)


def test_series_whose_labels_change_at_every_scrape_are_no_data_not_pending_for_ever() -> None:
    """A rate needs two readings of one series: an exporter whose label changes at every scrape (a request id) never
    gives one. Before, the panel stayed "nothing to show yet" for ever and its no-data guard never tripped."""
    source = ScrapeSource("http://unused/metrics")
    query = PanelQuery("r", "rate(c_total[1m])")
    assert source.evaluate(query, [("c_total", {"id": "1"}, 1.0)], 0.0).pending, "the first scrape: nothing to show yet"
    churned = source.evaluate(query, [("c_total", {"id": "2"}, 1.0)], 10.0)
    assert churned.error == "no series of rate(c_total[1m]) was there in two scrapes in a row: a rate needs two readings of one series"
    assert source.evaluate(query, [("c_total", {"id": "2"}, 6.0)], 20.0).value == pytest.approx(0.5)


# -- preflight: the same sources, asked once -------------------------------------------------------


@pytest.mark.peers
def test_preflight_notes_a_panel_that_reads_no_data_now_and_what_its_guard_will_do(prometheus: Prometheus, exporter: Exporter, tmp_path: Path) -> None:
    """Valid PromQL that reads nothing is no finding (its series may come with the change), but the run would pause at
    its start for want of data: a note says so. Before, preflight said only "ready"."""
    runbook = tmp_path / "runbook.yaml"
    panels = """
    - {id: gone, query: 'up{job="nope"}', critical: 1, for: 30s, on_critical: rollback}
    - {id: quiet, query: 'rbt_test_value{service="nope"}', critical: 1, on_critical: notify}
    - {id: plain, query: 'rbt_test_value{service="nope"} / 0'}
    - {id: fine, query: 'rbt_test_value{service="api"}', critical: 5}
    """
    sections = "- id: s\n  kind: precheck\n  steps:\n    - {id: one, run: 'true'}"
    runbook.write_text(metrics_runbook(f'prometheus: {{url: "{prometheus.url}"}}', panels=panels, sections=sections), encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(runbook)], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"{runbook}: ready\n"), done.stderr
    empty = "the query returned no data (empty result)"
    assert done.stderr.splitlines() == [
        f"{runbook}:10:7: note: panel 'gone' reads no data now: {empty}; its guard pauses the run once it has had no data for 30s of the run,"
        " unless data comes; not a finding",
        f"{runbook}:11:7: note: panel 'quiet' reads no data now: {empty}; its guard notifies as the run starts, unless data comes; not a finding",
        f"{runbook}:12:7: note: panel 'plain' reads no data now: {empty}; the panel reads NO VALUE until data comes; not a finding",
    ]


@pytest.mark.peers
def test_preflight_names_each_query_the_source_refuses(prometheus: Prometheus, exporter: Exporter, tmp_path: Path) -> None:
    from runbook_tui.metrics.check import check_queries

    runbook = runbook_with(f'prometheus: {{url: "{prometheus.url}"}}', [API, "rate(x[5"], tmp_path)
    [finding] = check_queries(runbook, {})
    assert "panel 'p1': Prometheus refused the query: " in finding and finding.startswith(f"{runbook.file}:")
    scrape = runbook_with(f'scrape: {{url: "{exporter.url}"}}', [API, "rate(rbt_test_requests_total[1m])", "missing_metric"], tmp_path)
    findings = check_queries(scrape, {})
    assert len(findings) == 1
    assert "panel 'p2': the exporter at" in findings[0] and "has no series matching 'missing_metric'" in findings[0]
    with pytest.raises(RunbookInvalid, match="'query': 'sum\\(x\\)': with the scrape source a query is a metric name"):
        runbook_with(f'scrape: {{url: "{exporter.url}"}}', [API, "sum(x)"], tmp_path)  # refused as the runbook loads
    port = _free_port()
    down = runbook_with(f'prometheus: {{url: "http://127.0.0.1:{port}"}}', [API], tmp_path)
    assert check_queries(down, {}) == [f"metrics source http://127.0.0.1:{port}: Prometheus unreachable at http://127.0.0.1:{port}: connection refused"]
