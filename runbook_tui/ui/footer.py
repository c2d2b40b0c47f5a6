"""The key footer: recomposed only when it must, and keys that come and go are shown and hidden in place.

Textual's `Footer` removes and mounts every key (two layouts of the whole
screen, in frames of their own) whenever its screen publishes
`bindings_updated`: on every focus change (five times before the run
screen's first frame) and on every screen pushed over it or popped off it
(the help's `?`, each dialog), though the keys are the same, and when a key
comes or goes (`p` hides `run`). This footer compares what it would show with
what it shows: the same keys (or those a rebuild on its way will show),
nothing happens; only some of the keys it already has, it hides and shows
them at once (in the frame of the change that caused it), and a key that now
does something else (`p pause` becomes `p resume`) is relabelled in place;
anything else (a key it never had), it recomposes.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: A key as the footer shows it: (key, action, description); and whether it is enabled.
KeyId = tuple[str, str, str]


class KeyFooter(Footer):
    """A `Footer` that skips recomposes which would show the same keys, and hides or shows the keys it has."""

    _shown: tuple[Hashable, ...] | None = None  # what the footer shows now (None: not composed yet)
    _pending: tuple[Hashable, ...] | None = None  # what the rebuild asked for last will show (None: none on its way)

    def _wanted(self) -> tuple[list[tuple[KeyId, bool]], tuple[Hashable, ...]]:
        """The keys `Footer.compose` would show now, in its order (grouped ones aside), and everything it reads."""
        app = self.app
        active = self.screen.active_bindings
        everything: tuple[Hashable, ...] = tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.show, enabled, tooltip, id(binding.group))
            for _node, binding, enabled, tooltip in active.values()
        )
        everything += (self.show_command_palette, app.ENABLE_COMMAND_PALETTE)
        wanted = [((binding.key, binding.action, binding.description), enabled) for _n, binding, enabled, _t in active.values() if binding.show]
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE and palette is not None:
            wanted.append(((palette.binding.key, palette.binding.action, palette.binding.description), palette.enabled))
        return wanted, everything

    def compose(self) -> ComposeResult:
        self._shown = self._wanted()[1] if self._bindings_ready else None
        self._pending = None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            return
        wanted, everything = self._wanted()
        if everything in (self._shown, self._pending):
            return
        if self._pending is None and self._show_in_place(wanted):
            self._shown = everything
        else:
            self._pending = everything
            self.call_after_refresh(self.recompose)

    def _show_in_place(self, wanted: list[tuple[KeyId, bool]]) -> bool:
        """Show exactly `wanted` with the key widgets there are; False when that cannot be done (recompose instead).

        A key that now does something else (`p pause` -> `p resume`) takes over the widget of its key: relabelled in place."""
        if any(binding.group is not None for _n, binding, _e, _t in self.screen.active_bindings.values() if binding.show):
            return False  # grouped keys are laid out differently: leave them to Footer
        keys = {(key.key, key.action, key.description): key for key in self.query_children(FooterKey)}
        wanted_ids = {key_id for key_id, _enabled in wanted}
        spare = {key_id[0]: key_id for key_id in keys if key_id not in wanted_ids}  # by key: widgets a relabel may take
        relabel = {key_id: spare.pop(key_id[0]) for key_id, _enabled in wanted if key_id not in keys and key_id[0] in spare}
        order = [next((new for new, old in relabel.items() if old == key_id), key_id) for key_id in keys]
        widgets = {new: keys[relabel.get(new, new)] for new in order}
        try:
            positions = [order.index(key_id) for key_id, _enabled in wanted]
        except ValueError:
            return False  # a key never shown before
        if positions != sorted(positions) or any(widgets[key_id]._disabled == enabled for key_id, enabled in wanted):
            return False  # another order, or a key enabled or disabled: rebuild
        for (_key, action, description), widget in ((new, widgets[new]) for new in relabel):
            widget.action, widget.description = action, description
            widget.refresh(layout=True)  # its width may change: the footer's row is laid out again (nothing else moves)
        for key_id, widget in widgets.items():
            if widget.display != (key_id in wanted_ids):
                widget.display = key_id in wanted_ids
        if self.styles.grid_size_columns != len(wanted):
            self.styles.grid_size_columns = len(wanted)
        return True
