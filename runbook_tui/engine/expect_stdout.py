"""`expect.stdout`: the runbook's pattern searched in a command's output (hostile), in bounded time.

The step's timeout does not cover the search (the command is over): a pattern that backtracks without
end on the output held the event loop, and the assignee's screen, for ever. The search gives up after
`bounded_search.SEARCH_SECONDS`; that counts as no match, and the step says why.
"""

from __future__ import annotations

from runbook_tui.runbook.bounded_search import found, pattern_problem, too_slow


class ExpectationError(ValueError):
    """`expect.stdout` rendered to no valid pattern (a value inserted with `| raw`)."""


class StdoutExpectation:
    """A step's `expect.stdout`, rendered for its run; ExpectationError when it is no pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        problem = pattern_problem(pattern)
        if problem is not None:
            raise ExpectationError(f"expect.stdout: {problem}")

    def problem(self, text: str) -> str | None:
        """None when the pattern is found in `text`; else why the output does not count as expected."""
        try:
            return None if found(self.pattern, text) else f"stdout did not match /{self.pattern}/"
        except TimeoutError:
            return f"stdout: {too_slow(self.pattern)}; counted as not matching"
