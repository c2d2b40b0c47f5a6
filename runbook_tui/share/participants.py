"""Who may join a shared session, with which role, recognised by their SSH public key."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import asyncssh
import yaml

from runbook_tui.runbook.lean_dataclass import dataclass

Role = Literal["verifier", "observer"]


class ParticipantsError(ValueError):
    """A key file or participants file that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    role: Role
    fingerprint: str


def _key(text: str, where: str) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_public_key(text.strip())
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise ParticipantsError(f"{where}: expected an SSH public key (ssh-ed25519 AAAA... name): {exc}") from None


def from_key_file(path: str, role: Role) -> Participant:
    """`--verifier-key FILE` / `--observer-key FILE`: the name is the key's comment, else the file name."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ParticipantsError(f"{path}: cannot read the key: {exc.strerror}") from None
    key = _key(text, path)
    name = (key.get_comment() or Path(path).name.removesuffix(".pub")).split("@")[0]
    return Participant(name, role, key.get_fingerprint())


def from_participants_file(path: str) -> list[Participant]:
    """A YAML list of {name, role: verifier|observer, key: "ssh-ed25519 AAAA..."}."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise ParticipantsError(f"{path}: cannot read the participants: {exc}") from None
    if not isinstance(data, list):
        raise ParticipantsError(f"{path}: expected a list of {{name, role, key}}")
    people = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict) or item.get("role") not in ("verifier", "observer") or not item.get("name"):
            raise ParticipantsError(f"{path}: entry {index}: expected {{name, role: verifier|observer, key}}")
        key = _key(str(item.get("key", "")), f"{path}: entry {index}")
        people.append(Participant(str(item["name"]), item["role"], key.get_fingerprint()))
    return people
