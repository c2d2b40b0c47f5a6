"""A value in a webhook's, Alertmanager's or Prometheus' URL never moves it to another host (they carry secrets).

`url: "https://hooks.example.com{{ path }}"` with `-p path=@evil.example` sent the webhook's token header to
evil.example (`user@host`); `https://prom-{{ env }}.example.com` with `env=evil.example/#` sent the Prometheus token.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, errors, load

from runbook_tui.runbook.templating import TemplateError, render

RUNBOOK = """\
runbook: 1
id: t
title: T
params:
  path: {type: string, default: /services/T0/B0}
  region: {type: string, default: eu-1}
  am: {type: string, default: am.internal}
notify:
  - {url: "https://hooks.example.com{{ path }}", headers: {X-Token: "{{ secrets.tok }}"}}
alerts:
  alertmanager: "http://{{ am }}:9093"
  silence: [{matchers: ['alertname="X"']}]
metrics:
  source: {prometheus: {url: "https://prom-{{ region }}.example.com/", token: "{{ secrets.tok }}"}}
  panels: [{id: a, query: up}]
secrets:
  tok: {env: TOK}
sections:
  - {id: s, kind: precheck, steps: [{id: one, run: "true"}]}
"""


def test_a_value_that_would_change_a_urls_host_is_refused_at_its_position(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(RUNBOOK)
    loaded = load(path)  # the defaults: every URL keeps its host
    assert loaded.runbook.notify[0].url.value == "https://hooks.example.com/services/T0/B0"
    hostile = {"path": "@evil.example/x", "region": "evil.example/#", "am": "evil@x"}
    found = {at(e): e.message for e in errors(path, hostile) if "would change the URL's host" in e.message}
    assert sorted(found) == [(9, 11), (11, 17), (14, 30)], found  # the webhook's, Alertmanager's and Prometheus' url
    assert all("put it after the host" in m for m in found.values()), found


def test_a_line_break_in_a_url_or_a_header_is_refused_at_its_position(write_runbook: Callable[..., Path]) -> None:
    """`-p 'path=/a\r\nX-Evil: 1'`: `http.client` refused it only when sending, after the retries, quoting the value.

    In the URL's path the value is now one component (`/a%0D%0AX-Evil:%201`, tests/notify/test_url_value_components.py);
    written with `| raw` it is the URL's own text, refused as such."""
    path = write_runbook(
        RUNBOOK.replace("{{ path }}", "{{ path | raw }}", 1).replace("headers: {X-Token:", 'headers: {X-Path: "{{ path }}", "X\\r\\nEvil": v, X-Token:')
    )
    found = {at(e): e.message for e in errors(path, {"path": "/a\r\nX-Evil: 1", "am": "am"})}
    assert found == {
        (9, 11): "'url': expected a URL without spaces, line breaks or control characters (a space is %20), got 'https://hooks.example.com/a\\r\\nX-Evi...",
        (9, 74): "header 'X-Path': expected a value on one line, without control characters, got '/a\\r\\nX-Evil: 1'",
        (9, 88): "header name 'X\\r\\nEvil': expected letters, digits and - (like X-Api-Key)",
    }, found


@pytest.mark.parametrize(
    ("template", "value", "url"),
    [
        ("https://hooks.example.com{{ v }}", "/services/T0/B0", "https://hooks.example.com/services/T0/B0"),
        ("https://prom-{{ v }}.example.com/api", "eu-1", "https://prom-eu-1.example.com/api"),
        ("http://{{ v }}:9093", "am.internal", "http://am.internal:9093"),
        ("http://am:{{ v }}/", "9093", "http://am:9093/"),
        ("https://hook:{{ v }}@hooks.example.com/", "s3cr+t=", "https://hook:s3cr+t=@hooks.example.com/"),
        ("{{ v }}", "https://anywhere.example/", "https://anywhere.example/"),  # the whole URL is the parameter's to choose
    ],
)
def test_a_value_after_the_host_or_as_a_piece_of_it_is_kept(template: str, value: str, url: str) -> None:
    assert render(template, "url", {"v": value}) == url


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("https://hooks.example.com{{ v }}", "@evil.example"),
        ("https://hooks.example.com{{ v }}", "\\@evil.example"),  # urllib reads the host after the @
        ("https://hooks.example.com{{ v }}", ".evil.example"),
        ("https://prom-{{ v }}.example.com/", "evil.example/#"),
        ("http://am:{{ v }}/", "9093@evil.example"),
        ("https://hook:{{ v }}@hooks.example.com/", "x@evil.example/"),
    ],
)
def test_a_value_that_would_change_the_host_is_refused(template: str, value: str) -> None:
    with pytest.raises(TemplateError, match="would change the URL's host"):
        render(template, "url", {"v": value})


