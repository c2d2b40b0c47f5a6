"""OpenSSH allowed_signers files: `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`, one a line.

Read no more leniently than `ssh-keygen -Y verify` reads them: its options are
`cert-authority`, `namespaces="…"`, `valid-after="…"` and `valid-before="…"`
(quoted; times `YYYYMMDD[HHMM[SS]][Z]`), and OpenSSH ignores a line with any
other option or spelling. asyncssh's parser takes any option, so a misspelt
`valid-befor=` or `namespace=` would let a key sign where OpenSSH refuses it;
such a line is an error here, naming FILE:LINE:COL. A `cert-authority` line
trusts certificates its key signed, never a plain signature by that key.

`valid-after` / `valid-before` say when a key is "valid for use" (ssh-keygen(1)): a signature the journal holds is
judged at the time its line records (as `ssh-keygen -Y verify -Overify-time=` and git's commit signatures are), a
signature made now at now. A key given a `valid-before` when it is rotated out still vouches for the runs it signed
before; to disown what a key signed, delete its line.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust.sshsig import NAMESPACE, SignatureError

if TYPE_CHECKING:
    import asyncssh
    from asyncssh.sshsig import SSHAllowedSignersEntry

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_TIME = r'"\d{8}(?:\d{4}(?:\d{2})?)?Z?"'
#: One option as OpenSSH's sshsigopt_parse() takes it.
_OPTION = re.compile(rf"cert-authority(?=,|$)|namespaces={_QUOTED}|valid-(?:after|before)={_TIME}")
#: The line's first two fields: the principals, then what follows (options, or the key itself).
_FIELDS = re.compile(r"(\S+)\s+(.*)")
_OPTIONS = re.compile(rf'(?:{_QUOTED}|[^\s"])+')
_EXPECTED = 'cert-authority, namespaces="…", valid-after="YYYYMMDD[HHMM[SS]][Z]" or valid-before="…"'


class AllowedSigners:
    """Who may sign with which key: (the line's principals as written, the parsed line) for each line."""

    def __init__(self, entries: Iterable[tuple[str, SSHAllowedSignersEntry]], path: str) -> None:
        listed = list(entries)
        self.entries = [(written, entry) for written, entry in listed if "cert-authority" not in entry.options]
        self.authorities = [entry for _, entry in listed if "cert-authority" in entry.options]  # said in a refusal, never allowed
        self.path = path

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


def _parts(line: str) -> tuple[str, int, str, str] | None:
    """(principals, column of the options, the options as written, `KEYTYPE BASE64`) of a line ending in a key, its
    comment left out; None when no key follows the options (asyncssh's parser then says what is wrong)."""
    fields = _FIELDS.fullmatch(line)
    if fields is None:
        return None  # no key at all
    rest, written = fields[2], ""
    if not _is_key(rest):
        options = _OPTIONS.match(rest)
        written = options[0] if options else ""
        if not written or not _is_key(rest[len(written) :]):
            return None
    return fields[1], fields.start(2) + 1, written, " ".join(rest[len(written) :].split()[:2])


def _option_problem(column: int, written: str) -> tuple[int, str] | None:
    """(column, what is wrong) with the line's options (`written`, at `column`) as OpenSSH reads them; None when they hold."""
    at = 0
    while at < len(written):
        found = _OPTION.match(written, at)
        if found is None or (found.end() < len(written) and written[found.end()] != ","):
            option = written[at:].split(",", 1)[0]
            return column + at, f"OpenSSH ignores this line: {option!r} is not {_EXPECTED}"
        at = found.end() + 1
    return None


#: An allowed_signers file is never larger (a FIFO or `/dev/zero` named in the settings is refused, not read).
MAX_SIGNERS_BYTES = 4 * 1024 * 1024


def read_allowed_signers(path: str) -> AllowedSigners:
    """Read the file (bounded, a regular file only); a line that is not an entry OpenSSH takes is an error naming FILE:LINE:COL."""
    shown = visible_line(path)
    try:
        text = read_limited(Path(path).expanduser(), MAX_SIGNERS_BYTES).decode("utf-8")
    except OSError as exc:
        raise SignatureError(f"{shown}: cannot read the allowed signers: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SignatureError(f"{shown}: cannot read the allowed signers: expected UTF-8 text") from None
    import asyncssh
    from asyncssh.sshsig import SSHAllowedSignersEntry

    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):  # known_hosts' `@revoked` / `@cert-authority`: OpenSSH reads it as a principal named so
            marker = visible_line(line.split(None, 1)[0][:40])
            raise SignatureError(
                f"{shown}:{number}:1: {marker!r} is a known_hosts marker; an allowed_signers line has none (OpenSSH ignores"
                ' this line): to revoke a key, delete its line (valid-before="YYYYMMDD" ends its use from then on); a certificate authority'
                " is written 'bob cert-authority KEYTYPE BASE64'"
            )
        parts = _parts(line)
        if parts is not None and (problem := _option_problem(parts[1], parts[2])) is not None:
            raise SignatureError(f"{shown}:{number}:{problem[0]}: {visible_line(problem[1])}")
        try:  # without its comment: asyncssh reads a key given as text as ASCII (before: `-C "José Núñez"` refused the file)
            entry = SSHAllowedSignersEntry(line if parts is None else " ".join(part for part in (parts[0], parts[2], parts[3]) if part))
        except (ValueError, asyncssh.KeyImportError) as exc:
            why = visible_line(str(exc))
            if _is_key(line):  # a `.pub` file (or its line) given as the list: said as such, not "Invalid public key"
                why = "this line is a public key alone (a .pub file?), without the names it signs for; put the name first: 'bob ssh-ed25519 AAAA…'"
            raise SignatureError(f"{shown}:{number}:1: expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): {why}") from None
        entries.append((line.split(None, 1)[0], entry))
    if not entries:
        raise SignatureError(f"{shown}: no allowed signers in it (expected PRINCIPALS KEYTYPE BASE64 lines)")
    return AllowedSigners(entries, path)


def _is_key(text: str) -> bool:
    """Whether `text` is a public key as a `.pub` file holds it (KEYTYPE BASE64 [COMMENT]); read as bytes, since asyncssh
    reads text as ASCII and a comment may hold any UTF-8 (`ssh-keygen -C "José Núñez"`)."""
    from asyncssh.public_key import KeyImportError, import_public_key

    try:
        import_public_key(text.encode())
    except (KeyImportError, ValueError):
        return False
    return True
