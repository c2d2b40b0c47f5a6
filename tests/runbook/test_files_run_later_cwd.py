"""A file run later, named relative to the step's folder: `cwd: /etc/cron.d` with `run: echo "..." > job`.

The command check knew a file run later by the path written and, since `cd` was followed, under the folder a `cd` names;
the step's own `cwd:` never reached it, so `cwd: ~` with `echo "{{ line }}" >> .bashrc` validated and exec wrote
`$(touch F)` into ~/.bashrc, and the next interactive bash made F (below, with bash itself). The step's rendered cwd is
now the folder its `run` and `undo` start in, as a `cd` at their start would be: only a plain word passes there, refused
at the value's FILE:LINE:COL, at `validate` or, for a cwd known only as the step runs, before it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import at, load, only_error

from runbook_tui.runbook.templating import TemplateError, render_command

HOSTILE = ("a; touch /tmp/pwned", "$(touch /tmp/pwned)")


@pytest.mark.parametrize(
    ("template", "cwd"),
    [
        ('echo "* * * * * root {{ x }}" > job', "/etc/cron.d"),
        ("echo {{ x }} > job", "/etc/cron.d"),
        ('echo "{{ x }}" >> bin/app', "~"),
        ('echo "{{ x }}" >> bin/app', "/root"),
        ('echo "{{ x }}" >> authorized_keys', "~/.ssh"),
        ('echo "{{ x }}" >> rc', ".ssh"),
        ('echo "{{ x }}" | tee bin/healthcheck', "/usr/local/"),
        ('echo "ExecStart={{ x }}" > "$PWD/app.service"', "/etc/systemd/system"),
        ('cd cron.d && echo "{{ x }}" > job', "/etc"),
        ("cat > job <<EOF\n* * * * * root {{ x }}\nEOF\n", "/etc/cron.d"),
    ],
)
def test_a_value_in_a_file_run_later_in_the_steps_folder_is_a_plain_word(template: str, cwd: str) -> None:
    for hostile in HOSTILE:
        with pytest.raises(TemplateError, match=r"is code to .*give the parameter a pattern"):
            render_command(template, {"x": hostile}, cwd)
        assert render_command(template, {"x": hostile}, "/srv/data").env[0][1] == hostile  # elsewhere the same text takes it
    assert [v for _, v in render_command(template, {"x": "prod-eu.1"}, cwd).env] == ["prod-eu.1"]


@pytest.mark.parametrize(
    ("template", "cwd"),
    [
        ('echo "{{ x }}" > VERSION', "/srv/app"),
        ('./deploy.sh "{{ x }}" > deploy.log', "/srv/app"),
        ('echo "{{ x }}" > /var/tmp/job', "/etc/cron.d"),
        ('cd /var/log && echo "{{ x }}" > job', "/etc/cron.d"),
        ('echo "{{ x }}" > job', "relative/cron.d"),
    ],
)
def test_other_files_in_a_steps_folder_take_any_value(template: str, cwd: str) -> None:
    assert [v for _, v in render_command(template, {"x": "a; b $(c)"}, cwd).env] == ["a; b $(c)"]


STEP = """\
runbook: 1
id: r
title: T
params:
  x: {type: string, default: ok}
  d: {type: string, default: cron.d}
sections:
  - id: main
    steps:
      - id: one
"""


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ('cwd: /etc/cron.d\n        run: echo "* * * * * root {{ x }}" > job', (12, 35)),
        ('cwd: /etc/{{ d }}\n        run: echo "{{ x }}" > job', (12, 20)),
        ('cwd: "~/.ssh"\n        run: "true"\n        undo: echo "{{ x }}" >> rc', (13, 21)),
    ],
    ids=["run", "templated-cwd", "undo"],
)
def test_validate_refuses_at_the_value(write_runbook: Callable[..., Path], fields: str, where: tuple[int, int]) -> None:
    path = write_runbook(STEP + f"        {fields}\n")
    found = only_error(path, {"x": "$(touch /tmp/pwned)"})
    assert "only a plain word" in found.message and "give the parameter a pattern" in found.message
    assert at(found) == where


def test_ordinary_use_of_a_steps_folder_validates(write_runbook: Callable[..., Path]) -> None:
    text = STEP + '        cwd: /srv/app\n        run: echo "{{ x }}" > VERSION\n        undo: echo "{{ x }}" >> deploy.log\n'
    [step] = load(write_runbook(text), {"x": "a; b $(c)"}).runbook.steps
    assert (step.cwd and step.cwd.value, step.body and step.body.value) == ("/srv/app", 'echo "a; b \\$(c)" > VERSION')
    [step] = load(write_runbook(STEP + '        cwd: /etc/{{ d }}\n        run: echo "{{ x }}" > job\n'), {"x": "prod-eu.1"}).runbook.steps
    assert (step.cwd and step.cwd.value, step.body and step.body.value) == ("/etc/cron.d", 'echo "prod-eu.1" > job')


RUN_TIME = textwrap.dedent(
    """\
    runbook: 1
    id: r
    title: T
    params:
      line: {type: string}
    sections:
      - id: main
        steps:
          - {id: where, run: "echo '~/.ssh'", capture: home, verify: none}
          - id: rc
            cwd: "{{ captured.home }}"
            run: echo "{{ line }}" >> rc
            verify: none
    """
)


def test_a_folder_known_only_as_the_step_runs_is_read_before_it_runs(tmp_path: Path) -> None:
    """The folder is a capture: `validate` cannot know it; exec refuses the value before the command runs, and the rc file
    sshd runs at each login (with sh) is never written. The same command run by hand (as exec ran it before) wrote it,
    and sh ran the value. (`.bashrc` is refused at validate now, in any folder: any folder may be a home.)"""
    (tmp_path / "r.yaml").write_text(RUN_TIME, encoding="utf-8")
    (tmp_path / ".ssh").mkdir()
    made = tmp_path / "made"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "RUNBOOK_TUI_USER": "t"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "r.yaml", "-p", f"line=$(touch {made})", "--solo", "t", "--journal", str(tmp_path / "J.jsonl")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert (done.returncode, "Traceback" in done.stderr) == (1, False), done.stdout + done.stderr
    events = [json.loads(line) for line in (tmp_path / "J.jsonl").read_text().splitlines()]
    [finished] = [e for e in events if e["type"] == "step_finished" and e["step"] == "rc"]
    assert finished["status"] == "failed" and "is code to sshd" in finished["hosts"]["local"]["error"], finished
    assert not (tmp_path / ".ssh" / "rc").exists(), "the command ran"
    subprocess.run(["sh", "-c", 'echo "$V" >> rc'], env={**env, "V": f"$(touch {made})"}, cwd=tmp_path / ".ssh", check=True, timeout=30)
    subprocess.run(["sh", ".ssh/rc"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists(), "what the value does in ~/.ssh/rc, which sshd runs with sh at each login"
