"""`expect.stdout`: the runbook's pattern searched in a command's output (hostile), in bounded time.

The step's timeout does not cover the search (the command is over): a pattern that backtracks without
end on the output held the event loop, and the assignee's screen, for ever. The search gives up after
`bounded_search.SEARCH_SECONDS`; that counts as no match, and the step says why.

A pattern that holds a secret's value (`{{ secrets.tok | raw }}`) is named as it is shown (`shown`: the
secret as `***`), and when it is no valid pattern the step does not say where it broke: `missing ) at
position 17` told the secret's length and one of its characters.
"""

from __future__ import annotations

from runbook_tui.runbook.bounded_search import found, pattern_problem, too_slow


class ExpectationError(ValueError):
    """`expect.stdout` rendered to no valid pattern (a value inserted with `| raw`)."""


class StdoutExpectation:
    """A step's `expect.stdout`, rendered for its run; ExpectationError when it is no pattern."""

    def __init__(self, pattern: str, shown: str | None = None) -> None:
        self.pattern = pattern
        self.shown = pattern if shown is None else shown  # the pattern with each secret as `***`
        problem = pattern_problem(pattern)
        if problem is not None and self.shown != pattern:
            raise ExpectationError(
                f"expect.stdout: /{self.shown}/ is not a valid regular expression once a secret's value is inserted as written"
                " (where it broke is not shown: it would tell of the secret); write {{ secrets.NAME }} without | raw,"
                " and the secret is matched as it is"
            )
        if problem is not None:
            raise ExpectationError(f"expect.stdout: {problem}")

    def problem(self, text: str) -> str | None:
        """None when the pattern is found in `text`; else why the output does not count as expected."""
        try:
            return None if found(self.pattern, text) else f"stdout did not match /{self.shown}/"
        except TimeoutError:
            return f"stdout: {too_slow(self.shown)}; counted as not matching"
