"""Secret values replaced by `***` wherever they would be written or shown."""

from __future__ import annotations

import base64
import json
import re
import shlex
import threading
import weakref
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.shell_shown import double_quoted

MASK = "***"
#: Shorter values cannot be masked without masking ordinary text too; `read_secrets` refuses them.
MIN_SECRET_LENGTH = 4
#: An encoded form (base64, hex) shorter than this is not masked: a few letters of base64 turn up in ordinary text.
MIN_ENCODED_LENGTH = 8
#: What may come between two characters of a secret as a command prints it, the secret still read whole: a line break
#: (`fold`, `base64`'s 76-letter lines, a value printed in two halves) and a colour escape (`grep --color`).
GAP = lazy_re.compile(r"\r\n|\r|\n|\x1b\[[0-9;]*[mK]")
#: Any run of those between two characters of a secret, possessive: tried at each letter, it must cost little.
GAPS = r"(?:[\r\n]|\x1b\[[0-9;]*[mK])*+"
#: Between two characters of an encoded form (`base64` wraps at 76 letters, `xxd -p` at 60), only line breaks.
BREAKS = r"[\r\n]*+"
#: A form longer than this is masked only as it is: a key file is printed with its own line breaks, and a pattern with a
#: gap between every two of its thousands of letters took seconds to compile.
GAPPED_MAX = 512
#: Cuts a masked text into [line, break, line, …]: a secret cut across lines is masked line by line.
LINE_BREAK = lazy_re.compile(r"(\r\n|\r|\n)")
#: A line ending in a secret's first letters waits for the next output (its end may come there) only from this many:
#: held on one letter, every line ending like the secret starts would show late, when the command next printed.
HELD_AT_LINE_END = 3


#: Every redactor holding secrets made in this process, and the lock its set is read and grown under (logs come from
#: worker threads too): what the program says as a last resort is masked with them all (`mask_known`).
_LIVE: weakref.WeakSet[Redactor] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


