"""Parameters: `-p NAME=VALUE` text becomes typed values, checked against the declaration.

A wrong value must stop the run before anything executes, with a message
naming the parameter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers_runbook import at, cli_main, errors, load, only_error

PARAMS = """
runbook: 1
id: demo
title: Demo
params:
  count: {type: int, min: 1, max: 10, default: 3}
  ratio: {type: float, min: 0, max: 1, default: 0.5}
  dry: {type: bool, default: false}
  cluster: {type: choice, choices: [pg-main, pg-reporting], default: pg-main}
  hosts: {type: list, default: "a,b"}
  version: {type: string, pattern: '^15\\.\\d+$', default: "15.4"}
  note: {type: string, default: ""}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ count }} {{ ratio }} {{ dry }} {{ cluster }} {{ hosts }} {{ version }}
"""
#: Line of each parameter's declaration in PARAMS (column 3).
LINE = {"count": 5, "ratio": 6, "dry": 7, "cluster": 8, "hosts": 9, "version": 10, "note": 11}


def values(path, given):
    return dict(load(path, given).runbook.param_values)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("count", "7", 7),
        ("count", " 10 ", 10),
        ("ratio", "0.25", 0.25),
        ("ratio", "1", 1.0),
        ("dry", "true", True),
        ("dry", "yes", True),
        ("dry", "False", False),
        ("dry", "0", False),
        ("cluster", "pg-reporting", "pg-reporting"),
        ("hosts", "web1,web2", ["web1", "web2"]),
        ("hosts", " web1 , web 2,web3 ", ["web1", "web 2", "web3"]),
        ("hosts", "  ", []),
        ("hosts", "", []),
        ("version", "15.6", "15.6"),
        ("note", "x; rm -rf / $(id)", "x; rm -rf / $(id)"),
    ],
)
def test_conversion(write_runbook, name, text, expected):
    got = values(write_runbook(PARAMS), {name: text})[name]
    assert got == expected
    assert type(got) is type(expected)


def test_defaults_are_applied_with_their_types(write_runbook):
    assert values(write_runbook(PARAMS), {}) == {
        "count": 3,
        "ratio": 0.5,
        "dry": False,
        "cluster": "pg-main",
        "hosts": ["a", "b"],
        "version": "15.4",
        "note": "",
    }


def test_converted_values_reach_the_command(write_runbook):
    given = {"count": "4", "dry": "yes", "hosts": "web1,web 2"}
    step = load(write_runbook(PARAMS), given).runbook.step("hello")
    assert step.body.value == "echo 4 0.5 true pg-main web1 'web 2' 15.4"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("count", "many", "expected an integer, got 'many'"),
        ("count", "2.5", "expected an integer"),
        ("count", "0", "expected at least 1, got 0"),
        ("count", "11", "expected at most 10, got 11"),
        ("ratio", "half", "expected a number, got 'half'"),
        ("ratio", "-0.1", "expected at least 0"),
        ("ratio", "1.5", "expected at most 1"),
        ("dry", "maybe", "expected true or false, got 'maybe'"),
        ("cluster", "pg-mian", "expected one of pg-main, pg-reporting, got 'pg-mian'"),
        # the pattern as written, not its repr ('^15\\.\\d+$' before: every backslash doubled)
        ("version", "16.1", "'16.1' does not match the pattern '^15\\.\\d+$'"),
        # Python's int()/float() read other scripts' digits; a parameter's value is ASCII (before: 3 and 0.5)
        ("count", "\u0663", "expected an integer, got '\u0663'"),
        ("ratio", "\u0660.\u0665", "expected a number, got '\u0660.\u0665'"),
        # `$` matches before a last line break too (before: '15.6\n' passed '^15\.\d+$')
        ("version", "15.6\n", "'15.6\\n' ends with a line break, which only the pattern's $ lets through; expected a value matching"),
        ("hosts", "", None),  # an empty list is fine: the control case
        # an empty item is a name lost in typing (before: dropped without a word, `a,,b` ran on a and b)
        ("hosts", "a,,b", "item 2 of 'a,,b' is empty; expected a value between each two commas (an empty value for no items)"),
        ("hosts", "a, b,", "item 3 of 'a, b,' is empty"),
        ("hosts", ",a", "item 1 of ',a' is empty"),
    ],
)
def test_bad_value_is_an_error_naming_the_parameter(write_runbook, name, text, expected):
    path = write_runbook(PARAMS)
    if expected is None:
        load(path, {name: text})
        return
    err = only_error(path, {name: text})
    assert at(err) == (LINE[name], 3)
    assert f"parameter '{name}'" in err.message
    assert expected in err.message


def test_pattern_applies_to_each_list_item(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        params:
          hosts: {type: list, pattern: '^web\\d+$'}
        sections:
          - id: main
            steps:
              - id: hello
                run: echo {{ hosts }}
        """
    )
    assert values(path, {"hosts": "web1,web2"}) == {"hosts": ["web1", "web2"]}
    err = only_error(path, {"hosts": "web1,db1"})
    assert "parameter 'hosts'" in err.message and "'db1'" in err.message


