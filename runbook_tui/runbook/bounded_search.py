"""A runbook's regular expression searched in text that may be hostile, in bounded time.

A pattern may backtrack without end (`(x+x+)+y` on a long run of `x`), and the text it meets is a
parameter's value or a command's output: Python's `re` would hold the process (the assignee's screen
with it) until the search ends, which may be never. The `regex` module reads the same syntax and gives
up after SEARCH_SECONDS (TimeoutError).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: Longest one search may take.
SEARCH_SECONDS = 1.0


def found(pattern: str, text: str) -> bool:
    """Whether `pattern` occurs in `text`; TimeoutError when the search takes longer than SEARCH_SECONDS."""
    return _compiled(pattern).search(text, timeout=SEARCH_SECONDS) is not None


def fully_matched(pattern: str, text: str) -> bool:
    """Whether `pattern` matches the whole of `text` (a label matcher's `=~`); TimeoutError as `found`."""
    return _compiled(pattern).fullmatch(text, timeout=SEARCH_SECONDS) is not None


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not a regular expression (a value inserted with `| raw` can break one at run time), or None."""
    try:
        _compiled(pattern)
    except Exception as exc:  # regex.error: the module loads lazily, so its class is not named here
        return f"/{pattern}/ is not a valid regular expression: {exc}"
    return None


def compile_problem(pattern: str) -> str | None:
    """Why validate refuses `pattern` (the words after "expected a regular expression: "), or None.

    Decided by the module that searches with it: `re` reads `[[:digit:]]` as a set of characters (with a
    FutureWarning on stderr) where `regex` reads a POSIX class, so `[[:digits:]]` passed `re` and failed the step
    at run time. A pattern with no set (`[`) reads alike in both (VERSION0 is `re`'s behaviour): `re` says, and
    `regex` is not imported for it.
    """
    try:
        if "[" in pattern:
            _compiled(pattern)
        else:
            re.compile(pattern)
    except Exception as exc:  # re.error, regex.error (loaded lazily, so not named here)
        return str(exc)
    return None


def too_slow(pattern: str) -> str:
    """What to say when a search of `pattern` gave up."""
    return f"/{pattern}/ was searched for {SEARCH_SECONDS:g} s without an answer (a pattern that backtracks, such as nested repeats)"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    import regex  # type: ignore[import-untyped]  # (no stubs in the lock) ~17 ms: when first needed, not before the first frame

    return regex.compile(pattern, flags=regex.VERSION0)  # VERSION0: `re`'s behaviour, as validate checked the pattern
