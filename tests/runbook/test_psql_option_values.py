"""A value starting with `-` where psql reads options: `psql "{{ db }}" -c "select 1"`.

psql was not among the programs whose options run commands, but `--output=|CMD` (`-o |CMD`) makes it run CMD, before it
even connects: x = `--output=|touch F` validated and psql ran touch (below, with the real psql and no server). Such a
value is refused there now; after `--` any value passes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize("template", ['psql "{{ x }}" -c "select 1"', 'psql -h db1 -d "{{ x }}" -Atc "select 1"'])
def test_a_value_starting_with_a_dash_is_refused_there(template: str) -> None:
    with pytest.raises(TemplateError, match="would be read by psql as an option"):
        render_command(template, {"x": "--output=|touch /tmp/pwned"})
    assert [v for _, v in render_command(template, {"x": "app_prod"}).env] == ["app_prod"]


def test_after_dash_dash_any_value_passes() -> None:
    assert [v for _, v in render_command('psql -h db1 -- "{{ x }}"', {"x": "-o|x"}).env] == ["-o|x"]


def test_what_psql_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"--output=|touch {made}"}
    subprocess.run(["sh", "-c", 'psql "${RBT_V1}" -h 127.0.0.1 -p 9 -c "select 1"'], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert made.exists()
