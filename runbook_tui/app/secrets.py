"""Secret values from the keyring or the environment, read once when a run starts.

They are read once, when the session opens and before its first event. A
missing value or a missing keyring backend is an error that names the
secret and says how to provide it, before any step runs. So is a keyring
backend that fails in any way (a DBus binding raises its own errors, not
keyring's), one that does not answer within KEYRING_SECONDS (a locked
keyring waiting for an unlock prompt nobody sees: the thread asking is left
behind), a value holding a NUL, which no command's environment can carry, and one that is not UTF-8 (it could not be
masked in the output, which is read as UTF-8).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import get_args

from runbook_tui.engine.actors import Role
from runbook_tui.engine.ports import Stream
from runbook_tui.engine.redact import MIN_SECRET_LENGTH
from runbook_tui.engine.rollback import Outcome
from runbook_tui.engine.state_model import FINAL_STEP, RUNNABLE
from runbook_tui.runbook.model import Runbook, Secret, SectionKind, StepKind, VerifyMode
from runbook_tui.runbook.safe_text import not_utf8

#: Words the journal writes as a field's whole value (statuses, outcomes, phases, modes, roles, streams, kinds).
_JOURNAL_WORDS = frozenset(
    {*get_args(Outcome), *get_args(Role), *get_args(Stream), *get_args(SectionKind), *get_args(StepKind), *get_args(VerifyMode)}
    | FINAL_STEP
    | RUNNABLE
    | {"running", "aborted", "rolled_back", "done_criteria_failed", "live", "dry-run", "rehearsal", "practice", "local", "timeout", "error"}
)


class SecretsError(Exception):
    """One or more secrets could not be read; the message lists each one and the way out."""


#: How long the keyring may take to answer (an unlock prompt included) before the run is refused.
KEYRING_SECONDS = 60.0
#: Seconds the keyring may take before a headless run says it waits for it (an unlock prompt on the desktop, maybe).
KEYRING_SAY_AFTER = 2.0
#: The same for an SSH identity's passphrase, asked as a host connects (a keyring that does not answer: the agent, if any).
PASSPHRASE_SECONDS = 10.0


def _read_one(secret: Secret, environ: Mapping[str, str], waiting: Callable[[str], None] | None = None) -> str:
    if secret.env is not None:
        value = environ.get(secret.env)
        if not value:  # set but empty (`export PGPASSWORD=`) is said as such: "not set" sent people to look for a typo
            state = "is not set" if value is None else "is set but empty"
            raise SecretsError(f"secret '{secret.name}': environment variable {secret.env} {state}; export it before the run")
        if not_utf8(value) is not None:  # the value itself is never shown
            raise SecretsError(f"secret '{secret.name}': environment variable {secret.env} holds bytes that are not UTF-8; expected UTF-8 text")
        return value
    where = f"service '{secret.keyring_service}', user '{secret.keyring_username}'"
    value = _ask_keyring(secret.name, secret.keyring_service or "", secret.keyring_username or "", where, waiting=waiting)
    if value is None:
        raise SecretsError(
            f"secret '{secret.name}': nothing stored in the keyring for {where}; store it with: keyring set {secret.keyring_service} {secret.keyring_username}"
        )
    if "\0" in value:
        raise SecretsError(f"secret '{secret.name}': the keyring's value for {where} holds a NUL character, which no command's environment can carry")
    return value


def _ask_keyring(name: str, service: str, username: str, where: str, seconds: float | None = None, waiting: Callable[[str], None] | None = None) -> str | None:
    """The keyring's answer, asked in a thread of its own so that a backend that never answers is given up after KEYRING_SECONDS;
    `waiting` is told once when it has not answered after KEYRING_SAY_AFTER (before: exec said nothing for a minute)."""
    seconds = KEYRING_SECONDS if seconds is None else seconds
    import keyring  # imported here: it costs start-up time and only runs with keyring secrets
    from keyring.errors import NoKeyringError

    answer: list[str | None] = []
    failure: list[Exception] = []

    def ask() -> None:
        try:
            answer.append(keyring.get_password(service, username))
        except Exception as exc:  # a backend can fail in many ways (DBus, a locked collection, a bug): said in words below
            failure.append(exc)

    asking = threading.Thread(target=ask, name="keyring", daemon=True)  # daemon: one that never answers does not hold the exit
    asking.start()
    asking.join(min(seconds, KEYRING_SAY_AFTER) if waiting is not None else seconds)
    if waiting is not None and asking.is_alive() and seconds > KEYRING_SAY_AFTER:
        waiting(f"waiting for the keyring to give secret '{name}' ({where}): unlock it if it asks; the run is refused if it has not answered in {seconds:g} s")
        asking.join(seconds - KEYRING_SAY_AFTER)
    if asking.is_alive():
        raise SecretsError(
            f"secret '{name}': the keyring did not answer within {seconds:g} s ({where}): is it locked and waiting for an unlock prompt? "
            "unlock it, or use an env: source for this secret"
        )
    if failure and isinstance(failure[0], NoKeyringError):
        raise SecretsError(
            f"secret '{name}': no keyring is available on this machine ({where}); use an env: source for this secret instead, or set up a keyring backend"
        )
    if failure:
        said = " ".join(str(failure[0]).split())[:200]
        raise SecretsError(f"secret '{name}': the keyring failed ({where}): {type(failure[0]).__name__}: {said}")
    value = answer[0]
    if value is not None and not isinstance(value, str):
        raise SecretsError(f"secret '{name}': the keyring answered with {type(value).__name__}, not text ({where})")
    return value


def identity_passphrase(path: str) -> str | None:
    """An encrypted SSH identity's passphrase, from the keyring (service `runbook-tui`, username the identity's path);
    None when none is stored or no keyring answers within PASSPHRASE_SECONDS: an SSH agent may still hold the key."""
    from runbook_tui.execute.ssh_connect import PASSPHRASE_SERVICE

    try:
        return _ask_keyring(f"passphrase of {path}", PASSPHRASE_SERVICE, path, f"service '{PASSPHRASE_SERVICE}', user '{path}'", PASSPHRASE_SECONDS)
    except SecretsError:
        return None


def read_secret(secret: Secret, environ: Mapping[str, str] | None = None) -> str:
    """One secret's value (a notify header's, for example); raises SecretsError naming it and the way out."""
    return _read_one(secret, os.environ if environ is None else environ)


def unmaskable(runbook: Runbook, name: str, value: str) -> str | None:
    """Why `value` cannot be masked in this run's journal, or None: too short, or part of a word the journal needs."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"secret '{name}' is only {len(value)} characters: too short to mask reliably in journals and on screen; expected at least {MIN_SECRET_LENGTH}"
    if _inside_structure(runbook, value):  # which word is not said: it would tell the value
        return (
            f"secret '{name}' is part of a word the journal writes whole (a step's status or outcome, the name "
            "of a step, host, section, parameter, capture or panel): masking it would hide what happened; "
            "expected a value that is not part of those words"
        )
    return None


