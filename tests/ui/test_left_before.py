"""What is said after the screen closes when the person left before anything ran, per command."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from runbook_tui.ui.launch import _said_after


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("run", "runbook-tui: left before a run started: nothing ran, no journal was written\n"),
        # before: a shared resume left at its loading screen said "no journal was written", of a journal that exists
        ("resume", "runbook-tui: left before the run went on: nothing ran, nothing was added to the journal\n"),
    ],
)
def test_leaving_before_anything_ran_says_what_became_of_the_journal(command: str, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    app: Any = SimpleNamespace(failure=None, handle=None, command=command)
    _said_after(app, 1)
    assert capsys.readouterr().err == said