def mask_known(text: str) -> str:
    """`text` with the secrets of every redactor alive in this process masked: for what goes out past the journal, an
    unexpected error's words on stderr (`cli/error_lines.py`), whose secrets only the run knows."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for redactor in live:
        text = redactor.text(text)
    return text


class Redactor:
    """Masks every known secret value in text and in nested JSON-like values.

    Longest values first, so a secret that contains another is masked whole.
    Derived forms are masked too: a secret inside `expect.stdout` is
    regex-escaped (`Sup3r\\.S3cret\\+pw`) before it shows in a "did not match" problem,
    and the forms a command prints a secret in without meaning to (`escaped_forms`, `wrapped_forms`).
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        plain = {v for v in values if len(v) >= MIN_SECRET_LENGTH and v != MASK}
        self._plain = plain
        wrapped = {form for v in plain for form in wrapped_forms(v)} - plain
        ends = {inner: around for v in plain for inner, around in base64_ends(v).items()}  # each base64 form's end letters
        derived = {form for v in plain for form in (re.escape(v), *escaped_forms(v), *written_forms(v))} - plain - wrapped
        # Longest first, so a secret that contains another is masked whole; a long form (a key file) only as it is.
        pieces = [(v, GAPS) for v in plain] + [(v, BREAKS) for v in wrapped] + [(v, "") for v in derived]
        pieces.sort(key=lambda piece: len(piece[0]), reverse=True)
        self._exact = {form for form, _ in pieces}
        self._bare = sorted({bare for form, _ in pieces if (bare := GAP.sub("", form))}, key=len, reverse=True)
        patterns = (_pattern(form, gaps, *ends.get(form, ("", ""))) for form, gaps in pieces)
        self._pattern = re.compile("|".join(patterns)) if self._bare else None
        self._window = 4 * max(map(len, self._bare), default=0) + 256  # the tail a secret's start can be in, gaps and all
        self._trailed = tuple(form for form, (_lead, trail) in ends.items() if trail)  # forms whose end letter may come later
        self._leads = {form: re.compile(lead) for form, (lead, _trail) in ends.items() if lead}  # the letter before each
        if self._pattern is not None:
            with _LIVE_LOCK:
                _LIVE.add(self)

    def with_values(self, values: Iterable[str]) -> Redactor:
        """This redactor's secrets and `values` too (the notify targets' secrets, read after the journal opened)."""
        return Redactor([*self._plain, *values])

    @property
    def reach(self) -> int:
        """How far back from a text's end a secret's first letters (and the line breaks among them) can be."""
        return self._window

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(self._masked, text)

    def _masked(self, match: re.Match[str]) -> str:
        """`***` for the secret; one for each line of a secret cut across lines, so the lines stay lines."""
        found = match.group()
        return MASK if found in self._exact else _by_line(found)

    def continued(self, before: str, text: str) -> str:
        """`text` masked, and the rest of a secret whose first letters ended `before` (shown already: too few to hold back).

        A line ending in one or two of a secret's letters is handed on at once (`holdback`); the rest of the secret,
        printed by the command's next write, is then no secret on its own. Read after `before`, it is. So are the end
        letter and padding of a base64 form `before` ended in whole (they hold the secret's last bits and its length).
        """
        window = before[-self._window :]
        if self._pattern is None or not text:
            return self.text(text)
        visible = GAP.sub("", window)
        if not self._prefix(visible) and not self._may_end(visible):
            return self.text(text)
        joined = window + text[: self._window]
        for match in self._pattern.finditer(joined):
            if match.start() < len(window) < match.end():
                end = match.end() - len(window)
                return _by_line(text[:end]) + self.text(text[end:])
        return self.text(text)

    def _may_end(self, visible: str) -> bool:
        """Whether `visible` ends in a whole base64 form, maybe with its end letter and some padding, that the next
        output may carry on: its end letter and padding hold the secret's last bits and its length."""
        return visible.endswith(self._trailed) or visible.rstrip("=")[:-1].endswith(self._trailed)

    def _led(self, visible: str, size: int) -> bool:
        """Whether the `size` last letters of `visible` start a base64 form and the letter before them may be its first."""
        if size >= len(visible):
            return False
        start, letter = visible[len(visible) - size :], visible[-size - 1]
        return any(form.startswith(start) and lead.fullmatch(letter) for form, lead in self._leads.items())

    def _prefix(self, visible: str) -> int:
        """The length of the longest end of `visible` that starts a secret (its last letter not yet come)."""
        size = 0
        for secret in self._bare:
            at = visible.find(secret[0], max(0, len(visible) - len(secret) + 1))
            while at != -1 and len(visible) - at > size:
                if secret.startswith(visible[at:]):
                    size = len(visible) - at
                    break
                at = visible.find(secret[0], at + 1)
        return size

    def holdback(self, text: str) -> int:
        """How many trailing characters of `text` to keep back before it is written.

        Output is journaled in pieces; a secret printed across two pieces would
        be masked in neither. So a piece must not end with the start of a
        secret: that tail waits for the next piece (or the end of the stream).
        """
        if self._pattern is None or not text:
            return 0
        window = text[-self._window :]
        visible = GAP.sub("", window)
        least = HELD_AT_LINE_END if window.endswith(("\n", "\r")) else 1
        prefix = self._prefix(visible)
        size = prefix + self._led(visible, prefix)  # and the letter before a base64 form's first letters: its first bits
        enough = size if least == 1 else prefix  # at a line's end, only a form's own letters make a line wait
        hold = len(window) - _visible_places(window)[len(visible) - size] if enough >= least else 0
        if hold:
            cut = len(text) - hold
            for match in self._pattern.finditer(text):
                if match.start() < cut < match.end():  # never split a whole secret: emit it, masked, and its line's end
                    rest = text[match.end() :]
                    return len(rest) if GAP.sub("", rest) else 0
        return hold

    def value(self, value: Any) -> Any:
        """The same structure with every string value masked.

        Keys are left as they are: they are field names, or names the runbook gives (hosts, captures, params,
        env), never a secret; masked, a secret that happens to be spelled like one (`steps`, `outcome`)
        took the field away: the event no longer read back, and `exec` ended in a traceback.
        """
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value


def _by_line(found: str) -> str:
    """`***` for each line's piece of a secret cut across lines: the lines stay lines."""
    return "".join(MASK if i % 2 == 0 and part else part for i, part in enumerate(LINE_BREAK.split(found)))


def _visible_places(text: str) -> list[int]:
    """Where in `text` each character left once its line breaks and colour escapes are out is."""
    places: list[int] = []
    at = 0
    for gap in GAP.finditer(text):
        places += range(at, gap.start())
        at = gap.end()
    return places + list(range(at, len(text)))


def _pattern(form: str, gaps: str, lead: str = "", trail: str = "") -> str:
    """The regular expression for `form`: its characters with `gaps` allowed between any two (a short form), and what
    may come before (`lead`) and after it (`trail`) and is masked with it."""
    bare = GAP.sub("", form) if gaps else ""
    return lead + (gaps.join(map(re.escape, bare)) if bare and len(bare) <= GAPPED_MAX else re.escape(form)) + trail


