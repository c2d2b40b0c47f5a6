"""The nodes Textual restyles from a moment on: a test's window onto `App.update_styles`."""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode


def note_restyles(app: Any) -> list[DOMNode]:
    """From now on every node `app` restyles is appended to the returned list (clear it to start a count), and is
    restyled as before."""
    restyled: list[DOMNode] = []
    update_styles = app.update_styles

    def noted(node: DOMNode, animate: bool = True) -> None:
        restyled.append(node)
        update_styles(node, animate)

    app.update_styles = noted
    return restyled