def test_a_pattern_that_backtracks_on_a_value_gives_up_with_a_message(write_runbook):
    """`(x+x+)+y` against 5,000 `x` takes Python's `re` longer than anyone waits: `validate` (and the picker's form, and
    the run's start) hung on a value typed by someone; the search now gives up after a second and says so."""
    document = {"runbook": 1, "id": "demo", "title": "Demo", "params": {"tag": {"type": "string", "pattern": "(x+x+)+y"}}}
    document["sections"] = [{"id": "main", "steps": [{"id": "hello", "run": "echo {{ tag }}"}]}]
    path = write_runbook(json.dumps(document))  # JSON is YAML
    err = only_error(path, {"tag": "x" * 5000})
    assert "parameter 'tag'" in err.message and "/(x+x+)+y/ was searched for 1 s without an answer" in err.message, err.message


def test_float_nan_is_outside_min_max(write_runbook):
    err = only_error(write_runbook(PARAMS), {"ratio": "nan"})
    assert "parameter 'ratio'" in err.message


def test_float_infinity_is_outside_max(write_runbook):
    err = only_error(write_runbook(PARAMS), {"ratio": "inf"})
    assert "parameter 'ratio'" in err.message


REQUIRED = """
runbook: 1
id: demo
title: Demo
params:
  to_version: {type: string, required: true}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ to_version }}
"""


def test_missing_required_parameter(write_runbook):
    err = only_error(write_runbook(REQUIRED), {})
    assert at(err) == (5, 3)
    assert "parameter 'to_version' is required" in err.message
    assert "-p to_version=VALUE" in err.message


def test_required_parameter_given(write_runbook):
    assert load(write_runbook(REQUIRED), {"to_version": "15.6"}).runbook.step("hello").body.value == "echo 15.6"


def test_unknown_parameter_name(write_runbook):
    found = errors(write_runbook(REQUIRED), {"to_version": "15.6", "to_verison": "15.7"})
    assert len(found) == 1
    assert at(found[0]) == (4, 1)  # the params: key
    assert "unknown parameter 'to_verison'" in found[0].message
    assert "to_version" in found[0].message.split("declares:")[1]


