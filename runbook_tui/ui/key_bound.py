"""Whether a key is bound, and enabled, on a screen now: as `Screen.active_bindings` says, looking at that key only.

`active_bindings` asks every binding's `check_action` on the way from the focused widget to the app (about fifty on
the run screen); the app asks this at every key, before the key goes on (`RunbookApp.on_event`: a bound key holds the
output back), so a key's way to its action paid for every other key's check.
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
