"""A value starting with `-` among sed's operands: GNU sed reads options after its script too.

`runbook-tui exec` of `sed -n '1p' "{{ x }}" /etc/app.conf` with x = `--expression=1e touch F` validated, and sed ran
touch (its `e` command runs a shell; below, with the real sed): the value made an option, and the script written in
the runbook became a file name. Such a value is refused, as for sort and tar; after `--` it is a file name.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

TEMPLATES = ["sed -n '1p' \"{{ x }}\" app.conf", "sed -i 's/^max = .*/max = 200/' app.conf \"{{ x }}\""]
HOSTILE = "--expression=1e touch F"


@pytest.mark.parametrize("template", TEMPLATES)
def test_sed_ran_the_value(template: str, tmp_path: Path) -> None:
    (tmp_path / "app.conf").write_text("max = 1\n", encoding="utf-8")
    script = template.replace("{{ x }}", "$V")
    subprocess.run(["sh", "-c", script], cwd=tmp_path, env={**os.environ, "V": HOSTILE}, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert (tmp_path / "F").exists(), template


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_starting_with_a_dash_is_refused_among_seds_operands(template: str) -> None:
    with pytest.raises(TemplateError, match="would be read by sed as an option"):
        render_command(template, {"x": HOSTILE})
    assert [v for _, v in render_command(template, {"x": "/etc/app/app.conf"}).env] == ["/etc/app/app.conf"]


def test_after_dash_dash_it_is_a_file_name(tmp_path: Path) -> None:
    (tmp_path / "app.conf").write_text("max = 1\n", encoding="utf-8")
    command = render_command("sed -n '1p' -- app.conf \"{{ x }}\"", {"x": HOSTILE})
    done = subprocess.run(
        ["sh", "-c", command.text], cwd=tmp_path, env={**os.environ, **dict(command.env)}, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    assert not (tmp_path / "F").exists()
    assert done.stdout == "max = 1\n"
