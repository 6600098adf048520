#!/usr/bin/env bash
# The test command: set up .venv and a Pulumi CLI (built from Go modules when none is installed),
# check the code (ruff, mypy --strict), then run every test, the real-engine ones included.
# Extra arguments go to pytest; the fast loop without the engine and shell tests:
#   ./scripts/test.sh -m "not engine and not shell"
# One file, in one process (e.g. to use --pdb):  PAI_MODELS_TEST_WORKERS=0 ./scripts/test.sh tests/test_x.py
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/bootstrap.sh
PAI_MODELS_PULUMI_BIN=$(bash scripts/ensure-pulumi.sh | tail -n 1)
export PAI_MODELS_PULUMI_BIN
# The package's bytecode, as pip install makes it: where Python writes none on import (PYTHONDONTWRITEBYTECODE, set
# on the CI machine), every plugin, dynamic provider and command process a test starts would compile it again.
.venv/bin/python -m compileall -q provider/pulumi_pai_models
# The linter and the type checker first (pinned in requirements.lock; configs: ruff.toml, mypy.ini).
.venv/bin/ruff check .
.venv/bin/mypy
# Alibaba's credential chain must never ask the ECS metadata address from a test (see tests/conftest.py).
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
# Four pytest-xdist workers, each taking whole files (their module fixtures built once): most of a test's time
# is spent waiting for the engine, so four outrun the two cores (PAI_MODELS_TEST_WORKERS=0: one process).
workers=${PAI_MODELS_TEST_WORKERS:-4}
# No path here: pytest.ini's testpaths (tests/) when none is given, else only the files given.
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n "$workers" --dist loadfile "$@"
