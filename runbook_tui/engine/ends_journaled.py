"""Tell the executor once a command's end is on disk in the journal: only then may it let go of the command's run.

The SSH executor keeps a remote run's files (`.out`, `.err`, `.run`: its output and exit status) until it is told
the end is journaled: a process killed before that write leaves the host `unknown`, and `resume --rerun` (or a
resumed rollback) follows the run left there and reads its recorded end (engine/reattach.py) instead of starting
the command a second time. Before, the host was told to remove them as soon as the result came back, a few
milliseconds before the runner's durable write of the host's end: a `kill -9` between the two left nothing to
follow, so the re-run started a production command again.

Each command gets a future (`Command.journaled`): set once its end is on disk (the host's `host_finished` /
`undo_host_finished`, the retry note that ends a try, or the step's / undo's end for the hosts left), cancelled when
it never will be (the journal failed, the step crashed): the run is then kept for a later look or re-attach.
No round trip is added: the executor sends its acknowledgement on the session it holds anyway, later.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from runbook_tui.engine import events as ev
from runbook_tui.engine.events import Event
from runbook_tui.engine.host_result import is_retry_note
from runbook_tui.engine.leftovers import journaled_runs
from runbook_tui.engine.ports import Command
from runbook_tui.runbook.model import Runbook

#: Events that journal the end of every command of their step or undo still waiting (one host's: see `heard`).
_ALL_ENDED = frozenset({ev.STEP_FINISHED, ev.UNDO_FINISHED, ev.ROLLBACK_FINISHED, ev.SESSION_FINISHED})


class EndsJournaled:
    """The futures of the commands whose end is not journaled yet, per host name; and, in a resumed run, per host the
    runs an earlier process left there with their ends journaled (engine/leftovers.py), for its first command to clear."""

    __slots__ = ("_leftovers", "_runbook", "_waiting")

    def __init__(self, runbook: Runbook | None = None) -> None:
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._runbook = runbook
        self._leftovers: dict[str, tuple[str, ...]] = {}

    def attach(self, command: Command) -> Command:
        """`command` with a future of its own, set by `on_disk` once its end is journaled (and the leftovers on its host)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(command.host.name, []).append(future)
        return replace(command, journaled=future, leftovers=self._leftovers.pop(command.host.name, ()))

    def heard(self, event: Event, _state: Any = None) -> None:
        """A listener of the controller, told of each event once it is on disk: the ends it journals let their runs go.

        A host's end (`host_finished`, `undo_host_finished`), the retry note that ends a try there (its text starts
        with the host's name, as engine/reattach.py reads it), or the step's or undo's end (the hosts left)."""
        kind = event["type"]
        if kind == ev.SESSION_RESUMED and self._runbook is not None and _state is not None:
            self._leftovers = journaled_runs(_state, self._runbook)
        elif kind in (ev.HOST_FINISHED, ev.UNDO_HOST_FINISHED):
            self.on_disk(str(event.get("host")))
        elif kind in _ALL_ENDED:
            self.on_disk()
        elif self._waiting and is_retry_note(event):
            text = str(event.get("text", ""))
            for host in [h for h in self._waiting if text.startswith((f"{h}: ", f"{h}; "))]:
                self.on_disk(host)

    def on_disk(self, host: str | None = None) -> None:
        """The ends of `host`'s commands (of every host when None) are on disk: their runs may go."""
        for name in [host] if host is not None else list(self._waiting):
            for future in self._waiting.pop(name, ()):
                if not future.done():
                    future.set_result(None)

    def never(self) -> None:
        """The ends still waiting will not be journaled by this process: keep their runs."""
        for futures in self._waiting.values():
            for future in futures:
                future.cancel()
        self._waiting.clear()