def written_forms(secret: str) -> set[str]:
    """The secret as a shown command writes it (`shell_shown`): quoted as a word, escaped inside "..." or a heredoc."""
    return {shlex.quote(secret), double_quoted(secret), re.sub(r"([\\$`])", r"\\\1", secret)} - {secret}


def escaped_forms(secret: str) -> set[str]:
    """The secret as a URL or a JSON document quotes it: percent- and JSON-escaped."""
    escaped = {quote(secret, safe=""), quote(secret), quote_plus(secret), json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return escaped - {secret}


def wrapped_forms(secret: str) -> set[str]:
    """The secret as commands print it transformed, maybe wrapped across lines: reversed, base64 (standard and
    URL-safe), hex.

    `curl -v -u user:$PW` prints `Authorization: Basic dXNlcjpQVw…`, `echo $PW | base64` and `xxd -p` print the
    value encoded, `rev` reversed. Inside a longer base64 text a secret's letters depend
    on where it starts (its offset modulo 3 bytes): for each offset, the letters made of the secret's bits only; the
    letter at each end that shares bits with a neighbour byte, and the padding, are masked with them (`base64_ends`).
    """
    data = secret.encode()
    encoded = {data.hex(), data.hex().upper()}
    for offset in range(3):
        letters = base64.b64encode(bytes(offset) + data).decode()
        inner = letters[-(-8 * offset // 6) : 8 * (offset + len(data)) // 6]  # the letters of the secret's bits only
        encoded |= {inner, inner.replace("+", "-").replace("/", "_")}
    return {secret[::-1]} - {secret} | {form for form in encoded if len(form) >= MIN_ENCODED_LENGTH}


#: The base64 alphabets, standard and URL-safe: a letter is 6 bits, its place in the alphabet.
STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
BASE64_ALPHABETS = (STANDARD, STANDARD[:-2] + "-_")


def base64_ends(secret: str) -> dict[str, tuple[str, str]]:
    """For each base64 form of `wrapped_forms` (each alignment, each alphabet): the patterns of the letters around it
    that still carry some of the secret's bits, masked with it when they are there.

    At an alignment of 1 or 2 bytes the letter before the form holds the secret's first 4 or 2 bits (the rest are the
    byte before's): any of the 4 or 16 letters ending in those bits. The letter after holds its last 2 or 4 bits (the
    rest are the next byte's, or zero at the end): any of the 16 or 4 letters starting with them, then the padding
    (`==` or `=`, which tells the secret's length) if the text ends there. Each is optional: only a letter next to the
    secret's own letters is masked, so a short word never is.
    """
    data = secret.encode()
    ends: dict[str, tuple[str, str]] = {}
    for offset in range(3):
        standard = base64.b64encode(bytes(offset) + data).decode()
        start, end = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
        shared, left = 8 * offset % 6, 8 * (offset + len(data)) % 6  # the neighbour's bits in the first, the secret's in the last
        lead = trail = ""  # each end's letters of both alphabets: a form without `+` or `/` is spelled alike in both
        if shared:
            lead = f"(?:{_letters(STANDARD.index(standard[start - 1]), low=6 - shared)}{BREAKS})?"
        if left:
            padding = f"(?:{BREAKS}=){{0,{(6 - left) // 2}}}"
            trail = f"(?:{BREAKS}{_letters(STANDARD.index(standard[end]), high=left)}{padding})?"
        for alphabet in BASE64_ALPHABETS:
            ends[standard[start:end].translate(str.maketrans(STANDARD, alphabet))] = (lead, trail)
    return ends


def _letters(like: int, *, low: int = 0, high: int = 0) -> str:
    """A character class of the letters, of both alphabets, whose `low` last or `high` first of 6 bits are `like`'s."""
    same = {alphabet[at] for alphabet in BASE64_ALPHABETS for at in range(64) if (at ^ like) % (1 << low) == 0 and (at ^ like) >> (6 - high) == 0}
    return "[" + "".join(map(re.escape, sorted(same))) + "]"


def url_forms(url: str) -> list[str]:
    """The parts of a secret URL a peer may echo back on its own: a Slack-style webhook's secret is its path.

    A receiver's error page often quotes the request it got (`no such hook /services/T0/B0/XXXX`), which
    is the URL's target, not the whole URL: masking only the whole URL let the path through. So the target
    (path and query), the path, the query, each query value and the userinfo's password are masked too,
    each as sent and percent-decoded.
    """
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    forms = [url, target, parts.path, parts.query, parts.password or ""]
    forms += [value for _name, value in parse_qsl(parts.query, keep_blank_values=True)]
    forms += [unquote(form) for form in forms]
    return [form for form in dict.fromkeys(forms) if len(form) >= MIN_SECRET_LENGTH]
