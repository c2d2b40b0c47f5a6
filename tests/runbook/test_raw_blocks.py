"""`{% raw %}` blocks in a command keep Jinja's whitespace control at their tags.

A command's template is read by the shell-safety layer, which took a raw block's text as written and dropped the `-`
of `{%- raw -%}` / `{%- endraw -%}`: `echo a {%- raw %}b{% endraw %}` ran `echo a b` where Jinja (the format: every
string is a Jinja2 template) reads `echo ab`, another command. Each case is compared with Jinja's own rendering.
"""

from __future__ import annotations

import json
import os
import subprocess

import jinja2
import pytest
from helpers_runbook import load

from runbook_tui.runbook.templating import command_text, context_for

CASES = [
    "printf '<%s>' a {%- raw %}b{% endraw %}",
    "printf '<%s>' X {%- raw -%}  {{ x }}  {%- endraw -%} Y",
    "printf '<%s>' a {% raw -%}   b {{ c }}   {%- endraw %}  d",
    "printf '<%s>' {% raw %} {{ x }} {% endraw -%}   {{ svc }}",
    "printf '<%s>' {{ svc }}  {%- raw %} {{ x }}{% endraw %}",
    "printf '<%s>' a {%- raw -%}   {%- endraw -%}   b",
    "printf '<%s>' '{% raw %}{{.State.Status}}{% endraw %}'",
]


@pytest.mark.parametrize("template", CASES)
def test_a_raw_block_in_a_command_renders_as_jinja_does(write_runbook, template):
    text = f"runbook: 1\nid: demo\ntitle: Demo\nparams:\n  svc: {{type: string, default: web}}\nsections:\n  - id: main\n    steps:\n      - id: show\n        run: {json.dumps(template)}\n"
    runbook = load(write_runbook(text)).runbook
    step = runbook.step("show")
    jinja = jinja2.Environment().from_string(template).render(svc="web")
    assert step.body.value == jinja  # what the plan shows
    command = command_text(step.body, context_for(runbook))
    ran = subprocess.run(["sh", "-c", command.text], env={"PATH": os.environ["PATH"], **dict(command.env)}, capture_output=True, text=True, timeout=10)
    expected = subprocess.run(["sh", "-c", jinja], capture_output=True, text=True, timeout=10)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected.stdout  # what runs: the words Jinja's reading gives
