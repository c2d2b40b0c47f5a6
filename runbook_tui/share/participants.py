"""Who may join a shared session, with which role, recognised by their SSH public key."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, Literal

import asyncssh

from runbook_tui.engine.actors import person_name_problem
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.diagnostics import Collector, RunbookInvalid, shown
from runbook_tui.runbook.document import YList, YMap, decode, load_values
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust.key_strength import private_key_problem, weakness

Role = Literal["verifier", "observer"]

#: A public key file, or a participants file, is never larger (a FIFO or `/dev/zero` is refused, not read).
MAX_KEY_BYTES = 64 * 1024
MAX_PARTICIPANTS_BYTES = 1024 * 1024
_ENTRY = "{name, role: verifier|observer, key: ssh-ed25519 AAAA...}"


class ParticipantsError(ValueError):
    """A key file or participants file that cannot be used; the message names it (`FILE:LINE:COL: ...` for the file)."""


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    role: Role
    fingerprint: str


def _key(text: str) -> asyncssh.SSHKey:
    """The public key, or ValueError saying what was expected (never a private key, never a weak one)."""
    if (private := private_key_problem(text)) is not None:
        raise ValueError(private)  # asyncssh reads a private key's public half: it was taken, and journaled by its path
    try:
        key = asyncssh.import_public_key(text.strip().encode())  # as bytes: a str with a UTF-8 comment (José) reads as no key
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise ValueError(f"expected an SSH public key (ssh-ed25519 AAAA... name): {visible_line(str(exc))}") from None
    if (weak := weakness(key)) is not None:
        raise ValueError(weak)
    return key


def _read(path: str, limit: int, what: str) -> str:
    try:
        return decode(read_limited(path, limit), visible_line(path))
    except OSError as exc:
        raise ParticipantsError(f"{visible_line(path)}:1:1: cannot read the {what}: {exc.strerror}") from None
    except RunbookInvalid as invalid:
        raise ParticipantsError(str(invalid)) from None


def from_key_file(path: str, role: Role) -> Participant:
    """`--verifier-key FILE` / `--observer-key FILE`: the name is the key's comment, else the file name."""
    text = _read(path, MAX_KEY_BYTES, "key")
    try:
        key = _key(text)
    except ValueError as exc:
        raise ParticipantsError(f"{visible_line(path)}:1:1: {exc}") from None
    name = (key.get_comment() or Path(path).name.removesuffix(".pub")).split("@")[0]
    if (problem := person_name_problem(name)) is not None:  # the name is what the journal records as the actor
        raise ParticipantsError(f"{visible_line(path)}:1:1: the key's comment (or the file's name) names this person: {problem}")
    return Participant(name, role, key.get_fingerprint())


def gather(verifier_keys: list[str], observer_keys: list[str], participants: str | None) -> tuple[Participant, ...]:
    """Everyone `--verifier-key`, `--observer-key` and `--participants` name; ParticipantsError for a key given twice."""
    people: list[Participant] = []
    files: list[tuple[str, Role]] = [(p, "verifier") for p in verifier_keys] + [(p, "observer") for p in observer_keys]
    for path, role in files:
        person = from_key_file(path, role)
        if any(p.fingerprint == person.fingerprint for p in people):
            raise ParticipantsError(f"{visible_line(path)}:1:1: this key was given before; expected each key once (one role per person)")
        if (other := next((p for p in people if p.name == person.name and p.role != person.role), None)) is not None:
            raise ParticipantsError(f"{visible_line(path)}:1:1: {_another_role(person, other, f'--{other.role}-key')}")
        people.append(person)
    if participants:
        people += from_participants_file(participants, tuple(people))
    return tuple(people)


