"""What a Prometheus panel's query answers at its outer level, read when the runbook loads.

A panel shows one number per series; Prometheus answers a query whose outer
expression is a range (`x[1m]`, a subquery `expr[10m:1m]`) with a matrix,
and a string literal with a string: the panel has no value at any poll, its
guard is blind from the first reading. `validate` says so at the query
instead of the run's first poll. Only the outer level is read: strings and
`#` comments are skipped, brackets inside a call (`rate(x[1m])`) or a label
matcher are the call's own.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re

#: What may follow a range at the outer level and leave it a range: `offset 5m`, `@ 1700000000`, `@ end()`.
_MODIFIERS = lazy_re.compile(r"^(?:\s*(?:offset\s+-?[0-9a-zA-Z.]+|@\s*(?:start\(\)|end\(\)|[0-9.eE+-]+)))*\s*$")
_PAIRS = {")": "(", "]": "[", "}": "{"}
#: What may stand before that range at the outer level, its groups taken out: a selector or call's name (`up{…}`,
#: `rate(…)`), an aggregation (`sum by (…) (…)`) or nothing (`(…)`, `{__name__=…}`); anything else (`a or b[1m]`)
#: is an expression Prometheus refuses in its own words.
_ONE_OPERAND = lazy_re.compile(r"^\s*(?:[A-Za-z_:][A-Za-z0-9_:]*(?:\s+(?:by|without))?)?\s*$")
_STRING = lazy_re.compile(r"^\s*([\"'`]) *\1\s*$")


def _blanked(text: str) -> str:
    """The query with the insides of its strings and its `#` comments blanked (same length: positions hold)."""
    chars = list(text)
    i = 0
    while i < len(chars):
        c = chars[i]
        if c in "\"'`":
            end = i + 1
            while end < len(chars) and chars[end] != c:
                end += 2 if chars[end] == "\\" and c != "`" else 1
            end = min(end, len(chars))
            chars[i + 1 : end] = " " * (end - i - 1)
            i = end + 1
        elif c == "#":
            end = text.find("\n", i)
            end = len(chars) if end < 0 else end
            chars[i:end] = " " * (end - i)
            i = end
        else:
            i += 1
    return "".join(chars)


def _groups(text: str, kinds: str = "([{") -> list[tuple[int, int]] | None:
    """The bracketed groups (of `kinds`) at depth 0 of a blanked query; None when its brackets do not pair up (then
    Prometheus says what is wrong)."""
    stack: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for i, c in enumerate(text):
        if c in "([{":
            stack.append((c, i))
        elif c in _PAIRS:
            if not stack or stack[-1][0] != _PAIRS[c]:
                return None
            opened = stack.pop()[1]
            if not stack and _PAIRS[c] in kinds:
                spans.append((opened, i))
    return spans if not stack else None


def _unwrapped(text: str) -> tuple[str, int]:
    """The query without parentheses around all of it (`((x[1m]))` is still a range), and how far in it starts."""
    offset = 0
    while True:
        inner = text.strip()
        shift = len(text) - len(text.lstrip())
        if not (inner.startswith("(") and inner.endswith(")")) or _groups(inner[1:-1]) is None:
            return text, offset
        text, offset = inner[1:-1], offset + shift + 1


def no_single_values(query: str) -> str | None:
    """Why this query can give no number per series, in words (None: it may)."""
    blanked, offset = _unwrapped(_blanked(query))
    if _STRING.match(blanked):
        return "the query answers a string, not a number; expected a PromQL expression that gives a number per series"
    spans = _groups(blanked, "[")
    if not spans:
        return None
    opened, closed = spans[-1]
    before = blanked[:opened]
    for start, end in reversed(_groups(before) or []):  # the groups before it taken out: `name{…}`, `sum by (…) (…)`
        before = before[:start] + before[end + 1 :]
    if not _MODIFIERS.match(blanked[closed + 1 :]) or not _ONE_OPERAND.match(before):
        return None
    written = query[offset + opened : offset + closed + 1]
    return (
        f"the query answers a range of values (a matrix): `{written}` at its outer level selects every sample in that"
        f" range, not one value per series; expected an instant query: drop `{written}`, or wrap it in a function such"
        f" as avg_over_time(...{written})"
    )
