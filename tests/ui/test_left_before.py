"""What is said after the screen closes when the person left before anything ran, per command."""

from __future__ import annotations

import datetime as dt
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


TODAY_LATE = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT23:59:59Z")  # later today (UTC): said as a clock time


@pytest.mark.parametrize(("ends_at", "said"), [(TODAY_LATE, "23:59:59"), ("2099-01-02T04:00:00Z", "2099-01-02 04:00:00")])
def test_leaving_a_run_with_alerts_silenced_says_they_stay_silenced(ends_at: str, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `q` mid-run printed how to continue and nothing of the silences this run made in Alertmanager: alerts
    stayed quiet to their end time and whoever left could not know (exec said it on a signal, the TUI did not). The end
    is said as exec's lines say times, dated on another day (before: `until 2026-12-05T04:00:00Z`, raw ISO text)."""
    import dataclasses
    from types import MappingProxyType

    from runbook_tui.engine.state import initial

    silence = {"ends_at": ends_at, "matchers": ["service=demo-app"], "alertmanager": "http://127.0.0.1:9093"}
    state = dataclasses.replace(initial(), silences=MappingProxyType({"abc-123": silence}))
    app: Any = SimpleNamespace(
        failure=None,
        command="run",
        handle=SimpleNamespace(journal_path="j.jsonl", identity=None, signers_file=None, controller=SimpleNamespace(state=state), notices_failed_closing=()),
    )
    _said_after(app, 1)
    out = capsys.readouterr().out
    assert "the run is not finished; continue it with: runbook-tui resume j.jsonl" in out, out
    assert f"1 alert silence of this run stays active until {said} at http://127.0.0.1:9093 (abc-123: service=demo-app)" in out, out


def test_leaving_a_finished_run_whose_silence_could_not_be_expired_says_how_to(capsys: pytest.CaptureFixture[str]) -> None:
    """Before: the finished row said it cut to the screen's width (at 80 columns: `… (Alertmanager answered HTTP 500:
    cluster…`, neither until when nor how to expire it), and once `q` closed the screen nothing was said at all."""
    import dataclasses
    from types import MappingProxyType

    from runbook_tui.engine.state import initial

    silence = {"ends_at": "2099-01-02T04:00:00Z", "alertmanager": "http://127.0.0.1:9093", "expire_failed": "connection refused"}
    state = dataclasses.replace(initial(), outcome="done", silences=MappingProxyType({"abc-123": silence}))
    assert state.finished
    app: Any = SimpleNamespace(
        failure=None,
        command="run",
        handle=SimpleNamespace(journal_path="j.jsonl", identity=None, signers_file=None, controller=SimpleNamespace(state=state), notices_failed_closing=()),
    )
    _said_after(app, 0)
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "1 alert silence could NOT be expired (connection refused): alerts stay silenced until 2099-01-02 04:00:00; expire it at"
        " http://127.0.0.1:9093 (its Silences page, or: amtool --alertmanager.url=http://127.0.0.1:9093 silence expire abc-123)"
    ), out
