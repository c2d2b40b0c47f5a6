"""What the terminal sends that is not UTF-8 is read as U+FFFD (`�`), not a crash.

Textual's Linux driver decodes the terminal's bytes with a strict UTF-8 decoder
on its input thread: a pasted log line holding a byte that is not UTF-8 (`0xff`,
a multi-byte sequence cut short), or `é` typed in a terminal set to Latin-1 (the
one byte `0xe9`), raised `UnicodeDecodeError` there, and the app ended with its
crash report (exit 1, the run left for `resume`). Here the driver's decoder
replaces each such byte: the field shows `�` where it was, and the journal gets
valid UTF-8 (no lone surrogate, as `surrogateescape` would make).
"""

from __future__ import annotations

import codecs
import functools

from textual.drivers import linux_driver


def lenient_decoder(encoding: str) -> functools.partial[codecs.IncrementalDecoder]:
    """`codecs.getincrementaldecoder(encoding)`, each decoder made to replace what it cannot decode."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def decode_leniently() -> None:
    """Make the Linux driver read the terminal with `lenient_decoder` (it names `getincrementaldecoder` at module level,
    as it names its parser: `paste_guard`)."""
    setattr(linux_driver, "getincrementaldecoder", lenient_decoder)  # noqa: B010
