"""Fixtures of the report tests: `lab` (tests/share) for the journals of shared runs, `cli` (tests/integration) for
runs over the real sshd's aliases."""

from tests.integration.integration_cli import cli  # noqa: F401  (a Cli for the session's sshd in tmp_path)
from tests.share.share_peers import lab  # noqa: F401  (a test's folder: keys, runbooks, state, known_hosts; stops what it started)
