"""Jinja is imported only for a template that needs it: plain strings and simple templates render without it."""

from __future__ import annotations

import json
import subprocess
import sys

from runbook_tui.runbook import templating


def test_the_written_out_globals_are_the_environments_own() -> None:
    for kind, env in templating.environments().items():
        assert frozenset(env.globals) == templating.GLOBALS, kind


PROGRAM = """
import json, sys
from runbook_tui.runbook.templating import render
context = {"name": "web 1", "params": {"name": "web 1"}}
out = [render("plain text", "plain", context), render("echo {{ name }} {{ params.name }}", "shell", context), render("{{ name }}!", "plain", context)]
before = "jinja2" in sys.modules
out.append(render("{% for x in [1, 2] %}{{ x }}{% endfor %} {{ name | upper }}", "plain", context))
print(json.dumps({"out": out, "jinja_before": before, "jinja_after": "jinja2" in sys.modules}))
"""


def test_plain_and_simple_templates_render_without_jinja_and_the_rest_with_it() -> None:
    proc = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(proc.stdout)
    assert report["out"] == ["plain text", "echo 'web 1' 'web 1'", "web 1!", "12 WEB 1"]
    assert report == {**report, "jinja_before": False, "jinja_after": True}
