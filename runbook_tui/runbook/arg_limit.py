"""Linux's limit for one argument or one environment string: what `validate` refuses where it is written, and what
a command that outgrew it as it rendered is told as it starts (execute/local.py)."""

from __future__ import annotations

#: MAX_ARG_STRLEN: 32 pages, the NUL that ends the string included.
ONE_STRING_LIMIT = 32 * 4096


def size(text: str) -> int:
    """A text's size as the kernel counts it: in bytes (`é` is two)."""
    return len(text.encode("utf-8", "surrogateescape"))


def too_long(what: str, shown: int) -> str:
    """`the command text is 140,005 bytes, and Linux passes at most 131,071 in one argument or environment variable`."""
    return f"{what} is {shown:,} bytes, and Linux passes at most {ONE_STRING_LIMIT - 1:,} in one argument or environment variable"
