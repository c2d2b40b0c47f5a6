"""The report lists who was told (notifications) and which alerts were silenced, from the journal's events.

The journal is the solo fixture with the events the notify sender and the
Alertmanager silencer journal (`notified`, `notify_failed`, `silence_*`)
appended through the real JournalWriter, so the chain verifies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runbook_tui.engine import events as ev
from runbook_tui.engine.journal import JournalWriter
from runbook_tui.report import build_report, render

DATA = Path(__file__).parent / "data"
AM = "http://127.0.0.1:9093"


def with_outreach(tmp_path: Path) -> Path:
    """solo.jsonl up to its end, then: two silences made, a third refused, a start notice sent and one failed; the end."""
    lines = (DATA / "solo.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "outreach.jsonl"
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # all but session_finished
    clock = iter(f"2026-11-23T18:07:{second:02d}.000Z" for second in range(60))
    writer = JournalWriter(path, clock=lambda: next(clock))
    created = {"alertmanager": AM, "starts_at": "2026-11-23T18:00:00Z", "ends_at": "2026-11-23T20:00:00Z", "created_by": "alice"}
    writer.append(ev.SILENCE_CREATED, "system", {"id": "sil-1", "matchers": ['alertname="HighErrorRate"'], "comment": "CHG-1", **created})
    writer.append(ev.SILENCE_CREATED, "system", {"id": "sil-2", "matchers": ['service="checkout"'], "comment": "CHG-1", **created})
    writer.append(ev.SILENCE_FAILED, "system", {"alertmanager": AM, "action": "create", "error": "Alertmanager: HTTP 400", "matchers": ['job="x"']})
    writer.append(ev.NOTIFIED, "system", {"event": "session_started", "target": "https://chat.example/hook", "status": 200, "attempts": 1})
    writer.append(ev.NOTIFY_FAILED, "system", {"event": "session_started", "target": "env:PAGER_URL", "error": "connection refused", "attempts": 3})
    writer.append(ev.SESSION_FINISHED, "system", {"outcome": "done"})
    writer.append(ev.SILENCE_EXPIRED, "system", {"id": "sil-1", "alertmanager": AM})
    writer.append(ev.SILENCE_FAILED, "system", {"alertmanager": AM, "action": "expire", "error": "Alertmanager: timed out", "id": "sil-2"})
    writer.append(ev.NOTIFIED, "system", {"event": "session_finished", "target": "https://chat.example/hook", "status": 204, "attempts": 2})
    writer.close()
    return path


def test_notifications_and_silences_are_in_the_json_report(tmp_path: Path) -> None:
    data = json.loads(render(build_report(with_outreach(tmp_path)), "json"))
    assert data["integrity"]["verified"] is True
    notices = [(n["about"], n["target"], n["sent"], n["status"], n["attempts"], n["error"]) for n in data["notifications"]]
    assert notices == [
        ("session_started", "https://chat.example/hook", True, 200, 1, None),
        ("session_started", "env:PAGER_URL", False, None, 3, "connection refused"),
        ("session_finished", "https://chat.example/hook", True, 204, 2, None),
    ]
    silences = [(s["id"], s["matchers"], s["status"], s["error"], s["created_by"]) for s in data["silences"]]
    assert silences == [
        ("sil-1", ['alertname="HighErrorRate"'], "expired", None, "alice"),
        ("sil-2", ['service="checkout"'], "expiry failed", "Alertmanager: timed out", "alice"),
        (None, ['job="x"'], "not created", "Alertmanager: HTTP 400", None),
    ]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_notifications_and_silences_read_in_words(tmp_path: Path, fmt: str) -> None:
    whole = render(build_report(with_outreach(tmp_path)), fmt)
    text = whole[whole.index("Notifications") : whole.index("Timeline")]  # the sections, not the timeline's lines
    assert "Alertmanager silences" in text
    assert "sent (HTTP 200, 1 attempt)" in text and "FAILED after 3 attempts: connection refused" in text
    assert "sent (HTTP 204, 2 attempts)" in text
    assert "env:PAGER" in text and "https://chat.example/hook" in text
    assert "expired at 18:07:06" in text
    assert "EXPIRY FAILED at 18:07:07: Alertmanager: timed out (still silencing until 20:00:00)" in text
    assert "NOT CREATED: Alertmanager: HTTP 400" in text


def test_a_silence_kept_after_a_rollback_says_until_when(tmp_path: Path) -> None:
    path = with_outreach(tmp_path)
    writer = JournalWriter(path, clock=lambda: "2026-11-23T18:08:00.000Z")
    writer.append(ev.SILENCE_KEPT, "system", {"id": "sil-2", "alertmanager": AM, "until": "2026-11-23T20:00:00Z"})
    writer.close()
    report = build_report(path)
    assert [(s.id, s.status, s.until) for s in report.silences][1] == ("sil-2", "kept", "2026-11-23T20:00:00Z")
    assert "kept after the rollback until 20:00:00" in render(report, "md")


def test_a_run_without_notify_or_alerts_has_no_such_sections() -> None:
    report = build_report(DATA / "solo.jsonl")
    assert report.notifications == [] and report.silences == []
    assert "## Notifications" not in render(report, "md") and "Alertmanager silences" not in render(report, "html")
