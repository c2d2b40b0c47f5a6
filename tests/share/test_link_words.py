"""The verifier's client says a lost link in words: what a person can do with it, not an errno."""

from __future__ import annotations

import asyncssh

from runbook_tui.share.client import words


def test_a_link_lost_while_the_verifier_slept_is_said_in_words_not_errno() -> None:
    """Walked: bob's join stopped (SIGSTOP, as a laptop sleeps) past the session's keepalives, then continued: his screen
    said `connection lost ([Errno 32] Broken pipe); reconnecting`; a reconnect to a session not back yet would have said
    `[Errno 111] Connect call failed ('127.0.0.1', 2925)`."""
    assert words(BrokenPipeError(32, "Broken pipe")) == "the session had closed this link already (a sleep or a network change outlasted its keepalives)"
    assert words(ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 2925)")) == "connection refused"
    assert words(asyncssh.ConnectionLost("Connection lost")) == "Connection lost"


def test_a_session_stopped_past_its_keepalives_is_said_in_words() -> None:
    """Walked: alice's shared `exec` stopped (SIGSTOP, as ctrl-z or a sleeping laptop) 25 s while 'one' waited for bob:
    his screen said `connection lost (Server not responding to keepalive); reconnecting`, asyncssh's words about a
    "server" bob never set up."""
    said = words(asyncssh.ConnectionLost("Server not responding to keepalive"))
    assert said == "the session stopped answering its keepalives: the assignee's process may be stopped or asleep, or the network down"
