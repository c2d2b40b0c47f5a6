"""`re.compile` for a module's patterns, compiled when first used rather than when the module is imported.

`re` compiles a pattern in Python (its parser and compiler): 20-100 us each. Our modules keep
~140 patterns as module constants; a run's first frame imported 118 of them and used 19 (the
rest check commands, PromQL, plans and words the runbook or the screen never reached): ~6 ms
of every start (bench/README.md, session 35). Those every load or every start uses (YAML
scalars, template splitting, a command's first look, theme names) stay `re.compile`d at import:
compiled either way, and a load's own time is not made to carry them.

`compile` returns a stand-in whose methods are the compiled pattern's own, bound at the first
use: a call then costs what the pattern's does. Patterns only: a stand-in is no `re.Pattern`
to `isinstance` or to `re.sub`, so it serves constants used through their methods
(`tests/runbook/test_lazy_re.py` compiles every one in the package, so a broken pattern still
fails the tests, not a run).
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

#: What a stand-in hands on from its compiled pattern (the methods and attributes of `re.Pattern` that code reads).
_TAKEN = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "flags", "groups", "groupindex")


class LazyPattern:
    """A pattern compiled at the first read of one of its methods or attributes; `pattern` is the source as given."""

    __slots__ = ("pattern", "_flags", *_TAKEN)

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern, self._flags = pattern, flags

    def __getattr__(self, name: str) -> Any:  # only reached while the slot is empty: the first use
        if name not in _TAKEN:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for taken in _TAKEN:
            setattr(self, taken, getattr(compiled, taken))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self.pattern!r}, {self._flags!r})"


def compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """`re.compile(pattern, flags)` at the first use of what is returned (typed as the pattern it stands for)."""
    return cast("re.Pattern[AnyStr]", LazyPattern(pattern, flags))
