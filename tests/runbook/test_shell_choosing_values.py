"""A value that picks the shell a command runs with: `SHELL={{ x }} sudo -s CMD`, `su -s {{ x }}`, `chsh -s {{ x }}`.

Seen with the real programs (below): `SHELL=/tmp/upload/evil sudo -s echo hi` ran evil as root (sudo -s takes the
shell from $SHELL and checks no list), root's `su -s /tmp/upload/evil` and `su --shell=` ran it, and root's `chsh -s`
set it as a user's login shell, which the next `su -` or ssh login ran. Each passed any value. /etc/shells does not
guard these (root's su and chsh, and sudo, ignore it; and the host's list is not known when the runbook is checked), so
a value there is refused whatever it holds, as in `make SHELL={{ x }}`: it picks the program that runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.templating import TemplateError, render_command

PICKS_THE_SHELL = [
    "SHELL={{ x }} sudo -s whoami",
    "env SHELL={{ x }} sudo -s whoami",
    "export SHELL={{ x }}; sudo -i whoami",
    "SHELL=/bin/{{ x }} sudo -s whoami",
    "su -s {{ x }} -c whoami deploy",
    "su --shell {{ x }} -c whoami deploy",
    "su --shell={{ x }} -c whoami deploy",
    "su -s{{ x }} -c whoami deploy",
    "runuser -s {{ x }} -u deploy -- whoami",
    "chsh -s {{ x }} deploy",
    "chsh --shell=/bin/{{ x }} deploy",
    "usermod -s {{ x }} deploy",
    "useradd -m -s {{ x }} deploy",
]


@pytest.mark.parametrize("template", PICKS_THE_SHELL)
def test_a_value_picking_the_shell_is_refused_whatever_it_holds(template: str) -> None:
    for value in ("/tmp/upload/evil", "bash"):
        with pytest.raises(TemplateError, match="picks the program that runs"):
            render_command(template, {"x": value})


def test_a_value_elsewhere_in_those_commands_is_data() -> None:
    for template in ("sudo -s printf '%s' {{ x }}", "su -s /bin/sh -c whoami {{ x }}", "chsh -s /bin/bash {{ x }}"):
        assert [v for _, v in render_command(template, {"x": "deploy"}).env] == ["deploy"], template


def test_a_steps_env_shell_is_refused_before_the_step(write_runbook, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(
        "runbook: 1\nid: demo\ntitle: Demo\nparams:\n  x: {type: string, default: bash}\nsections:\n  - id: main\n    steps:\n"
        '      - id: one\n        run: sudo -s whoami\n        env: {SHELL: "{{ x }}"}\n'
    )
    assert cli_main(["exec", str(path), "-p", "x=/tmp/upload/evil", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env SHELL: this value is the shell" in capsys.readouterr().out


def _evil(tmp_path: Path) -> tuple[Path, Path]:
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {tmp_path / 'ran'}\n")
    evil.chmod(0o755)
    tmp_path.chmod(0o755)
    return evil, tmp_path / "ran"


def test_what_sudo_and_su_did_with_such_a_value(tmp_path: Path) -> None:
    evil, ran = _evil(tmp_path)
    subprocess.run(["sudo", "-s", "true"], env={**os.environ, "SHELL": str(evil)}, capture_output=True, timeout=30, check=False)
    assert ran.exists()
    ran.unlink()
    subprocess.run(["su", f"--shell={evil}", "-c", "true", "root"], capture_output=True, timeout=30, check=False)
    assert ran.exists()
