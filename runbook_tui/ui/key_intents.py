"""The assignee's keys that are the controller's intents: the run screen's footer asks the controller whether each is
allowed now (`Controller.allowed_intents`), so a key is offered only when pressing it would be taken."""

from __future__ import annotations

from runbook_tui.engine.controller import AssigneeIntent

#: Key action -> the controller's intent it asks for.
KEY_INTENTS: dict[str, AssigneeIntent] = {
    "run_step": "run",
    "rerun_step": "run",
    "ask_go_ahead": "run",
    "did_it": "run",
    "answer": "run",
    "skip": "skip",
    "rollback": "rollback",
    "decline_rollback": "decline_rollback",
    "mark_done": "mark_done",
    "accept_criteria": "accept_criteria",
    "pause": "pause",
    "resume": "pause",
    "stop_step": "stop",
    "end_check": "stop",
}
