"""The user's settings file and the XDG places the program keeps things.

`$XDG_CONFIG_HOME/runbook-tui/settings.yaml` (or the file named by
`RUNBOOK_TUI_SETTINGS`), all keys optional:

```yaml
ssh: {known_hosts: ~/.ssh/known_hosts, keepalive_interval: 15, reconnect_attempts: 5, config: ~/.ssh/config}
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
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from runbook_tui.engine.window import Blackout
from runbook_tui.runbook.bounded_read import not_regular, read_limited
from runbook_tui.runbook.diagnostics import Collector, RunbookInvalid
from runbook_tui.runbook.document import MAX_BYTES, YList, YMap, decode, load_values
from runbook_tui.runbook.fields import describe
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.model import Mark
from runbook_tui.runbook.reach import NotifyTarget, NotifyTiming, settings_notify
from runbook_tui.runbook.safe_text import visible_line


class SettingsError(ValueError):
    """The settings file is unreadable or has wrong values: one `FILE:LINE:COL: message` line each."""


def home() -> Path:
    """The home folder: HOME, else this uid's passwd entry; SettingsError when neither names one (`env -i` in a container
    run as `--user 4242`; before: `RuntimeError: Could not determine home directory.`, a traceback)."""
    try:
        return Path.home()
    except RuntimeError:
        raise SettingsError(
            f"runbook-tui: no home folder: HOME is unset and user id {os.getuid()} has no passwd entry; set HOME to a folder"
            " of yours (the settings, journals and known_hosts are kept under it)"
        ) from None


def _xdg(var: str, fallback: str) -> Path:
    """The XDG folder `var` names; unset, empty or relative (the XDG spec: "consider the path invalid and ignore it"), ~/`fallback`."""
    value = os.environ.get(var)
    return Path(value) if value and os.path.isabs(value) else home() / fallback


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "runbook-tui"


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / "runbook-tui"


def journals_dir() -> Path:
    return state_dir() / "journals"


#: The runbook id's characters a journal's file name keeps: with the 30 of its timestamp, within the 255 of a file name.
JOURNAL_ID_CHARS = 200


def default_journal_path(runbook_id: str, now: dt.datetime | None = None) -> Path:
    """`<runbook id>-<UTC timestamp>.jsonl` in the journals folder, the contract's name, to the microsecond
    (`change-20261201T230000.123456Z.jsonl`).

    A name already taken (another start in the same microsecond) moves on to the next microsecond; the journal itself
    is created with O_EXCL, so two starts never share one, and a start whose name was created by another meanwhile
    asks for a name again (`session._writer`). Until session 22 a random suffix made names unique, and the
    name was no longer the contract's.
    """
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    named = runbook_id[:JOURNAL_ID_CHARS]  # a 300-character id ([a-z0-9-]+ sets no length) made a name the file system refused
    while True:
        path = journals_dir() / f"{named}-{moment:%Y%m%dT%H%M%S}.{moment.microsecond:06d}Z.jsonl"
        if not os.path.lexists(path):
            return path
        moment += dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Settings:
    known_hosts: str = field(default_factory=lambda: str(home() / ".ssh" / "known_hosts"))
    max_concurrency: int = 50
    blackouts: tuple[Blackout, ...] = ()
    #: Seconds between SSH keepalives (three unanswered ones drop the connection, which then reconnects).
    keepalive_interval: float = 15.0
    #: Reconnect attempts (with backoff) after a dropped SSH connection before a step's outcome is unknown.
    reconnect_attempts: int = 5
    #: The OpenSSH client config honoured for host aliases and bastions (`ssh.config: false` turns it off: None).
    ssh_config: str | None = field(default_factory=lambda: str(home() / ".ssh" / "config"))
    #: Webhooks for every run (`notify:`), and when the late notices go out (`notify_timing:`).
    notify: tuple[NotifyTarget, ...] = ()
    notify_timing: NotifyTiming = field(default_factory=NotifyTiming)
    #: OpenSSH allowed_signers file mapping people (principals) to keys; `--allowed-signers` overrides it.
    allowed_signers: str | None = None
    #: run/exec refuse to start without an approval of the plan (`--approval FILE`).
    require_approval: bool = False
    #: Who may approve a plan besides the ticket's verifier.
    approvers: tuple[str, ...] = ()
    #: Whether a settings file names `ssh.known_hosts` (plan labels it `settings`, else `default`).
    known_hosts_given: bool = False
    #: Whether a settings file names `ssh.config` (a path, or false): then read alone, as `ssh -F FILE` reads it.
    ssh_config_given: bool = False

    @property
    def system_ssh_config(self) -> bool:
        """Whether /etc/ssh/ssh_config is read after `ssh_config`, as ssh reads it: with the default ~/.ssh/config only,
        not when a settings file names the config (`ssh -F FILE`) or turns it off (`ssh -F none`)."""
        return self.ssh_config is not None and not self.ssh_config_given


def settings_path() -> Path:
    """The settings file: the one `RUNBOOK_TUI_SETTINGS` names, else the default place (where there may be none)."""
    named = os.environ.get("RUNBOOK_TUI_SETTINGS")
    return Path(named) if named else config_dir() / "settings.yaml"


def load_settings(path: Path | None = None) -> Settings:
    """The settings, or SettingsError listing every wrong value as `FILE:LINE:COL: message`.

    No file at the default place: the defaults. A file named (`RUNBOOK_TUI_SETTINGS`, or `path`) that is missing is an
    error: a typo must not run with none of its rules (require_approval, blackouts, allowed_signers).
    """
    named = path is not None or bool(os.environ.get("RUNBOOK_TUI_SETTINGS"))
    path = path or settings_path()
    if not named and not path.exists():
        return Settings()
    file = visible_line(str(path))  # in every message: a name's escapes shown, never sent to the terminal
    try:
        text = decode(read_limited(path, MAX_BYTES), file)  # /dev/zero, a FIFO or a huge file: refused, not read whole
        data = load_values(text, file)
    except OSError as exc:
        raise SettingsError(f"{file}:1:1: cannot read the settings: {exc.strerror}") from None
    except RunbookInvalid as invalid:
        raise SettingsError("\n".join(str(d) for d in invalid.errors)) from None
    if data is None:
        return Settings()
    found = Collector()
    settings = _read(data, file, found)
    notify, timing, problems = settings_notify(text, file)
    found.items.extend(problems)
    trust = _trust(data, found) if isinstance(data, YMap) else {}
    if found.has_errors or settings is None:
        raise SettingsError("\n".join(str(d) for d in sorted(found.items, key=lambda d: (d.mark.line, d.mark.col))))
    return replace(settings, notify=notify, notify_timing=timing, **trust)


#: Upper bounds: a value past them is a typo (a day between keepalives; reconnects and parallel hosts beyond any fleet's need).
MAX_KEEPALIVE, MAX_RECONNECTS, MAX_CONCURRENCY = 86400, 1000, 10000

_TOP = ("ssh", "max_concurrency", "blackouts", "notify", "notify_timing", "allowed_signers", "require_approval", "approvers")
_SSH = ("known_hosts", "keepalive_interval", "reconnect_attempts", "config")


def _read(data: Any, file: str, found: Collector) -> Settings | None:
    if not isinstance(data, YMap):
        found.error(Mark(file, 1, 1), f"expected a mapping of settings ({', '.join(_TOP)}), got {_shown(data)}")
        return None
    _known(data, _TOP, "setting", found)
    default = Settings()
    ssh = data.get("ssh")
    if ssh is not None and not isinstance(ssh, YMap):
        found.error(data.value_mark("ssh"), f"ssh: expected a mapping ({', '.join(_SSH)}), got {_shown(ssh)}")
    if not isinstance(ssh, YMap):
        ssh = YMap()  # the defaults, with the file's own position for any message
        ssh.file, ssh.pos, ssh.key_pos, ssh.value_pos = file, data.pos, {}, {}
    _known(ssh, _SSH, "ssh setting", found, prefix="ssh.")
    known_hosts = ssh.get("known_hosts", default.known_hosts)
    if not isinstance(known_hosts, str) or not known_hosts.strip():
        found.error(ssh.value_mark("known_hosts"), f"ssh.known_hosts: expected a file path, got {_shown(known_hosts)}")
    else:
        _regular_if_there(ssh, "known_hosts", found, "ssh.")
    keepalive = _number(
        ssh, "keepalive_interval", default.keepalive_interval, found, "ssh.", f"a number of seconds above 0, at most {MAX_KEEPALIVE}",
        minimum=0, maximum=MAX_KEEPALIVE, whole=False,
    )  # fmt: skip
    attempts = _number(
        ssh, "reconnect_attempts", default.reconnect_attempts, found, "ssh.", f"a whole number from 0 to {MAX_RECONNECTS}",
        minimum=0, maximum=MAX_RECONNECTS, whole=True, inclusive=True,
    )  # fmt: skip
    concurrency = _number(
        data, "max_concurrency", default.max_concurrency, found, "", f"a whole number from 1 to {MAX_CONCURRENCY}",
        minimum=1, maximum=MAX_CONCURRENCY, whole=True, inclusive=True,
    )  # fmt: skip
    blackouts = _blackouts(data, found)
    ssh_config = ssh.get("config", default.ssh_config)
    if ssh_config is not False and ssh_config is not None and not (isinstance(ssh_config, str) and ssh_config.strip()):
        found.error(ssh.value_mark("config"), f"ssh.config: expected the path of an ssh client config, or false to ignore it, got {_shown(ssh_config)}")
    elif "config" in ssh and isinstance(ssh_config, str) and not os.path.lexists(os.path.expanduser(ssh_config)):  # ssh -F refuses it too
        found.error(
            ssh.value_mark("config"),
            f"ssh.config: no file at {_shown(ssh_config)}: a config file named is read as `ssh -F FILE` reads it, which refuses"
            " one that is not there; expected the path of an ssh client config, or false to ignore it",
        )
    elif isinstance(ssh_config, str):
        _regular_if_there(ssh, "config", found, "ssh.")
    if found.has_errors:
        return None
    return Settings(
        os.path.expanduser(str(known_hosts)), int(concurrency), blackouts, keepalive_interval=float(keepalive), reconnect_attempts=int(attempts),
        ssh_config=os.path.expanduser(ssh_config) if isinstance(ssh_config, str) else None, known_hosts_given="known_hosts" in ssh,
        ssh_config_given="config" in ssh,
    )  # fmt: skip


def _trust(data: YMap, found: Collector) -> dict[str, Any]:
    """allowed_signers (a path), require_approval (true/false), approvers (a list of names)."""
    signers = data.get("allowed_signers")
    if signers is not None and not (isinstance(signers, str) and signers.strip()):
        found.error(data.value_mark("allowed_signers"), f"allowed_signers: expected the path of an OpenSSH allowed_signers file, got {_shown(signers)}")
    elif signers is not None:
        _regular_if_there(data, "allowed_signers", found, "")
    require = data.get("require_approval", False)
    if not isinstance(require, bool):
        found.error(data.value_mark("require_approval"), f"require_approval: expected true or false, got {_shown(require)}")
    approvers = data.get("approvers", [])
    if not isinstance(approvers, YList):
        if "approvers" in data:
            found.error(data.value_mark("approvers"), f"approvers: expected a list of names (principals in allowed_signers), got {_shown(approvers)}")
        approvers = []
    marks = approvers.item_marks if isinstance(approvers, YList) else []
    wrong = [(i, name, mark) for i, (name, mark) in enumerate(zip(approvers, marks), start=1) if not (isinstance(name, str) and name.strip())]
    for index, name, mark in wrong:  # the entry itself, not the whole list (it said "got a list")
        found.error(mark, f"approvers[{index}]: expected a name (a principal in allowed_signers), got {_shown(name)}")
    approvers = [] if wrong else approvers
    return {
        "allowed_signers": os.path.expanduser(signers) if isinstance(signers, str) and signers.strip() else None,
        "require_approval": require is True,
        "approvers": tuple(approvers),
    }


def _regular_if_there(mapping: YMap, key: str, found: Collector, prefix: str) -> None:
    """A path the program reads later (ssh's config and known_hosts, allowed_signers): a FIFO would hang that read and
    `/dev/zero` exhaust memory, so anything there but a regular file is refused now; a missing file is checked where
    it is read."""
    if key not in mapping:
        return  # a default path: ~/.ssh's own files
    try:
        mode = os.stat(os.path.expanduser(mapping[key])).st_mode
    except OSError:
        return
    problem = not_regular(mode)
    if problem is not None:
        found.error(mapping.value_mark(key), f"{prefix}{key}: {problem} ({_shown(mapping[key])})")


def _known(mapping: YMap, keys: tuple[str, ...], what: str, found: Collector, prefix: str = "") -> None:
    for key in mapping:
        if key not in keys:
            found.error(mapping.key_mark(key), f"unknown {what} '{visible_line(f'{prefix}{key}')}'; expected one of {', '.join(keys)}")


def _shown(value: Any) -> str:
    """A wrong value in YAML's words, as a runbook's errors say it (`true (a boolean)`, `nothing (null)`, `a list`)."""
    text = visible_line(describe(value) if value is None or isinstance(value, (bool, YMap, YList)) else repr(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _number(
    mapping: YMap, key: str, default: float, found: Collector, prefix: str, expected: str, *,
    minimum: float, maximum: float, whole: bool, inclusive: bool = False,
) -> float:  # fmt: skip
    value = mapping.get(key, default)
    wrong = isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int))
    if not wrong:
        wrong = not math.isfinite(value) or value < minimum or (value == minimum and not inclusive) or value > maximum
    if wrong:
        found.error(mapping.value_mark(key), f"{prefix}{key}: expected {expected}, got {_shown(value)}")
        return default
    return float(value)


def _blackouts(data: YMap, found: Collector) -> tuple[Blackout, ...]:
    items = data.get("blackouts")
    if items is None:
        return ()
    if not isinstance(items, YList):
        found.error(data.value_mark("blackouts"), f"blackouts: expected a list of {{start, end, reason}}, got {_shown(items)}")
        return ()
    result = []
    for index, (item, mark) in enumerate(zip(items, items.item_marks), start=1):
        where = f"blackouts[{index}]"
        if not isinstance(item, YMap):
            found.error(mark, f"{where}: expected {{start, end, reason}} with ISO 8601 times with an offset, got {_shown(item)}")
            continue
        _known(item, ("start", "end", "reason"), "blackout field", found, prefix=f"{where}.")
        moments = [_moment(item, key, where, found) for key in ("start", "end")]
        reason = item.get("reason", "blackout")
        if not isinstance(reason, str):
            found.error(item.value_mark("reason"), f"{where}.reason: expected text, got {_shown(reason)}")
        start, end = moments
        if start is not None and end is not None:
            if end <= start:
                found.error(item.value_mark("end"), f"{where}.end: expected a time after start ({start.isoformat()})")
            else:
                result.append(Blackout(start, end, str(reason)))
    return tuple(result)


def _moment(item: YMap, key: str, where: str, found: Collector) -> dt.datetime | None:
    if key not in item:
        found.error(item.mark, f"{where}: missing '{key}'; expected {key}: an ISO 8601 time with an offset")
        return None
    value = item[key]
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        found.error(item.value_mark(key), f"{where}.{key}: expected an ISO 8601 time with an offset (2026-11-30T00:00:00+00:00), got {_shown(value)}")
        return None
    return moment
