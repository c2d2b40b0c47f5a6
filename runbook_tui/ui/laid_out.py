"""`virtual_size` for a widget whose virtual size only the layout sets: set by each layout, asking for no other.

(Not for a `ScrollView`, which sets its own from its lines: the step list, the output pane.)

Textual's `virtual_size` asks for a layout and a repaint of the widget whenever it changes, and every layout sets it
(to the widget's size, or a container's content size) from what that layout has just computed and drawn. So the first
layout of the run screen asked for a second one at once: each widget, the screen too, went from 0x0 to its size, and the
next frame laid the whole screen out again and drew every pane a second time, the same cells. A widget declaring this
`virtual_size` is laid out and drawn again only when something about it changes: its content (`update`, a new title)
asks for that itself, and a container's scrollbars still come and go with their own reactives (`show_vertical_scrollbar`).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive


def laid_out_size() -> Reactive[Size]:
    """A class's `virtual_size`: one per class (a reactive is bound to the class it is declared in)."""
    return Reactive(Size(0, 0), layout=False, repaint=False)
