"""A file run later, named the ways a runbook writes it: `"$HOME/.bashrc"`, `${HOME}/.profile`, `/root/.bashrc`,
`/etc//cron.d/job`; and the other files a program reads later as code (git's config, psql's, apt's, a program on PATH).

Only `~/...` and the exact absolute prefixes were recognised: `echo "{{ x }}" >> "$HOME/.bashrc"` with x =
`$(touch F)` passed, and the next interactive bash ran touch (below, with bash itself); so did `~/.gitconfig` (git's
core.fsmonitor runs a command), `/etc/apt/apt.conf.d/` (APT::Update::Pre-Invoke), `/usr/local/bin/TOOL`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value

TEMPLATES = [
    'echo "{{ x }}" >> "$HOME/.bashrc"',
    'echo "{{ x }}" >> $HOME/.profile',
    'echo "{{ x }}" >> ${HOME}/.profile',
    'echo "{{ x }}" | tee -a "${HOME}/.ssh/authorized_keys"',
    'echo "{{ x }}" >> ~root/.bashrc',
    'echo "{{ x }}" >> /root/.bashrc',
    'echo "{{ x }}" >> /home/deploy/.bash_profile',
    'echo "{{ x }}" > /etc//cron.d/job',
    'echo "{{ x }}" > /etc/./cron.d/job',
    "cat > ${HOME}/.gitconfig <<EOF\n[core]\n\tfsmonitor = {{ x }}\nEOF",
    'echo "{{ x }}" > "$XDG_CONFIG_HOME/systemd/user/app.service"',
    'echo "{{ x }}" > ~/.psqlrc',
    'echo "APT::Update::Pre-Invoke {\\"{{ x }}\\";};" > /etc/apt/apt.conf.d/99app',
    'echo "{{ x }}" > /etc/logrotate.d/app',
    "cat > /usr/local/bin/healthcheck <<EOF\n#!/bin/sh\ncurl -fsS {{ x }}\nEOF",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_a_file_run_later_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


def test_a_value_in_another_file_of_the_home_folder_is_data() -> None:
    for template in ('echo "{{ x }}" >> "$HOME/notes.txt"', 'echo "{{ x }}" > ${HOMEDIR}/bin/app', 'echo "{{ x }}" > /home/app/data.txt'):
        takes_any_value(template)


def test_what_bash_did_with_such_a_value(tmp_path: Path) -> None:
    """The command as it ran before (the value out of band, one word), then the next interactive bash of that user."""
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "V": f"$(touch {made})"}
    subprocess.run(["sh", "-c", 'echo "$V" >> "$HOME/.bashrc"'], env=env, check=True, timeout=30)
    assert not made.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