def test_unknown_parameter_when_none_declared(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: hello
                run: echo hi
        """
    )
    err = only_error(path, {"cluster": "x"})
    assert at(err) == (1, 1)
    assert "unknown parameter 'cluster'" in err.message


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        ("{type: int, default: abc}", "parameter 'p': expected an integer, got 'abc'"),
        ("{type: int, default: 50, max: 10}", "parameter 'p': expected at most 10, got 50"),
        ("{type: choice, choices: [a, b], default: z}", "parameter 'p': expected one of a, b, got 'z'"),
        ("{type: string, pattern: '^v', default: x1}", "parameter 'p': 'x1' does not match the pattern"),
        ("{type: bool, default: maybe}", "parameter 'p': expected true or false"),
        # before: the items became Python's text, `{'b': 1}`, `['c']`, `None`, and reached the command so
        ("{type: list, default: [a, {b: 1}]}", "parameter 'p': expected a list of texts, numbers or true/false, got a mapping as item 2"),
        ("{type: list, default: [a, [c]]}", "parameter 'p': expected a list of texts, numbers or true/false, got a list as item 2"),
        ("{type: list, default: [null, a]}", "parameter 'p': expected a list of texts, numbers or true/false, got nothing (null) as item 1"),
        # an empty item, as `-p p=a,,b` is refused (before: kept in the default, dropped from -p: `a, ` in the form)
        ("{type: list, default: [a, '']}", "parameter 'p': expected a list of texts, numbers or true/false, got an empty text as item 2"),
        # before: the list ["{'a': 1}"] (Python's text of the mapping), and `expected a string, got YMap` / `got list`
        ("{type: list, default: {a: 1}}", "parameter 'p': expected a list of texts, numbers or true/false, got a mapping"),
        ("{type: string, default: {a: 1}}", "parameter 'p': expected a string, got a mapping"),
        ("{type: string, default: [a]}", "parameter 'p': expected a string, got a list"),
    ],
)
def test_default_is_type_checked(write_runbook, declaration, expected):
    path = write_runbook(
        f"""
        runbook: 1
        id: demo
        title: Demo
        params:
          p: {declaration}
        sections:
          - id: main
            steps:
              - id: hello
                run: echo {{{{ p }}}}
        """
    )
    err = only_error(path)
    default = {key.value: value for key, value in yaml.compose(declaration).value}["default"]
    item = re.search(r"as item (\d+)$", expected)  # a list's item at fault: at that item (before: at the list's start)
    spot = default.value[int(item[1]) - 1] if item else default
    assert at(err) == (5, len("  p: ") + spot.start_mark.column + 1)  # at the default value
    assert expected in err.message


def test_a_default_item_at_fault_is_named_at_its_own_line(write_runbook):
    """A block list's item, an item rendered from a template, and a rendered default that fails the pattern: each error
    at the item or the default that holds it (before: at the list's first item, and at the parameter's name)."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        params:
          base: {type: string, default: x}
          typed:
            type: list
            default:
              - a
              - [c]
          patterned:
            type: list
            pattern: "^[a-z]+$"
            default:
              - a
              - B
          named:
            type: list
            default:
              - a
              - "{{ nope }}"
          rendered:
            type: list
            pattern: "^[a-z]+$"
            default:
              - a
              - "{{ base }}X"
          single: {type: string, pattern: "^[a-z]+$", default: "{{ base }}X"}
        sections:
          - id: main
            steps:
              - id: hello
                run: echo {{ typed }} {{ patterned }} {{ named }} {{ rendered }} {{ single }}
        """
    )
    found = {at(err): err.message for err in errors(path)}
    assert found == {
        (10, 9): "default: parameter 'typed': expected a list of texts, numbers or true/false, got a list as item 2",
        (16, 9): "default: parameter 'patterned': 'B' does not match the pattern '^[a-z]+$'; expected a value it matches",
        (
            21,
            9,
        ): "undefined name 'nope'; expected a declared parameter (base, named, patterned, rendered, single, typed) or one of: params, ticket, secrets, captured, host, now",
        (27, 9): "parameter 'rendered': 'xX' does not match the pattern '^[a-z]+$'; expected a value it matches",
        (28, 56): "parameter 'single': 'xX' does not match the pattern '^[a-z]+$'; expected a value it matches",
    }


def test_default_in_yaml_type_is_converted(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        params:
          pause: {type: int, default: "30"}
          on: {type: bool, default: yes}
          names: {type: list, default: [a, b]}
          pick: {type: choice, choices: [1, 2], default: 2}
        sections:
          - id: main
            steps:
              - id: hello
                run: echo {{ pause }}
        """
    )
    assert values(path, {}) == {"pause": 30, "on": True, "names": ["a", "b"], "pick": 2}
    assert values(path, {"pick": "1"})["pick"] == 1  # -p text matches a numeric choice


# -- through the command line -------------------------------------------------------------------


def plan_params(capsys, args):
    code = cli_main(["plan", "--json", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out)["params"] if code == 0 else None), err


def test_cli_p_converts_and_repeats(write_runbook, capsys):
    path = write_runbook(PARAMS)
    code, params, _ = plan_params(capsys, [str(path), "-p", "count=9", "-p", "hosts=x,y", "-p", "note=a=b"])
    assert code == 0
    assert params["count"] == 9 and params["hosts"] == ["x", "y"]
    assert params["note"] == "a=b"  # only the first '=' separates name from value


