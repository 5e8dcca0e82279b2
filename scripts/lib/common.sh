# Shared by scripts/run and scripts/test: install whatever is missing, idempotently.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# Bytecode: shells on our machines set PYTHONDONTWRITEBYTECODE, and then every Python process
# (each pytest worker, each `baton serve` or `baton` command a test starts) compiled its ~5,000
# modules from source again: 6 s of CPU each, measured, and the collection of the suite went
# 19.5 s -> 8 s with a cache. The scripts keep bytecode, outside the checkout.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/baton/pycache}"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  die "Python 3.11 is required (python3.11 not found)"
}

stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

ensure_venv() {
  if [ ! -x "$PY" ]; then
    say "creating virtualenv in .venv"
    "$(find_python)" -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip
  fi
}

# uv installs the dependency set in seconds where pip takes about a minute (measured on a
# fresh clone: 6.5 s against 57 s); uv itself comes from PyPI at the version pyproject.toml
# pins, into the venv. pip stays the fallback if uv cannot be had or fails.
python_install() {
  local pin; pin="$(grep -o '"uv==[^"]*"' "$ROOT/pyproject.toml" | tr -d '"')"
  if [ -n "$pin" ] && ! "$VENV/bin/uv" --version 2>/dev/null | grep -q "${pin#uv==}"; then
    "$PY" -m pip install -q --disable-pip-version-check "$pin" >/dev/null 2>&1 || true
  fi
  if [ -x "$VENV/bin/uv" ] && "$VENV/bin/uv" pip install -q --python "$PY" "$@"; then
    return 0
  fi
  "$PY" -m pip install -q --disable-pip-version-check "$@"
}

ensure_python_env() {
  ensure_venv
  local want; want="$(stamp_of "$ROOT/pyproject.toml")"
  if [ "$(cat "$VENV/.baton-stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python dependencies"
    python_install -e "$ROOT[dev]"
    echo "$want" > "$VENV/.baton-stamp"
  fi
}

# Only the linter, at the version pyproject.toml pins: lint can run seconds into a fresh clone.
ensure_linter() {
  ensure_venv
  local pin; pin="$(grep -o '"ruff==[^"]*"' "$ROOT/pyproject.toml" | tr -d '"')"
  [ -n "$pin" ] || die "pyproject.toml pins no ruff version"
  "$VENV/bin/ruff" --version 2>/dev/null | grep -q "${pin#ruff==}" ||
    "$PY" -m pip install -q --disable-pip-version-check "$pin"
}

# npm install when package.json changed, build when sources are newer than the bundle.
ensure_front_end() {
  local dir="$ROOT/$1"
  [ -f "$dir/package.json" ] || return 0
  command -v npm >/dev/null 2>&1 || die "Node.js and npm are required to build $1"
  local want; want="$(stamp_of "$dir/package.json" "$dir/package-lock.json")"
  if [ ! -d "$dir/node_modules" ] || [ "$(cat "$dir/node_modules/.baton-stamp" 2>/dev/null)" != "$want" ]; then
    say "installing npm packages for $1"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    echo "$want" > "$dir/node_modules/.baton-stamp"
  fi
  local newest=""
  if [ -f "$dir/dist/.built" ]; then
    newest="$(find "$dir" -path "$dir/node_modules" -prune -o -path "$dir/dist" -prune -o -type f -newer "$dir/dist/.built" -print -quit)"
  fi
  if [ ! -f "$dir/dist/.built" ] || [ -n "$newest" ]; then
    say "building $1"
    (cd "$dir" && npm run build) || die "building $1 failed"
    touch "$dir/dist/.built"
  fi
}

ensure_front_ends() {
  ensure_front_end apps/widget
  ensure_front_end apps/admin_web
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "Chromium is missing and apt-get is unavailable: install Debian's chromium package"
  say "installing Debian's chromium for the browser tests"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

# The proxy-config tests run `nginx -t`; the package's own service is not wanted here.
ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || { say "nginx is missing: the nginx config tests will skip"; return 0; }
  say "installing Debian's nginx (config checks only; its service stays stopped)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # exit code 101 from policy-rc.d keeps the package from starting a daemon on port 80
  # (containers usually have one already; a policy put here for the install is removed after)
  local ours=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    ours=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >/dev/null || say "nginx did not install: its config tests will skip"
  if [ -n "$ours" ]; then $sudo rm -f /usr/sbin/policy-rc.d; fi
}

# socketify's prebuilt .so links against the system libuv (Debian's libuv1).
ensure_libuv() {
  if ldconfig -p 2>/dev/null | grep 'libuv\.so\.1' >/dev/null; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || { say "libuv1 is missing (needed only for --server socketify): install Debian's libuv1"; return 0; }
  say "installing Debian's libuv1 (socketify needs it)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libuv1 >/dev/null
}

ensure_all() {
  ensure_python_env
  ensure_libuv
  ensure_front_ends
}
