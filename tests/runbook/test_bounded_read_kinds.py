"""What `read_limited` says for a file that is not a regular one: the kind in words (`got a socket`), never the OS's
words for an open that should not have been tried (a socket gave `No such device or address`)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from runbook_tui.runbook.bounded_read import ReadRefused, read_limited


def test_a_socket_is_named_a_socket(tmp_path: Path) -> None:
    """Before: `[Errno 6] No such device or address` (opening a socket gives ENXIO) where a FIFO said its kind."""
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "x.yaml"))
        with pytest.raises(ReadRefused) as refused:
            read_limited(tmp_path / "x.yaml", 1024)
    assert refused.value.strerror == "expected a regular file, got a socket"


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/dev/null", "a character device"), ("/dev/zero", "a character device"), ("/", "a directory")],
)
def test_a_device_or_folder_is_named_by_its_kind(path: str, kind: str) -> None:
    """Before: a character device and a block device were both `got a character device`."""
    with pytest.raises(ReadRefused) as refused:
        read_limited(path, 1024)
    assert refused.value.strerror == f"expected a regular file, got {kind}"


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO is refused by its kind (and with `pipes`, read to its end: no writer, nothing) without blocking."""
    os.mkfifo(tmp_path / "p.yaml")
    with pytest.raises(ReadRefused) as refused:
        read_limited(tmp_path / "p.yaml", 1024)
    assert refused.value.strerror == "expected a regular file, got a FIFO"
    assert read_limited(tmp_path / "p.yaml", 1024, pipes=True) == b""
