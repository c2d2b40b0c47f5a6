"""A value in the path of what a copy or a link takes, then run from there: `cp /srv/releases/{{ v }}/migrate.sh . &&
./migrate.sh`, `ln -sfn /srv/releases/{{ v }} current && current/migrate.sh`.

`cd /srv/releases/{{ v }} && ./migrate.sh` held v to one folder name (session 33), but the same release copied or
linked first did not: `runbook-tui exec` of each shape below with v = `../upload` validated, and the uploaded
`migrate.sh` ran (below, with the real cp, install and ln). Such a value picks the program that runs, and is one file
or folder name now; a copy that nothing runs takes any value. A copy under another name (`cp /srv/releases/{{ v }}/migrate.sh
/tmp/m.sh && sh /tmp/m.sh`) was refused at `validate` for any value, `1.2.3` too, as if the value were written into the
copy: the value names the file copied, so it is held to one name there too (session 37).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import held_to_one_name, takes_any_value

SHAPES = [
    "cp /srv/releases/{{ x }}/migrate.sh . && ./migrate.sh",
    "install -m 755 /srv/releases/{{ x }}/migrate.sh /srv/bin/ && sh /srv/bin/migrate.sh",
    "ln -sfn /srv/releases/{{ x }} /srv/current && /srv/current/migrate.sh",
    # copied under another name: refused at validate for any value before (as if the value were written into the file)
    "cp /srv/releases/{{ x }}/migrate.sh /srv/bin/m.sh && sh /srv/bin/m.sh",
    "install -m 755 /srv/releases/{{ x }}/migrate.sh /srv/bin/m && /srv/bin/m",
    'src=/srv/releases/{{ x }}/migrate.sh; cp "$src" /srv/bin/m.sh && sh /srv/bin/m.sh',
]


@pytest.mark.parametrize("template", SHAPES)
def test_the_uploaded_program_ran(template: str, tmp_path: Path) -> None:
    for folder in ("releases", "upload", "bin", "work"):
        (tmp_path / folder).mkdir()
    (tmp_path / "upload" / "migrate.sh").write_text(f"#!/bin/sh\ntouch {tmp_path / 'F'}\n", encoding="utf-8")
    (tmp_path / "upload" / "migrate.sh").chmod(0o755)
    script = template.replace("/srv", str(tmp_path)).replace("{{ x }}", "$V")
    subprocess.run(["sh", "-c", script], cwd=tmp_path / "work", env={**os.environ, "V": "../upload"}, capture_output=True, timeout=60)
    assert (tmp_path / "F").exists(), template


@pytest.mark.parametrize("template", SHAPES)
def test_a_value_picking_what_runs_is_one_name(template: str) -> None:
    held_to_one_name(template, "v1.2.3", ("../upload", "/tmp/upload"))


@pytest.mark.parametrize(
    "template",
    [
        # a copy or link into a place run later: before, a value in the source's path took any value but a whole word
        "install -m 644 /srv/cron/{{ x }} /etc/cron.d/",
        "ln -sf /srv/cron/{{ x }} /etc/cron.d/job",
        'src=/srv/cron/{{ x }}; cp "$src" /etc/cron.d/job',
    ],
)
def test_a_value_picking_what_runs_later_is_one_name(template: str) -> None:
    held_to_one_name(template, "app-1.2", ("../../tmp/upload", "/tmp/upload/job"))


@pytest.mark.parametrize(
    "template", ['cp "{{ x }}" /srv/backup/ && ls -l /srv/backup', "ln -sfn /srv/releases/{{ x }} /srv/current && cat /srv/current/VERSION"]
)
def test_a_copy_nothing_runs_takes_any_value(template: str) -> None:
    takes_any_value(template)
