"""A runbook path that is a loop of links (`a.yaml -> b.yaml -> a.yaml`, or a link to itself) is named as a loop.

Before: `a link to b.yaml, which does not exist`, though b.yaml is right there (a link back to a.yaml): the author
was sent looking for a missing file. `validate FILE`, `validate DIR` and `plan` say the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_runbook import cli_main


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["exec", "--solo", "t"]])
def test_a_link_to_itself_is_named_a_loop(tmp_path: Path, capsys, command: list[str]) -> None:
    looped = tmp_path / "loop.yaml"
    looped.symlink_to("loop.yaml")
    assert cli_main([command[0], str(looped), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert err == f"{looped}:1:1: a link to loop.yaml, which leads back to itself (a loop of links, no file at its end): fix the link or remove it\n"


def test_two_links_round_each_other_are_named_a_loop_in_a_folder(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    assert cli_main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'a.yaml'}:1:1: a link to b.yaml, which leads back to itself (a loop of links" in err
    assert f"{tmp_path / 'b.yaml'}:1:1: a link to a.yaml, which leads back to itself (a loop of links" in err
    assert "does not exist" not in err


def test_a_link_to_a_missing_file_still_says_so(tmp_path: Path, capsys) -> None:
    gone = tmp_path / "gone.yaml"
    gone.symlink_to("moved-away.yaml")
    assert cli_main(["validate", str(gone)]) == 2
    assert capsys.readouterr().err == f"{gone}:1:1: a link to moved-away.yaml, which does not exist: fix the link or remove it\n"
