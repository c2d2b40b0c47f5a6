"""Hostile input for the runbook loader: whatever bytes arrive, the answer is a runbook or a list of
positioned diagnostics, promptly. Never another exception, never a hang.

Also the loader's limits: a huge file, deep nesting and alias bombs are refused with the limit named.
"""

from __future__ import annotations

import signal
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_tui.runbook import document
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import Loaded, load_runbook, load_text

FILE = "fuzz.yaml"
BUDGET_SECONDS = 5

VALID = textwrap.dedent(
    """\
    runbook: 1
    id: fuzz-target
    title: "Restart {{ service }} on {{ target }}"
    ticket:
      id: CHG-1
      subject: restart
      window: {start: 2026-11-23T02:00:00+09:00, end: 2026-11-23T04:00:00+09:00}
      assignee: alice
      verifier: bob
      risk: {level: low, summary: brief blip, mitigations: [rehearsed]}
    params:
      service: {type: choice, choices: [nginx, haproxy], default: nginx}
      target: {type: string, default: web1, pattern: '^[a-z0-9]+$'}
      pause: {type: int, default: 5, min: 0, max: 60}
    hosts:
      web:
        - {name: web1, address: 10.0.0.5, port: 22, user: ops}
    secrets:
      token: {env: FUZZ_TOKEN}
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: look
            title: Look
            run: systemctl is-active {{ service }}
            expect: {exit: [0, 3], stdout: '^active$'}
            capture: state
            timeout: 30s
      - id: impl
        title: Change
        kind: implement
        steps:
          - id: restart
            title: Restart
            on: web
            run: "echo {{ captured.state }} {{ host.name }}; systemctl restart {{ service }}"
            undo: systemctl start {{ service }}
            checkpoint: true
            serial: [1, "50%"]
            retries: 1
          - id: wait
            title: Settle
            wait: "{{ pause }}s"
          - id: ask
            title: Looks fine?
            ask: Does the dashboard look fine?
    """
)


class Hang(Exception):
    pass


