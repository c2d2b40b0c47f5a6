"""Fixtures of the shared-session tests; the helpers live in share_peers.py (a unique module name to import from)."""

from share_peers import lab  # noqa: F401  (a test's folder: keys, runbooks, state, known_hosts; stops what it started)
