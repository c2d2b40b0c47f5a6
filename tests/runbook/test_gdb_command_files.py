"""A value in the path of gdb's command file: `gdb -batch -x /srv/debug/{{ x }}/bt.gdb -p PID`.

gdb runs the commands of a `-x`/`--command` file, and its `shell CMD` (or `python ...`) runs a command: `runbook-tui
exec` of `gdb -batch -x /srv/debug/{{ x }}/cmds.gdb` with x = `../upload` validated and gdb ran the uploaded file's
`shell touch F` (below, with the real gdb). As for `ssh -F` and `vim -S`, such a value is one file or folder name now.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import held_to_one_name, takes_any_value

TEMPLATES = [
    "gdb -batch -x /srv/debug/{{ x }}/cmds.gdb",
    "gdb -batch --command=/srv/debug/{{ x }}.gdb -p 1",
    "gdb -batch -ix {{ x }} -ex bt -p 1",
    "gdb -batch -x {{ x }} --args /usr/bin/true",
]


def test_gdb_ran_the_file_a_value_named(tmp_path: Path) -> None:
    (tmp_path / "debug").mkdir()
    (tmp_path / "upload").mkdir()
    (tmp_path / "upload" / "cmds.gdb").write_text(f"shell touch {tmp_path / 'F'}\n", encoding="utf-8")
    script = TEMPLATES[0].replace("/srv/debug", str(tmp_path / "debug")).replace("{{ x }}", "$V")
    subprocess.run(["sh", "-c", script], cwd=tmp_path, env={**os.environ, "V": "../upload"}, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert (tmp_path / "F").exists()


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_naming_gdbs_command_file_is_one_name(template: str) -> None:
    held_to_one_name(template, "api-7", ("../upload", "/tmp/upload/cmds.gdb"))


def test_the_debugged_programs_arguments_take_any_value() -> None:
    takes_any_value('gdb -batch -x /srv/debug/bt.gdb --args /usr/local/bin/report -x "{{ x }}"')
