"""A participant's notes paced across their sessions (share/pace.py), on a clock the test moves."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from runbook_tui.engine.actors import Actor, Reply
from runbook_tui.share.pace import NOTE_BURST, NotePace


class Journaled:
    """The controller's part a note needs: its refusals, and what it journals."""

    def __init__(self) -> None:
        self.state = SimpleNamespace(finished=False, current="a")
        self.lines: list[tuple[str, str]] = []

    def note(self, actor: Actor, text: str) -> Reply:
        if not text.strip():
            return Reply(False, "an empty note was not added")
        self.lines.append((actor.name, text))
        return Reply(True, "note added to the journal")

    def emit(self, kind: str, actor: Any, **payload: Any) -> None:
        self.lines.append((str(actor.name if hasattr(actor, "name") else actor), payload["text"]))


def test_a_flood_is_said_once_and_again_only_after_a_quiet_spell_and_empty_notes_cost_nothing() -> None:
    now = [0.0]
    controller = Journaled()
    pace = NotePace(controller, clock=lambda: now[0])  # type: ignore[arg-type]
    bob, carol = Actor("bob", "verifier"), Actor("carol", "verifier")
    for _ in range(3):
        assert not pace.note(bob, "  ").ok, "refused by the controller, at no cost to the pace"
    replies = [pace.note(bob, f"n{i}") for i in range(NOTE_BURST + 5)]
    assert [r.ok for r in replies] == [True] * NOTE_BURST + [False] * 5
    assert replies[-1].message.endswith("the next is taken in 6 s"), replies[-1]
    assert pace.note(carol, "mine").ok, "each participant has their own pace"
    said = [text for who, text in controller.lines if "notes come faster" in text]
    assert len(said) == 1 and said[0].startswith("bob's notes come faster than 10 a minute"), said
    now[0] += 6.0  # one note's worth: taken, and the flood goes on unsaid
    assert pace.note(bob, "later").ok and not pace.note(bob, "again").ok
    assert len([t for _w, t in controller.lines if "notes come faster" in t]) == 1
    now[0] += 120.0  # a quiet spell: the bucket full again, a new flood is said again
    assert all(pace.note(bob, f"m{i}").ok for i in range(NOTE_BURST)) and not pace.note(bob, "over").ok
    assert len([t for _w, t in controller.lines if "notes come faster" in t]) == 2
    assert pace.counts["refused_requests"] == 5 + 1 + 1
