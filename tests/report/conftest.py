"""Fixtures of the report tests: `lab` (tests/share) for the journals of shared runs."""

from tests.share.share_peers import lab  # noqa: F401  (a test's folder: keys, runbooks, state, known_hosts; stops what it started)
