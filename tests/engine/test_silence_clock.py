"""A silence's end, as exec prints it (and the log, replay and the report's timeline, which say events the same way).

Before: `silence_created  ID at URL alertname="X" until 2026-12-05T19:53:52.123Z`, the one ISO text among lines whose
times read `18:53:52`; and `silence_kept … until 2026-12-05T22:00:00+00:00`.
"""

from __future__ import annotations

from typing import Any

import pytest

from runbook_tui.engine.describe import describe

AT = "2026-12-05T18:53:52.100Z"


def _created(ends_at: Any) -> dict[str, Any]:
    return {
        "seq": 5, "ts": AT, "type": "silence_created", "actor": "system", "id": "4f1e", "alertmanager": "http://am:9093",
        "matchers": ['alertname="X"'], "starts_at": AT, "ends_at": ends_at, "comment": "CHG-1", "created_by": "alice",
    }  # fmt: skip


@pytest.mark.parametrize(("ends_at", "said"), [
    ("2026-12-05T19:53:52.123Z", "until 19:53:52"),  # the same day: the clock, as every time on exec's lines
    ("2026-12-06T00:10:00Z", "until 2026-12-06 00:10:00"),  # past midnight: the date too
    ("2026-12-05T21:00:00+02:00", "until 19:00:00"),  # another offset: in UTC, as the lines' own times
    ("soon", "until soon"),  # not a time (a journal is read as given)
])  # fmt: skip
def test_a_silence_made_says_its_end_as_a_clock_time(ends_at: str, said: str) -> None:
    assert describe(_created(ends_at)) == [f'18:53:52 silence_created    4f1e at http://am:9093 alertname="X" {said}']


def test_a_silence_kept_to_the_windows_end_says_it_as_a_clock_time() -> None:
    kept = {"seq": 9, "ts": AT, "type": "silence_kept", "actor": "system", "id": "4f1e", "alertmanager": "http://am:9093", "until": "2026-12-05T22:00:00+00:00"}
    assert describe(kept) == ["18:53:52 silence_kept       4f1e at http://am:9093 until 22:00:00"]
    assert describe({**kept, "until": None}) == ["18:53:52 silence_kept       4f1e at http://am:9093 until ?"]
