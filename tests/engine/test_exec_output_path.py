"""exec's output path: a chunk of output printed in one piece, as each of its lines was before; no UI or SSH imports.

exec prints an `output` event (a chunk of thousands of lines) with chunk-level
work: one split where `str.splitlines` splits, one pass of the sanitiser. What a
user sees must be what the line-by-line printer showed: every line behind
`  HOST | ` (`!` for stderr), control and format characters shown, never obeyed.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_tui.app.headless import printer
from runbook_tui.engine import events as ev
from runbook_tui.engine.describe import describe
from runbook_tui.engine.fold_steps import last_lines
from runbook_tui.engine.journal import canonical, hashed_line
from runbook_tui.engine.output_text import output_block

#: Characters that make the fast path or the sanitiser work: every line end `splitlines` knows, C0/C1, bidi and zero-width.
TRICKY = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x1b\x07\x9b\t\x7f\u202e\u200b\ufeff"
TEXTS = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=200) | st.text(alphabet=st.sampled_from("ab \n\r\t\x1b"), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=TEXTS,
    host=st.sampled_from(["web1", "evil\x1b]0;x\x07\nhost"]),
    stream=st.sampled_from(["stdout", "stderr"]),
    phase=st.sampled_from(["run", "undo"]),
)
def test_a_chunk_prints_as_describe_shows_its_lines_one_by_one(text: str, host: str, stream: str, phase: str) -> None:
    event = {"type": ev.OUTPUT, "ts": "2026-12-01T12:00:00.000Z", "host": host, "stream": stream, "phase": phase, "text": text}
    assert output_block(event) == "".join(line + "\n" for line in describe(event))


def test_exec_prints_to_a_real_stdout_in_order_whichever_way_a_chunk_is_written() -> None:
    """ASCII chunks go to stdout's binary buffer, others through its text layer, between event lines and a plain
    `print`: what the reader gets is every event's lines, in order, as `describe` gives them."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
    listen = printer(out)
    base = {"ts": "2026-12-01T12:00:00.000Z", "phase": "run", "step": "s1", "actor": "system"}
    events = [
        {**base, "type": ev.STEP_STARTED, "attempt": 1, "hosts": ["web1"]},
        {**base, "type": ev.OUTPUT, "host": "web1", "stream": "stdout", "text": "1\n2\n"},
        {**base, "type": ev.OUTPUT, "host": "web1", "stream": "stderr", "text": "caf\u00e9 \x1b[2J\n"},
        {**base, "type": ev.OUTPUT, "host": "web1", "stream": "stdout", "text": "3\nno newline"},
        {**base, "type": ev.STEP_FINISHED, "status": "done", "hosts": {}},
    ]
    expected = ""
    for event in events:
        listen(event, None)  # type: ignore[arg-type]  # the printer reads the event only
        expected += "".join(line + "\n" for line in describe(event))
        print("between", file=out)
        expected += "between\n"
    out.flush()
    assert raw.getvalue().decode("utf-8") == expected
    assert "  web1 | 1\n  web1 | 2\nbetween\n  web1 ! caf\u00e9 \u241b[2J\nbetween\n  web1 | 3\n  web1 | no newline\nbetween" in expected


def test_crlf_ends_lines_and_escapes_are_shown_not_obeyed() -> None:
    block = output_block({"type": ev.OUTPUT, "host": "web1", "stream": "stdout", "text": "one\r\ntwo\x1b[2J\rthree\n\u202eevil\n"})
    assert block == "  web1 | one\n  web1 | two\u241b[2J\n  web1 | three\n  web1 | \u27e8U+202E\u27e9evil\n"
    assert output_block({"type": ev.OUTPUT, "host": "web1", "stream": "stderr", "text": "last, no newline"}) == "  web1 ! last, no newline\n"
    assert output_block({"type": ev.OUTPUT, "host": "web1", "stream": "stdout", "text": ""}) == ""


