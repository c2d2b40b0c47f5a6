"""A value inside a folder the command changes to: `cd /srv/releases/{{ v }} && ./migrate.sh`, `git -C`, `make -C`.

A step's `cwd:` took such a value as one file or folder name (session 32), but the same folder named in the command
was not checked: with v = `../../../tmp/upload`, `cd` went to the uploaded folder and `./migrate.sh` ran the script
there (below, with sh). Such a value is one file or folder name now; a folder that is one value alone (`cd "{{ dir }}"`)
is named whole by a parameter, as `cwd: "{{ dir }}"` is.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, only_error

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize(
    "template",
    [
        "cd /srv/releases/{{ x }} && ./migrate.sh",
        "cd -P /srv/releases/{{ x }}; make install",
        "pushd /srv/{{ x }}/current && ./deploy.sh",
        "git -C /srv/{{ x }} pull --ff-only",
        "git -c color.ui=never -C /srv/{{ x }} status",
        "make -C /srv/{{ x }} install",
        "make --directory=/srv/{{ x }} install",
        "env -C /srv/{{ x }} ./run",
        "sudo -u app --chdir=/srv/{{ x }} ./run",
        "sudo -u app -D /srv/{{ x }} ./run",
    ],
)
def test_a_value_inside_a_folder_the_command_runs_in_is_one_name(template: str) -> None:
    for value in ("../../../tmp/upload", "a/b", ".."):
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": "1.2.3"}).env] == ["1.2.3"]


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ('cd "{{ x }}" && ./migrate.sh', "/srv/app/releases/1.2.3"),
        ("git commit -C {{ x }}", "origin/main"),
        ("sudo -u {{ x }} -D /srv/app ./run", "app"),
        ("tar -C /srv/{{ x }} -xf release.tar", "app/releases"),
        ("cd /srv/app && ./deploy.sh {{ x }}", "../../x"),
        ("git -C /srv/app log -- {{ x }}", "src/main.py"),
    ],
)
def test_other_values_near_such_folders_pass(template: str, value: str) -> None:
    assert [v for _, v in render_command(template, {"x": value}).env] == [value]


def test_the_refusal_is_at_the_value(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        """\
        runbook: 1
        id: r
        title: T
        params:
          v: {type: string, default: 1.2.3}
        sections:
          - id: main
            steps:
              - id: one
                run: cd /srv/releases/{{ v }} && ./migrate.sh
        """
    )
    found = only_error(path, {"v": "../../../tmp/upload"})
    assert "one file or folder name" in found.message
    assert at(found) == (10, 31)


def test_what_the_shell_ran_with_such_a_value(tmp_path: Path) -> None:
    """The command as it ran before (the value out of band, one word): the uploaded migrate.sh ran."""
    (tmp_path / "srv" / "releases" / "1.2.3").mkdir(parents=True)
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "migrate.sh").write_text(f"#!/bin/sh\ntouch {tmp_path / 'made'}\n")
    (upload / "migrate.sh").chmod(0o755)
    env = {"PATH": os.environ["PATH"], "RBT_V1": "../../upload"}
    subprocess.run(["sh", "-c", f'cd {tmp_path}/srv/releases/"${{RBT_V1}}" && ./migrate.sh'], env=env, check=True, timeout=30)
    assert (tmp_path / "made").exists()
