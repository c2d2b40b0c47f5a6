"""Whether a key is bound, and enabled, on a screen now, and which keys a footer shows: as `Screen.active_bindings`
says, looking at those keys only.

`active_bindings` asks every binding's `check_action` on the way from the focused widget to the app (about fifty on
the run screen); the app asks this at every key, before the key goes on (`RunbookApp.on_event`: a bound key holds the
output back), so a key's way to its action paid for every other key's check; and the footer asked it after each key
that changed what it offers (the cursor's keys, pageup, the why-not keys: checked for a footer that shows none of them).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen


def enabled_binding(screen: Screen[Any], key: str) -> bool:
    """`screen.active_bindings.get(key)` is an enabled binding: the first of `key`'s bindings along the screen's
    binding chain whose action is not refused (`check_action` False), a priority one before any other; enabled unless
    its check said None."""
    app = screen.app
    found: tuple[Binding, bool] | None = None
    for namespace, bindings in screen._modal_binding_chain:
        for binding in bindings.key_to_bindings.get(key, ()):
            state = app._check_action_state(binding.action, namespace)
            if state is not False and (found is None or (binding.priority and not found[0].priority)):
                found = binding, bool(state)
    return found is not None and found[1]


def shown_bindings(screen: Screen[Any], also: str | None = None) -> dict[str, tuple[Binding, bool]]:
    """`screen.active_bindings` as (binding, enabled) by key, in its order, for the keys a footer may show: those with a
    binding that shows (`show`) somewhere along the chain, and `also` (the command palette's key). Another key's
    bindings are not checked: they cannot change what shows (a key's active binding is one of its own)."""
    app = screen.app
    chain = screen._modal_binding_chain
    keys = {key for _namespace, bindings in chain for key, binding in bindings if binding.show}
    if also is not None:
        keys.add(also)
    active: dict[str, tuple[Binding, bool]] = {}
    for namespace, bindings in chain:
        for key, binding in bindings:
            if key not in keys or (state := app._check_action_state(binding.action, namespace)) is False:
                continue
            found = active.get(key)
            if found is None or (binding.priority and not found[0].priority):
                active[key] = binding, bool(state)  # (a key replaced keeps its place, as in active_bindings)
    return active
