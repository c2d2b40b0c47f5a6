"""One key, one wording: what a status row's hint calls a key is what the footer calls it, and the help says it too.

Found walking both roles at 80x24: the verifier's status row said `u request rollback` over a footer's `u ask
rollback`; the assignee's said `k stop` over `k stop step`, `u show the undo list` over `u roll back`, `enter ask for
it` over `⏎ ask go-ahead`, `a accept (with a reason)` over `a accept unmet criteria`, and `enter I did it (nothing
runs)` over `⏎ run`; the help had no `a`, and told the verifier that q quits and `resume` continues.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from rich.text import Text
from run_screen_helpers import FakeClient, shared_session_events, with_plan
from textual.binding import Binding

from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import RollbackState, with_step
from runbook_tui.ui.modals import HELP_KEYS, REPLAY_HELP_KEYS
from runbook_tui.ui.replay_screen import ReplayScreen
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.run_view import RunView
from runbook_tui.ui.status_stack import now_status, statuses
from runbook_tui.ui.verifier_screen import VerifierScreen

NOW = dt.datetime(2026, 3, 14, 2, 0, 0, tzinfo=dt.UTC)
SCREENS = {"assignee": RunScreen, "verifier": VerifierScreen}


def _footer(screen: type[RunView]) -> dict[str, set[str]]:
    """key -> what the footer calls it (each binding it may show)."""
    words: dict[str, set[str]] = {}
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.show:
            words.setdefault("?" if binding.key == "question_mark" else binding.key, set()).add(binding.description)
    return words


def _help(role: str) -> dict[str, str]:
    """key -> what the help says it does for `role` (its own line, and the lines for every role)."""
    said = {}
    for key, does in HELP_KEYS:
        lines = Text.from_markup(does).plain.split("\n")
        said[key] = " ".join(line.removeprefix(f"{role}: ") for line in lines if not line.startswith(("assignee: ", "verifier: ")) or line.startswith(role))
    return said


def _states(base: RunState) -> Iterator[RunState]:
    """The run at every kind of moment the status stack has words for."""
    joined = dataclasses.replace(base, participants={"bob": "verifier"}, share={"address": "127.0.0.1:2222"})
    running = with_step(joined, "check", status="running", started_at="2026-03-14T01:59:00Z", attempts=1)
    before = with_plan(joined, "check", verify="before")
    undone_plan = {"checkpoint_step": "backup"}
    yield from (joined, dataclasses.replace(joined, participants={}), running, before, with_step(before, "check", go_ahead_asked_at=NOW.isoformat()))
    yield from (with_plan(joined, "check", kind=kind) for kind in ("note", "ask"))
    for status in ("awaiting_verification", "failed", "rejected", "unknown"):
        yield with_step(joined, "check", status=status, attempts=1, decided_by="bob", reason="no")
        yield with_step(dataclasses.replace(joined, participants={}), "check", status=status, attempts=1)
    yield with_step(before, "check", status="rejected", attempts=1, decided_by="bob", reason="no")
    yield with_step(joined, "check", wave_awaiting=1)
    yield dataclasses.replace(
        with_step(joined, "check", status="undone", attempts=1), rollback=RollbackState("checkpoint", undone_plan, finished=True, ok=True)
    )
    yield dataclasses.replace(joined, rollback=RollbackState("checkpoint", undone_plan, running_step="check"))
    yield dataclasses.replace(joined, rollback=RollbackState("full", {}, finished=True, ok=False, failed_step="check"))
    yield dataclasses.replace(joined, rollback=RollbackState("full", {}, finished=True, ok=False, failed_step="check", interrupted=True))
    for state in (joined, running):
        yield dataclasses.replace(state, paused=True, pause_reason="by alice")
        yield dataclasses.replace(state, rollback_requested="p99 is up", hold_requested="the verifier asks to hold")
    yield dataclasses.replace(with_step(joined, "check", wave_awaiting=1), rollback_requested="p99 is up")
    done = dataclasses.replace(joined, steps={sid: dataclasses.replace(step, status="done") for sid, step in joined.steps.items()})
    unmet = dataclasses.replace(done, success_checks=({"when": "end", "criterion": {"text": "p99 below 250 ms"}, "met": False},))
    yield from (unmet, dataclasses.replace(unmet, criteria_acceptance={"by": "alice", "reason": "ok", "needs_verifier": True}))
    checking = dataclasses.replace(done, success_pending=({"when": "end", "text": "p99 below 250 ms"},))  # the check before the end waits
    yield from (checking, dataclasses.replace(checking, paused=True, pause_reason="by alice"))  # a pause leaves it waiting: k still ends it
    yield dataclasses.replace(joined, outcome="done")


def test_each_key_has_one_wording_in_the_status_rows_the_footer_and_the_help(workdir: Path) -> None:
    """Every hint a status row gives a role (`KEY WORDS`) begins with what that role's footer calls the key (what
    follows says more: `u roll back once 'check' has ended`); a key the footer never shows is not offered; every key
    the footer shows is in the help, in the footer's words, on the line for that role (the verifier's q leaves)."""
    base = FakeClient(shared_session_events(workdir)).state
    hints: dict[str, set[str]] = {"assignee": set(), "verifier": set()}
    for state in _states(base):
        for status in [*statuses(state, NOW), now_status(state, NOW)]:
            for role in hints:
                hints[role].update(part for part in status.keys.get(role, "").split(" · ") if part)
    for role, screen in SCREENS.items():
        footer, said = _footer(screen), _help(role)
        for hint in sorted(hints[role]):
            key, _, words = hint.partition(" ")
            if key != "enter" and len(key) != 1:
                continue  # words around a key (`wait for one to join, or q and resume --solo REASON`)
            assert key in footer, f"the {role}'s row offers {hint!r}, a key its footer never shows"
            assert any(words == name or words.startswith((f"{name} ", f"{name}:")) for name in footer[key]), (role, hint, footer[key])
        for key, names in footer.items():
            for name in names:
                assert name in said.get(key, ""), f"the {role}'s help on {key} does not say {name!r}: {said.get(key)!r}"
    assert "leave" in _help("verifier")["q"] and "resume" not in _help("verifier")["q"], "the verifier's q leaves; it resumes nothing"
    assert "asks first on an unfinished run" in _help("assignee")["q"], "q asks on any unfinished run (it said: while a step runs)"
    assert {"request rollback", "accept unmet criteria", "I did it", "answer"} <= {n for names in _footer(RunScreen).values() for n in names} | {
        n for names in _footer(VerifierScreen).values() for n in names
    }
    for key in ("m", "e"):  # the panels' key, and the every-status key the stack's `+N more` row names (a replay's too)
        assert any(k == key for k, _ in HELP_KEYS) and any(k == key for k, _ in REPLAY_HELP_KEYS), f"{key} is in both helps"


def test_replays_footer_and_help_say_each_key_alike() -> None:
    """Replay's keys are its own (its `l` is forward): every key its footer may show is in its help, in the footer's
    words (`t steps`, added for the step list below 110 columns, too)."""
    names = {"plus": "+", "minus": "-", "question_mark": "?", "right": "→", "left": "←"}
    helped = {token: does for keys, does in REPLAY_HELP_KEYS for token in keys.split()}
    shown = [binding for binding in ReplayScreen.BINDINGS if isinstance(binding, Binding) and binding.show]
    assert "t" in {binding.key for binding in shown}
    for binding in shown:
        keys = [names.get(key, key) for key in binding.key.split(",")]
        does = next((helped[key] for key in keys if key in helped), None)
        assert does is not None and binding.description in does, f"replay's help on {keys}: {does!r}, its footer: {binding.description!r}"
