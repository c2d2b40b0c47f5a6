"""The ledger of a resumed run whose receiver lacked its secret in one process and had it in the next.

What it was owed while it could not be prepared is known never sent (`unsent`, with the error's reason); what it was
owed once prepared and has no outcome may have arrived (`unaccounted`). One journaled outcome settles one notice.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.notify.ledger import NoticeLedger
from runbook_tui.notify.sender import Destination

URL = "http://127.0.0.1:9/hook"
WHY = "secret 'notify header Authorization': environment variable T is not set; export it before the run"


def ledger_of(*events: dict[str, Any]) -> NoticeLedger:
    ledger = NoticeLedger()
    for event in events:
        ledger.note(event)
    return ledger


STARTED = {"type": "session_started"}
MISSING = {"type": "error", "outreach": True, "message": f"notify {URL} (runbook.yaml:13:5): {WHY}; this receiver gets nothing"}
TRIP = {"type": "guard_tripped"}
RESUMED = {"type": "session_resumed"}


def test_what_a_receiver_was_owed_while_unprepared_is_unsent_and_the_rest_may_have_arrived() -> None:
    hook = [Destination("", URL, events=("guard_tripped",))]
    ledger = ledger_of(STARTED, MISSING, TRIP, RESUMED, TRIP)
    assert ledger.unsent(hook) == [("guard_tripped", URL, WHY)]
    assert ledger.unaccounted(hook) == [("guard_tripped", URL)]
    settled = ledger_of(STARTED, MISSING, TRIP, RESUMED, TRIP, {"type": "notified", "event": "guard_tripped", "target": URL})
    assert settled.unsent(hook) == [("guard_tripped", URL, WHY)] and settled.unaccounted(hook) == [], "the outcome was the prepared one's"
    both = ledger_of(STARTED, MISSING, TRIP, RESUMED, TRIP, *[{"type": "notify_failed", "event": "guard_tripped", "target": URL}] * 2)
    assert both.unsent(hook) == [] and both.unaccounted(hook) == []


def test_another_receiver_at_another_url_is_not_taken_for_the_unprepared_one() -> None:
    other = [Destination("", "http://127.0.0.1:9/hook2", events=("guard_tripped",))]
    ledger = ledger_of(STARTED, MISSING, TRIP)
    assert ledger.unsent(other) == [] and ledger.unaccounted(other) == [("guard_tripped", "http://127.0.0.1:9/hook2")]
