"""The run's look at its silences in Alertmanager while it goes on, every `WATCH_EVERY`.

One expired before its end (by someone else: its UI, amtool) is journaled expired, saying so, and no longer counted:
their decision stands. One Alertmanager no longer has at all (it restarted without its saved silences: no persistent
volume) was ended by nobody: it is made again, and said. Before, nothing was done or said while the run went on: the
header counted the silence and the change's alerts paged the on-call until the end.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import quote

from runbook_tui.engine import events as ev
from runbook_tui.engine.said import said_now
from runbook_tui.notify.http import Answer
from runbook_tui.notify.silence_found import expired_early, nothing_to_expire

if TYPE_CHECKING:
    from runbook_tui.notify.silences import SilenceKeeper

#: Seconds between looks at the run's silences in Alertmanager while the run goes on (a test sets less).
WATCH_EVERY = 30.0


async def watch(keeper: SilenceKeeper) -> None:
    """Every WATCH_EVERY until the session is over, look at each of the keeper's silences in Alertmanager."""
    while True:
        try:
            await asyncio.wait_for(keeper.over.wait(), WATCH_EVERY)
            return
        except TimeoutError:
            pass
        for silence_id, silence in list(keeper.state.silences.items()):
            answer = await keeper.call("GET", f"/api/v2/silence/{quote(silence_id, safe='')}")
            if keeper.over.is_set() or silence_id not in keeper.state.silences:
                continue
            if (at := expired_early(answer, silence.get("ends_at"))) is not None:
                gone = (
                    f"expired in Alertmanager at {said_now(at)}, before its end, not by this run (someone expired or replaced"
                    " it): the alerts it matched page again, unless another silence covers them"
                )
                keeper.record(ev.SILENCE_EXPIRED, {"id": silence_id, "alertmanager": keeper.shown, "gone": gone})
            elif nothing_to_expire(answer) and _not_listed(await keeper.listing(), silence_id):
                matchers = [str(m) for m in silence.get("matchers") or ()]
                keeper.record(ev.SILENCE_EXPIRED, {"id": silence_id, "alertmanager": keeper.shown})
                keeper.record(ev.NOTE, {
                    "text": f"silence {silence_id} ({', '.join(matchers)}) is no longer in Alertmanager at {keeper.shown}: it"
                    " restarted without its saved silences, or someone deleted it; it is made again (its alerts may have"
                    f" paged since the look before, {WATCH_EVERY:g}s earlier)",
                })  # fmt: skip
                await keeper.make_again(matchers, str(silence.get("created_by") or ""))


def _not_listed(listing: Answer, silence_id: str) -> bool:
    """Is the silence missing from Alertmanager's whole list of them, read? A 404 alone may be a proxy's, in front of an
    Alertmanager that still holds it: making it again would leave that one active, unknown to the journal."""
    try:
        found = listing.json() if listing.ok else None
    except (ValueError, TypeError):
        return False
    return isinstance(found, list) and all(isinstance(f, dict) and f.get("id") != silence_id for f in found)
