"""The journal's fast line reading (`engine/journal_lines.py`): the same events and the same verdicts as `json` and the full checks.

Reading a 200,000-event journal is mostly `output` lines; those are parsed with orjson and checked
in one call. Nothing may change for it: every edit is still caught with its message, and every
object is the one `json.loads` makes (where orjson and json differ, json decides).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forged_lines import hashed_as_written

from runbook_tui.engine.journal import JournalScan, JournalWriter, canonical, event_hash
from runbook_tui.engine.journal_lines import chained_output, decode_line

TRICKY = [
    b'{"a":NaN,"b":Infinity}',
    b'{"a":"\\ud800"}',
    b'\xef\xbb\xbf{"a":1}',
    b'{"a":123456789012345678901234567890}',
    b'{"a":-9223372036854775809}',
    b'{"a":1E400}',
    b'{"a":1,"a":2}',
    b'{"a":"\\u00e9\\n"}',
]


@pytest.mark.parametrize("raw", TRICKY)
def test_decode_line_makes_what_json_makes_where_orjson_would_differ(raw: bytes) -> None:
    assert repr(decode_line(raw)) == repr(json.loads(raw))


def test_an_output_event_with_a_huge_integer_is_read_as_json_reads_it() -> None:
    line = b'{"actor":"system","hash":"h","host":"local","phase":"run","prev":"","seq":1,"step":"s","stream":"stdout","text":18446744073709551616,"ts":"t","type":"output"}'
    assert decode_line(line)["text"] == 18446744073709551616  # orjson alone: a float
    with pytest.raises(ValueError):
        decode_line(line[:-1] + b",")


def _journal(tmp_path: Path, outputs: int = 50) -> Path:
    path = tmp_path / "j.jsonl"
    writer = JournalWriter(path, new=True)
    writer.append("session_started", "alice", {"plan": {"sections": []}})
    for n in range(outputs):
        writer.append("output", "system", {"step": "s", "host": "local", "stream": "stdout", "text": f'line {n} é "q" \\\n', "phase": "run"})
    writer.append("note", "alice", {"text": "done"})
    writer.close()
    return path


def test_every_line_the_runner_writes_is_read_in_one_call_with_the_same_event(tmp_path: Path) -> None:
    lines = _journal(tmp_path).read_bytes().splitlines(keepends=True)
    prev = ""
    fast = 0
    for number, raw in enumerate(lines, 1):
        event = chained_output(raw, number, prev)
        if event is not None:
            fast += 1
            assert event == json.loads(raw) and event_hash(event) == event["hash"]
        prev = json.loads(raw)["hash"]
    assert fast == 50  # every output line; the others go the general way


def _scan(path: Path) -> tuple[int, list[str]]:
    scan = JournalScan(path)
    count = sum(1 for _ in scan)
    return count, scan.problems


def _rewrite(path: Path, number: int, change: bytes, to: bytes) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    assert change in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(change, to, 1)
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize(
    ("change", "to", "problem"),
    [
        (b"line 19 ", b"line 18 ", "line 21: hash does not match its content (the line was edited)"),
        (b'"seq":20', b'"seq":true', "line 21: expected an integer seq and text ts, type, actor, prev and hash"),
        (b'"stream":"stdout"', b'"stream":7', "line 21: hash does not match its content (the line was edited)"),
        (b'"prev":"', b'"prev":"0', "line 21: prev does not match the hash of line 20 (a line was removed, reordered or edited)"),
    ],
)
def test_an_edited_output_line_is_still_caught_with_its_message(tmp_path: Path, change: bytes, to: bytes, problem: str) -> None:
    path = _journal(tmp_path)
    assert _scan(path) == (52, [])
    _rewrite(path, 21, change, to)
    assert _scan(path) == (20, [problem])


def test_an_output_line_rehashed_after_an_edit_breaks_the_chain_at_the_next_line(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[20])
    event["text"] = "rm -rf / was never run\n"
    event["hash"] = event_hash(event)
    lines[20] = canonical(event) + b"\n"
    path.write_bytes(b"".join(lines))
    assert _scan(path) == (21, ["line 22: prev does not match the hash of line 21 (a line was removed, reordered or edited)"])


def test_removed_or_swapped_output_lines_are_caught(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:10] + lines[11:]))
    assert _scan(path) == (10, ["line 11: seq 11 where 10 was expected (a line was removed or inserted)"])
    path.write_bytes(b"".join(lines[:10] + [lines[11], lines[10]] + lines[12:]))
    assert _scan(path) == (10, ["line 11: seq 11 where 10 was expected (a line was removed or inserted)"])


def test_a_respelled_output_line_still_verifies_the_general_way(tmp_path: Path) -> None:
    """Keys in another order or spaces after the separators: not the runner's bytes, so not the fast path; the object's hash holds."""
    path = _journal(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[30])
    lines[30] = json.dumps(dict(reversed(list(event.items()))), ensure_ascii=True).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    assert chained_output(lines[30], 31, event["prev"]) is None
    assert _scan(path) == (52, [])


@pytest.mark.parametrize("line_number", [21, 52])  # an output event (the fast path) and the closing note (the general path)
def test_a_line_hashed_over_non_canonical_bytes_is_refused_as_the_spec_checker_refuses_it(tmp_path: Path, line_number: int) -> None:
    """The spec: the hash is over `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
    Bytes that hash right but are not that encoding (a key given twice: `json` keeps the last, another reader the
    first) are not the chain anyone can check with ten lines of Python: `journal verify` must say so, not accept it."""
    path = _journal(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[line_number - 1])
    del event["hash"]
    spelled = canonical(event)[:-1] + b',"actor":"' + event["actor"].encode() + b'"}'  # `actor` twice: json.loads keeps this one
    assert json.loads(spelled) == event
    lines[line_number - 1] = hashed_as_written(spelled)
    path.write_bytes(b"".join(lines))
    assert _scan(path) == (line_number - 1, [f"line {line_number}: hash does not match its content (the line was edited)"])


def test_orjson_sorted_encoding_is_the_spec_encoding_for_every_code_point() -> None:
    """The fast path takes an `output` line as canonical when it equals orjson's sorted encoding: that is only sound if,
    for text and an integer, orjson writes exactly what `json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` writes: every escape, every character left as it is (surrogates have no UTF-8 form)."""
    import orjson

    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    event = {"text": text, "seq": 2**63 - 1, "actor": 'a"\\\n', "ts": "\x00\x1f\x7f\u2028"}
    assert orjson.dumps(event, option=orjson.OPT_SORT_KEYS) == canonical(event)
