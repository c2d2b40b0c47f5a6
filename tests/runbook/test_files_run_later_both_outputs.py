"""A file run later written with bash's `&>`, `&>>` or `>& FILE`, or named `"$PWD/..."` after a `cd`.

The tokenizer read `&>` as `&` (a command sent to the background) and then `> FILE`, a command of its own, so
`echo "{{ x }}" &> /etc/cron.d/job` validated with any value, and `>&` was always taken for a descriptor's (`>& FILE`
writes both outputs to FILE); where `sh` is bash (Fedora, RHEL: `bash --posix`),
`&>` writes the value to the file (below, with bash --posix and the next `bash -i`). `cd /etc/cron.d && ... >
"$PWD/job"` was not read under the folder either.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" &> /etc/cron.d/job',
        'echo "{{ x }}" &>> ~/.bashrc',
        'printf "%s\\n" "{{ x }}" &>/etc/profile.d/app.sh',
        'echo "{{ x }}" >& /etc/cron.d/job',
        'echo "{{ x }}" >&/etc/cron.d/job',
        'cd /etc/cron.d && echo "{{ x }}" > "$PWD/job"',
        'cd /etc/cron.d && echo "{{ x }}" > "${PWD}/job"',
    ],
)
def test_a_value_written_so_to_a_file_run_later_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" &> /var/log/app.log',
        'sleep 1 & echo "{{ x }}" > /tmp/a',
        'echo "{{ x }}" >&2',
        'echo "{{ x }}" > /tmp/a 2>&1',
        'echo "{{ x }}" 1>&-',
        './deploy.sh "{{ x }}" & wait',
        'echo "{{ x }}" > "$PWD/notes"',
    ],
)
def test_other_uses_of_ampersand_take_any_value(template: str) -> None:
    takes_any_value(template)


def test_what_bash_posix_and_bash_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "V": f"$(touch {made})"}
    subprocess.run(["bash", "--posix", "-c", 'echo "$V" &>> ~/.bashrc; echo "$V" >& ~/.profile'], env=env, check=True, timeout=30)
    assert (tmp_path / ".profile").read_text() == f"$(touch {made})\n"
    assert not made.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
