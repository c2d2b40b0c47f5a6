"""`git grep -O"{{ x }}" PATTERN`: git runs the pager it names, through a shell, on the files found.

git's options that run commands (`-c core.pager=`, `difftool -x`, `bisect run` …) took only a plain word, but grep's
`-O`/`--open-files-in-pager=` was not among them: x = `touch F; echo` validated and git ran touch (below, with the real
git). A value there is now code to git grep, as in the other options: only a plain word passes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_unless_plain, takes_any_value

HOSTILE = ["touch /tmp/pwned; echo", "$(touch /tmp/pwned)"]


@pytest.mark.parametrize(
    "template",
    ['git grep -O"{{ x }}" TODO', 'git -C /srv/app grep --open-files-in-pager="{{ x }}" -e TODO', 'git grep -n -O"less {{ x }}" TODO'],
)
def test_the_pager_git_grep_runs_takes_a_plain_word(template: str) -> None:
    refused_unless_plain(template, HOSTILE, "less", r"is code to git grep -O")


@pytest.mark.parametrize("template", ['git grep -O "{{ x }}"', 'git diff -O"{{ x }}"', 'git grep -e "{{ x }}" -- src'])
def test_a_pattern_or_another_commands_O_takes_any_value(template: str) -> None:
    takes_any_value(template)  # `-O` alone opens the default pager, the next word is the pattern; diff's `-O` is a file


def test_what_git_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"touch {made}; echo"}
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], env=env, check=True, timeout=30)
    (tmp_path / "repo" / "a.txt").write_text("TODO\n", encoding="utf-8")
    subprocess.run(["git", "add", "a.txt"], cwd=tmp_path / "repo", env=env, check=True, timeout=30)
    subprocess.run(["sh", "-c", 'git grep -O"${RBT_V1}" TODO'], cwd=tmp_path / "repo", env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert made.exists()
