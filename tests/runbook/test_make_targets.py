"""A value in a target make is given: `make deploy-{{ env }}`, `make {{ target }}`, `t="{{ x }}"; make "$t"`.

make reads a word holding `=` as a variable's assignment, not a target, and expands a `:=` one as it reads its
arguments: `runbook-tui exec` of `make -C DIR deploy-{{ env }}` with env = `x:=$(shell touch F)` validated, ran and made
F (below, with the real make); `SHELL=/tmp/upload/evil` would run every recipe with that program, and `--eval=...` or
`-f FILE` is an option wherever it stands. Such a value is refused now; a target name passes as itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runbook_tui.cli import main as cli_main
from runbook_tui.runbook.templating import TemplateError, render_command

SHAPES = ["make deploy-{{ x }}", "make -C /srv/app {{ x }}", 'make -f Makefile "{{ x }}" install', 't="{{ x }}"; make -j4 "$t"', "sudo make -- {{ x }}"]


def _exec(tmp_path: Path, write_runbook: Callable[..., Path], value: str) -> int:
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app/Makefile").write_text("deploy-prod:\n\t@echo deployed prod > out\n", encoding="utf-8")
    path = write_runbook(
        f"""\
        runbook: 1
        id: make
        title: T
        params:
          env: {{type: string}}
        sections:
          - id: main
            steps:
              - id: one
                run: make -C {tmp_path}/app deploy-{{{{ env }}}}
        """
    )
    journal = tmp_path / f"j{len(list(tmp_path.glob('j*')))}.jsonl"
    return cli_main(["exec", str(path), "-p", f"env={value}", "--solo", "t", "--journal", str(journal)])


def test_exec_refuses_an_assignment_and_makes_the_target(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    marker = tmp_path / "F"
    assert _exec(tmp_path, write_runbook, f"x:=$(shell touch {marker})") == 2
    assert not marker.exists()
    assert _exec(tmp_path, write_runbook, "prod") == 0
    assert (tmp_path / "app/out").read_text() == "deployed prod\n"


@pytest.mark.parametrize("template", SHAPES)
@pytest.mark.parametrize("value", ["x:=$(shell touch F)", "SHELL=/tmp/upload/evil", "MAKEFLAGS=--eval=all:"])
def test_a_value_making_an_assignment_is_refused(template: str, value: str) -> None:
    with pytest.raises(TemplateError, match="reads a word holding = as a variable's assignment"):
        render_command(template, {"x": value})


@pytest.mark.parametrize("value", ["--eval=$(shell touch F)", "-f/tmp/upload/evil.mk"])
def test_a_value_starting_with_a_dash_is_an_option_of_make(value: str) -> None:
    with pytest.raises(TemplateError, match="would be read by make as an option"):
        render_command("make deploy {{ x }}", {"x": value})


@pytest.mark.parametrize("template", [*SHAPES, "make deploy VERSION={{ x }}", "make -- {{ x }}"])
def test_a_target_name_passes(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": "prod-1.2.3"}).env] == ["prod-1.2.3"]