TEMPLATED_URLS = """\
runbook: 1
id: t
title: T
params:
  service: {type: string, required: true}
  prom: {type: string, default: "http://prometheus:9090"}
notify:
  - {url: "{{ prom }}/hook"}
alerts:
  alertmanager: "{{ prom }}"
  silence: [{matchers: ['alertname="X"']}]
metrics:
  source: {prometheus: {url: "{{ prom }}"}}
  panels: [{id: p, query: up}]
sections:
  - id: main
    steps:
      - {id: a, run: "systemctl restart {{ service }}"}
"""


def test_a_url_from_a_parameter_is_no_error_of_the_file_while_a_required_value_is_missing(write_runbook: Callable[..., Path]) -> None:
    """Before: with `service` not given yet the URLs were checked unrendered (`'url': expected an http:// or https:// URL,
    got '{{ prom }}'`), an error of the file: the picker said `fix the file` for `new`'s rolling-restart and
    k8s-rollout runbooks instead of asking for `service`."""
    from runbook_tui.runbook.loader import probe_runbook

    path = write_runbook(TEMPLATED_URLS)
    probe = probe_runbook(path)
    assert probe.errors == [], [str(d) for d in probe.errors]
    assert [d.message for d in probe.value_problems] == ["parameter 'service' is required; expected a value: -p service=VALUE"]
    assert load(path, {"service": "api"}).runbook.metrics.source.url.value == "http://prometheus:9090"  # type: ignore[union-attr]
    found = errors(path, {"service": "api", "prom": "ftp://x"})  # a wrong value is still refused, at each URL
    assert sorted(at(d) for d in found) == [(8, 11), (10, 17), (13, 30)], [str(d) for d in found]


def test_a_prometheus_token_over_plain_http_to_another_machine_is_a_warning(write_runbook: Callable[..., Path]) -> None:
    """The notify receivers' rule for the metrics source's bearer token. Before: a webhook's secret header over http://
    to another machine was a warning of `validate`, the Prometheus token (sent with every poll, all night) was not."""
    said = "carries secrets (the token) unencrypted: anyone on the way reads them; use https://"
    for url, token, warned in [
        ("http://prom.internal:9090", "{{ secrets.t }}", f"'url': plain http:// to prom.internal {said}"),
        ("http://{{ prom }}", "{{ secrets.t }}", f"'url': plain http:// to 10.0.0.9 {said}"),
        ("http://127.0.0.1:9090", "{{ secrets.t }}", None),
        ("https://prom.internal", "{{ secrets.t }}", None),
        ("http://prom.internal:9090", None, None),
    ]:
        source = f'{{url: "{url}"' + (f', token: "{token}"' if token else "") + "}"
        path = write_runbook(f"""\
runbook: 1
id: t
title: T
params: {{prom: {{type: string, default: "10.0.0.9"}}}}
secrets: {{t: {{env: T_TOKEN}}}}
metrics:
  source: {{prometheus: {source}}}
  panels: [{{id: p, query: up}}]
sections:
  - id: main
    steps:
      - {{id: a, run: "true"}}
""")
        found = [(d.severity, at(d), d.message) for d in load(path).warnings]
        assert found == ([("warning", (7, 30), warned)] if warned else []), (url, found)
