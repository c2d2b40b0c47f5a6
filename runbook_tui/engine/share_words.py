"""The shared session's events in words (for `event_words.SAYS`): who joined and left, how the run is verified, and
what the share port refused."""

from __future__ import annotations

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.said import Said


def mode_changed(e: Event) -> Said:
    """`resume --share` / `--solo REASON`: `shared from now on by alice: a verifier may join`, `solo from now on by alice:
    bob went home`, with the time (a decision: who decided how the steps after it are verified). It read `by alice:
    shared from now on: …`, and only exec said it: the run and the verifier's screens said nothing of the change."""
    what, _, why = str(e.get("reason") or "").partition(": ")
    said = f"{what or 'verification changed'} by {e['actor']}"
    return Said("──", [f"{said}: {why}" if why else said], decision=True)


def participant(e: Event) -> Said:
    """`bob (verifier) left`, with its time on the run screens' log, as a person's note is (`Said.decision`): it was the
    one untimed line saying the second person was gone, soon scrolled off among a step's output lines."""
    went = f"joined as {e.get('role')}" if e["type"] == ev.PARTICIPANT_JOINED else f"({e.get('role')}) left"
    repeats = f" ({e['repeats']} more session{'' if e['repeats'] == 1 else 's'} counted)" if e.get("repeats") else ""
    return Said("──", [f"{e.get('name')} {went}{repeats}"], decision=True)


def share_closed(e: Event) -> Said:
    counts = ", ".join(f"{key.replace('_', ' ')} {e[key]}" for key in ev.ShareClosed.__annotations__ if e.get(key))
    return Said("──", [f"share closed: {counts or 'no connections'}"])


#: Why the share port refused a connection, as the assignee needs to hear it.
_REFUSED_BECAUSE = {
    "refused_address": "one address holds as many connections waiting to authenticate as one may",
    "refused_total": "as many connections as may wait to authenticate are waiting",
    "refused_descriptors": "file descriptors are running short (kept for the run's own commands)",
}


def share_refusing(e: Event) -> Said:
    reason = str(e.get("reason"))
    refused, waiting, addresses = e.get("refused"), e.get("waiting"), e.get("addresses")
    return Said(
        "!!",
        [
            f"share port: {refused} connection{'s' if refused != 1 else ''} refused, {_REFUSED_BECAUSE.get(reason, reason)}"
            f" ({waiting} from {addresses} address{'es' if addresses != 1 else ''}): a verifier may not get in while this lasts"
        ],
    )


def join_refused(e: Event) -> Said:
    """`join refused: a key that is not a participant's (ssh-ed25519 SHA256:...) from 10.0.0.9, user "mallory"`."""
    keys = [k for k in e.get("keys") or [] if isinstance(k, dict)]
    what = "a key that is not a participant's" if len(keys) == 1 else f"{len(keys)} keys that are not participants'"
    named = ", ".join(f"{k.get('type')} {k.get('fingerprint')}" for k in keys)
    user = str(e.get("user", "")).replace("\\", "\\\\").replace('"', '\\"')  # the client's text: its quotes cannot end ours
    last = "; further refused keys are only counted" if e.get("last") else ""
    return Said("!!", [f'join refused: {what} ({named}) from {e.get("address")}, user "{user}"{last}'])
