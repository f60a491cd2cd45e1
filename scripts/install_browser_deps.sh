#!/usr/bin/env bash
# Install what the headless-browser map tests need, only when it is missing (idempotent):
#   1. Debian's chromium (apt-get), which Playwright drives through `executable_path`;
#   2. the map's JavaScript/CSS assets from npm (package.json + package-lock.json at the
#      repository root) into the git-ignored folder .cache/npm/node_modules.
# Called by `make test`. Re-running is cheap: nothing is downloaded when both are present.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/npm"

say() { echo "install_browser_deps: $*" >&2; }

# --- 1. chromium ---------------------------------------------------------------------------
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    say "chromium aanwezig: $(command -v chromium || echo /usr/bin/chromium)"
else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            say "chromium ontbreekt en dit script draait niet als root en er is geen sudo;"
            say "installeer het zelf: apt-get install -y chromium"
            exit 1
        fi
    fi
    say "chromium installeren met apt-get"
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium; then
        $SUDO apt-get update
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
    fi
fi

# --- 2. npm assets -------------------------------------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
    say "npm ontbreekt; installeer node/npm (apt-get install -y npm) en probeer opnieuw"
    exit 1
fi

# The stamp holds a hash of package.json + package-lock.json: reinstall only when they change.
want="$(cat "$ROOT/package.json" "$ROOT/package-lock.json" | sha256sum | cut -d' ' -f1)"
stamp="$CACHE/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$CACHE/node_modules" ]; then
    say "npm-assets actueel in $CACHE"
    exit 0
fi

mkdir -p "$CACHE"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$CACHE/"
say "npm-assets installeren in $CACHE"
# --ignore-scripts: we only need the static files, never run package install scripts.
(cd "$CACHE" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" >"$stamp"
say "klaar"
