"""A screen that repaints on request, coalesced: one message at a time, at most one repaint a frame.

Events (a controller's, a replay's) arrive far faster than a terminal can
show them. The screen collects what changed and calls `ask_repaint` (or sets
`_dirty`); one `Repaint` message is posted until it is handled, and a repaint
that would come within a frame of the last one waits for the next frame, taking
everything that arrived meanwhile. No polling timer: an idle screen does no
work, and a key's effect shows in the next frame.
"""

from __future__ import annotations

import asyncio
import gc
import time

from textual import events
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui.frame_timer import FrameTimer, frame_timer
from runbook_tui.ui.laid_out import laid_out_size

#: At most one repaint in this time (a frame at 60 Hz): output floods coalesce into frames.
FRAME_SECONDS = 1 / 60
#: A repaint for new output only waits this long after the last one: during a flood each repaint costs a frame of
#: Textual's compositor (tens of ms on a loaded machine) that a key press would otherwise queue behind.
OUTPUT_FRAME_SECONDS = 1 / 15
#: Lines a key's own frame may take along when no output floods (a decision's line on the pane: a pause, a note).
FEW_LINES = 4

#: What a screen being taken down is not sent (the app leaving as it was built: a SIGTERM, a hang-up, `exit`): Textual
#: mounts nothing more in a container being taken down, yet sends the screen its Mount, and the resume and size queued
#: for it; their paint looked for a pane never mounted: `No nodes match 'StepDetail'`, a traceback instead of the leaving.
_PAINTING = (events.Mount, events.ScreenResume, events.Resize)


class Repaint(Message):
    """New output or state to show: posted once until handled."""