def test_cli_p_at_file_reads_the_value(write_runbook, tmp_path, capsys):
    path = write_runbook(PARAMS)
    (tmp_path / "note.txt").write_text("line one\nline 'two'\n", encoding="utf-8")
    code, params, _ = plan_params(capsys, [str(path), "-p", f"note=@{tmp_path / 'note.txt'}"])
    assert code == 0
    assert params["note"] == "line one\nline 'two'"  # the final newline dropped, as $(cat FILE) would


def test_cli_p_at_file_saved_on_windows_gives_the_value_without_its_line_end_or_bom(write_runbook, tmp_path, capsys):
    """A file an editor saved with CRLF line ends (and a UTF-8 byte order mark): `-p note=@note.txt` kept the final
    CR, invisible, in the value (`'15.6\\r'` fails its pattern; without one it reached the commands), and the mark
    at its start (`'\\ufeff3'` was "expected an integer")."""
    path = write_runbook(PARAMS)
    (tmp_path / "note.txt").write_bytes(b"\xef\xbb\xbfline one\r\nline two\r\n")
    (tmp_path / "count.txt").write_bytes(b"\xef\xbb\xbf7\r\n")
    code, params, err = plan_params(capsys, [str(path), "-p", f"note=@{tmp_path / 'note.txt'}", "-p", f"count=@{tmp_path / 'count.txt'}"])
    assert code == 0, err
    assert params["note"] == "line one\r\nline two"  # inner line ends stay as written
    assert params["count"] == 7


def test_cli_p_at_file_gives_a_list_one_item_per_line(write_runbook, tmp_path, capsys):
    """`-p hosts=@hosts.txt` took the whole file as one item (`host name 'web1\\nweb2' has ... a control character`)."""
    path = write_runbook(PARAMS)
    (tmp_path / "hosts.txt").write_text("web1\n\n  web2  \r\nweb-3,x\n\n", encoding="utf-8")
    given = f"@{tmp_path / 'hosts.txt'}"
    code, params, _ = plan_params(capsys, [str(path), "-p", f"hosts={given}", "-p", f"note={given}"])
    assert code == 0
    assert params["hosts"] == ["web1", "web2", "web-3,x"]  # one item per line, blank lines and spaces dropped
    assert params["note"] == "web1\n\n  web2  \r\nweb-3,x"  # a string from a file stays whole


def test_cli_p_list_with_a_line_break_on_the_command_line_stays_one_item(write_runbook, capsys):
    """Only a file is read by lines: a line break typed into -p is still part of its item (a host name refuses it)."""
    path = write_runbook(PARAMS)
    code, params, _ = plan_params(capsys, [str(path), "-p", "hosts=web1\nweb2,x"])
    assert code == 0
    assert params["hosts"] == ["web1\nweb2", "x"]


def test_cli_p_at_missing_file_exits_2(write_runbook, tmp_path, capsys):
    path = write_runbook(PARAMS)
    code, _, err = plan_params(capsys, [str(path), "-p", f"note=@{tmp_path / 'nope.txt'}"])
    assert code == 2
    assert "note" in err and "nope.txt" in err


def test_cli_p_at_without_a_file_name_says_so(write_runbook, capsys):
    """`-p note=@` named the current folder (`-p note=@.: ... got a directory`): a path nobody typed."""
    code, _, err = plan_params(capsys, [str(write_runbook(PARAMS)), "-p", "note=@"])
    assert code == 2
    assert "-p note=@: expected a file name after @" in err and "@." not in err, err


def test_cli_p_at_dash_says_stdin_is_not_read(write_runbook, tmp_path, capsys, monkeypatch):
    """`-p note=@-`, as curl reads stdin: it said `cannot read the file: No such file or directory` of a file nobody meant;
    a file named '-' there is still read."""
    monkeypatch.chdir(tmp_path)
    code, _, err = plan_params(capsys, [str(write_runbook(PARAMS)), "-p", "note=@-"])
    assert code == 2
    assert "-p note=@-: no file named '-' here; standard input is not read: expected NAME=@FILE, or NAME=@@- for the text '@-'" in err, err
    (tmp_path / "-").write_text("from a file\n")
    code, params, _ = plan_params(capsys, [str(write_runbook(PARAMS)), "-p", "note=@-"])
    assert code == 0 and params["note"] == "from a file"


