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

# ensure_venv [EXTRAS]: make .venv hold this project (editable) with EXTRAS.
# A stamp per extras set records a hash of pyproject.toml and the repo path;
# when it matches, nothing is installed. Installing "test" also satisfies "".
ensure_venv() {
  local extras=${1:-} want stamp
  want=$( { sha256sum pyproject.toml; pwd -P; } | sha256sum | cut -d' ' -f1)
  stamp=.venv/.installed-${extras:-base}

  # A venv whose interpreter no longer starts (base Python gone) is rebuilt.
  if [ -d .venv ] && ! .venv/bin/python -c '' 2>/dev/null; then
    say "removing broken .venv"
    rm -rf .venv
  fi
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  # A venv made elsewhere (the repo was copied) has console scripts pointing
  # at the old path: start over rather than patch it.
  if [ -f .venv/.root ] && [ "$(cat .venv/.root)" != "$(pwd -P)" ]; then
    say "removing .venv made for $(cat .venv/.root)"
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    command -v python3 >/dev/null || die "python3 not found (need Python 3.11+)"
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
      apt_install python3-venv   # Debian's python3 ships venv separately
    fi
    say "creating .venv with $(python3 --version)"
    rm -rf .venv
    python3 -m venv .venv || { rm -rf .venv; die "python3 -m venv failed"; }
  fi
  pwd -P >.venv/.root

  say "installing runbook-tui${extras:+[$extras]} into .venv (editable)"
  rm -f .venv/.installed-*
  quietly .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras:+[$extras]}" \
    || die "pip install failed (output above)"
  echo "$want" >"$stamp"
  [ -z "$extras" ] || echo "$want" >.venv/.installed-base
}
