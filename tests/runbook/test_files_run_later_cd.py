"""A file run later, named relative to a folder the command changed to: `cd /etc/cron.d && echo "..." > job`.

Files run later were matched by the path as written, so `> job` after `cd /etc/cron.d` was an ordinary file: with x =
`a; touch /tmp/pwned` the cron line validated, and `cd ~ && echo "{{ x }}" >> .bashrc` with x = `$(touch F)` made
the next interactive bash run touch (below, with bash itself). A relative path is now read under the last `cd` or
`pushd` before it in the text (`cd` alone: the home folder).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, only_error, refused_as_code_to_a_file_run_later, takes_any_value

TEMPLATES = [
    'cd /etc/cron.d && echo "* * * * * root {{ x }}" > job',
    'cd /etc/cron.d; echo "* * * * * root {{ x }}" | sudo tee job',
    "cd /etc/cron.d && cat > job <<EOF\n* * * * * root {{ x }}\nEOF\n",
    'cd /etc && echo "{{ x }}" > cron.d/job',
    'cd /tmp && cd ../etc/cron.d && echo "{{ x }}" > job',
    'cd -P /etc/systemd/system && echo "ExecStart={{ x }}" > app.service',
    'pushd /usr/local && echo "{{ x }}" > bin/healthcheck',
    'cd ~ && echo "{{ x }}" >> .bashrc',
    'cd && echo "{{ x }}" >> .bashrc',
    'cd "$HOME/.ssh" && echo "{{ x }}" >> authorized_keys',
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_a_file_run_later_after_cd_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


@pytest.mark.parametrize(
    "template",
    [
        'cd /srv/app && echo "{{ x }}" > VERSION',
        'cd /srv/app && ./deploy.sh "{{ x }}" > deploy.log',
        'cd /usr/local && echo "{{ x }}" > share/notes.txt',
        'cd /etc/cron.d && cd /var/log && echo "{{ x }}" > job',
        'cd /etc/cron.d && cd - && echo "{{ x }}" > job',
        'echo "{{ x }}" > job; cd /etc/cron.d',
    ],
)
def test_other_files_after_cd_take_any_value(template: str) -> None:
    takes_any_value(template)


def test_the_refusal_is_at_the_value(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        """\
        runbook: 1
        id: r
        title: T
        params:
          x: {type: string, default: ok}
        sections:
          - id: main
            steps:
              - id: one
                run: cd ~ && echo "{{ x }}" >> .bashrc
        """
    )
    found = only_error(path, {"x": "$(touch /tmp/pwned)"})
    assert "a login shell" in found.message and "pattern" in found.message
    assert at(found) == (10, 28)


def test_what_bash_did_with_such_a_value(tmp_path: Path) -> None:
    """The command as it ran before (the value out of band, one word), then the next interactive bash of that user."""
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "V": f"$(touch {made})"}
    subprocess.run(["sh", "-c", 'cd ~ && echo "$V" >> .bashrc'], env=env, check=True, timeout=30)
    assert not made.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
