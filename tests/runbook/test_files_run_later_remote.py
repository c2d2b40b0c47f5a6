"""A value written to a file run later by a command another shell runs: `echo "..." | ssh db1 sudo tee /etc/cron.d/job`.

A file run later was looked for among the outer command's own targets only: the remote command's `tee`, `cat > FILE`
or `dd of=` got the value on its stdin (a pipe, a here-string, a heredoc fed to ssh), so the cron line validated with
x = `a; touch /tmp/pwned`, and with `$(touch F)` written to `~/.bashrc` that way the next interactive bash made F
(below: sshd runs the remote command as `sh -c COMMAND`, as here). What a command is fed now reaches the commands its
inner shell runs that read stdin (`tee`, `sponge`, `dd`, `cat` with no file); `sponge FILE` counts as `tee FILE` does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value

TEMPLATES = [
    'echo "* * * * * root {{ x }}" | ssh db1 sudo tee /etc/cron.d/job',
    'echo "* * * * * root {{ x }}" | ssh db1 "sudo tee /etc/cron.d/job > /dev/null"',
    'printf "%s\\n" "{{ x }}" | ssh -J bastion db1 "sudo dd of=/etc/cron.d/job"',
    "ssh db1 'cat > /etc/cron.d/job' <<< \"* * * * * root {{ x }}\"",
    'ssh db1 "cat >> ~/.bashrc" <<EOF\n{{ x }}\nEOF\n',
    'ssh db1 "cd /etc/cron.d && sudo tee job" <<EOF\n* * * * * root {{ x }}\nEOF\n',
    'echo "{{ x }}" | sudo sponge /etc/cron.d/job',
    'echo "{{ x }}" | sh -c "cat >> /etc/profile.d/app.sh"',
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_another_shell_writes_to_a_file_run_later_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" | ssh db1 "cat > /tmp/value"',
        'echo "{{ x }}" | ssh db1 "sudo tee /srv/app/VERSION"',
        'ssh db1 "sudo tee /srv/app/motd" <<EOF\n{{ x }}\nEOF\n',
        'echo "{{ x }}" | ssh db1 "sudo tee -a /var/log/changes.log"',
    ],
)
def test_other_files_written_that_way_take_any_value(template: str) -> None:
    takes_any_value(template)


def test_what_the_remote_shell_and_bash_did_with_such_a_value(tmp_path: Path) -> None:
    """`echo "$V" | ssh db1 "cat >> ~/.bashrc"` as it ran (sshd runs the command with the user's shell, `sh -c`), then
    the next interactive bash of that user."""
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "V": f"$(touch {made})"}
    subprocess.run(["sh", "-c", 'echo "$V" | sh -c "cat >> ~/.bashrc"'], env=env, check=True, timeout=30)
    assert not made.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
