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