@pytest.mark.parametrize("bad", ["count", "=5"])
def test_cli_p_without_name_or_equals_exits_2(write_runbook, capsys, bad):
    code, _, err = plan_params(capsys, [str(write_runbook(PARAMS)), "-p", bad])
    assert code == 2
    assert "expected NAME=VALUE" in err


def test_cli_bad_param_exits_2_naming_it(write_runbook, capsys):
    path = write_runbook(PARAMS)
    assert cli_main(["validate", str(path), "-p", "count=99", "-p", "colour=red"]) == 2
    _, err = capsys.readouterr()
    lines = err.splitlines()
    assert any(line.startswith(f"{path}:5:3: ") and "parameter 'count'" in line for line in lines)
    assert any(line.startswith(f"{path}:4:1: ") and "unknown parameter 'colour'" in line for line in lines)


@pytest.mark.parametrize("second", ["version=15.4", " version=15.6", "version=@v.txt"])
def test_cli_a_parameter_given_twice_exits_2_naming_both(write_runbook, capsys, tmp_path, second):
    """Before: `-p version=15.6 -p version=15.4` ran with 15.4, silently (the last one won); at 2 AM the line edited from
    the shell's history is the likely mistake, and no rule can tell which value was meant."""
    (tmp_path / "v.txt").write_text("15.4\n")
    code, _, err = plan_params(capsys, [str(write_runbook(PARAMS)), "-p", "version=15.6", "-p", "count=2", "-p", second.replace("@", f"@{tmp_path}/")])
    assert code == 2
    assert err.startswith("runbook-tui: -p 'version=15.6' and -p ") and err.endswith(" both give 'version': expected each parameter once\n"), err


@pytest.mark.parametrize(
    ("choices", "col", "expected"),
    [
        ("[a, {b: 1}]", 34, "parameter 'p': expected each choice a text, number or true/false, got a mapping"),
        ("[a, null]", 34, "parameter 'p': expected each choice a text, number or true/false, got nothing (null)"),
        ("[a, b, a]", 37, "parameter 'p': choice 'a' is listed twice; expected each choice once"),
        ("[1, '1']", 34, "parameter 'p': choice '1' is listed twice; expected each choice once"),
    ],
)
def test_each_choice_is_one_value_listed_once(write_runbook, choices, col, expected):
    """`choices: [a, {b: 1}]` offered a mapping (as Python's text `{'b': 1}`), `[a, b, a]` one value twice."""
    path = write_runbook(
        f"runbook: 1\nid: demo\ntitle: Demo\nparams:\n  p: {{type: choice, choices: {choices}}}\nsections:\n  - id: main\n    steps:\n      - {{id: a, run: 'true'}}\n"
    )
    err = only_error(path)
    assert (at(err), err.message) == ((5, col), expected)


def test_a_value_from_a_pipe_is_read_as_from_a_file_and_bounded_too(tmp_path: Path) -> None:
    """`-p token=@<(pass show db)` (bash's process substitution: a pipe at /dev/fd/N) keeps a secret off the disk and out
    of the shell's history; it was refused, `cannot read the file: expected a regular file, got a FIFO`. Now a pipe is
    read as a file is, within the same limit; a named pipe nothing writes to is said, not taken as an empty value."""
    import os
    import subprocess
    import sys

    from runbook_tui.runbook.document import MAX_BYTES
    from runbook_tui.runbook.params import ParamError, parse_assignments

    script = 'exec "$0" -c "import sys; from runbook_tui.runbook.params import parse_assignments as p; print(repr(p(sys.argv[1:])))" "x=@"<(printf "s3cr3t\\n")'
    done = subprocess.run(["bash", "-c", script, sys.executable], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout) == (0, "{'x': 's3cr3t'}\n"), done.stderr
    huge = (
        f'exec "$0" -c "import sys; from runbook_tui.runbook.params import parse_assignments as p; p(sys.argv[1:])" "x=@"<(head -c {MAX_BYTES + 10} /dev/zero)'
    )
    done = subprocess.run(["bash", "-c", huge, sys.executable], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1 and "the limit is 4 MiB" in done.stderr, done.stderr
    fifo = tmp_path / "value"
    os.mkfifo(fifo)
    with pytest.raises(ParamError, match=r"the pipe gave no text \(does anything write to it\?\); expected the value"):
        parse_assignments([f"x=@{fifo}"])
