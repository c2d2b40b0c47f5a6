"""The user's settings file and the XDG places the program keeps things.

`$XDG_CONFIG_HOME/runbook-tui/settings.yaml` (or the file named by
`RUNBOOK_TUI_SETTINGS`), all keys optional:

```yaml
ssh: {known_hosts: ~/.ssh/known_hosts, keepalive_interval: 15, reconnect_attempts: 5}
max_concurrency: 50
blackouts:
  - {start: 2026-11-30T00:00:00+00:00, end: 2026-12-01T06:00:00+00:00, reason: month-end billing}
notify:                      # webhooks for every run (a runbook's notify: adds to these); see runbook/reach.py
  - {url: {env: CHAT_HOOK_URL}, format: slack, events: [session_started, guard_tripped, session_finished]}
notify_timing: {verifier_missing: 10m, confirmation_waiting: 10m, window_closing: 15m, timeout: 5s, retries: 2}
allowed_signers: ~/.config/runbook-tui/allowed_signers   # who is who: OpenSSH allowed_signers (principal = name)
require_approval: true       # run/exec refuse to start without --approval FILE (see `runbook-tui approve`)
approvers: [carol]           # who may approve plans, besides the ticket's verifier
```
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runbook_tui.engine.window import Blackout
from runbook_tui.runbook.reach import NotifyTarget, NotifyTiming, settings_notify


class SettingsError(ValueError):
    """The settings file is unreadable or has a wrong value; the message names the file and key."""


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "runbook-tui"


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / "runbook-tui"


def journals_dir() -> Path:
    return state_dir() / "journals"


def default_journal_path(runbook_id: str, now: dt.datetime | None = None) -> Path:
    """`<runbook id>-<UTC timestamp>.jsonl` in the journals folder."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return journals_dir() / f"{runbook_id}-{moment.strftime('%Y%m%dT%H%M%SZ')}.jsonl"


@dataclass(frozen=True)
class Settings:
    known_hosts: str = field(default_factory=lambda: str(Path.home() / ".ssh" / "known_hosts"))
    max_concurrency: int = 50
    blackouts: tuple[Blackout, ...] = ()
    #: Seconds between SSH keepalives (three unanswered ones drop the connection, which then reconnects).
    keepalive_interval: float = 15.0
    #: Reconnect attempts (with backoff) after a dropped SSH connection before a step's outcome is unknown.
    reconnect_attempts: int = 5
    #: Webhooks for every run (`notify:`), and when the late notices go out (`notify_timing:`).
    notify: tuple[NotifyTarget, ...] = ()
    notify_timing: NotifyTiming = field(default_factory=NotifyTiming)
    #: OpenSSH allowed_signers file mapping people (principals) to keys; `--allowed-signers` overrides it.
    allowed_signers: str | None = None
    #: run/exec refuse to start without an approval of the plan (`--approval FILE`).
    require_approval: bool = False
    #: Who may approve a plan besides the ticket's verifier.
    approvers: tuple[str, ...] = ()


def load_settings(path: Path | None = None) -> Settings:
    path = path or Path(os.environ.get("RUNBOOK_TUI_SETTINGS") or config_dir() / "settings.yaml")
    if not path.exists():
        return Settings()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"{path}: cannot read the settings: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping of settings")
    ssh = data.get("ssh") or {}
    if not isinstance(ssh, dict):
        raise SettingsError(f"{path}: ssh: expected a mapping (known_hosts, keepalive_interval, reconnect_attempts)")
    known_hosts = os.path.expanduser(str(ssh.get("known_hosts", Settings().known_hosts)))
    keepalive = ssh.get("keepalive_interval", Settings.keepalive_interval)
    if isinstance(keepalive, bool) or not isinstance(keepalive, (int, float)) or keepalive <= 0:
        raise SettingsError(f"{path}: ssh.keepalive_interval: expected a number of seconds above 0")
    attempts = ssh.get("reconnect_attempts", Settings.reconnect_attempts)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
        raise SettingsError(f"{path}: ssh.reconnect_attempts: expected a whole number of at least 0")
    concurrency = data.get("max_concurrency", 50)
    if not isinstance(concurrency, int) or concurrency < 1:
        raise SettingsError(f"{path}: max_concurrency: expected a whole number of at least 1")
    blackouts = tuple(_blackout(path, b) for b in data.get("blackouts") or [])
    notify, timing, problems = settings_notify(path.read_text(encoding="utf-8"), str(path))
    if problems:
        raise SettingsError("\n".join(str(p) for p in problems))
    signers, require, approvers = _trust(path, data)
    return Settings(
        known_hosts, concurrency, blackouts, keepalive_interval=float(keepalive), reconnect_attempts=attempts, notify=notify, notify_timing=timing,
        allowed_signers=signers, require_approval=require, approvers=approvers,
    )  # fmt: skip


def _trust(path: Path, data: dict[str, Any]) -> tuple[str | None, bool, tuple[str, ...]]:
    """allowed_signers (a path), require_approval (true/false), approvers (a list of names)."""
    signers = data.get("allowed_signers")
    if signers is not None and (not isinstance(signers, str) or not signers.strip()):
        raise SettingsError(f"{path}: allowed_signers: expected the path of an OpenSSH allowed_signers file")
    require = data.get("require_approval", False)
    if not isinstance(require, bool):
        raise SettingsError(f"{path}: require_approval: expected true or false")
    approvers = data.get("approvers") or []
    if not isinstance(approvers, list) or not all(isinstance(a, str) and a.strip() for a in approvers):
        raise SettingsError(f"{path}: approvers: expected a list of names (principals in allowed_signers)")
    return (os.path.expanduser(signers) if signers else None), require, tuple(approvers)


def _blackout(path: Path, item: Any) -> Blackout:
    try:
        start, end = (_moment(item[k]) for k in ("start", "end"))
        return Blackout(start, end, str(item.get("reason", "blackout")))
    except (KeyError, TypeError, ValueError):
        raise SettingsError(f"{path}: blackouts: expected {{start, end, reason}} with ISO 8601 times with an offset, got {item!r}") from None


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment
