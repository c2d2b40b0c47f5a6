"""A value in the name of a dpkg option apt passes on: `apt-get -o Dpkg::Options::=--{{ x }} install -y nginx`.

A value after the option's `=` was code already (a plain word only), but one in its name was not: x =
`pre-invoke=reboot` is a plain word, apt put `--pre-invoke=reboot` on dpkg's command line (seen with apt-get's
Debug::pkgDPkgPM), and dpkg ran the program it names before unpacking (below, with dpkg itself and a program
`mark` on PATH standing for reboot). Such a value is refused at validate, at the value; one that cannot make such a
name (`--force-conf{{ x }}`) passes.
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
        "apt-get -o Dpkg::Options::=--{{ x }} install -y nginx",
        'apt-get -o "Dpkg::Options::=--pre-{{ x }}" install -y nginx',
        "apt-get -o Dpkg::Options::={{ x }} install -y nginx",
        "apt -oDpkg::Options::=--{{ x }} upgrade",
        "apt-get --option=DPkg::Options::=--{{ x }} dist-upgrade",
        "sudo apt-get -y -o Dpkg::Options::=--{{ x }} install nginx",
    ],
)
def test_a_value_in_a_dpkg_options_name_is_refused(template: str) -> None:
    for value in ("pre-invoke=reboot", "force-confnew", "--post-invoke=reboot"):
        with pytest.raises(TemplateError, match="name of a dpkg option apt passes on"):
            render_command(template, {"x": value})


def test_a_value_that_cannot_make_such_a_name_passes() -> None:
    assert [v for _, v in render_command('apt-get -o Dpkg::Options::="--force-conf{{ x }}" install -y nginx', {"x": "new"}).env] == ["new"]
    assert [v for _, v in render_command("apt-get -o Dpkg::Options::=--force-confdef install -y {{ x }}", {"x": "nginx"}).env] == ["nginx"]
    with pytest.raises(TemplateError, match="plain word"):  # after --pre-invoke= it is the command: a plain word only, as before
        render_command("apt-get -o Dpkg::Options::=--pre-invoke={{ x }} install -y nginx", {"x": "touch /tmp/pwned"})


def test_the_refusal_is_at_the_value(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        """\
        runbook: 1
        id: r
        title: T
        params:
          x: {type: string, default: force-confnew}
        sections:
          - id: main
            steps:
              - id: one
                run: apt-get -o Dpkg::Options::=--{{ x }} install -y nginx
        """
    )
    found = only_error(path)
    assert "Dpkg::Options::=--force-conf{{ x }}" in found.message
    assert at(found) == (10, 43)


def test_what_dpkg_did_with_such_an_option(tmp_path: Path) -> None:
    """dpkg on a database of its own: `--pre-invoke=mark`, as apt passes it, ran the program `mark` found on PATH."""
    admin = tmp_path / "admin"
    (admin / "updates").mkdir(parents=True)
    (admin / "info").mkdir()
    (admin / "status").touch()
    (admin / "available").touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mark").write_text(f"#!/bin/sh\ntouch {tmp_path / 'made'}\n")
    (bin_dir / "mark").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    argv = ["dpkg", f"--admindir={admin}", "--force-not-root", "--pre-invoke=mark", "--configure", "-a"]
    subprocess.run(argv, env=env, capture_output=True, timeout=60, check=False)
    assert (tmp_path / "made").exists()
