#!/usr/bin/env bash
# Create .venv-rasa (Python 3.10) with Rasa Open Source 3.6.21 for the optional Rasa NLU backend.
# Idempotent: a stamp file records the rasa version + constraints hash; reruns are a no-op.
# Downloads are kept as a wheelhouse in var/cache/pip-rasa (~1 GB): pip's HTTP cache stays empty
# behind this network's proxy (no cache headers), so a rebuilt venv (CI, `rm -rf .venv-rasa`)
# installs from the wheelhouse offline instead of downloading TensorFlow & co. again.
# Usage: ./scripts/setup-rasa.sh        (or: make rasa)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="$ROOT/.venv-rasa"
RASA_VERSION="3.6.21"
CONSTRAINTS="$ROOT/scripts/rasa-constraints.txt"
STAMP="$VENV/.rasa-installed"
export PIP_CACHE_DIR="$ROOT/var/cache/pip-rasa"
WHEELHOUSE="$PIP_CACHE_DIR/wheelhouse"
export RASA_TELEMETRY_ENABLED=false
export PIP_DISABLE_PIP_VERSION_CHECK=1
export SQLALCHEMY_SILENCE_UBER_WARNING=1

want="rasa==$RASA_VERSION $(sha256sum "$CONSTRAINTS" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -x "$VENV/bin/rasa" ]]; then
    echo "setup-rasa: .venv-rasa already has rasa==$RASA_VERSION with these constraints; nothing to do."
    exit 0
fi

find_python() {
    local candidate=""
    if command -v pyenv >/dev/null 2>&1; then
        candidate="$(pyenv root)/versions/3.10.13/bin/python3.10"
        if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
    fi
    if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' >/dev/null 2>&1; then
        command -v python3.10; return
    fi
    echo "setup-rasa: Python 3.10 not found (rasa $RASA_VERSION requires >=3.8,<3.11)." >&2
    exit 1
}

PYTHON="$(find_python)"
echo "setup-rasa: using $PYTHON ($("$PYTHON" --version 2>&1))"
mkdir -p "$PIP_CACHE_DIR"

# A venv built by another interpreter version (or a half-finished one) is rebuilt from scratch.
if [[ -x "$VENV/bin/python" ]] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
    echo "setup-rasa: $VENV is not Python 3.10; recreating it."
    rm -rf "$VENV"
fi
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
rm -f "$STAMP"

start=$SECONDS
"$VENV/bin/python" -m pip install -q --upgrade pip wheel \
    || echo "setup-rasa: warning: could not upgrade pip/wheel; continuing with the venv's pip." >&2
if [[ "$(cat "$WHEELHOUSE/.complete" 2>/dev/null)" != "$want" ]]; then
    echo "setup-rasa: downloading/building wheels into $WHEELHOUSE (~2 min the first time)"
    rm -f "$WHEELHOUSE/.complete"
    "$VENV/bin/python" -m pip wheel -q -c "$CONSTRAINTS" -w "$WHEELHOUSE" "rasa==$RASA_VERSION"
    echo "$want" > "$WHEELHOUSE/.complete"
fi
"$VENV/bin/python" -m pip install -q --no-index --find-links "$WHEELHOUSE" \
    -c "$CONSTRAINTS" "rasa==$RASA_VERSION" \
    || "$VENV/bin/python" -m pip install -q -c "$CONSTRAINTS" "rasa==$RASA_VERSION"
"$VENV/bin/python" -m pip check
"$VENV/bin/rasa" telemetry disable >/dev/null 2>&1
"$VENV/bin/rasa" --version 2>/dev/null
echo "$want" > "$STAMP"
echo "setup-rasa: installed in $((SECONDS - start)) s into $VENV"
