"""`wget --use-askpass="{{ x }}" URL`: wget runs the program it names for a user name and password.

wget's `-e`/`--execute` took only a plain word (a wgetrc command such as `use_askpass = PROG` runs a program), but
`--use-askpass=` itself took any value: x = `/tmp/upload/prog` validated and wget ran it (below, with the real wget and no
server). A value there is code to wget now, as in its other options that run programs: only a plain word passes;
`--use-askpass URL` (no `=`: the program in `$WGET_ASKPASS`) takes any URL.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers_runbook import refused_unless_plain, takes_any_value


def test_the_program_wget_asks_takes_a_plain_word() -> None:
    refused_unless_plain(
        'wget -q --use-askpass="{{ x }}" https://example.com/release.tgz', ["/tmp/upload/prog", "a; b"], "askpass", "is code to wget --use-askpass"
    )


def test_the_url_after_the_bare_option_takes_any_value() -> None:
    takes_any_value('wget --use-askpass "{{ x }}"')


def test_what_wget_did_with_such_a_value(tmp_path: Path) -> None:
    made, prog = tmp_path / "made", tmp_path / "prog"
    prog.write_text(f"#!/bin/sh\ntouch {made}\necho x\n", encoding="utf-8")
    prog.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": str(prog)}
    command = 'wget -q --use-askpass="${RBT_V1}" http://127.0.0.1:9/ -O /dev/null'
    subprocess.run(["sh", "-c", command], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert made.exists()
