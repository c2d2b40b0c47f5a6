"""Every YAML syntax error says what was expected (the contract's "names the file, line and column, and says what was
expected"), also where PyYAML's own words say only what it found and no hint fits.

Before: `invalid YAML: found incompatible YAML document`, `found character that cannot start any token while scanning
for the next token` (a value starting with `@`), `mapping values are not allowed in this context` (a `:` glued into
a key), `found unknown directive name`, with nothing expected.
"""

from __future__ import annotations

import pytest
from helpers_runbook import at, only_error

CASES = [
    ("%YAML 2.0\n---\nrunbook: 1\n", (1, 1), "found incompatible YAML document; expected %YAML 1.1 or 1.2, or no %YAML line"),
    ("%YAML 1.1\n%YAML 1.1\n---\nrunbook: 1\n", (2, 1), "found duplicate %YAML directive; expected one %YAML line"),
    ("%FOO bar\n---\nrunbook: 1\n", (1, 5), "found unknown directive name while scanning a directive; expected a key at the line's start"),
    ("runbook: 1\nid: t\ntitle: @home\n", (3, 8), "cannot start any token while scanning for the next token; expected a value that starts otherwise"),
    ("runbook: 1\nparams:\n  replica:pe: string, default: db2}\n", (3, 30), "mapping values are not allowed in this context; expected one 'key: value' a line"),
]


@pytest.mark.parametrize(("text", "where", "said"), CASES, ids=["version", "twice", "directive", "at-sign", "glued-colon"])
def test_a_yaml_syntax_error_says_what_was_expected(write_runbook, text, where, said):
    err = only_error(write_runbook(text))
    assert (at(err), said in err.message, err.message.startswith("invalid YAML: ")) == (where, True, True), err.message