def from_participants_file(path: str, known: tuple[Participant, ...] = ()) -> list[Participant]:
    """A YAML list of {name, role: verifier|observer, key: "ssh-ed25519 AAAA..."}.

    Every problem is a `FILE:LINE:COL: what was expected` line of one ParticipantsError. A key given
    twice (here, or also by `--verifier-key`/`--observer-key`: `known`) is refused: which entry would win
    decides who may confirm steps.
    """
    file = visible_line(path)
    try:
        data = load_values(_read(path, MAX_PARTICIPANTS_BYTES, "participants"), file)
    except RunbookInvalid as invalid:
        raise ParticipantsError("\n".join(str(d) for d in invalid.errors)) from None
    if not isinstance(data, YList):
        raise ParticipantsError(f"{file}:1:1: expected a list of {_ENTRY}, got {_described(data)}")
    found = Collector()
    seen = {p.fingerprint: f"given by --{p.role}-key" for p in known}
    named = {p.name: (p, f"--{p.role}-key") for p in known}  # one role per name
    people = []
    for index, (item, mark) in enumerate(zip(data, data.item_marks), start=1):
        person = _entry(item, mark, index, found)
        if person is None:
            continue
        if person.fingerprint in seen:
            found.error(item.value_mark("key"), f"entry {index}: this key is {seen[person.fingerprint]}; expected each key once")
            continue
        other, where = named.get(person.name, (person, ""))
        if other.role != person.role:
            found.error(item.value_mark("name"), f"entry {index}: {_another_role(person, other, where)}")
            continue
        seen[person.fingerprint] = f"entry {index}'s ({visible_line(person.name)}, {person.role})"
        named.setdefault(person.name, (person, f"entry {index}"))
        people.append(person)
    if found.has_errors:
        raise ParticipantsError("\n".join(str(d) for d in sorted(found.items, key=lambda d: (d.mark.line, d.mark.col))))
    return people


def _entry(item: Any, mark: Mark, index: int, found: Collector) -> Participant | None:
    if not isinstance(item, YMap):
        found.error(mark, f"entry {index}: expected {_ENTRY}, got {_described(item)}")
        return None
    for extra in [k for k in item if k not in ("name", "role", "key")]:
        found.error(item.key_mark(extra), f"entry {index}: unknown field '{visible_line(extra)}'; expected name, role, key")
    missing = [k for k in ("name", "role", "key") if k not in item]
    if missing:
        found.error(mark, f"entry {index}: missing {', '.join(missing)}; expected {_ENTRY}")
        return None
    name, role = item["name"], item["role"]
    ok = True
    if not isinstance(name, str) or not name.strip() or name != name.strip() or visible_line(name) != name:
        found.error(item.value_mark("name"), f"entry {index}: name: expected a name on one line, without control characters, got {_described(name)}")
        ok = False
    elif (problem := person_name_problem(name)) is not None:
        found.error(item.value_mark("name"), f"entry {index}: name: {problem}")
        ok = False
    if role not in ("verifier", "observer"):
        found.error(item.value_mark("role"), f"entry {index}: role: expected verifier or observer, got {_described(role)}")
        ok = False
    written = item["key"] if isinstance(item["key"], str) else ""
    if written.strip() and not any(char.isspace() for char in written.strip()) and (written.endswith(".pub") or Path(written).is_file()):
        shown_path = visible_line(written)  # `key: bob.pub`, as --verifier-key takes a file: a key line has a space
        found.error(
            item.value_mark("key"),
            f"entry {index}: key: {shown_path} is a file's name; expected the key itself, the line the file holds"
            f" (ssh-ed25519 AAAA... name: cat {shlex.quote(shown_path)}), or the file given with --verifier-key / --observer-key",
        )
        return None
    try:
        fingerprint = _key(written).get_fingerprint()
    except ValueError as exc:
        found.error(item.value_mark("key"), f"entry {index}: key: {exc}")
        return None
    return Participant(name, role, fingerprint) if ok else None


def _another_role(person: Participant, other: Participant, where: str) -> str:
    """Two keys naming one person in two roles: the session counts a person's sessions and journals their joins by
    name, so an observer's key named like the verifier could take the verifier's places (4 sessions at once)."""
    return (
        f"{visible_line(person.name)} is named {other.role} by {where} and {person.role} here; expected one role per name "
        "(two people: give each key its own name; one person: join with the verifier's key and --observe to watch)"
    )


def _described(value: Any) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    return "nothing" if value is None else visible_line(shown(value))
