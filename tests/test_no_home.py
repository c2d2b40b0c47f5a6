"""No home folder at all: HOME unset and no passwd entry for the uid (`env -i runbook-tui ...` in a container run as
`--user 4242`). Settings, journals and known_hosts live under the home, so there is nowhere to keep a run.

Before: every command that reads the settings ended in `RuntimeError: Could not determine home directory.`, a
traceback, even with XDG_CONFIG_HOME and XDG_STATE_HOME set (the default known_hosts is under the home)."""

from __future__ import annotations

from pathlib import Path

import pytest
from local_users import become_nameless

from runbook_tui.cli import main

RUNBOOK = "runbook: 1\nid: t\ntitle: t\nsections:\n  - id: s\n    steps:\n      - {id: a, run: 'true'}\n"
SAID = "runbook-tui: no home folder: HOME is unset and user id {uid} has no passwd entry; set HOME to a folder of yours"


@pytest.fixture
def homeless(monkeypatch: pytest.MonkeyPatch) -> int:
    uid = become_nameless(monkeypatch)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    return uid


@pytest.mark.parametrize(
    ("argv", "xdg"),
    [
        (["exec", "{rb}", "--solo", "no home"], False),
        (["exec", "{rb}", "--solo", "no home"], True),  # the settings and the journal have a place; known_hosts none
        (["plan", "{rb}"], False),
        (["preflight", "{rb}"], False),
        (["demo", "--exec"], False),
    ],
)
def test_said_in_words_with_what_to_do(
    argv: list[str], xdg: bool, tmp_path: Path, homeless: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK)
    if xdg:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert main([word.format(rb=runbook) for word in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(SAID.format(uid=homeless)), err
    assert not (tmp_path / "state").exists(), "nothing was started"


def test_a_command_that_needs_no_home_still_works(tmp_path: Path, homeless: int, capsys: pytest.CaptureFixture[str]) -> None:
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK)
    assert main(["validate", str(runbook)]) == 0
    assert capsys.readouterr().out == f"{runbook}: ok (1 step, 0 warnings)\n"
