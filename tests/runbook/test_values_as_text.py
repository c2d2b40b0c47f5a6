"""A list or a host put straight into text (`{{ hosts }}`, `{{ host }}`) reads as a person would write it.

Before: a title `Restart {{ hosts }}` showed `Restart ['a', 'b']`, a confirm `{{ host }}` showed
`{'name': 'web1', 'address': ..., 'user': None}` (on screen, in the journal and the report), and `ssh {{ host }}` ran
with that repr as its argument; `{{ ticket.window }}` printed a Python dict into the title. Now a list is its items
joined by ", ", a host is its name, and any other mapping is refused at its FILE:LINE:COL.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

from helpers_runbook import at, errors, load

from runbook_tui.runbook.templating import command_text, context_for, render_text

LISTS_AND_HOSTS = """\
runbook: 1
id: texts
title: "Restart {{ names }}"
params:
  names: {type: list, default: [web1, web2]}
hosts:
  web:
    - {name: web1, address: 10.0.0.1}
    - {name: web2, address: 10.0.0.2}
sections:
  - id: main
    steps:
      - id: tell
        title: "Tell {{ names | sort }}"
        note: "Drain {{ params.names }}"
      - id: asked
        ask: "Ready for {{ names }}?"
      - id: each
        title: "On {{ host }}"
        on: web
        run: "ssh {{ host }} uptime"
        confirm: "Restart {{ host }} of {{ names }}"
"""


def test_a_list_in_plain_text_is_its_items_joined(write_runbook: Callable[..., Path]) -> None:
    runbook = load(write_runbook(LISTS_AND_HOSTS)).runbook
    assert runbook.title == "Restart web1, web2"
    assert runbook.step("tell").title == "Tell web1, web2"  # through Jinja (a filter), as through the simple path
    assert runbook.step("tell").body.value == "Drain web1, web2"
    assert runbook.step("asked").body.value == "Ready for web1, web2?"


def test_a_host_in_text_or_a_command_is_its_name(write_runbook: Callable[..., Path]) -> None:
    runbook = load(write_runbook(LISTS_AND_HOSTS)).runbook
    web1 = runbook.group("web")[0]
    step = runbook.step("each")
    context = context_for(runbook, host=web1)
    assert step.confirm is not None
    assert render_text(step.confirm, context) == "Restart web1 of web1, web2"
    assert step.title_text is not None
    assert render_text(step.title_text, context) == "On web1"
    assert shlex.split(command_text(step.body, context).shown) == ["ssh", "web1", "uptime"]


def test_a_mapping_without_a_name_is_refused_at_its_place(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        """\
        runbook: 1
        id: texts
        title: "Change {{ ticket.window }}"
        ticket:
          id: CHG-1
          subject: s
          window: {start: 2026-11-23T02:00:00+09:00, end: 2026-11-23T04:00:00+09:00}
        sections:
          - id: main
            steps:
              - {id: one, note: "n"}
        """
    )
    (found,) = errors(path)
    assert at(found) == (3, 8)
    assert "mapping" in found.message and "{'" not in found.message
