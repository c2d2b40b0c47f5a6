"""A verifier's dialog stays about the step it was opened on, whatever the run does while it is open.

`x` opens a dialog naming the step (`Reject 'one'`); the reason is typed, then sent. Before: the rejection was sent
about the step the replica showed when enter was pressed: while bob typed, carol (the other verifier) confirmed 'one'
and 'two' ran, and bob's "the output of one is wrong" was journaled as the rejection of 'two', a step he never looked
at (the session's check that a decision is about the step the verifier saw was given the new step). Now the dialog
sends the step it named, and the session refuses it, saying so on bob's screen. A real `runbook-tui exec --share`,
bob's and carol's real `runbook-tui join` in tmux.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from share_peers import CLI, HOST, TWO_STEPS, Lab, free_port, journal_lines
from test_tmux_e2e import Tmux, _fingerprint, _wait_for_event

pytestmark = pytest.mark.peers  # needs tmux: scripts/test installs it


@pytest.fixture
def tmux(lab: Lab) -> Iterator[Tmux]:
    made = Tmux(lab.root)
    yield made
    made.end()


def _toasts(screen: str) -> str:
    """The words of the toasts on a screen (each line's text right of its toast border), on one line."""
    return " ".join(" ".join(line.rpartition("▌")[2].split()) for line in screen.splitlines() if "▌" in line)


def test_a_rejection_typed_while_the_run_moved_on_is_refused_not_journaled_against_the_next_step(lab: Lab, tmux: Tmux) -> None:
    lab.key("bob")
    lab.key("carol")
    port, journal = free_port(), lab.root / "J.jsonl"
    env = lab.env()
    keep = {k: env[k] for k in ("PATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "RUNBOOK_TUI_USER")}
    runbook = lab.runbook(TWO_STEPS)
    share = ["--share", f"{HOST}:{port}", "--verifier-key", "bob.pub", "--verifier-key", "carol.pub", "--journal", journal.name]
    tmux.start("assignee", [*CLI, "exec", str(runbook), *share], keep, lab.root)
    fingerprint = _fingerprint(journal, timeout=30)
    for name in ("bob", "carol"):
        join = [*CLI, "join", f"{HOST}:{port}", "--identity", name, "--known-hosts", str(lab.known_hosts), "--accept-fingerprint", fingerprint]
        tmux.start(name, join, keep, lab.root, size=(80, 24))
        tmux.wait(name, lambda s: "joined as verifier" in s, f"that {name} joined as verifier", timeout=30)
    for name in ("bob", "carol"):
        tmux.wait(name, lambda s: "Your word on 'one'" in s, "'one' waiting for the verifier", timeout=30)

    tmux.keys("bob", "x")
    tmux.wait("bob", lambda s: "Reject 'one'" in s, "bob's dialog rejecting 'one'")
    tmux.keys("bob", "-l", "the output of one is wrong")
    tmux.keys("carol", "c")  # meanwhile carol confirms 'one', and 'two' runs and waits
    tmux.wait("carol", lambda s: "Your word on 'two'" in s, "'two' waiting for the verifier", timeout=30)
    tmux.wait("bob", lambda s: "Reject 'one'" in s and "the output of one is wrong" in s, "bob's dialog still open with his words")
    tmux.keys("bob", "Enter")
    refusal = "you acted on 'one', but carol confirmed it meanwhile; the run is now at 'two': look at it, then decide again"
    screen = tmux.wait("bob", lambda s: refusal in _toasts(s), "the refusal on bob's screen")
    assert "Reject" not in screen, screen

    events = journal_lines(journal)
    assert [(e["type"], e.get("step")) for e in events if e["type"] in ("step_rejected", "step_confirmed")] == [("step_confirmed", "one")], events
    tmux.keys("carol", "c")  # the run goes on: 'two' is confirmed, and the run ends done
    _wait_for_event(journal, "session_finished", timeout=30)
    finished = [e for e in journal_lines(journal) if e["type"] == "session_finished"]
    assert finished[0]["outcome"] == "done", finished
