"""`first_paint.py`'s mark: the moment a child's first frame showing a screen has been written to the terminal.

Textual writes a frame in `App._display`: the compositor's update becomes one
string, handed to the driver's `write`, which queues it for the driver's writer
thread; that thread writes it to the terminal (here the pty) and flushes. The
child arms the mark with the screen to watch (`arm`, from that screen's mount);
the next `App._display` of that screen marks its text, and the writer thread,
once it has written that text, flushes it and calls `then` (the bench writes its
marker and exits). Both children are marked this way. The hooks are set as
Textual's modules are imported (`after_import`), so the child imports what it
would without them, in the same order.

A `call_after_refresh` from `on_mount` (the mark before session 36) ran only
after the screen's second, idle layout pass, one frame (~17 ms) after the frame
was written, in both children: it lowered the ratio.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Callable
from typing import Any


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls `callbacks[name](module)` once `name` is imported (its code run), keeping any other hook on its loader."""

    def __init__(self) -> None:
        self.callbacks: dict[str, Callable[[Any], None]] = {}

    def find_spec(self, name: str, path: object, target: object = None) -> Any:
        callback = self.callbacks.pop(name, None)
        if callback is None:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if self.callbacks:
                sys.meta_path.insert(0, self)
        assert spec is not None and spec.loader is not None
        load = spec.loader.exec_module  # bound: another hook's wrapper, if one set its own

        def exec_module(module: Any) -> None:
            load(module)
            callback(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_hooks = _AfterImport()


def after_import(name: str, callback: Callable[[Any], None]) -> None:
    """Run `callback(module)` right after `name` is imported (at once when it already is)."""
    if name in sys.modules:
        callback(sys.modules[name])
        return
    _hooks.callbacks[name] = callback
    if _hooks not in sys.meta_path:
        sys.meta_path.insert(0, _hooks)


class _State:
    screen: object | None = None  # the screen whose first frame is marked
    displaying = False  # inside `App._display` of that screen
    frame: str | None = None  # the text of that frame, as handed to the driver
    then: Callable[[], None] = staticmethod(lambda: None)


def arm(screen: object) -> None:
    """From the screen's mount: the next frame `App._display` writes for `screen` is the one marked."""
    _State.screen = screen


def install(then: Callable[[], None]) -> None:
    """In the child, before Textual is imported: call `then()` (from the writer thread) once the marked frame is written."""
    _State.then = then
    after_import("textual.app", _wrap_display)
    after_import("textual.drivers.linux_driver", _wrap_driver_write)
    after_import("textual.drivers._writer_thread", _wrap_writer_file)


def _wrap_display(module: Any) -> None:
    display = module.App._display

    def _display(self: Any, screen: Any, renderable: Any) -> None:
        if screen is not _State.screen or _State.frame is not None:
            display(self, screen, renderable)
            return
        _State.displaying = True
        try:
            display(self, screen, renderable)
        finally:
            _State.displaying = False

    module.App._display = _display


def _wrap_driver_write(module: Any) -> None:
    write = module.LinuxDriver.write
    from textual._ansi_sequences import SYNC_END, SYNC_START

    def driver_write(self: Any, data: str) -> None:
        if _State.displaying and _State.frame is None and data not in (SYNC_START, SYNC_END):
            _State.frame = data
        write(self, data)

    module.LinuxDriver.write = driver_write


class _File:
    """The writer thread's file: the terminal's, with the marked frame's text noticed once it is written."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, text: str) -> int:
        written: int = self._file.write(text)
        if text is _State.frame:
            self._file.flush()  # written to the terminal: the bytes are in the pty
            _State.then()
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def _wrap_writer_file(module: Any) -> None:
    init = module.WriterThread.__init__

    def __init__(self: Any, file: Any) -> None:
        init(self, _File(file))

    module.WriterThread.__init__ = __init__
