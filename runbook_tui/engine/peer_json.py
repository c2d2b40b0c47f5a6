"""A peer's JSON answer (Prometheus, Alertmanager) as text the journal can hold.

JSON may escape half of a UTF-16 surrogate pair (`"\\ud800"`), which `json.loads` makes a lone surrogate: text no
UTF-8 writer takes. A Prometheus label holding one named the worst series in a guard's words, the journal's writer
refused the event, and the metrics polling stopped for the rest of the run (the guards blind, exec ended 1). Here
each lone surrogate is U+FFFD (`�`), as a byte that is not UTF-8 is where a peer's bytes are decoded; a whole pair
stays the character it encodes.
"""

from __future__ import annotations

import json
from typing import Any

from runbook_tui.runbook import lazy_re

#: The escape of a surrogate (`\ud800`-`\udfff`): only an answer holding one is walked.
_SURROGATE_ESCAPE = lazy_re.compile(r"\\u[dD][89a-fA-F]")


def peer_json(text: str) -> Any:
    """`json.loads(text)` with every lone surrogate replaced by U+FFFD (ValueError or RecursionError as json.loads)."""
    value = json.loads(text)
    return _whole(value) if _SURROGATE_ESCAPE.search(text) else value


def _whole(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_whole(item) for item in value]
    if isinstance(value, dict):
        return {_whole(key): _whole(item) for key, item in value.items()}
    return value