@contextmanager
def time_budget(seconds: int = BUDGET_SECONDS) -> Iterator[None]:
    """Fail (instead of hanging the suite) when one input takes longer than `seconds`."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"the loader took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(data: bytes) -> Loaded | RunbookInvalid:
    """Load `data`; anything but Loaded or a well-formed RunbookInvalid fails the test."""
    with time_budget():
        try:
            result = load_text(data, FILE)
        except RunbookInvalid as invalid:
            check_diagnostics(invalid)
            return invalid
    assert isinstance(result, Loaded)
    return result


def check_diagnostics(invalid: RunbookInvalid) -> None:
    assert invalid.diagnostics, "RunbookInvalid without a diagnostic"
    assert invalid.errors, "RunbookInvalid without an error"
    for diagnostic in invalid.diagnostics:
        assert diagnostic.mark.file, diagnostic
        assert isinstance(diagnostic.mark.line, int) and diagnostic.mark.line >= 1, diagnostic
        assert isinstance(diagnostic.mark.col, int) and diagnostic.mark.col >= 1, diagnostic
        assert isinstance(diagnostic.message, str) and diagnostic.message.strip(), diagnostic
        str(diagnostic)  # FILE:LINE:COL: message formats


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_the_seed_runbook_loads() -> None:
    assert isinstance(outcome(VALID.encode()), Loaded)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)


#: Pieces of YAML syntax and of the runbook schema, shuffled into text that is almost YAML.
YAMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                ":",
                ": ",
                "- ",
                "-",
                "[",
                "]",
                "{",
                "}",
                ",",
                "?",
                "? ",
                "&a ",
                "*a",
                "*b",
                "&b ",
                "!!str ",
                "!!int ",
                "!!binary ",
                "!!python/object:os.system ",
                "!!timestamp ",
                "!!float ",
                "|",
                ">",
                "|-",
                "'",
                '"',
                "#",
                "%YAML 1.1\n",
                "---\n",
                "...\n",
                "\n",
                "  ",
                "    ",
                "\t",
                "<<: ",
                "~",
                "null",
                "true",
                "1e309",
                "0x1F",
                "0o7",
                ".nan",
                "-.inf",
                "2026-11-23T02:00:00+09:00",
                "{{ ",
                " }}",
                "{% ",
                " %}",
                "{{ x }}",
                "{{ params.nope }}",
                "{{ captured.x }}",
                "runbook: 1\n",
                "id: x\n",
                "title: t\n",
                "sections:\n",
                "steps:\n",
                "run: ",
                "undo: ",
                "wait: ",
                "note: ",
                "ask: ",
                "params:\n",
                "type: ",
                "choice",
                "list",
                "int",
                "default: ",
                "pattern: ",
                "'[('",
                "hosts:\n",
                "from_param: ",
                "secrets:\n",
                "env: ",
                "keyring: ",
                "metrics:\n",
                "panels:\n",
                "serial: ",
                "max_fail: ",
                "expect:\n",
                "exit: ",
                "stdout: ",
                "timeout: ",
                "99999999999999999999h",
                "retries: ",
                "-1",
                "capture: ",
                "on: ",
                "local",
                "ticket:\n",
                "window:\n",
                "start: ",
                "end: ",
                "\ufeff",
                "\u2028",
                "\x85",
                "é",
                "\U0001f4a5",
            ]
        ),
        st.text(max_size=12),
    ),
    max_size=80,
).map("".join)


@FUZZ
@given(YAMLISH)
def test_yamlish_text(text: str) -> None:
    outcome(text.encode("utf-8", "surrogatepass"))


LINES = VALID.splitlines(keepends=True)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "truncate", "indent"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            at = draw(st.integers(0, len(lines[i])))
            chars = draw(st.text(min_size=1, max_size=5))
            lines[i] = lines[i][:at] + chars + lines[i][at:]
        elif op == "replace":
            at = draw(st.integers(0, max(0, len(lines[i]) - 1)))
            lines[i] = lines[i][:at] + draw(st.characters()) + lines[i][at + 1 :]
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[i].lstrip(" ")
    text = "".join(lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=4)) + data[cut:]
    return data


@FUZZ
@given(mutated())
def test_mutations_of_a_valid_runbook(data: bytes) -> None:
    outcome(data)


# -- limits ---------------------------------------------------------------------------------------


def refused(data: bytes) -> RunbookInvalid:
    result = outcome(data)
    assert isinstance(result, RunbookInvalid), "a hostile document was accepted"
    return result


def test_a_file_over_the_size_limit_is_refused_naming_it(tmp_path: Path) -> None:
    data = VALID.encode() + b"# " + b"x" * document.MAX_BYTES + b"\n"
    invalid = refused(data)
    [error] = invalid.errors
    assert (error.mark.line, error.mark.col) == (1, 1)
    assert error.message == f"runbook is {len(data)} bytes; the limit is 4 MiB"
    # From a file too: refused before it is read whole.
    path = tmp_path / "huge.yaml"
    path.write_bytes(data)
    with time_budget(), pytest.raises(RunbookInvalid) as caught:
        load_runbook(path)
    assert "the limit is 4 MiB" in caught.value.errors[0].message
    assert caught.value.errors[0].mark.file == str(path)


def test_a_file_just_under_the_size_limit_is_not_refused_for_size() -> None:
    data = VALID.encode()
    data += b"#" * (document.MAX_BYTES - len(data) - 1) + b"\n"
    assert len(data) == document.MAX_BYTES
    assert isinstance(outcome(data), Loaded)


@pytest.mark.parametrize(
    "data, line",
    [
        (b"[" * 100_000 + b"]" * 100_000, 1),
        (b"{a: " * 10_000 + b"1" + b"}" * 10_000, 1),
        ("".join("  " * i + "k:\n" for i in range(200)).encode(), 65),
        ("".join("  " * i + "-\n" for i in range(200)).encode(), 65),
        (VALID.replace("risk: {level: low", "risk: {level: " + "[" * 70 + "]" * 70).encode(), 10),
    ],
    ids=["flow-lists", "flow-maps", "block-maps", "block-lists", "inside-a-runbook"],
)
def test_deep_nesting_is_refused_naming_the_limit(data: bytes, line: int) -> None:
    invalid = refused(data)
    [error] = invalid.errors
    assert error.message == "nested deeper than 64 levels; the limit is 64"
    assert error.mark.line == line


def test_nesting_at_the_limit_is_read() -> None:
    invalid = refused(b"[" * 64 + b"]" * 64)  # readable, just not a runbook
    assert "nested deeper" not in str(invalid)


BILLION_LAUGHS = b"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + b"".join(
    b"%s: &%s [%s]\n" % (name, name, b", ".join([b"*" + prev] * 9))
    for prev, name in zip(b"abcdefgh", b"bcdefghi")
    for prev, name in [(bytes([prev]), bytes([name]))]
)


def test_billion_laughs_is_refused_as_too_many_aliases() -> None:
    invalid = refused(BILLION_LAUGHS)
    [error] = invalid.errors
    assert error.message.startswith("too many aliases"), error.message
    assert error.mark.line >= 1 and error.mark.col >= 1


@pytest.mark.parametrize("data", [b"a: &a [*a]\n", b"a: &a {b: *a}\n", b"runbook: 1\nid: &x {k: [*x]}\n"])
def test_an_anchor_inside_itself_is_refused(data: bytes) -> None:
    invalid = refused(data)
    assert any(e.message.startswith("too many aliases") for e in invalid.errors), invalid.errors


def test_a_few_aliases_still_work() -> None:
    text = VALID.replace("      subject: restart", "      subject: &subj restart").replace("            title: Settle", "            title: *subj")
    result = outcome(text.encode())
    assert isinstance(result, Loaded)


# -- inputs that are not what their size says (issue 13) --------------------------------------------


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_device_or_a_fifo_is_refused_without_reading_it(tmp_path: Path, kind: str) -> None:
    """`stat` says 0 bytes for both; reading /dev/zero never ends and opening a FIFO blocks."""
    import os

    if kind == "fifo":
        path = tmp_path / "runbook.yaml"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    with time_budget(), pytest.raises(RunbookInvalid) as caught:
        load_runbook(path)
    [error] = caught.value.errors
    assert "expected a regular file" in error.message and (error.mark.line, error.mark.col) == (1, 1)


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "huge"])
def test_a_parameter_from_a_file_is_bounded_too(tmp_path: Path, source: str) -> None:
    import os

    from runbook_tui.runbook.params import ParamError, parse_assignments

    path = Path(source)
    if source == "fifo":
        path = tmp_path / "value"
        os.mkfifo(path)
    elif source == "huge":
        path = tmp_path / "value"
        path.write_bytes(b"x" * (document.MAX_BYTES + 1))
    with time_budget(), pytest.raises(ParamError, match=r"regular file|the limit is 4 MiB|the pipe gave no text"):
        parse_assignments([f"x=@{path}"])


MEMORY_PROBE = """
import resource, sys
from runbook_tui.runbook import document
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_text
data = b"[" + b"{}," * (document.MAX_BYTES // 3 - 1) + b"{}]"  # built without a list: the peak is the loader's
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_text(data, "many.yaml")
except RunbookInvalid as invalid:
    print(invalid.errors[0].message)
print(len(data), (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def test_a_document_of_a_million_empty_values_is_refused_before_composing() -> None:
    """4 MiB of `[{},{},...]` took 1.6 GB once composed; the walk counts values first and stops (in a fresh process, to measure its peak)."""
    import subprocess
    import sys

    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, timeout=120, check=False)
    assert probe.returncode == 0, probe.stderr
    message, sizes = probe.stdout.splitlines()
    size, grown = map(int, sizes.split())
    assert f"more than {document.MAX_NODES} values" in message
    assert grown < 10 * size, f"the loader grew by {grown} bytes for a {size}-byte file"


@pytest.mark.parametrize(("data", "where"), [(b"runbook: 1\nid: a\n\n\n\x00\n", (5, 1)), (b'runbook: 1\ntitle: "a\x00b"\n', (2, 10))])
def test_a_nul_is_reported_at_its_own_line(data: bytes, where: tuple[int, int]) -> None:
    [error] = refused(data).errors
    assert (error.mark.line, error.mark.col) == where
    assert "U+0000" in error.message
