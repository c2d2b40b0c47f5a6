"""OpenSSH allowed_signers files: `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`, one a line.

Read no more leniently than `ssh-keygen -Y verify` reads them: its options are
`cert-authority`, `namespaces="…"`, `valid-after="…"` and `valid-before="…"`
(quoted; times `YYYYMMDD[HHMM[SS]][Z]`), and OpenSSH ignores a line with any
other option or spelling. asyncssh's parser takes any option, so a misspelt
`valid-befor=` or `namespace=` would let a key sign where OpenSSH refuses it;
such a line is an error here, naming FILE:LINE:COL (so are a trailing `,`, an
option given twice and a time OpenSSH cannot read). As OpenSSH: option keywords
in any case, principals quoted or not, fields split at spaces and tabs only,
lines at `\n`, a key's comment in any UTF-8. A `cert-authority` line
trusts certificates its key signed, never a plain signature by that key.

`valid-after` / `valid-before` say when a key is "valid for use" (ssh-keygen(1)): a signature the journal holds is
judged at the time its line records (as `ssh-keygen -Y verify -Overify-time=` and git's commit signatures are), a
signature made now at now. A key given a `valid-before` when it is rotated out still vouches for the runs it signed
before; to disown what a key signed, delete its line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.document import decode
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust.sshsig import NAMESPACE, SignatureError

if TYPE_CHECKING:
    import asyncssh
    from asyncssh.sshsig import SSHAllowedSignersEntry

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_TIME = r'"\d{8}(?:\d{4}(?:\d{2})?)?Z?"'
#: One option as OpenSSH's sshsigopt_parse() takes it (its keywords, and a time's `Z`, in any case).
_OPTION = lazy_re.compile(rf"cert-authority(?=,|$)|namespaces={_QUOTED}|valid-(?:after|before)={_TIME}", re.IGNORECASE)
#: The line's first two fields, split at a space or tab only as OpenSSH splits them: the principals (quoted or not),
#: then what follows (options, or the key itself).
_FIELDS = lazy_re.compile(r'(?:"([^"]*)"|([^ \t"][^ \t]*))[ \t]+(.*)')
_OPTIONS = lazy_re.compile(rf'(?:{_QUOTED}|[^ \t"])+')
_EXPECTED = 'cert-authority, namespaces="…", valid-after="YYYYMMDD[HHMM[SS]][Z]" or valid-before="…"'


class AllowedSigners:
    """Who may sign with which key: (the line's principals as written, the parsed line) for each line."""

    def __init__(self, entries: Iterable[tuple[str, SSHAllowedSignersEntry]], path: str, digest: str = "") -> None:
        listed = list(entries)
        self.entries = [(written, entry) for written, entry in listed if "cert-authority" not in entry.options]
        self.authorities = [entry for _, entry in listed if "cert-authority" in entry.options]  # said in a refusal, never allowed
        self.path = path
        self.digest = digest  # the sha256 of the file as read: which list vouched, said with every verdict made with it

    def principals(self, key: asyncssh.SSHKey) -> list[str]:
        """Who this key may sign for (the principals of every line naming it, in our namespace)."""
        names: list[str] = []
        for written, entry in self.entries:
            if entry.key == key and _namespace_ok(entry):
                names += [p for p in written.split(",") if p]
        return names

    def allows(self, principal: str, key: asyncssh.SSHKey, at: float | None = None) -> bool:
        """`key` may sign for `principal` at `at` (seconds since the epoch: when it signed; None: now)."""
        return any(entry.key == key and _matches_at(entry, principal, at) for _, entry in self.entries)

    def allows_fingerprint(self, principal: str, fingerprint: str) -> bool:
        """`allows`, now, for the key with this fingerprint (a participant's key, known by its fingerprint)."""
        return any(entry.key.get_fingerprint() == fingerprint and _matches_at(entry, principal, None) for _, entry in self.entries)

    def refusal_now(self, principal: str, fingerprint: str) -> str:
        """`refusal`, now, for the key with this fingerprint (a participant's key, known by its fingerprint)."""
        listed = [e.key for _, e in self.entries] + [e.key for e in self.authorities]
        key = next((k for k in listed if k.get_fingerprint() == fingerprint), None)
        return self.refusal(principal, key) if key is not None else f"a key {self.path} gives to nobody, not to {principal}"

    def refusal(self, principal: str, key: asyncssh.SSHKey, at: float | None = None) -> str:
        """Why `key` may not sign for `principal` at `at` (None: now; `allows` is false), in words."""
        timed = [e for _, e in self.entries if e.key == key and _namespace_ok(e) and e.principals.matches(principal)]
        if timed:  # the line names them, but its valid-after / valid-before leaves out that time (as ssh-keygen -Y verify reads it)
            when = "now" if at is None else f"at {_words(at, '%H:%M:%S')}, when the journal says it signed"
            return f"a key {self.path} gives to {principal} only {_window(timed[0])}, not {when}"
        if any(e.key == key and not _namespace_ok(e) and e.principals.matches(principal) for _, e in self.entries):
            return f"a key {self.path} gives to {principal} only for other namespaces: its line's namespaces= leaves out {NAMESPACE}"
        if any(e.key == key and e.principals.matches(principal) for e in self.authorities):
            return (
                f"a key {self.path} lists for {principal} as a cert-authority: it vouches for the certificates it signs,"
                " never for a plain signature of its own (list the key without cert-authority)"
            )
        excluded = [
            w for w, e in self.entries if e.key == key and _namespace_ok(e) and any(p.startswith("!") and _matches(p[1:], principal) for p in w.split(","))
        ]
        if excluded:  # `bob,!bob KEY`, `*,!bob KEY`: a negation wins, as in OpenSSH (before: "gives to bob, !bob, not to bob")
            return f"a key {self.path} lists for {excluded[0]}: its '!' excludes {principal}"
        return f"a key {self.path} gives to {', '.join(self.principals(key)) or 'nobody'}, not to {principal}"


def _matches(pattern: str, name: str) -> bool:
    """OpenSSH's wildcard match of one principal pattern (`*`, `?`)."""
    import fnmatch

    return fnmatch.fnmatchcase(name, pattern.replace("[", "[[]"))


def _matches_at(entry: SSHAllowedSignersEntry, principal: str, at: float | None) -> bool:
    """The line lets its key sign for `principal` in our namespace at `at` (None: now). OpenSSH's rule (sshsig.c): not
    before valid-after, not after valid-before (asyncssh's `match_options` judges now only, and refuses the very second
    of valid-before, which OpenSSH still takes)."""
    if not entry.principals.matches(principal) or not _namespace_ok(entry):
        return False
    moment = time.time() if at is None else at
    after: Any = entry.options.get("valid-after")  # asyncssh's parse_time: seconds since the epoch
    before: Any = entry.options.get("valid-before")
    return not (after is not None and moment < after) and not (before is not None and moment > before)


def _words(stamp: float, clock: str = "%H:%M") -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime(f"%Y-%m-%d {clock} UTC")


def _window(entry: SSHAllowedSignersEntry) -> str:
    """The line's valid-after / valid-before, in words."""
    options: dict[str, Any] = dict(entry.options)  # asyncssh's parse_time: seconds since the epoch
    return " ".join(f"{word} {_words(options[option])}" for word, option in (("from", "valid-after"), ("until", "valid-before")) if option in options)


def _namespace_ok(entry: SSHAllowedSignersEntry) -> bool:
    namespaces: Any = entry.options.get("namespaces")
    return namespaces is None or bool(namespaces.matches(NAMESPACE))


def _parts(line: str) -> tuple[str, int, str, str, int] | None:
    """(principals, column of the options, the options as written, `KEYTYPE BASE64`, column of the key) of a line
    ending in a key, its comment left out; None when no key follows the principals and options as OpenSSH splits them."""
    fields = _FIELDS.fullmatch(line)
    if fields is None:
        return None
    rest, written = fields[3], ""
    if not _is_key(rest):
        options = _OPTIONS.match(rest)
        written = options[0] if options else ""
        if not written or not _is_key(rest[len(written) :]):
            return None
    principals = fields[1] if fields[1] is not None else fields[2]
    key = rest[len(written) :]
    key_column = fields.start(3) + len(written) + len(key) - len(key.lstrip(" \t")) + 1
    return principals, fields.start(3) + 1, written, " ".join(key.split()[:2]), key_column


def _after_principals(line: str) -> int:
    """The column where what follows a line's principals starts (its options or key), or 1 when nothing follows them."""
    fields = _FIELDS.fullmatch(line)
    return fields.start(3) + 1 if fields is not None else 1


def _read_options(column: int, written: str) -> str | tuple[int, str]:
    """The line's options (`written`, at `column`) as OpenSSH reads them, for asyncssh: keywords in lower case, empty
    ones left out (asyncssh knows only `namespaces=`, not `Namespaces=`); or (column, what is wrong) where OpenSSH
    ignores the line."""
    from asyncssh.misc import parse_time

    read: dict[str, str] = {}
    at = 0
    while at < len(written):
        if written[at] == ",":  # an empty option: OpenSSH passes over it, but not at the end of the options
            if at == len(written) - 1:
                return column + at, "OpenSSH ignores this line: its options end in ',' (expected another option after it)"
            at += 1
            continue
        found = _OPTION.match(written, at)
        if found is None or (found.end() < len(written) and written[found.end()] != ","):
            option = written[at:].split(",", 1)[0]
            return column + at, f"OpenSSH ignores this line: {option!r} is not {_EXPECTED}"
        name, _, value = found[0].partition("=")
        name = name.lower()
        if name in read:
            return column + at, f"OpenSSH ignores this line: {name} is given twice"
        if name.startswith("valid-"):
            value = value.upper()
            try:
                known = parse_time(value.strip('"')) > 0  # OpenSSH reads 0 (the epoch itself) as no time
            except (ValueError, OverflowError):
                known = False
            if not known:
                return column + at, f"OpenSSH ignores this line: {found[0]!r} is not a time OpenSSH reads (YYYYMMDD[HHMM[SS]][Z], after 1970-01-01)"
        read[name] = f"{name}={value}" if value else name
        at = found.end()
    return ",".join(read.values())


def _why_not(line: str) -> str:
    """Why `line` is no allowed_signers entry (no key follows its principals and options as OpenSSH splits them)."""
    import asyncssh
    from asyncssh.sshsig import SSHAllowedSignersEntry

    if _is_key(line):  # a `.pub` file (or its line) given as the list: said as such, not "Invalid public key"
        return "this line is a public key alone (a .pub file?), without the names it signs for; put the name first: 'bob ssh-ed25519 AAAA…'"
    try:
        SSHAllowedSignersEntry(line)
    except (ValueError, asyncssh.KeyImportError) as exc:
        return str(exc)
    return "no key after the principals and options (OpenSSH separates the fields by spaces or tabs, and a quote opens a name)"


#: An allowed_signers file is never larger (a FIFO or `/dev/zero` named in the settings is refused, not read).
MAX_SIGNERS_BYTES = 4 * 1024 * 1024


def read_allowed_signers(path: str) -> AllowedSigners:
    """Read the file (bounded, a regular file only); a line that is not an entry OpenSSH takes is an error naming FILE:LINE:COL."""
    shown = visible_line(path)
    try:
        raw = read_limited(Path(path).expanduser(), MAX_SIGNERS_BYTES)
        text = decode(raw, shown)
    except OSError as exc:
        raise SignatureError(f"{shown}: cannot read the allowed signers: {exc.strerror}") from None
    except RunbookInvalid as invalid:  # FILE:LINE:COL of the first byte that is not (before: no place)
        raise SignatureError(f"{invalid.errors[0]} (cannot read the allowed signers)") from None
    from asyncssh.pattern import WildcardPatternList
    from asyncssh.public_key import KeyImportError
    from asyncssh.sshsig import SSHAllowedSignersEntry

    entries = []
    for number, written_line in enumerate(text.split("\n"), start=1):  # OpenSSH's lines and fields: no other breaks or spaces
        line = written_line.strip(" \t\r")
        indent = len(written_line) - len(written_line.lstrip(" \t\r"))  # OpenSSH skips it; a column counts it
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):  # known_hosts' `@revoked` / `@cert-authority`: OpenSSH reads it as a principal named so
            marker = visible_line(line.split(None, 1)[0][:40])
            raise SignatureError(
                f"{shown}:{number}:{indent + 1}: {marker!r} is a known_hosts marker; an allowed_signers line has none (OpenSSH ignores"
                ' this line): to revoke a key, delete its line (valid-before="YYYYMMDD" ends its use from then on); a certificate authority'
                " is written 'bob cert-authority KEYTYPE BASE64'"
            )
        parts = _parts(line)
        if parts is None:
            where = 1 if _is_key(line) else _after_principals(line)  # (a key alone: the name is wanted before it)
            raise SignatureError(
                f"{shown}:{number}:{indent + where}: expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): {visible_line(_why_not(line))}"
            )
        principals, column, written, key, key_column = parts
        options = _read_options(column, written)
        if isinstance(options, tuple):
            raise SignatureError(f"{shown}:{number}:{indent + options[0]}: {visible_line(options[1])}")
        # the key without its comment (asyncssh reads a key given as text as ASCII: `-C "José Núñez"` refused the file),
        # the principals as OpenSSH split them (asyncssh splits at any whitespace, and keeps a name's quotes)
        try:
            entry = SSHAllowedSignersEntry(f"- {options} {key}" if options else f"- {key}")
        except (ValueError, KeyImportError) as exc:
            raise SignatureError(
                f"{shown}:{number}:{indent + key_column}: expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): {visible_line(str(exc))}"
            ) from None
        entry.principals = WildcardPatternList(principals)
        entries.append((principals, entry))
    if not entries:
        raise SignatureError(f"{shown}: no allowed signers in it (expected PRINCIPALS KEYTYPE BASE64 lines)")
    return AllowedSigners(entries, path, hashlib.sha256(raw).hexdigest())


def _is_key(text: str) -> bool:
    """Whether `text` is a public key as a `.pub` file holds it (KEYTYPE BASE64 [COMMENT]); read as bytes, since asyncssh
    reads text as ASCII and a comment may hold any UTF-8 (`ssh-keygen -C "José Núñez"`)."""
    from asyncssh.public_key import KeyImportError, import_public_key

    try:
        import_public_key(text.encode())
    except (KeyImportError, ValueError):
        return False
    return True
