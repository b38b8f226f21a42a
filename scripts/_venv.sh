# Shared by scripts/run and scripts/test: create the virtualenv once and install MetaCRM into it.
# Usage: . scripts/_venv.sh EXTRAS   (EXTRAS e.g. "" or "test,redis")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${METACRM_VENV:-$ROOT/.venv}"
PYTHON_BIN="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating virtualenv in $VENV"
    "$PYTHON_BIN" -m venv "$VENV"
fi
EXTRAS="${1:-}"
SPEC="$ROOT"
if [ -n "$EXTRAS" ]; then SPEC="$ROOT[$EXTRAS]"; fi
# Reinstall only when pyproject.toml changed since the last install into this venv.
STAMP="$VENV/.metacrm-installed-$EXTRAS"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$SPEC"
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
# Front-end libraries, pinned by package-lock.json and served locally.
if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "npm is needed to install the front-end libraries (Debian: apt-get install nodejs npm)" >&2
        exit 1
    fi
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi
