"""A peer's JSON with half of a surrogate pair escaped reads as U+FFFD there; a whole pair is its character."""

from __future__ import annotations

import json

from runbook_tui.engine.peer_json import peer_json


def test_a_lone_half_is_a_replacement_character_and_a_pair_its_character_everywhere_in_the_answer() -> None:
    text = r'{"k\udc00": ["a\ud800b", {"v": "\ud83d\ude80 \uDFFF"}], "n": 1.5}'
    value = peer_json(text)
    assert value == {"k\ufffd": ["a\ufffdb", {"v": "\U0001f680 \ufffd"}], "n": 1.5}
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # what the journal's writer does: no UnicodeEncodeError
    assert peer_json('{"plain": "\\u00e9"}') == {"plain": "é"}
