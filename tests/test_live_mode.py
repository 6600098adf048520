"""The live mode itself, proved against the emulator standing in for PAI (it cannot reach real PAI here).

tests/test_live.py runs in a pytest of its own, with the usual settings pointing at an emulator over HTTP (endpoint
override, the emulator's key pair, real signatures), as a maintainer runs it against PAI (docs/live.md):
- with PAI_MODELS_LIVE=1 and PAI_MODELS_LIVE_RECORD=1 every test passes, nothing is skipped, only GETs of the four
  lookup actions reach the emulator, and the recording it writes is byte for byte tests/recordings/emulator-made.json
  (so that file is reproducible, and redaction is deterministic);
- without PAI_MODELS_LIVE every test is skipped, with the reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from engine import REPO
from live import target
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, EmulatorServer

LIVE_TESTS = 7  # in tests/test_live.py, with a workspace


def run_live_suite(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAI_MODELS_LIVE", "ALIBABA_CLOUD_", "ALICLOUD_", "PAI_MODELS_ENDPOINT"))}
    env.update(extra_env)
    return subprocess.run([sys.executable, "-m", "pytest", "tests/test_live.py", "-q", "-rs", "-p", "no:cacheprovider"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1200, check=False)  # fmt: skip


@pytest.mark.engine
def test_the_live_suite_against_the_emulator_as_if_it_were_pai(tmp_path):
    with EmulatorServer() as pai:  # the demo catalog: public qwen models, and workspace 86075's own models
        done = run_live_suite({
            "PAI_MODELS_LIVE": "1", "PAI_MODELS_LIVE_WORKSPACE": "86075", "PAI_MODELS_LIVE_RECORD": "1",
            "PAI_MODELS_LIVE_RECORD_DIR": str(tmp_path), "PAI_MODELS_ENDPOINT": pai.url, "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
        })  # fmt: skip
        served = pai.requests()
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    assert re.search(rf"^{LIVE_TESTS} passed", done.stdout, re.MULTILINE) and "skipped" not in done.stdout, done.stdout[-2000:]
    assert served and {(r["method"], r["action"]) for r in served} <= {("GET", a) for a in ("ListModels", "GetModel", "ListModelVersions", "GetModelVersion")}
    assert {r["action"] for r in served} == {"ListModels", "GetModel", "ListModelVersions", "GetModelVersion"}
    made = (tmp_path / "emulator-made.json").read_text(encoding="utf-8")
    committed = (REPO / "tests" / "recordings" / "emulator-made.json").read_text(encoding="utf-8")
    assert made == committed, "tests/recordings/emulator-made.json is stale: refresh it as docs/live.md says"


def test_without_pai_models_live_the_suite_is_skipped_with_its_reason():
    done = run_live_suite({})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(rf"^{LIVE_TESTS} skipped", done.stdout, re.MULTILINE), done.stdout[-2000:]
    for_the_reason = re.findall(r"^SKIPPED \[(\d+)\] tests/test_live.py:\d+: " + re.escape(target.SKIP_REASON) + "$", done.stdout, re.MULTILINE)
    assert sum(int(n) for n in for_the_reason) == LIVE_TESTS, done.stdout[-3000:]
