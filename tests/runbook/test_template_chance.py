"""A template that picks by chance: what `plan` shows, what the verifier approves and what runs would differ.

Before: `run: "echo {{ [1, 2, 3, 4, 5, 6, 7, 8, 9] | random }}"` passed `validate`; `plan` printed a different command
at each call, and `exec` journaled `step_ready` and `step_started` with `echo 6` and then ran `echo 7` (the command
is rendered once for people and once more for the shell). Every runbook string renders to one text.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, cli_main, only_error

from runbook_tui.runbook.templating import TemplateError, render


def _runbook(run: str, title: str = "Restart {{ svc }}") -> str:
    return f"""
        runbook: 1
        id: demo
        title: Demo
        params:
          svc: {{type: string, default: nginx}}
        sections:
          - id: main
            steps:
              - id: one
                title: "{title}"
                run: echo {run}
                verify: none
        """


@pytest.mark.parametrize(
    ("run", "title", "line"),
    [
        ("{{ [1, 2, 3] | random }}", "Restart {{ svc }}", 11),
        ("{{ svc }}", "Restart {{ svc | random }}", 10),
        ("{{ svc }}", "Restart {% filter random %}{{ svc }}{% endfilter %}", 10),
    ],
)
def test_a_filter_that_picks_by_chance_is_an_error_at_its_position(write_runbook, run: str, title: str, line: int) -> None:
    error = only_error(write_runbook(_runbook(run, title)))
    assert at(error) == (line, 14 if line == 11 else 16)
    assert "the filter 'random' picks anew each time the text renders" in error.message
    assert "expected a parameter (type: choice) or the value written out" in error.message


def test_validate_exits_2_naming_the_place(write_runbook, capsys) -> None:
    path = write_runbook(_runbook("{{ [1, 2, 3] | random }}"))
    assert cli_main(["validate", str(path)]) == 2
    said = capsys.readouterr()
    assert f"{path}:11:14: the filter 'random' picks anew" in said.err
    assert "Traceback" not in said.err


@pytest.mark.parametrize("kind", ["plain", "shell", "regex", "promql"])
def test_random_named_in_a_string_never_renders(kind: str) -> None:
    with pytest.raises(TemplateError, match="the filter 'random' picks anew"):
        render("echo {{ [[1, 2, 3]] | map('random') | first }}", kind, {})  # type: ignore[arg-type]
