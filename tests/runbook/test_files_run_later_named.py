"""A value written to a file a value names: `echo "{{ line }}" >> "{{ file }}"`, `| sudo tee -a {{ file }}`.

Files run later were matched by the path as written, so a path a value gives was never one: with file = `~/.bashrc`
(or `/etc/cron.d/job`) and line = `$(touch F)`, the command validated and the next interactive bash made F (below,
with bash). The file is known once the values render: the values written there are then held to a plain word, at
their own position; the value naming the file is not written to it, and other files take any value.
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
    ("template", "file"),
    [
        ('echo "{{ x }}" >> "{{ f }}"', "/root/.bashrc"),
        ('echo "{{ x }}" | sudo tee -a {{ f }}', "/etc/cron.d/backup"),
        ('printf "%s\\n" "{{ x }}" | sudo tee {{ f }} > /dev/null', "/etc/profile.d/app.sh"),
        ("cat > {{ f }} <<EOF\n{{ x }}\nEOF\n", "/etc/systemd/system/app.service"),
        ('echo "{{ x }}" | sudo tee -a /etc/{{ f }}/job', "cron.d"),
        ('cd /etc && echo "{{ x }}" > {{ f }}/job', "cron.d"),
    ],
)
def test_a_value_written_to_a_file_run_later_that_a_value_names_is_a_plain_word(template: str, file: str) -> None:
    for hostile in ("a; touch /tmp/pwned", "$(touch /tmp/pwned)"):
        with pytest.raises(TemplateError, match=r"is code to"):
            render_command(template, {"x": hostile, "f": file})
    assert sorted(v for _, v in render_command(template, {"x": "prod-eu.1", "f": file}).env) == sorted(["prod-eu.1", file])


@pytest.mark.parametrize("file", ["/var/log/app/changes.log", "/srv/app/VERSION", "notes.txt"])
def test_other_files_a_value_names_take_any_value(file: str) -> None:
    assert [v for _, v in render_command('echo "{{ x }}" >> "{{ f }}"', {"x": "a; b $(c)", "f": file}).env] == ["a; b $(c)", file]


def test_the_refusal_is_at_the_value_written(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        """\
        runbook: 1
        id: r
        title: T
        params:
          line: {type: string, default: ok}
          file: {type: string, default: /var/log/app.log}
        sections:
          - id: main
            steps:
              - id: one
                run: echo "{{ line }}" | sudo tee -a {{ file }}
        """
    )
    found = only_error(path, {"line": "$(touch /tmp/pwned)", "file": "/root/.bashrc"})
    assert "a login shell" in found.message
    assert at(found) == (11, 20)


def test_what_bash_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "X": f"$(touch {made})", "F": str(tmp_path / ".bashrc")}
    subprocess.run(["sh", "-c", 'echo "$X" >> "$F"'], env=env, check=True, timeout=30)
    assert not made.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
