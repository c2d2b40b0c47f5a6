"""The history fold's notifications and silences: each webhook sent or failed, each Alertmanager silence and what
became of it (made, expired, kept, not made, its expiry failed), as the report's Notifications and Silences tables
read them. `History` (engine/history.py) inherits these handlers; its `feed` calls them by the event's type."""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.history_model import Notification, Silence


class OutreachHistory:
    """The notifications sent (or failed) and the silences of a run, in the order the journal holds them."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []
        self.silences: list[Silence] = []

    def _on_notified(self, e: Event) -> None:
        status = e.get("status")
        sent = e["type"] == ev.NOTIFIED
        self.notifications.append(
            Notification(
                e["ts"],
                str(e.get("event") or ""),
                str(e.get("target") or ""),
                sent,
                status if isinstance(status, int) else None,
                int(e.get("attempts") or 0),
                None if sent else str(e.get("error") or ""),
            )
        )

    _on_notify_failed = _on_notified

    def _on_silence_created(self, e: Event) -> None:
        self.silences.append(
            Silence(
                str(e.get("alertmanager") or ""),
                str(e.get("id")),
                [str(m) for m in e.get("matchers") or []],
                e["ts"],
                e.get("created_by"),
                e.get("starts_at"),
                e.get("ends_at"),
                str(e.get("comment") or ""),
            )
        )

    def _silence_ends(self, e: Event, status: str, error: str | None = None) -> None:
        silence = next((s for s in reversed(self.silences) if s.id is not None and s.id == str(e.get("id"))), None)
        if silence is None:  # a silence this journal did not see created (an older journal, a resumed run's)
            silence = Silence(str(e.get("alertmanager") or ""), str(e.get("id")), [], e["ts"])
            self.silences.append(silence)
        silence.status, silence.ended_at, silence.error = status, e["ts"], error
        silence.until = e.get("until") if status == "kept" else None

    def _on_silence_extended(self, e: Event) -> None:
        """Its new end (the report's `ends`), and its new id when Alertmanager gave one, so its expiry is found."""
        was = str(e.get("replaces") or e.get("id"))
        silence = next((s for s in reversed(self.silences) if s.id is not None and s.id == was), None)
        if silence is not None:
            silence.id, silence.ends_at = str(e.get("id")), e.get("ends_at")

    def _on_silence_expired(self, e: Event) -> None:
        self._silence_ends(e, "expired", str(e["gone"]) if e.get("gone") else None)  # `gone`: not expired by this run

    def _on_silence_kept(self, e: Event) -> None:
        self._silence_ends(e, "kept")

    def _on_silence_failed(self, e: Event) -> None:
        error = str(e.get("error") or "")
        if e.get("action") == "expire":
            self._silence_ends(e, "expiry failed", error)
            return
        matchers = [str(m) for m in e.get("matchers") or []]
        self.silences.append(Silence(str(e.get("alertmanager") or ""), None, matchers, e["ts"], status="not created", error=error))
