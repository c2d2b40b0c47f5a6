"""Keys in turn: a key (or a paste) reaches the app's widgets only once the key before it has done what it does.

Textual hands each key to the widget focused when the key arrives, and a key bound
below the app (tab, enter on the picker, `n` on the run screen) acts only once it
has travelled up through the widgets' queues. Keys that arrive together (typed
ahead over a lagging SSH link, `tmux send-keys`) all went to the old field: on
the mode screen, tab then `verifier unreachable` put the reason in the
verifier's key field. Here the app holds the keys after one until every queue
that key can reach (the widget it went to and those above it, the top screen,
the app) is quiet again and the top screen has mounted, so its focus is given.
A screen that opens after a thread worker (the picker checks the file again
first) holds the keys with `hold_keys` until `release_keys`. A screen with
`TYPED_AHEAD = False` (the run) takes no key typed before it was there: enter
pressed twice on the mode screen ran the first step unseen. One with
`UNSEEN_KEYS = False` (a dialog whose `y` acts) takes no key typed before it was
painted on the terminal: `enter y` in one burst ran a step from a dialog never
drawn (its command fitted, so `y` counted). Typed: when the terminal's reader
made the key (its `time`), not when the app's queue came to it, which may be
after the dialog showed. Painted: the app handed the screen's compositor update
to the terminal (`_display`; headless, the same update, written nowhere).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any
from weakref import WeakKeyDictionary

from rich.console import RenderableType
from textual import _time, events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.no_signature import Later

#: Longest the keys wait behind one key (a safety net: a queue closed under a key never answers).
STUCK_SECONDS = 2.0
#: Queues visited at most after one key, looking for quiet (output flooding in keeps the app's queue busy).
MOST_VISITS = 40

_Typed = events.Key | events.Paste


class KeysInTurn(App[int]):
    """An app whose keys and pastes are handed on one at a time, each after the last one's effect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: deque[tuple[_Typed, tuple[Screen[Any], ...]]] = deque()  # each key with the screens there when it came
        self._busy_since: float | None = None  # a key is on its way, or a screen is awaited
        self._turn = 0  # which key is on its way: a late answer about an earlier one is ignored
        self._watch: Timer | None = None
        self._painted: WeakKeyDictionary[Screen[Any], float] = WeakKeyDictionary()  # when each screen was first drawn

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if renderable is not None and not self._batch_count and screen is self.screen:
            self._painted.setdefault(screen, _time.get_time())  # (Textual's clock, as a key's `time`)

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, _Typed) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._busy_since is not None:
            self._held.append((event, tuple(self.screen_stack)))
            if time.monotonic() - self._busy_since >= STUCK_SECONDS:
                await self._next(self._turn)
            elif self._watch is None:
                self._watch = self.set_timer(STUCK_SECONDS, self._unstick)
            return
        if not self._may_use(event, tuple(self.screen_stack)):
            self._refuse([event])
            return
        await self._deliver(event)

    def _may_use(self, event: _Typed, seen: tuple[Screen[Any], ...]) -> bool:
        """Whether the top screen takes the key, which came while `seen` were there: UNSEEN_KEYS False, only once it was
        painted before the key was typed; TYPED_AHEAD False, only once it was there."""
        top = self.screen if self.screen_stack else None
        if top is not None and not getattr(top, "UNSEEN_KEYS", True):
            painted = self._painted.get(top)
            return painted is not None and painted < event.time
        return top in seen or getattr(top, "TYPED_AHEAD", True)

    def _refuse(self, unseen: list[_Typed]) -> None:
        """Keys typed before the top screen was painted: not used, with a bell and a word."""
        self.bell()
        said = visible_line(" ".join(event.key if isinstance(event, events.Key) else "a paste" for event in unseen))[:60]
        self.notify(f"Not used, pressed before this screen showed: {said}. Press again what you mean now.", markup=False)

    async def _deliver(self, event: _Typed) -> None:
        self._turn += 1
        self._busy_since = time.monotonic()
        target = self.focused or self.screen
        await super().on_event(event)
        self._chase(self._turn, target, MOST_VISITS)

    def _hold(self) -> None:
        self._turn += 1
        self._busy_since = time.monotonic()

    def _release(self) -> None:
        if self.screen_stack:
            self._chase(self._turn, self.focused or self.screen, MOST_VISITS)
        else:  # the app is closing
            self._busy_since = None

    def _chase(self, turn: int, target: Widget, visits: int) -> None:
        """Look again from the next busy queue until all are quiet; then the next key goes."""
        if turn != self._turn:
            return
        busy = self._busy_queue(target) if visits else None
        if busy is not None and busy.post_message(events.Callback(callback=Later(self._chase, turn, target, visits - 1))):
            return
        if self._held:  # the next key goes in the app's own turn, after what its queue holds
            self.post_message(events.Callback(callback=Later(self._next, turn)))
        else:  # none waits: the next key to come goes on as it comes (a callback in the app's queue to say so cost each key)
            self._busy_since = None

    def _busy_queue(self, target: Widget) -> MessagePump | None:
        """A queue the key may still be in or have sent messages to (or will at the end of this turn: `message_coming`,
        a screen's coalesced repaint), or a top screen not mounted yet; None: all quiet."""
        screen = self.screen if self.screen_stack else None
        if screen is not None and not screen.is_mounted:
            return screen
        nodes: list[MessagePump] = [self, *(screen.ancestors_with_self if screen else ())]
        for widget in (target, self.focused):
            if widget is not None and widget.is_attached:
                nodes.extend(widget.ancestors_with_self)
        for node in dict.fromkeys(nodes):  # (Textual keeps no public word of a queue's work: its private fields)
            waiting = node.message_queue_size or node._pending_message is not None or node._next_callbacks or getattr(node, "message_coming", False)
            if waiting and not node._closing:
                return node
        return None

    async def _next(self, turn: int) -> None:
        if turn != self._turn:
            return
        self._busy_since = None
        unseen: list[_Typed] = []
        while self._held:
            event, seen = self._held.popleft()
            if self._may_use(event, seen):
                await self._deliver(event)
                break
            unseen.append(event)
        if unseen:
            self._refuse(unseen)

    async def _unstick(self) -> None:
        """Keys held STUCK_SECONDS go on (the key before them never answered); checked again while keys wait."""
        self._watch = None
        if self._busy_since is None or not self._held:
            return
        if time.monotonic() - self._busy_since >= STUCK_SECONDS:
            await self._next(self._turn)
        else:
            self._watch = self.set_timer(STUCK_SECONDS, self._unstick)


def shown(app: App[Any], screen: Screen[Any]) -> bool:
    """Whether `screen` has been painted: a key typed from then on counts on it (where UNSEEN_KEYS is False)."""
    return not isinstance(app, KeysInTurn) or screen in app._painted


def hold_keys(app: App[Any]) -> None:
    """Hold the keys that come from now on until `release_keys` (a screen that opens after a worker)."""
    if isinstance(app, KeysInTurn):
        app._hold()


def release_keys(app: App[Any]) -> None:
    """The awaited screen is on top (or will not come): the held keys go on once it is quiet."""
    if isinstance(app, KeysInTurn):
        app._release()
