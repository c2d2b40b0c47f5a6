"""A secret's base64 cut by a read (at a line break: `base64` wraps at 76) shows none of its bits.

The end of a read was held back only while it could be the START of a secret's form. A read ending right after a
base64 form's own letters was handed on masked, and its end letter (the secret's last bits) and padding (its length)
came in the next read, shown; a read ending in a form's first letters held them back but handed on the letter before
them, which holds the secret's first bits.
"""

from __future__ import annotations

import base64
import re

import pytest

from runbook_tui.engine.output import MAX_PENDING, LineAssembler
from runbook_tui.engine.redact import HELD_AT_LINE_END, Redactor

#: The bytes around the secret in the encoded text (before, after): each alignment, with and without padding.
AROUND = [("", ""), ("x", ""), ("xy", ""), ("", "!"), ("x", "!?"), ("xy", "!"), ("abc", "defghi")]


def _streamed(redactor: Redactor, reads: list[str]) -> str:
    """What is journaled and shown of `reads`, one after the other, then the stream's end."""
    assembler = LineAssembler(redactor)
    shown = [assembler.shown(assembler.feed(read.encode())) for read in reads]
    return "".join(shown) + assembler.shown(assembler.finish())


def test_a_read_ending_right_after_the_forms_letters_keeps_its_end_letter_and_padding_masked() -> None:
    secret = "tok-5e3a9c1f7"  # its base64 is `dG9rLTVlM2E5YzFm` + `N` (its own bits) + `w==` (the last bits, the length)
    redactor = Redactor([secret])
    assert _streamed(redactor, ["dG9rLTVlM2E5YzFmN\n", "w==\n"]) == "***\n***\n"


def test_a_read_ending_in_the_forms_first_letters_keeps_the_letter_before_them_masked() -> None:
    secret = "tok-5e3a9c1f"  # after one byte `x`: `e` (x's bits), `H` (x's and the secret's first bits), then its own
    redactor = Redactor([secret])
    assert _streamed(redactor, ["eHRvay01ZT\n", "NhOWMxZg==\n"]) == "e***\n***\n"


@pytest.mark.parametrize("secret", ["tok-5e3a9c1f", "tok-5e3a9c1f7", "tok-5e3a9c1f7b"])  # length 0, 1 and 2 modulo 3
def test_base64_wrapped_anywhere_and_read_in_two_shows_what_it_shows_read_whole(secret: str) -> None:
    """The line break anywhere from the form's 3rd letter on (a line ending in fewer is handed on: HELD_AT_LINE_END),
    the reads split at every place: the output is masked as the whole text is, nothing lost, nothing reordered."""
    redactor = Redactor([secret])
    for before, after in AROUND:
        letters = base64.b64encode(f"{before}{secret}{after}".encode()).decode()
        start = -(-8 * len(before) // 6)  # the form's first letter made of the secret's bits alone
        for wrap in range(start + HELD_AT_LINE_END, len(letters)):
            text = f"{letters[:wrap]}\n{letters[wrap:]}\n"
            whole = redactor.text(text)
            assert "***" in whole and letters[start:wrap] not in whole
            for split in range(len(text) + 1):
                shown = _streamed(redactor, [text[:split], text[split:]])
                assert shown == whole, f"{before!r}+secret+{after!r} wrapped at {wrap}, read split at {split}: {shown!r}"


@pytest.mark.parametrize("secret", ["tok-5e3a9c1f", "tok-5e3a9c1f7", "tok-5e3a9c1f7b"])
def test_base64_in_a_line_too_long_to_wait_for_shows_no_letter_of_the_secret_at_the_reads_cut(secret: str) -> None:
    """A line longer than MAX_PENDING is handed on in pieces, cut where the read ended: a read ending in the letter
    before the form (its first bits) kept it back no more than one ending after the form's letters kept its end letter."""
    redactor = Redactor([secret])
    for before, after in AROUND:
        letters = base64.b64encode(f"{before}{secret}{after}".encode()).decode()
        for cut in range(len(letters) + 1):
            filler = "." * (MAX_PENDING - cut)
            whole = redactor.text(f"{filler}{letters}\n")
            shown = _streamed(redactor, [filler + letters[:cut], letters[cut:] + "\n"])
            # a form masked in two pieces shows two masks, no letter more
            assert re.sub(r"(?:\*\*\*)+", "***", shown) == whole, f"{before!r}+secret+{after!r} read cut at {cut}: {shown[-40:]!r}"
