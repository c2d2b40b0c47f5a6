"""A secret whose declaration is refused is said once, at the declaration, not again as undeclared at each use.

Before: `secrets: {t: {}}` and `run: echo {{ secrets.t }}` gave two errors, the second
`undefined secret 'secrets.t'; expected one declared under secrets: (none declared)`: wrong (it is declared), and a
fix there (declare it) already made.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, only_error


@pytest.mark.parametrize(
    ("declared", "said"),
    [
        ("{}", "secret 't': expected exactly one of env: VAR or keyring: {service, username}"),
        ("{env: A, keyring: {service: s, username: u}}", "secret 't': expected exactly one of env: VAR or keyring: {service, username}"),
        ("{env: ''}", "'env': expected the name of an environment variable"),
    ],
)
def test_a_refused_secret_is_one_error_at_its_declaration(write_runbook, declared: str, said: str) -> None:
    path = write_runbook(
        f"""
        runbook: 1
        id: t
        title: T
        secrets:
          t: {declared}
        sections:
          - id: s
            steps:
              - id: a
                run: 'echo {{{{ secrets.t }}}}'
        """
    )
    error = only_error(path)
    assert at(error)[0] == 5, str(error)
    assert said in error.message
