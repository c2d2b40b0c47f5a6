"""The footer of keys, changed in place: a key that comes or goes is mounted or removed alone.

Textual's `Footer` recomposes (removes and mounts every key, restyles them, lays
out the screen) whenever the bindings may have changed: a focus change, a screen
coming back, each `refresh_bindings()`. On the run screen that cost more than
the change a key press showed. `KeyFooter` draws the same keys the same way, and
does nothing when the keys are the same; otherwise it removes the keys that went
and mounts the ones that came, where `Footer.compose` would put them. Bindings
in groups (none here) fall back to Textual's recompose.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

#: (key, how it is shown, description, action, enabled, tooltip, the command palette's key)
KeySpec = tuple[str, str, str, str, bool, str, bool]


class KeyFooter(Footer):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: list[KeySpec] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    def _wanted(self) -> list[KeySpec] | None:
        """The keys `Footer.compose` shows, in its order; None when a binding group is shown (not drawn here)."""
        active = self.screen.active_bindings
        wanted: list[KeySpec] = []
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue  # compose shows the first binding of an action
            if binding.group is not None:
                return None
            actions.add(binding.action)
            wanted.append((binding.key, self.app.get_key_display(binding), binding.description, binding.action, enabled, tooltip, False))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else None
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            wanted.append(
                (binding.key, self.app.get_key_display(binding), binding.description, binding.action, enabled, binding.tooltip or binding.description, True)
            )
        return wanted

    async def _update_keys(self) -> None:
        if not self.is_attached:
            return
        wanted = self._wanted()
        if wanted is not None and wanted == self._shown:
            return
        shown, self._shown = self._shown, wanted
        keys = list(self.query_children(FooterKey))
        if wanted is None or shown is None or len(keys) != len(shown):
            await self.recompose()
            return
        placed: list[Widget | None] = [None] * len(wanted)  # the key widget at each wanted place: kept ones first
        for tag, old_start, old_end, new_start, _new_end in SequenceMatcher(a=shown, b=wanted, autojunk=False).get_opcodes():
            if tag == "equal":
                placed[new_start : new_start + old_end - old_start] = keys[old_start:old_end]
        gone = [key for key in keys if key not in placed]
        if gone:
            await self.remove_children(gone)
        for index, spec in enumerate(wanted):
            if placed[index] is None:
                placed[index] = widget = self._key(spec)
                previous = placed[index - 1] if index else None
                if previous is not None:
                    await self.mount(widget, after=previous)
                else:
                    await (self.mount(widget, before=0) if self.children else self.mount(widget))

    def _key(self, spec: KeySpec) -> Widget:
        key, display, description, action, enabled, tooltip, palette = spec
        widget = FooterKey(key, display, description, action, disabled=not enabled, tooltip=tooltip, classes="-command-palette" if palette else "")
        if palette:
            return widget
        with self._context():  # data_bind binds to the active message pump: this footer, as in its compose
            return widget.data_bind(compact=Footer.compact)
