"""Refused share connections are said as they happen, not only counted at the end.

A flood of unauthenticated connections can fill the slots a verifier needs to get in. Before
session 13 only `share_closed` counted the refusals, at the end: the assignee saw a verifier
who never arrived and no reason. Now the first refusal is journaled at once (`share_refusing`,
so the run screen's log and a late verifier's catch-up show it) and the rest at most once a
minute while they go on, with their count: a flood adds a bounded number of events.
"""

from __future__ import annotations

from runbook_tui.engine.event_words import said
from runbook_tui.share.admission import NOTICE_INTERVAL, Admission


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _flooded(clock: Clock) -> Admission:
    admission = Admission(per_address=2, total=3, count_open=lambda: 0, ceiling=lambda: 100, clock=clock)
    assert admission.admit("10.0.0.9") and admission.admit("10.0.0.9") and admission.admit("10.0.0.8")
    return admission


def test_the_first_refusal_is_said_at_once_then_the_rest_once_a_minute_with_their_count() -> None:
    clock = Clock()
    admission = _flooded(clock)
    assert admission.refusal_notice() is None, "nothing refused yet: nothing to say"
    assert not admission.admit("10.0.0.9")
    assert admission.refusal_notice() == {"refused": 1, "reason": "refused_address", "waiting": 3, "addresses": 2}
    for _ in range(500):
        assert not admission.admit("10.0.0.7")  # the total is reached
        assert admission.refusal_notice() is None, "within a minute of the last notice: counted, not said"
    clock.now += NOTICE_INTERVAL
    assert admission.refusal_notice() == {"refused": 500, "reason": "refused_total", "waiting": 3, "addresses": 2}
    clock.now += NOTICE_INTERVAL
    assert admission.refusal_notice() is None, "the flood stopped: nothing more to say"
    assert admission.summary()["refused_total"] == 500 and admission.summary()["refused_address"] == 1, "share_closed counts them all"


def test_the_notice_says_why_and_that_a_verifier_may_be_kept_out() -> None:
    event = {
        "seq": 7,
        "ts": "2026-12-03T12:00:00+00:00",
        "type": "share_refusing",
        "actor": "system",
        "refused": 1,
        "reason": "refused_total",
        "waiting": 128,
        "addresses": 5,
    }
    words = said(event)  # type: ignore[arg-type]
    assert words is not None and words.mark == "!!"
    assert words.lines == [
        "share port: 1 connection refused, as many connections as may wait to authenticate are waiting (128 from 5 addresses):"
        " a verifier may not get in while this lasts"
    ]


class _Waiting:
    """A connection waiting to authenticate, as the share's Gate: let go, it is counted as dropped at once."""

    def __init__(self, admission: Admission, address: str) -> None:
        self.admission, self.address, self.gone = admission, address, False

    def evict(self) -> None:
        self.gone = True
        self.admission.dropped(self.address, connection=self)


def test_an_ipv6_64_is_one_source_and_the_source_holding_most_makes_room_for_another() -> None:
    """Before: each IPv6 address was a source of its own (a host with a /64 passed the cap per address at will), and with
    every place taken a new source was refused whoever held the places."""
    admission = Admission(per_address=2, total=4, count_open=lambda: 0, ceiling=lambda: 100)
    six = [_Waiting(admission, f"2001:db8:0:1::{n}") for n in (1, 2, 3)]
    assert admission.admit(six[0].address, six[0]) and admission.admit(six[1].address, six[1])
    assert not admission.admit(six[2].address, six[2]), "a third from the same /64 is over the cap per source"
    four = [_Waiting(admission, "::ffff:10.0.0.9"), _Waiting(admission, "10.0.0.9")]  # one IPv4 address, written two ways
    assert all(admission.admit(w.address, w) for w in four)
    assert not admission.admit("10.0.0.9"), "a third from 10.0.0.9 is over the cap per source"
    first = _Waiting(admission, "10.0.0.7")
    assert admission.admit(first.address, first), "every place was taken, by two sources holding two each: one makes room"
    assert six[0].gone and not any(w.gone for w in (six[1], *four)), "the oldest of the first source holding the most goes"
    assert not admission.admit("10.0.0.7"), "10.0.0.7 holds one, the others at most two: nobody holds two more"
    summary = admission.summary()
    assert (summary["refused_address"], summary["refused_total"], summary["unauthenticated"]) == (2, 1, 1 + 4), summary
