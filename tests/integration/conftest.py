"""Fixtures of the integration tests; the helpers live in integration_cli.py (a unique module name to import from)."""

from integration_cli import cli  # noqa: F401  (a Cli for the session's sshd in tmp_path)