class CoalescedRepaintScreen(Screen[None]):
    """Subclasses implement `_repaint` (draw what is pending) and paint their first frame in `on_mount`."""

    virtual_size = laid_out_size()  # set by each layout, asking for no other (ui/laid_out.py)

    def __init__(self) -> None:
        super().__init__()
        self._repaint_asked = False  # a Repaint message (or its frame timer) is on its way
        self._post_due = False  # the Repaint is posted at the end of the loop's turn (`_post_repaint`)
        self._last_repaint = 0.0
        self._stale = True
        self._output_timer: Timer | None = None  # the slower frame of a repaint for output only
        self._first_resumed = False  # `_on_screen_resume`
        self._frames: FrameTimer | None = None  # `_update_timer`
        self._after_key = False  # the repaint asked for waits for the key's frame (`repaint_after_key`)
        self._key_rest = False  # the next repaint draws the rest of a key's effect: its frame comes at once

    @property
    def _update_timer(self) -> FrameTimer:
        """Textual's update timer, but a change after a frame waits for the next frame only, not for a 60 Hz grid point
        (`frame_timer.py`: up to 33 ms after any frame; a key during an output flood waited there)."""
        if self._frames is None:
            self._frames = frame_timer(self, self._on_timer_update)
        return self._frames

    @property
    def _dirty(self) -> bool:
        """The parts drawn from the state need redrawing; setting it asks for a repaint."""
        return self._stale

    @_dirty.setter
    def _dirty(self, value: bool) -> None:
        self._stale = value
        if value and self._output_timer is not None:  # a state change (a key's effect) does not wait for output's slower frame
            self._output_timer.stop()
            self._output_timer = None
            self._repaint_asked = False
        if value:
            self._ask_repaint()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _PAINTING) and (self._closing or self._pruning):
            return  # a screen that goes is not painted (see _PAINTING; Textual's own `mount` looks at the same two fields)
        await super().on_event(event)

    def on_mount(self) -> None:
        # Textual's toast rack starts shown and is hidden once the screen resumes with no notification: a second layout
        # of the whole screen before its first frame is marked. Hidden from the start, it shows with the first toast.
        for rack in self.query("#textual-toastrack"):
            rack.display = False
        # What exists by the first frame (modules, the runbook, the widgets) lives as long as the app: kept out of the
        # collector's full passes, which a flood makes every second or so, each stopping the loop for tens of ms.
        self.call_after_refresh(gc.freeze)

    def on_unmount(self) -> None:
        gc.unfreeze()  # collectable again as the app ends (an app made in a long-lived process, tests, is freed whole)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual's resume, less the whole-screen repaint it asks for after its first layout. That layout (the screen's
        size was 0x0) has just drawn every widget and written the whole screen; the repaint composed and wrote all of it
        again in the next frame (19 KB at 140x45, the same cells). Later resumes (a dialog closed) repaint as always."""
        laid_out = not self._first_resumed and self.is_current and self.outer_size != self.app.size
        super()._on_screen_resume(event)
        event.prevent_default()  # Textual's handler ran here: not again from its own class
        self._first_resumed = True
        if laid_out:
            self._repaint_required = False

    def _ask_repaint(self) -> None:
        if self._repaint_asked or not self.is_mounted:
            return  # one is on its way (on_mount paints the first frame itself)
        self._repaint_asked = True
        if not self._post_due:  # posted once the turn that asked is over: a key's `repaint_now` in it may draw it first
            self._post_due = True
            asyncio.get_running_loop().call_soon(self._post_repaint)

    @property
    def message_coming(self) -> bool:
        """A Repaint is to be posted when this turn is over (the keys' turn waits for it as for one in the queue)."""
        return self._post_due and self._repaint_asked and not self._after_key

    def _post_repaint(self) -> None:
        """The Repaint message, unless the turn that asked for it drew it: a key's decision is applied (its event asks
        for a repaint) and drawn (`repaint_now`) in one turn, and the message posted at the event found nothing to do,
        after a turn of the screen's queue (and the keys' turn waited for that queue, `keys_in_turn`)."""
        self._post_due = False
        if self._repaint_asked and not self._after_key and self.is_mounted:
            self.post_message(Repaint())

    def on_repaint(self, message: Repaint) -> None:
        message.stop()
        if not self._repaint_asked or self._after_key:
            return  # drawn since it was posted (a key's `repaint_now`), nothing asked after: no frame (nor timer) for it
        if self._stale:
            wait = self._last_repaint + FRAME_SECONDS - time.monotonic()
            if wait > 0:  # a repaint happened this frame: the next one in the next frame, with all that arrives meanwhile
                self.set_timer(wait, self._frame_repaint)
            else:
                self._frame_repaint()
            return
        wait = self._last_repaint + OUTPUT_FRAME_SECONDS - time.monotonic()
        if wait > 0:
            self._output_timer = self.set_timer(wait, self._frame_repaint)
        else:
            self._frame_repaint()

    def repaint_now(self) -> None:
        """Draw what changed now rather than on the Repaint message's turn (a key's effect, in the action that made it),
        unless the screen repainted this frame already: then the message or its frame timer draws it, as always."""
        if self._stale and self.is_mounted and time.monotonic() - self._last_repaint >= FRAME_SECONDS:
            self._frame_repaint()

    def repaint_after_key(self) -> bool:
        """What is left to draw waits until the frame of the key being handled is written (the key's hold ends there,
        `KEYS.when_clear`; or after HOLD_SECONDS), then is drawn as a Repaint's: the key's action drew the part that says
        what it did, and its frame covers only that. False, nothing deferred: no key is held, or the screen repainted this
        frame already (`repaint_now`'s rule; the message or its timer draws it all, as always)."""
        if not (KEYS.held and self.is_mounted and time.monotonic() - self._last_repaint >= FRAME_SECONDS):
            return False
        self._repaint_asked = self._after_key = True  # no Repaint posted or handled meanwhile (`_post_repaint`, `on_repaint`)
        KEYS.when_clear(self._key_drawn)
        return True

    def _key_drawn(self) -> None:
        """The key's frame is written (called inside `App._display`): the rest is asked for, drawn in the loop's next turns."""
        if self._after_key:
            self._after_key = self._repaint_asked = False
            self._key_rest = True  # its frame at once (`_frame_repaint`)
            self._ask_repaint()

    def _frame_repaint(self) -> None:
        self._output_timer = None
        self._repaint_asked = False
        if not self._stale and KEYS.held:
            # Output only, while a person's key is being handled: the key's frame first, drawing its effect alone (an output
            # frame in between made the key's compositor pass wait for its own, or draw the whole pane with it); then this.
            KEYS.when_clear(self._ask_repaint)
            return
        self._last_repaint = time.monotonic()
        if self._key_rest:
            self._key_rest = False
            self._update_timer.soon()
        self._repaint()

    def in_sight(self) -> bool:
        """Whether any of this screen shows: it is on top, or every screen above it lets it show through (a dialog).
        (Textual counts a screen under an opaque one as shown: each change to it repainted the screen on top.)"""
        stack = self.app.screen_stack
        return self in stack and all(above.styles.background.a < 1 for above in stack[stack.index(self) + 1 :])

    def _repaint(self) -> None:
        raise NotImplementedError
