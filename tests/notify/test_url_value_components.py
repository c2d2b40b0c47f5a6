"""A value in a receiver URL's path or query is one component of it: it never adds query parameters or moves the path.

`url: "http://HOST/hook?channel={{ ch }}"` with `-p 'ch=ops&token=stolen'` sent `?channel=ops&token=stolen` (a second
parameter the receiver reads), `ch=x#` cut the runbook's own `&key=…` off the request, and `/hook/{{ id }}` with
`id=../admin` asked `/hook/../admin`. Each value is now percent-encoded as one component of where it stands (`/` kept
in a path, whose `.`/`..` segments are refused); `| raw` keeps the author's own text.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from receivers import Receiver

from runbook_tui.runbook.templating import TemplateError, render

RUNBOOK = """\
runbook: 1
id: url-values
title: URL values
params:
  ch: {{type: string, default: ops}}
  id: {{type: string, default: h1}}
notify:
  - {{url: "{url}/hook/{{{{ id }}}}?channel={{{{ ch }}}}&key=k1"}}
sections:
  - id: s
    kind: precheck
    steps:
      - {{id: s1, run: "true", verify: none}}
"""


def _preflight(runbook: Path, *params: str) -> subprocess.CompletedProcess[str]:
    args = [arg for param in params for arg in ("-p", param)]
    return subprocess.run(
        [sys.executable, "-m", "runbook_tui", "preflight", str(runbook), "--notify-test", *args],
        cwd=runbook.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.peers
def test_a_value_in_the_query_arrives_as_one_parameter_value(tmp_path: Path, receiver: Callable[[str], Receiver]) -> None:
    hook = receiver("ok")
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK.format(url=hook.url.removesuffix("/hook")), encoding="utf-8")
    shown = _preflight(runbook, "ch=ops&token=stolen#", "id=a b/c")
    assert "Traceback" not in shown.stdout + shown.stderr, shown.stderr
    hook.wait_for(lambda got: len(got.requests) >= 1, what="the test message")
    [request] = hook.requests
    asked = urlsplit(request.path)
    assert parse_qs(asked.query) == {"channel": ["ops&token=stolen#"], "key": ["k1"]}, request.path
    assert asked.path == "/hook/a%20b/c", request.path


@pytest.mark.parametrize(
    ("template", "value", "url"),
    [
        ("https://h.example/hook?channel={{ v }}&key=k", "x&token=t", "https://h.example/hook?channel=x%26token%3Dt&key=k"),
        ("https://h.example/hook?channel={{ v }}&key=k", "x#", "https://h.example/hook?channel=x%23&key=k"),
        ("https://h.example/hook?{{ v }}=1", "a=b&c", "https://h.example/hook?a%3Db%26c=1"),
        ("https://h.example/hook/{{ v }}", "T0/B0/xyz", "https://h.example/hook/T0/B0/xyz"),
        ("https://h.example/hook/{{ v }}", "a?b#c%", "https://h.example/hook/a%3Fb%23c%25"),
        ("https://h.example/hook/{{ v }}/x", "a\\b", "https://h.example/hook/a%5Cb/x"),
        ("https://h.example/hook#{{ v }}", "a#b", "https://h.example/hook#a%23b"),
        ("https://h.example{{ v }}", "/services/a@b/c", "https://h.example/services/a%40b/c"),
        ("https://h.example/hook?channel={{ v | raw }}", "x&y=1", "https://h.example/hook?channel=x&y=1"),
        ("{{ v }}", "https://anywhere.example/a?b=1#c", "https://anywhere.example/a?b=1#c"),
        ("{{ v }}/hook?channel={{ v }}", "https://h.example", "https://h.example/hook?channel=https%3A%2F%2Fh.example"),
    ],
)
def test_a_value_after_the_host_is_one_component_of_where_it_stands(template: str, value: str, url: str) -> None:
    assert render(template, "url", {"v": value}) == url


def test_a_value_after_a_url_a_value_writes_is_placed_as_after_the_runbooks_own() -> None:
    """`{{ base }}/hook?channel={{ ch }}`: the first value writes the URL, but ch is still one parameter's value."""
    context = {"base": "http://127.0.0.1:9", "ch": "ops&token=stolen", "at": "@evil.example"}
    assert render("{{ base }}/hook?channel={{ ch }}", "url", context) == "http://127.0.0.1:9/hook?channel=ops%26token%3Dstolen"
    with pytest.raises(TemplateError, match="would change the URL's host"):
        render("{{ base }}{{ at }}/hook", "url", context)


@pytest.mark.parametrize("value", ["..", "../admin", "a/../../admin", ".", "x/./y"])
def test_a_value_that_would_climb_the_urls_path_is_refused(value: str) -> None:
    with pytest.raises(TemplateError, match=r"would move the URL's path \(a '\.' or '\.\.' segment\)"):
        render("https://h.example/hook/{{ v }}", "url", {"v": value})
