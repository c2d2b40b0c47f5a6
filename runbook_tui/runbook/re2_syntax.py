"""What Go's RE2 (Alertmanager's, Prometheus') refuses in a regular expression that Python's engine reads.

A silence's `=~` matcher is read by Alertmanager, not by us: a pattern Python compiles and RE2 does not
(a lookahead, a backreference, a possessive `a++`, `\\Z`, a repeat past 1000) passed `validate`, and at the
start of the change Alertmanager answered HTTP 400: the silence was not made and the alerts paged the
on-call. This walks a pattern Python already compiled (so its brackets balance) and names the first
construct Go's regexp/syntax refuses; the other way round (`\\pL`, `\\z`, `(?U)`: RE2 only) stays refused by
the compile that comes first. Pure: no I/O.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.lean_dataclass import dataclass, field

#: Most copies of one thing a pattern may ask for, through nested `{n}` repeats (Go's regexp/syntax: 1000).
MAX_REPEAT = 1000
_BRACE = lazy_re.compile(r"\{(\d+)(,(\d*))?\}")
_GROUP_FLAGS = lazy_re.compile(r"[imsU]*(-[imsU]+)?[:)]")  # `(?i)`, `(?i-s:...)`: the flags RE2 has
_PERL = "expected RE2 syntax (no lookaround, backreference, atomic group, possessive repeat or comment)"
_CONSTRUCT = lazy_re.compile(r"\(\?(<[=!]|P[=>]|[a-zA-Z]+|.)")  # what to name: `(?=`, `(?<!`, `(?P=`, `(?x`
_OCTAL = "01234567"
_CLASS_ESCAPES = "dDsSwWpP"


class Re2Refused(ValueError):
    """The construct, and why RE2 refuses it, in words."""


@dataclass
class _Node:
    """A group (or the whole pattern): its atoms, each with the largest `{n}` it is repeated by (1: none)."""

    atoms: list[tuple[int, _Node | None]] = field(default_factory=list)


def re2_problem(pattern: str) -> str | None:
    """Why RE2 refuses `pattern` (which Python compiles), in words ending in what it expects; None when it reads it."""
    try:
        root = _Walk(pattern).run()
    except Re2Refused as refused:
        return str(refused)
    if not _repeats_fit(root, MAX_REPEAT):
        return f"its nested repeats ask for more than {MAX_REPEAT} copies of one thing; expected at most {MAX_REPEAT} in all, as RE2 allows"
    return None


def _repeats_fit(node: _Node, allowed: int) -> bool:
    """Go's repeatIsValid: each `{n}` divides what the repeats inside it may ask for."""
    for count, inner in node.atoms:
        if count > allowed:
            return False
        if inner is not None and not _repeats_fit(inner, allowed // count if count else MAX_REPEAT):
            return False
    return True


class _Walk:
    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0
        self.stack = [_Node()]

    def run(self) -> _Node:
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char == "\\":
                self._escape(in_class=False)
                self._atom(None)
            elif char == "[":
                self._class()
                self._atom(None)
            elif char == "(":
                self._open()
            elif char == ")":
                self.at += 1
                done = self.stack.pop()
                self._atom(done)
            elif char in "*+?" or (char == "{" and _BRACE.match(text, self.at)):
                self._repeat()
            else:
                self.at += 1
                if char != "|":
                    self._atom(None)
        return self.stack[0]

    def _atom(self, inner: _Node | None) -> None:
        self.stack[-1].atoms.append((1, inner))

    def _repeat(self) -> None:
        text = self.text
        brace = _BRACE.match(text, self.at) if text[self.at] == "{" else None
        start = self.at
        self.at = brace.end() if brace is not None else self.at + 1
        if self.at < len(text) and text[self.at] == "?":
            self.at += 1  # lazy
        follows = text[self.at] if self.at < len(text) else ""
        if follows == "+" or follows == "*" or (follows == "{" and _BRACE.match(text, self.at)):
            raise Re2Refused(f"{text[start : self.at + 1]!r} repeats a repeat (a possessive or nested repeat); {_PERL}")
        if brace is not None and self.stack[-1].atoms:
            low, high = int(brace.group(1)), brace.group(3)
            count = low if brace.group(2) is None or not high else int(high)
            if max(low, count) > MAX_REPEAT:
                raise Re2Refused(f"the repeat {brace.group(0)} is over {MAX_REPEAT}; expected at most {{{MAX_REPEAT}}}, as RE2 allows")
            _one, inner = self.stack[-1].atoms[-1]
            self.stack[-1].atoms[-1] = (count, inner)

    def _open(self) -> None:
        text = self.text
        self.at += 1
        if text.startswith("?", self.at):
            if text.startswith("?P<", self.at):
                self.at = text.index(">", self.at) + 1
            elif (flags := _GROUP_FLAGS.match(text, self.at + 1)) is not None:
                self.at = flags.end()
                if flags.group(0).endswith(")"):
                    return  # `(?i)`: flags for the rest, no group
            else:
                construct = _CONSTRUCT.match(text, self.at - 1)
                raise Re2Refused(f"{construct.group(0) if construct else '(?'!r} is Perl syntax RE2 does not have; {_PERL}")
        self.stack.append(_Node())

    def _escape(self, *, in_class: bool) -> str:
        """Step over one escape; its letter (or digit). Refused: what Python reads and Go does not."""
        text = self.text
        letter = text[self.at + 1]
        self.at += 2
        if letter in "123456789" and not (letter in _OCTAL and self.at < len(text) and text[self.at] in _OCTAL):
            raise Re2Refused(f"'\\{letter}' is a backreference, which RE2 does not have; expected RE2 syntax (\\0NN or \\x41 for a character)")
        if letter in _OCTAL:  # up to two more octal digits
            for _more in range(2):
                if self.at < len(text) and text[self.at] in _OCTAL:
                    self.at += 1
        elif letter == "x":
            self.at += 2
        elif letter in "ZuUN" or (in_class and letter == "b") or not letter.isascii():
            raise Re2Refused(
                f"'\\{letter}' is an escape RE2 does not have; expected RE2 syntax (\\x41 for a character; a matcher matches the whole value, so it needs no end anchor)"
            )
        return letter

    def _class(self) -> None:
        """Step over `[...]` as Go's parseClass reads it: a range's ends are single characters (`[a-\\d]`, `[a-[:alpha:]]`
        are refused there; `[\\w-z]` is a class, then `-` and `z`)."""
        text = self.text
        self.at += 1
        if text.startswith("^", self.at):
            self.at += 1
        if text.startswith("]", self.at):
            self.at += 1
        while text[self.at] != "]":
            if text.startswith("[:", self.at) and (end := text.find(":]", self.at + 2)) != -1:
                self.at = end + 2
                continue
            if text[self.at] == "\\" and text[self.at + 1] in _CLASS_ESCAPES:
                self._escape(in_class=True)
                continue
            low = self._class_char()
            if text[self.at] != "-" or text[self.at + 1] == "]":
                continue
            self.at += 1
            if text[self.at] == "\\" and text[self.at + 1] in _CLASS_ESCAPES:
                raise Re2Refused(f"a range ends at '\\{text[self.at + 1]}', a class of characters; expected RE2 syntax (a range between two characters)")
            high = self._class_char()
            if low and high and high < low:
                raise Re2Refused(f"the range {low}-{high} runs backwards (RE2 reads '{high}' as a character there); expected RE2 syntax")
        self.at += 1

    def _class_char(self) -> str:
        """Step over one character of a class; it, or "" for an escape."""
        if self.text[self.at] == "\\":
            self._escape(in_class=True)
            return ""
        self.at += 1
        return self.text[self.at - 1]
