"""A value a variable wrote to a file that is then copied where it runs later: `v="{{ x }}"; echo "$v" > /tmp/job &&
sudo install -m 644 /tmp/job /etc/cron.d/`.

A value written to such a file directly and copied there was refused (`echo "{{ x }}" > /tmp/job && cp /tmp/job
/etc/cron.d/`), and one a variable wrote there directly too, but not one a variable wrote to a file then copied: it
validated with x = `$(touch F)`, and the copy in ~/.bashrc ran touch at the next interactive bash (below, with bash).
What the copied file's variables hold is now written to the copy.
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
        'v="{{ x }}"; echo "$v" > /tmp/job && sudo install -m 644 /tmp/job /etc/cron.d/',
        'v="{{ x }}"; printf "%s\\n" "$v" > /tmp/rc; cp /tmp/rc ~/.bashrc',
        'v="{{ x }}"; echo "* * * * * root $v" | tee /tmp/job >/dev/null; sudo mv /tmp/job /etc/cron.d/job',
    ],
)
def test_a_variable_copied_to_a_file_run_later_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


def test_a_copy_elsewhere_takes_any_value() -> None:
    takes_any_value('v="{{ x }}"; echo "$v" > /tmp/job; cp /tmp/job /var/tmp/job')


def test_what_bash_did_with_such_a_copy(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"$(touch {made})"}
    subprocess.run(["sh", "-c", 'v="${RBT_V1}"; printf "%s\\n" "$v" > "$HOME/rc"; cp "$HOME/rc" "$HOME/.bashrc"'], env=env, check=True, timeout=30)
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
