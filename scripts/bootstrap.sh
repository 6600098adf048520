#!/usr/bin/env bash
# Create .venv (Python >= 3.11: the pinned test tools need it) and install the pinned dependencies and the package.
# Idempotent: a second run only checks that requirements.lock has not changed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/.venv"
python=${PYTHON:-python3}
stamp="$venv/.requirements.sha256"
want=$(cat "$repo/requirements.lock" "$repo/provider/pyproject.toml" | sha256sum | cut -d' ' -f1)

if [[ -f $stamp && $(cat "$stamp") == "$want" && -x $venv/bin/pai-models ]]; then
	exit 0
fi
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "the development environment needs Python >= 3.11 (set PYTHON=python3.11); the library itself supports 3.10")'
echo "bootstrap: installing pinned dependencies into .venv" >&2
[[ -x $venv/bin/python ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo/requirements.lock"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$repo/provider"
echo "$want" >"$stamp"
