"""A runbook saved with lone CR line ends (old Mac files): a NUL or a byte that is not UTF-8 is placed on its line,
as YAML counts lines and as every other error in the same file is placed.

Before, only LF counted there: `title: "\\xff"` on line 3 was reported at `1:26`, while an unknown key on line 3 of
the same file was at `3:1`.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, errors


@pytest.mark.parametrize(
    ("body", "where", "said"),
    [
        (b'title: "\xff"', (3, 9), "expected UTF-8 text; the byte 0xFF is not"),
        (b'title: "a\x00"', (3, 10), "invalid YAML: the character U+0000 is not allowed"),
        (b"titel: T", (3, 1), "unknown key 'titel' in the runbook"),
    ],
    ids=["not-utf8", "nul", "unknown-key"],
)
@pytest.mark.parametrize("end", [b"\r", b"\r\n", b"\n"], ids=["cr", "crlf", "lf"])
def test_each_error_is_on_its_own_line_whatever_ends_the_lines(tmp_path, body, where, said, end):
    path = tmp_path / "runbook.yaml"
    path.write_bytes(end.join([b"runbook: 1", b"id: t", body, b"sections: []", b""]))
    [error] = [e for e in errors(path) if e.message.startswith(said)]
    assert at(error) == where, error
