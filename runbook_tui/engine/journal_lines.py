"""Parsing one journal line (or one share message) fast, with the standard library's exact result.

A long run's journal is hundreds of thousands of lines, nearly all `output`
events, and every reader (resume, replay, report, a verifier's catch-up)
parses each one. `orjson` does that several times faster than `json`; where
the two could differ (`json` accepts NaN and Infinity, lone surrogates, a
BOM, and keeps integers of any size, which `orjson` refuses or turns into
floats), `json` decides: a line `orjson` refuses is parsed by `json`, and
only `output` events (whose fields are text, and `seq` and `chunk`, which the
reader checks are exact integers) are taken from `orjson` at all.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

from runbook_tui.engine.events import OUTPUT

#: The members of every `output` event the runner writes (`events.Output` and the journal's own), with `chunk` since
#: session 37 (`output_numbers`), without it before.
_OUTPUT_KEYS = frozenset(("actor", "hash", "host", "phase", "prev", "seq", "step", "stream", "text", "ts", "type"))
_NUMBERED_KEYS = _OUTPUT_KEYS | {"chunk"}


def decode_line(raw: bytes | str) -> Any:
    """`json.loads(raw)`, faster for `output` events: the same object, the same errors (ValueError, RecursionError)."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)
    return obj if _runner_output(obj) else json.loads(raw)


def _runner_output(obj: Any) -> bool:
    """`obj` is an `output` event as the runner writes it: its members, each text but `seq` and `chunk`, integers (of 64
    bits at most, or orjson would have made a float): an object `json.loads` makes the same."""
    if type(obj) is not dict or type(obj.get("seq")) is not int or obj.get("type") != OUTPUT:
        return False
    keys = obj.keys()
    if (keys != _NUMBERED_KEYS and keys != _OUTPUT_KEYS) or type(obj.get("chunk", 0)) is not int:
        return False
    return type(obj["hash"]) is type(obj["prev"]) is type(obj["ts"]) is type(obj["actor"]) is type(obj["text"]) is type(obj["step"]) is str and (
        type(obj["host"]) is type(obj["stream"]) is type(obj["phase"]) is str
    )


def chained_output(raw: bytes, number: int, prev: str) -> Any:
    """The event on journal line `number` (`raw`, its newline included) when it is an `output` event written canonically,
    following `prev`, its hash right: most of a long journal, checked in one call. None: read the line the general way
    (`decode_line`, then each check, which says what is wrong, if anything).
    """
    return output_event(raw[:-1], number - 1, prev)


def output_event(line: bytes, seq: int, prev: str) -> Any:
    """The event in `line` (no newline) when it is event `seq`, an `output` event written canonically, following `prev`,
    its hash right (`output_follows`); else None."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return obj if output_follows(obj, line, seq, prev) else None


def output_follows(obj: Any, line: bytes, seq: int, prev: str) -> bool:
    """`obj` (parsed from `line`, without its newline) is an `output` event as the runner writes it, with `seq` after `prev`,
    `line` is its canonical form (`journal.canonical`: keys sorted, no spaces, UTF-8) and hashes to its `hash`.

    The same checks as the journal's reader and the verifier's ledger (`journal_scan._check`, `Ledger.add_output`): a line this
    accepts, they accept, and so does the spec's ten lines of Python (hash of `json.dumps(obj without hash,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)`). For an object of text and 64-bit integers,
    orjson's sorted encoding is byte for byte that one (every code point is checked in the tests), so the line must
    equal it: bytes that merely hash right (keys repeated or reordered, hashed as written) are not the chain the spec
    defines, and go the general way, which re-encodes. Its values are text and integers, so the first `,"hash":"`
    in the line is its own member (a string holds `\\"`).
    """
    if not _runner_output(obj) or obj["seq"] != seq or seq == 0 or obj["prev"] != prev:
        return False
    claimed: str = obj["hash"]
    at = line.find(b',"hash":"')
    if at < 0 or not claimed.isascii() or line[at + 9 : at + 74] != claimed.encode() + b'"':  # (a lone surrogate has no bytes)
        return False
    if orjson.dumps(obj, option=orjson.OPT_SORT_KEYS) != line:  # canonical with its hash: canonical without it too
        return False
    digest = hashlib.sha256(line[:at])
    digest.update(line[at + 74 :])
    return digest.hexdigest() == claimed
