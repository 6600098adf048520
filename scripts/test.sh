#!/usr/bin/env bash
# The test command: set up .venv and a Pulumi CLI (built from Go modules when none is installed),
# then run every test, the real-engine ones included. Extra arguments go to pytest.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/bootstrap.sh
PAI_MODELS_PULUMI_BIN=$(bash scripts/ensure-pulumi.sh | tail -n 1)
export PAI_MODELS_PULUMI_BIN
exec .venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
