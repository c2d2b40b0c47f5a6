"""YAML features a runbook does not use, and encodings it is not in: each refused at its `FILE:LINE:COL` in words.

Merge keys (`<<: *base`) were read as a key named `<<`: "unknown key '<<'" in a step, and silently a
variable named `<<` in a host's `vars:`. A second document, a repeated anchor and an undefined alias
printed PyYAML's pieces out of order ("but found another document expected a single document in the
stream"). A non-UTF-8 byte was reported at column 1 of its line, UTF-16 as "bytes that are not".
"""

from __future__ import annotations

import pytest
from helpers_runbook import MINIMAL

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_text

_MERGE = "'<<' (a YAML merge key) is not supported; expected the keys written out (an alias *name may stand for a whole value)"

HOSTS = """\
hosts:
  web:
    - {name: web1, address: 10.0.0.1, vars: &v {mode: "0644"}}
  db:
    - {name: db1, address: 10.0.0.2, vars: {<<: *v}}
"""


def _errors(data: bytes) -> list[str]:
    with pytest.raises(RunbookInvalid) as raised:
        load_text(data, "R.yaml")
    return [str(d) for d in raised.value.errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL.replace("      - id: hello\n", "      - &s {id: a, run: echo a}\n      - <<: *s\n        id: hello\n"), ["R.yaml:8:9: " + _MERGE]),
        (MINIMAL + HOSTS, ["R.yaml:13:45: " + _MERGE]),  # in vars: silently a variable named `<<`
        (MINIMAL.replace("run: echo hello", 'run: echo hello\n        "<<": {env: {A: "1"}}'), ["R.yaml:9:9: " + _MERGE]),
        (MINIMAL + "---\n" + MINIMAL, ["R.yaml:9:1: a second YAML document starts here; expected one document per file (the first starts at line 1)"]),
        ("x: &a 1\ny: &a 2\n" + MINIMAL, ["R.yaml:2:4: anchor '&a' again (first at line 1); expected each anchor name once"]),
        (MINIMAL.replace("run: echo hello", "run: *nope"), ["R.yaml:8:14: alias '*nope': expected the name of an anchor (&name) defined before it"]),
    ],
    ids=["merge-in-a-step", "merge-in-vars", "quoted-merge", "two-documents", "anchor-twice", "undefined-alias"],
)
def test_each_is_refused_at_its_position_in_words(text: str, expected: list[str]) -> None:
    assert _errors(text.encode()) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (MINIMAL.replace("title: Demo", "title: Caf\xe9").encode("latin-1"), "R.yaml:3:11: expected UTF-8 text; the byte 0xE9 is not"),
        (MINIMAL.encode("utf-16"), "R.yaml:1:1: expected UTF-8 text; the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"),
    ],
    ids=["latin-1", "utf-16"],
)
def test_text_that_is_not_utf8_is_named_at_its_byte(data: bytes, expected: str) -> None:
    assert _errors(data) == [expected]


@pytest.mark.parametrize(
    ("data", "lines_before"),
    [
        (b"\xef\xbb\xbf" + MINIMAL.encode(), 0),
        (MINIMAL.replace("\n", "\r\n").encode(), 0),
        (MINIMAL.replace("\n", "\r").encode(), 0),
        (("%YAML 1.1\n---\n" + MINIMAL).encode(), 2),
    ],
    ids=["bom", "crlf", "lone-cr", "yaml-directive"],
)
def test_line_ends_a_bom_and_a_directive_read_as_plain_text_does(data: bytes, lines_before: int) -> None:
    """The same values at the same positions (a lone CR ends a line, as editors show it)."""
    plain = load_text(MINIMAL.encode(), "R.yaml").runbook.sections[0].steps[0]
    loaded = load_text(data, "R.yaml").runbook.sections[0].steps[0]
    assert plain.body is not None and loaded.body is not None
    assert (loaded.title, loaded.body.value, loaded.body.mark.line, loaded.body.mark.col) == (
        plain.title,
        plain.body.value,
        plain.body.mark.line + lines_before,
        plain.body.mark.col,
    )


def test_python_tags_never_construct_anything() -> None:
    """`!!python/object/apply:os.system` and a `%TAG` shorthand for it: a value of the wrong type or unreadable, nothing runs.
    A tag nothing reads said only PyYAML's `could not determine a constructor for the tag …`, not what was expected."""
    for run, message in [
        ("!!python/object/apply:os.system ['exit 3']", "'run': expected a string, got a list"),
        (
            "!!python/name:os.system",
            "cannot read this value: !!python/name:os.system is no kind of value this file takes; expected text, a number,"
            " true/false or null (the value without !!python/name:os.system)",
        ),
        (
            "!custom x",
            "cannot read this value: !custom is no kind of value this file takes; expected text, a number, true/false or null (the value without !custom)",
        ),
    ]:
        errors = _errors(MINIMAL.replace("run: echo hello", f"run: {run}").encode())
        assert errors == [f"R.yaml:8:14: {message}"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!bool maybe", "cannot read this value: !!bool 'maybe': expected true or false (also yes/no, on/off)"),
        ('!!bool ""', "cannot read this value: !!bool '': expected true or false (also yes/no, on/off)"),
        ('!!float ""', "cannot read this value: !!float '': expected a number"),
        (
            "!!binary aGVsbG8=",
            "cannot read this value: !!binary is no kind of value this file takes; expected text, a number, true/false or null (the value without !!binary)",
        ),
        (
            "!!seq abc",
            "cannot read this value: !!seq is no kind of value this file takes; expected text, a number, true/false or null (the value without !!seq)",
        ),
        (
            "!!map abc",
            "cannot read this value: !!map is no kind of value this file takes; expected text, a number, true/false or null (the value without !!map)",
        ),
        (
            "!!set abc",
            "cannot read this value: !!set is no kind of value this file takes; expected text, a number, true/false or null (the value without !!set)",
        ),
    ],
    ids=["bool-word", "bool-empty", "float-empty", "binary", "seq", "map", "set"],
)
def test_a_tagged_single_value_is_read_as_its_tag_says_or_refused_in_words(value: str, expected: str) -> None:
    """`!!bool maybe` was a `KeyError` traceback; `!!seq abc` (and map, set, omap, pairs) became the text of a Python
    generator (`<generator object SafeConstructor.construct_yaml_seq at 0x...>`) and `!!binary` the repr of bytes
    (`b'hello'`): a parameter's value, a command's word. Now each is refused at its position."""
    text = MINIMAL.replace("title: Demo", f"title: Demo\nparams:\n  v: {{type: string, default: {value}}}")
    assert _errors(text.encode()) == [f"R.yaml:5:30: {expected}"]


def test_plain_equals_and_merge_signs_as_values_are_text() -> None:
    """A plain `=` (YAML 1.1's "value" key) or `<<` as a value was refused with PyYAML's words (`could not determine a
    constructor for the tag 'tag:yaml.org,2002:value'`); they are text, as YAML 1.2 reads them."""
    text = MINIMAL.replace("run: echo hello", "run: echo hello\n        env: {A: =, B: <<}")
    step = load_text(text.encode(), "R.yaml").runbook.sections[0].steps[0]
    assert [(k, v.value) for k, v in step.env] == [("A", "="), ("B", "<<")]
