"""`split --filter=CMD` and `script -cCMD`: options that run a command through a shell.

`runbook-tui exec` of `split -l 1000 --filter="gzip > {{ x }}.gz" dump.sql` with x = `a; touch F; echo` validated and
split's shell ran touch, as did `--filter={{ x }}` with x = `touch F`; `printf … | split -l 1 - "{{ x }}"` with
x = `--filter=touch F` and `script -q "{{ x }}"` with x = `-ctouch F` (split and script read a word starting with `-`
as an option, after operands too) ran touch as well (below, with the real split and script). A value in `--filter` is
now split's code (a plain word only), and one starting with `-` where they read options is refused, as for sort and tar.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

FILTER = ['split -l 1000 --filter="gzip > {{ x }}.gz" dump.sql', 'split -b 1G --filter="{{ x }}" dump.sql part-']
OPTION = ["printf 'a\\n' | split -l 1 - \"{{ x }}\"", 'script -q "{{ x }}" </dev/null']


def ran(template: str, value: str, cwd: Path) -> bool:
    """Whether sh running `template` with `{{ x }}` read from the environment (as the loader passes a value) made F."""
    (cwd / "dump.sql").write_text("a\nb\n")
    subprocess.run(["sh", "-c", template.replace("{{ x }}", "$V")], cwd=cwd, env={**os.environ, "V": value}, capture_output=True, timeout=60)
    return (cwd / "F").exists()


@pytest.mark.parametrize(
    ("template", "value"), [(FILTER[0], "a; touch F; echo"), (FILTER[1], "touch F"), (OPTION[0], "--filter=touch F"), (OPTION[1], "-ctouch F")]
)
def test_split_and_script_ran_the_value(template: str, value: str, tmp_path: Path) -> None:
    assert ran(template, value, tmp_path), template


@pytest.mark.parametrize("template", FILTER)
def test_a_value_in_splits_filter_is_a_plain_word(template: str) -> None:
    with pytest.raises(TemplateError, match="split --filter's program is code to split --filter"):
        render_command(template, {"x": "a; touch F; echo"})
    assert [v for _, v in render_command(template, {"x": "dump-2026.12"}).env] == ["dump-2026.12"]


@pytest.mark.parametrize("template", OPTION)
def test_a_value_starting_with_a_dash_is_refused_where_they_read_options(template: str) -> None:
    with pytest.raises(TemplateError, match=r"would be read by (split|script) as an option"):
        render_command(template, {"x": "-ctouch F"})
    assert [v for _, v in render_command(template, {"x": "change 2026-12-06.log"}).env] == ["change 2026-12-06.log"]


def test_after_dash_dash_any_value_is_a_file_name(tmp_path: Path) -> None:
    template = 'script -q -c true -- "{{ x }}" </dev/null'
    command = render_command(template, {"x": "-ctouch F"})
    subprocess.run(["sh", "-c", command.text], cwd=tmp_path, env={**os.environ, **dict(command.env)}, capture_output=True, timeout=60)
    assert not (tmp_path / "F").exists()
    assert (tmp_path / "-ctouch F").exists()
