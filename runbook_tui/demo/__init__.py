"""`runbook-tui demo`: the whole flow on this machine, against a sandbox folder.

A fresh folder under `$XDG_STATE_HOME/runbook-tui/demo/` stands in for a
server: `etc/demo-app/app.conf` is the service's config, `run/` holds its
health and state files, `var/log/demo-app.log` its log, and
`bin/demo-appctl` a pretend service manager (what `systemctl reload` would
be on a real host). The embedded runbook (`demo.yaml`) raises the
connection pool in that config: prechecks, a backup checkpoint, the edit,
a reload, verification, and every change with an undo, so a rollback can
be practised (`-p break_reload=true` makes the reload fail).

Nothing here imports the UI: the command line wires this to the TUI or to
the headless `exec`.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from pathlib import Path
from typing import Any

from runbook_tui.app.settings import state_dir
from runbook_tui.engine.files import private_folder
from runbook_tui.engine.invocation import invocation

#: The embedded runbook; it ships inside the package.
RUNBOOK = Path(__file__).with_name("demo.yaml")
RUNBOOK_ID = "demo-app-config"

#: The pool size the sandbox starts with (the runbook raises it).
START_POOL_SIZE = 32

APP_CONF = f"""\
# demo-app: order service configuration (sandbox copy made by `runbook-tui demo`)
listen = 127.0.0.1:8080
log_level = info

[database]
host = db.demo.internal
port = 5432
name = orders
pool_size = {START_POOL_SIZE}
pool_timeout = 5s
statement_timeout = 30s
"""

# The pretend service manager. It stands in for `systemctl reload demo-app` on a real host
# and reads and writes only files under its own sandbox (found from where it lives).
APPCTL = r"""#!/bin/sh
# demo-appctl: the pretend service manager of the runbook-tui demo.
# Usage: demo-appctl check | diff BACKUP | reload [--simulate-failure | --error-spike SECONDS] | status
# It only reads and writes files inside this sandbox.
set -eu
root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
conf="$root/etc/demo-app/app.conf"
health="$root/run/demo-app.health"
running="$root/run/demo-app.running"
log="$root/var/log/demo-app.log"
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# Parse app.conf the way demo-app would; sets $pool.
parse() {
  if [ ! -f "$conf" ]; then echo "demo-app: $conf: no such file" >&2; return 1; fi
  pool=$(sed -n 's/^pool_size[[:space:]]*=[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' "$conf")
  if [ -z "$pool" ]; then echo "demo-app: $conf: pool_size missing or not a whole number" >&2; return 1; fi
}

case "${1:-}" in
  check)
    parse
    echo "app.conf ok: pool_size = $pool"
    ;;
  diff)
    # What changed since BACKUP: shown, never a failure (diff exits 1 when the files differ).
    diff -u --label 'app.conf (backup)' --label 'app.conf (now)' "${2:?usage: demo-appctl diff BACKUP}" "$conf" || true
    ;;
  reload)
    parse  # a config that does not parse is refused; the running service keeps the old one
    echo "reloading demo-app with pool_size = $pool"
    sleep 1
    if [ "${2:-}" = "--simulate-failure" ]; then
      echo "down" >"$health"
      echo "$(stamp) reload FAILED: workers did not come back (simulated)" >>"$log"
      echo "demo-app: reload failed: workers did not come back; health is now 'down'" >&2
      echo "(simulated: the demo was started with -p break_reload=true)" >&2
      exit 1
    fi
    echo "pool_size = $pool" >"$running"
    echo "ok" >"$health"
    if [ "${2:-}" = "--error-spike" ]; then
      # The new pool opens its connections: some requests fail for a while (the demo's metrics show it).
      mkdir -p "$root/var/lib/demo-app"
      echo $(( $(date +%s) + ${3:-12} )) >"$root/var/lib/demo-app/errors-until"
      echo "$(stamp) warming up: some requests fail for ${3:-12} s while the new pool opens" >>"$log"
      echo "demo-app is warming up: some requests fail for ${3:-12} s (watch the Error rate panel)"
    fi
    echo "$(stamp) reloaded: pool_size = $pool" >>"$log"
    echo "demo-app reloaded; health: ok"
    ;;
  status)
    echo "health: $(cat "$health")"
    echo "running with: $(cat "$running")"
    ;;
  *)
    echo "usage: demo-appctl check | diff BACKUP | reload [--simulate-failure | --error-spike SECONDS] | status" >&2
    exit 2
    ;;
