"""A duration key given a boolean, a list or a mapping is refused in YAML's words, as every other key is.

Before: `timeout: true` said `got True`, `timeout: [30s]` `got ['30s']` and `wait: {a: 1}` `got {'a': 1}`: Python's
spelling of the value; `retries: true` said `got true (a boolean)` and `serial: [...]` a list.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, only_error


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("true", "got true (a boolean)"),
        ("yes", "got yes, which YAML reads as true (a boolean); for the text, quote it: 'yes'"),
        ("[30s]", "got a list"),
        ("{a: 1}", "got a mapping"),
    ],
)
@pytest.mark.parametrize("key", ["timeout", "retry_delay"])
def test_a_duration_of_another_type_is_named_as_yaml_reads_it(write_runbook, key: str, value: str, said: str) -> None:
    path = write_runbook(
        f"""
        runbook: 1
        id: t
        title: T
        sections:
          - id: s
            steps:
              - id: a
                run: echo
                retries: 1
                {key}: {value}
        """
    )
    error = only_error(path)
    assert at(error) == (10, len(key) + 11)
    assert error.message == f"'{key}': expected a duration like 30s, 5m, 1h30m or a number of seconds, {said}"
