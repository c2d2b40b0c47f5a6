"""A file run later in a home folder that is not `~`, `/root` or `/home/USER`, or named by a relative path.

A home's files (`.bashrc`, `.profile`, `.psqlrc`, `.ssh/authorized_keys`…) were known only under `~`, `$HOME`, `/root`
and `/home/USER`; but /etc/passwd puts homes anywhere (postgres in `/var/lib/postgresql`, a service user in
`/srv/app`), and a relative path starts in one (over SSH a command starts in the home folder; a relative `cwd:` is under
it). `echo "{{ x }}" >> /var/lib/postgresql/.profile`, `>> .bashrc`, `cd .ssh && … >> authorized_keys`, `cwd: .ssh`
and `../../etc/cron.d/job` (from /root: /etc/cron.d/job) all validated with x = `$(touch F)`; the next login of that
user ran it (below, with bash). A home's hidden files are now known in any folder, a relative path is read from a home
and going up from it as reaching `/`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" >> /var/lib/postgresql/.profile',
        "cat >> /var/lib/postgresql/.psqlrc <<EOF\n\\\\set x {{ x }}\nEOF",
        'echo "{{ x }}" | sudo tee -a /srv/app/.bashrc',
        'h=/var/lib/postgresql; echo "{{ x }}" >> "$h/.bash_profile"',
        'echo "{{ x }}" >> "$(getent passwd postgres | cut -d: -f6)/.bashrc"',
        'echo "{{ x }}" >> /etc/skel/.bashrc',
        'echo "{{ x }}" >> .bashrc',
        'echo "{{ x }}" >> .ssh/authorized_keys',
        'cd .ssh && echo "{{ x }}" >> authorized_keys',
        'echo "{{ x }}" > bin/healthcheck',
        'echo "{{ x }}" > ../../etc/cron.d/job',
        'cd ../../../etc/cron.d && echo "{{ x }}" > job',
    ],
)
def test_a_value_in_a_homes_file_anywhere_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


@pytest.mark.parametrize(("template", "cwd"), [('echo "{{ x }}" >> authorized_keys', ".ssh"), ('echo "{{ x }}" > job', "../../etc/cron.d")])
def test_a_relative_steps_folder_is_placed(template: str, cwd: str) -> None:
    with pytest.raises(TemplateError, match=r"is code to .*give the parameter a pattern"):
        render_command(template, {"x": "$(touch /tmp/pwned)"}, cwd)
    assert [v for _, v in render_command(template, {"x": "prod-eu.1"}, cwd).env] == ["prod-eu.1"]


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" > /srv/app/config/app.yaml',
        'echo "{{ x }}" > job',
        'echo "{{ x }}" > ./notes/.keep.txt',
        'echo "{{ x }}" > /srv/www/.well-known/acme-challenge/token',
        'echo "{{ x }}" >> /var/lib/postgresql/backup.log',
    ],
)
def test_other_files_take_any_value(template: str) -> None:
    takes_any_value(template)


def test_what_bash_did_with_such_a_value(tmp_path: Path) -> None:
    """The command as it ran before (the value out of band, one word) in postgres' home and, relative, in the folder a
    command starts in over SSH; then a login shell of that user."""
    home = tmp_path / "var" / "lib" / "postgresql"
    home.mkdir(parents=True)
    made, relative = tmp_path / "made", tmp_path / "relative"
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "V": f"$(touch {made})"}
    subprocess.run(["sh", "-c", f'echo "$V" >> {home}/.bashrc'], env=env, check=True, timeout=30)
    subprocess.run(["sh", "-c", 'echo "$W" >> .bashrc'], env={**env, "W": f"$(touch {relative})"}, cwd=home, check=True, timeout=30)
    assert not made.exists() and not relative.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists() and relative.exists()
