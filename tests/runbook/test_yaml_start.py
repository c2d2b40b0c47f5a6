"""PyYAML's non-printable check, compiled from the cheap form of the same set (start-up time), rejects exactly what it did."""

from __future__ import annotations

import re

import pytest
import yaml

from runbook_tui import runbook

EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def test_the_listed_form_matches_exactly_the_characters_pyyamls_pattern_does() -> None:
    pyyamls = re.compile(runbook.YAML_NON_PRINTABLE, re.UNICODE)  # another cache key (the same meaning): compiled afresh, not the stand-in
    assert pyyamls.pattern == runbook.YAML_NON_PRINTABLE and pyyamls is not re.compile(runbook.NON_PRINTABLE_LISTED)
    assert re.compile(runbook.NON_PRINTABLE_LISTED).findall(EVERY_CHARACTER) == pyyamls.findall(EVERY_CHARACTER)


def test_pyyaml_checks_printable_text_with_it() -> None:
    assert yaml.reader.Reader.NON_PRINTABLE.pattern in (runbook.NON_PRINTABLE_LISTED, runbook.YAML_NON_PRINTABLE)
    assert yaml.load('a: "é 😀\tb\\u0085"', Loader=yaml.SafeLoader) == {"a": "é 😀\tb\x85"}
    with pytest.raises(yaml.reader.ReaderError, match="#x0007"):
        yaml.load("a: \x07", Loader=yaml.SafeLoader)