def read_secrets(runbook: Runbook, environ: Mapping[str, str] | None = None, waiting: Callable[[str], None] | None = None) -> dict[str, str]:
    """Every declared secret's value; raises SecretsError listing all that are missing (`waiting`: told of a slow keyring)."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    problems: list[str] = []
    for secret in runbook.secrets:
        try:
            value = _read_one(secret, env, waiting)
        except SecretsError as exc:  # at the secret's FILE:LINE:COL, as every error about the runbook
            problems.append(f"{secret.mark}: {exc}")
            continue
        problem = unmaskable(runbook, secret.name, value)
        if problem is not None:
            problems.append(f"{secret.mark}: {problem}")
            continue
        values[secret.name] = value
    if problems:
        raise SecretsError("\n".join(problems))
    return values


def _structure(runbook: Runbook) -> Iterator[str]:
    """Every name of the runbook and word of the journal that is a field's whole value."""
    yield runbook.id
    for section in runbook.sections:
        yield section.id
        for step in section.steps:
            yield step.id
            yield step.capture or ""
    for group, hosts in runbook.hosts:
        yield group
        yield from (host.name for host in hosts)
    yield from (param.name for param in runbook.params)
    yield from (panel.id for panel in (runbook.metrics.panels if runbook.metrics else ()))
    yield from _JOURNAL_WORDS


def _inside_structure(runbook: Runbook, value: str) -> bool:
    """Masked, `value` would take the meaning of one of those words (a step `done` journaled as `***`)."""
    return any(value in word for word in _structure(runbook))