RUNBOOK = """\
    runbook: 1
    id: exec-output
    title: Output path
    secrets:
      token: {env: OUTPUT_PATH_TOKEN}
    sections:
      - id: pre
        title: Pre-checks
        kind: precheck
        steps:
          - id: out
            title: print
            run: seq 3; printf 'tok=%s\\n\\033]0;owned\\007\\n' "$OUTPUT_PATH_TOKEN"; echo oops >&2
            verify: none
"""

REPORT_IMPORTS = """
import json, sys
from runbook_tui.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


#: What a local run of a runbook without Jinja templates, notifications or keys must not import (start-up time):
#: the UI, SSH, Jinja (plain and simple templates render without it), the notify stack, practice's history, the signer,
#: difflib (only a wrong key's "did you mean").
NOT_FOR_A_PLAIN_LOCAL_EXEC = ("textual", "asyncssh", "jinja2", "runbook_tui.notify", "runbook_tui.engine.history", "runbook_tui.trust", "difflib")


def test_exec_prints_every_line_masked_and_loads_nothing_a_plain_local_run_does_not_need(tmp_path: Path) -> None:
    runbook = tmp_path / "out.yaml"
    runbook.write_text(textwrap.dedent(RUNBOOK))
    secret = "s3cret-Output-Path"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "OUTPUT_PATH_TOKEN": secret,
        "SSH_AUTH_SOCK": "",
    }
    argv = [sys.executable, "-c", REPORT_IMPORTS, "exec", str(runbook), "--solo", "ci", "--journal", str(tmp_path / "j.jsonl")]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stdout + proc.stderr
    printed = proc.stdout.splitlines()
    out = [line for line in printed if line.startswith("  local ")]
    assert out == ["  local | 1", "  local | 2", "  local | 3", "  local | tok=***", "  local | \u241b]0;owned\u2407", "  local ! oops"]
    assert secret not in proc.stdout
    loaded = sorted(m for m in report["modules"] if m.startswith(NOT_FOR_A_PLAIN_LOCAL_EXEC))
    assert not loaded, f"exec of a plain local runbook loaded {loaded}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, count=st.integers(min_value=1, max_value=5))
def test_the_state_keeps_the_same_last_lines_without_splitting_the_whole_chunk(text: str, count: int) -> None:
    assert last_lines(text, count) == text.splitlines()[-count:]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=st.dictionaries(st.text(max_size=6).filter(lambda key: key != "hash"), JSON_VALUES, max_size=8))
def test_a_journal_line_encoded_once_is_the_canonical_line_with_its_hash(obj: dict[str, object]) -> None:
    digest, line = hashed_line(obj)
    assert digest == hashlib.sha256(canonical(obj)).hexdigest()
    assert line == canonical({**obj, "hash": digest}) + b"\n"


#: Every character but the surrogates, in one text: escaping is per character.
EVERY_CHARACTER = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)


def test_an_output_event_is_written_as_canonical_json_writes_it_for_every_character() -> None:
    event = {"actor": "system", "host": "web1", "phase": "run", "prev": "", "seq": 7, "step": "s", "stream": "stdout", "text": EVERY_CHARACTER}
    event.update(ts="2026-12-01T12:00:00.000Z", type="output")
    digest, line = hashed_line(event)
    assert line == canonical({**event, "hash": digest}) + b"\n"
    assert digest == hashlib.sha256(canonical(event)).hexdigest()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=TEXTS | st.text(alphabet=st.sampled_from('a\n\ud800\udfff"\\'), max_size=20),
    seq=st.sampled_from([0, 7, 2**63, 2**64, -(2**70), True]),
    host=st.text(max_size=5),
)
def test_an_output_event_line_is_canonical_or_refused_as_before(text: str, seq: int, host: str) -> None:
    """Text and integers take the fast encoder; a lone surrogate or a huge integer is json's to write or refuse."""
    event = {"actor": "system", "host": host, "phase": "run", "prev": "", "seq": seq, "step": "s", "stream": "stdout", "text": text}
    try:
        expected = canonical(event)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            hashed_line(event)
        return
    digest, line = hashed_line(event)
    assert digest == hashlib.sha256(expected).hexdigest()
    assert line == canonical({**event, "hash": digest}) + b"\n"
