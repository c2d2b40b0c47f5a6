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


def test_a_verifier_s_unsigned_word_is_journaled_as_theirs_bounded_and_refused_to_others() -> None:
    """`unsigned` (their key would not sign; tests/share/test_verifier_key_refuses.py over SSH): an `error` by the verifier,
    its why shown as one line and cut, a step not in the plan left out (an event naming one is never written: every
    verifier's client would end its join on it), refused to an observer, after the end for a decision, and past the pace."""
    journaled: list[dict[str, Any]] = []
    controller = SimpleNamespace(
        state=SimpleNamespace(finished=False, plan_steps={"one": {}}), emit=lambda kind, actor, **p: journaled.append({"type": kind, "actor": actor, **p})
    )
    pace = NotePace(controller)  # type: ignore[arg-type]
    bob = Actor("bob", "verifier")
    assert pace.unsigned(bob, "confirm", "agent said no\x1b[2J" + "x" * 900, "one", None).ok
    assert pace.unsigned(bob, "hold", "no", "not-a-step", None).ok
    assert pace.unsigned(bob, "seal", "no", None, 12).ok
    first, second, third = journaled
    assert first["type"] == "error" and first["actor"] == "bob" and first["unsigned"] == "decision_signed" and first["step"] == "one", first
    assert first["message"].startswith("bob's key would not sign their confirmation of 'one': agent said no␛[2J"), first
    assert "\x1b" not in first["message"] and len(first["message"]) < 640, first["message"]
    assert "step" not in second and second["message"].startswith("bob's key would not sign their hold request of 'not-a-step'"), second
    assert third["unsigned"] == "seal" and third["message"].startswith("bob's key would not sign their seal of line 12: no;"), third
    assert not pace.unsigned(Actor("dave", "observer"), "confirm", "no", "one", None).ok
    assert not pace.unsigned(bob, "run", "no", "one", None).ok, "only a verifier's decision or a seal"
    controller.state.finished = True
    assert not pace.unsigned(bob, "confirm", "no", "one", None).ok and pace.unsigned(bob, "seal", "no", None, 13).ok, "the end's seal may follow it"
    assert sum(pace.unsigned(bob, "seal", "no", None, 13).ok for _ in range(NOTE_BURST)) == NOTE_BURST - 4, "paced as notes"
    assert len(journaled) == NOTE_BURST
