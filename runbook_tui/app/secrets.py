"""Secret values from the keyring or the environment, read once when a run starts.

They are read once, when the session opens and before its first event. A
missing value or a missing keyring backend is an error that names the
secret and says how to provide it, before any step runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import get_args

from runbook_tui.engine.actors import Role
from runbook_tui.engine.ports import Stream
from runbook_tui.engine.redact import MIN_SECRET_LENGTH
from runbook_tui.engine.rollback import Outcome
from runbook_tui.engine.state_model import FINAL_STEP, RUNNABLE
from runbook_tui.runbook.model import Runbook, Secret, SectionKind, StepKind, VerifyMode

#: Words the journal writes as a field's whole value (statuses, outcomes, phases, modes, roles, streams, kinds).
_JOURNAL_WORDS = frozenset(
    {*get_args(Outcome), *get_args(Role), *get_args(Stream), *get_args(SectionKind), *get_args(StepKind), *get_args(VerifyMode)}
    | FINAL_STEP
    | RUNNABLE
    | {"running", "aborted", "rolled_back", "done_criteria_failed", "live", "dry-run", "rehearsal", "practice", "local", "timeout", "error"}
)


class SecretsError(Exception):
    """One or more secrets could not be read; the message lists each one and the way out."""


def _read_one(secret: Secret, environ: Mapping[str, str]) -> str:
    if secret.env is not None:
        value = environ.get(secret.env)
        if not value:
            raise SecretsError(f"secret '{secret.name}': environment variable {secret.env} is not set; export it before the run")
        return value
    import keyring  # imported here: it costs start-up time and only runs with keyring secrets
    from keyring.errors import KeyringError, NoKeyringError

    where = f"service '{secret.keyring_service}', user '{secret.keyring_username}'"
    try:
        value = keyring.get_password(secret.keyring_service or "", secret.keyring_username or "")
    except NoKeyringError:
        raise SecretsError(
            f"secret '{secret.name}': no keyring is available on this machine ({where}); "
            "use an env: source for this secret instead, or set up a keyring backend"
        ) from None
    except KeyringError as exc:
        raise SecretsError(f"secret '{secret.name}': the keyring failed ({where}): {exc}") from None
    if value is None:
        raise SecretsError(
            f"secret '{secret.name}': nothing stored in the keyring for {where}; store it with: keyring set {secret.keyring_service} {secret.keyring_username}"
        )
    return value


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


def read_secrets(runbook: Runbook, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every declared secret's value; raises SecretsError listing all that are missing."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    problems: list[str] = []
    for secret in runbook.secrets:
        try:
            value = _read_one(secret, env)
        except SecretsError as exc:
            problems.append(str(exc))
            continue
        problem = unmaskable(runbook, secret.name, value)
        if problem is not None:
            problems.append(problem)
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
