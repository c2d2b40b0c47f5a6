# Set-up shared by scripts/test and scripts/demo. Source it from the repo root
# (the callers `cd` there and `set -euo pipefail` first); it only defines
# functions.

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (install sudo or run as root)"
  fi
}

# quietly CMD...: run CMD with its output kept aside, shown only if it fails.
quietly() {
  local log rc=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || cat "$log" >&2
  rm -f "$log"
  return "$rc"
}

# apt_install PKG...: install Debian packages without recommends. Runs
# `apt-get update` first only when the package lists are empty, or after a
# failed attempt (stale lists).
apt_install() {
  local apt=(as_root env DEBIAN_FRONTEND=noninteractive apt-get -q)
  say "installing Debian packages: $*"
  if compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null \
     && "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null 2>&1; then
    return 0
  fi
  quietly "${apt[@]}" update || die "apt-get update failed"
  quietly "${apt[@]}" install -y --no-install-recommends "$@" || die "apt-get install $* failed"
}

# The one version of uv that turns uv.lock into .venv; bumping it is a commit.
UV_VERSION=0.13.9

# ensure_uv: put uv $UV_VERSION in .tools/ (a small venv of its own, bootstrapped
# with pip from the package index) and set $UV to it.
ensure_uv() {
  UV=.tools/bin/uv
  if [ -x "$UV" ] && [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    return 0
  fi
  command -v python3 >/dev/null || die "python3 not found (need Python 3.11+)"
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    apt_install python3-venv   # Debian's python3 ships venv separately
  fi
  say "bootstrapping uv $UV_VERSION into .tools/"
  rm -rf .tools
  quietly python3 -m venv .tools || die "python3 -m venv .tools failed"
  quietly .tools/bin/python -m pip install --disable-pip-version-check "uv==$UV_VERSION" \
    || die "pip install uv==$UV_VERSION failed (output above)"
}

# ensure_venv [EXTRAS [--inexact]]: make .venv hold exactly what uv.lock says
# (the project itself editable, plus EXTRAS). `uv sync --locked` refuses a lock
# that no longer matches pyproject.toml, so a forgotten `uv lock` fails here, not
# on another machine; and it removes anything installed by hand that the lock
# does not name. With --inexact it only adds and updates (scripts/demo: running
# the demo must not uninstall the test extras scripts/test put there).
ensure_venv() {
  local extras=${1:-} mode=${2:-}
  ensure_uv
  # A venv whose interpreter no longer starts (base Python gone, repo moved) is rebuilt.
  if [ -d .venv ] && ! .venv/bin/python -c '' 2>/dev/null; then
    say "removing broken .venv"
    rm -rf .venv
  fi
  say "syncing .venv with uv.lock${extras:+ (extras: $extras)}"
  # The interpreter's real path: given a wrapper (a pyenv shim), uv would
  # rebuild .venv from scratch on every sync, dropping extras added before.
  local python
  python=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not start"
  local args=(sync --locked --python "$python")
  [ -z "$extras" ] || args+=(--extra "$extras")
  [ "$mode" != --inexact ] || args+=(--inexact)
  UV_PROJECT_ENVIRONMENT=.venv quietly "$UV" "${args[@]}" || die "uv sync --locked failed (output above)"
}