esac
"""


def prepare_sandbox(base: Path) -> Path:
    """Make the pretend server under `base` (created; must be empty or missing) and return its path."""
    base = Path(base).absolute()
    base.mkdir(parents=True, exist_ok=True)
    if any(base.iterdir()):
        raise FileExistsError(f"{base}: not empty; the demo sandbox needs a fresh folder")
    (base / "etc" / "demo-app").mkdir(parents=True)
    (base / "etc" / "demo-app" / "app.conf").write_text(APP_CONF, encoding="utf-8")
    (base / "run").mkdir()
    (base / "run" / "demo-app.health").write_text("ok\n", encoding="utf-8")
    (base / "run" / "demo-app.running").write_text(f"pool_size = {START_POOL_SIZE}\n", encoding="utf-8")
    (base / "var" / "log").mkdir(parents=True)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    (base / "var" / "log" / "demo-app.log").write_text(f"{started} started: pool_size = {START_POOL_SIZE}\n", encoding="utf-8")
    (base / "bin").mkdir()
    with os.fdopen(os.open(base / "bin" / "demo-appctl", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755), "w", encoding="utf-8") as appctl:
        appctl.write(APPCTL)
    return base


def new_sandbox(now: dt.datetime | None = None) -> Path:
    """A fresh sandbox in `$XDG_STATE_HOME/runbook-tui/demo/<UTC timestamp>`."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    parent = state_dir() / "demo"
    private_folder(parent)
    for n in range(1, 100):
        base = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            base.mkdir()
        except FileExistsError:
            continue
        return prepare_sandbox(base)
    raise FileExistsError(f"{parent}: cannot make a fresh sandbox folder")


def demo_params(
    sandbox: Path, given: dict[str, Any], now: dt.datetime | None = None, *, metrics_url: str | None = None, error_spike: bool = False
) -> dict[str, Any]:
    """The runbook's parameters: the sandbox, a change window open now, the metrics endpoint; `-p` values win.

    `error_spike`: the reload makes errors spike for a few seconds, so the guard pauses the run (the TUI demo shows it).
    """
    if "sandbox" in given:
        raise ValueError("the demo makes its own sandbox; -p sandbox=... is for `run`/`exec`/`rehearse` on demo.yaml")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone().replace(microsecond=0)
    return {
        "sandbox": str(sandbox),
        "window_start": (moment - dt.timedelta(minutes=10)).isoformat(),
        "window_end": (moment + dt.timedelta(hours=2)).isoformat(),
        **({"metrics_url": metrics_url} if metrics_url else {}),
        **({"error_spike": True} if error_spike else {}),
        **given,
    }


#: What `demo --exec` does when the broken reload fails, by --on-failure: nobody is there to press `u` and `y`.
_HEADLESS_FAILURE = {
    "abort": "the full rollback runs by itself (--on-failure abort).",
    "rollback": "the rollback to the backup checkpoint runs by itself.",
    "stop": "the run stops there, failed: `resume --rollback` undoes it.",
}


def intro(sandbox: Path, *, headless: bool, params: dict[str, Any] | None = None, on_failure: str = "abort", shared: str | None = None) -> str:
    """What the demo prints before it starts, in lines that fit an 80-column terminal.

    It describes the path this run takes: a reload that fails (`-p break_reload=true`: keys in the TUI, what
    `on_failure` does headless), or the happy path with the error spike that pauses the run (the TUI), or the plain
    one (`--exec`). `shared`: the `--share` address, where the verifier joins.
    """
    lines = [
        "demo: a folder stands in for a server (config, health, log, service manager):",
        f"      {sandbox}",
        "demo: every command runs inside it; nothing goes over the network.",
    ]
    if shared:  # `demo --share ADDR --verifier-key KEY.pub`: the two-person side
        lines[-1] = "demo: every command runs inside it; only the verifier's SSH link is network."
        at = shared if ":" in shared.strip(":") or not shared.strip(":").isdigit() else f"THIS-HOST:{shared.strip(':')}"  # :PORT, PORT
        lines += [f"demo: shared at {shared}: the verifier joins from their terminal with", f"      {invocation()} join {at} and confirms each step (c)."]
    if _truthy((params or {}).get("break_reload")) and headless:
        lines += ["demo: this run's reload FAILS (-p break_reload=true): when it does,", f"      {_HEADLESS_FAILURE[on_failure]}"]
    elif _truthy((params or {}).get("break_reload")):
        lines += [
            "demo: this run's reload FAILS (-p break_reload=true): when it does, u shows",
            "      the undo list and y rolls back to the backup checkpoint.",
        ]
    elif not headless:
        lines += [
            "demo: after the reload the errors spike and the Error rate guard pauses the",
            "      run: watch the panel recover, then p resumes and enter goes on.",
        ]
    if not headless:
        lines.append("demo: keys: enter runs a step · u rolls back · y copies a command · ? help")
    return "\n".join(lines) + "\n"


def _truthy(value: object) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on", "y")


def outro(sandbox: Path, journal: Path, params: dict[str, Any]) -> str:
    """What the demo prints when it ends: where to look (the service's log, the journal, the report, the replay), what to try next."""
    me = invocation()
    if _truthy(params.get("break_reload")):
        next_try = f"demo: the happy path:        {me} demo"
    else:
        next_try = f"demo: a reload that fails:   {me} demo -p break_reload=true   (then u rolls back)"
    return (
        f"demo: what the service saw:  cat {shlex.quote(f'{sandbox}/var/log/demo-app.log')}\n"
        f"demo: check the journal:     {me} journal verify {shlex.quote(str(journal))}\n"
        f"demo: the change report:     {me} report {shlex.quote(str(journal))}\n"
        f"demo: watch it again:        {me} replay {shlex.quote(str(journal))}   (→ steps, space plays, q quits)\n"
        f"{next_try}\n"
    )


def is_interactive() -> bool:
    return os.isatty(0) and os.isatty(1)
