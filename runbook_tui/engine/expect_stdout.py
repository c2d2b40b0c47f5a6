"""`expect.stdout`: the runbook's pattern searched in a command's output, in bounded time.

The output is hostile (a host's command prints what it likes) and a pattern may backtrack without end
(`(x+x+)+y` on a long run of `x`): Python's `re` would hold the event loop, and the assignee's screen
with it, until the search ends, which may be never; the step's timeout does not cover it (the command is
over). The `regex` module reads the same syntax and gives up after SEARCH_SECONDS: such a search counts
as no match, and the step says why.
"""

from __future__ import annotations

#: Longest one search may take (each host's stdout is searched once per attempt).
SEARCH_SECONDS = 1.0


class StdoutExpectation:
    """A step's `expect.stdout`, rendered for its run."""

    def __init__(self, pattern: str) -> None:
        import regex  # type: ignore[import-untyped]  # (no stubs in the lock) ~17 ms: when a step first needs it, not before the first frame

        self.pattern = pattern
        self._compiled = regex.compile(pattern, flags=regex.VERSION0)  # VERSION0: `re`'s behaviour, as validate checked

    def problem(self, text: str) -> str | None:
        """None when the pattern is found in `text`; else why the output does not count as expected."""
        try:
            found = self._compiled.search(text, timeout=SEARCH_SECONDS)
        except TimeoutError:
            return (
                f"stdout was searched for /{self.pattern}/ for {SEARCH_SECONDS:g} s without an answer"
                " (a pattern that backtracks, such as nested repeats); counted as not matching"
            )
        return None if found is not None else f"stdout did not match /{self.pattern}/"
