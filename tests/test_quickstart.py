"""The README's quick start, run as a user runs it: its shell block, line for line, in an empty folder with a HOME of its
own, under the real CLI. Three substitutions only: the package comes from a wheel of this checkout instead of the git
URL (unpublished), the emulator listens on a free port instead of 8080, and `pulumi login --local` logs in to that HOME
(the CLI resolves `~` from the user database, not $HOME: as written it would use the real home of whoever runs the
tests). Then the README's pipeline lines run in the same project."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from engine import REPO, SYSTEM_PATH, pulumi_bin_dir

pytestmark = pytest.mark.engine

README = REPO / "README.md"
INSTALL = re.compile(r'pip install "git\+https://[^"]+"')


def readme_block(heading: str) -> str:
    section = README.read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")  # a copy: pip builds in the source tree, which other tests may read meanwhile
    source = shutil.copytree(REPO / "provider", work / "provider", ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__"))
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)], check=True)
    [built] = dist.glob("pulumi_pai_models-*.whl")
    return built


def test_the_quick_start_runs_as_written(tmp_path, wheel):
    block = readme_block("Quick start: your own project, against a local PAI")
    assert len(INSTALL.findall(block)) == 1 and block.count("8080") >= 3
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    assert block.count("pulumi login --local\n") == 1
    script = INSTALL.sub(f"pip install {wheel}", block).replace("8080", str(port)).replace("pulumi login --local\n", f"pulumi login file://{home}\n")
    env = {
        "HOME": str(home),
        "PULUMI_HOME": str(home / ".pulumi"),  # what the CLI keeps (credentials, plugins): never the real home's
        "PATH": f"{pulumi_bin_dir()}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{SYSTEM_PATH}",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",  # as every test: never ask the ECS metadata address
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    pipeline = readme_block("Pipelines")
    wrapper = f"""set -e
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
{script}
echo '=== pipelines'
eval "$(sed -n 2p ../emulator.log)"   # a pipeline's settings come from its environment: the emulator's export line
set +e
{pipeline.splitlines()[0].split("#")[0].strip()}
echo "get exit $? uri $URI"
{pipeline.splitlines()[1].split("#")[0].strip()} > outdated.txt
echo "outdated exit $?"
cat outdated.txt
"""
    done = subprocess.run(["bash", "-c", wrapper], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    first = "oss://acme-ml-models.oss-cn-hangzhou.aliyuncs.com/fraud-detector/1.1.0/"
    assert f'uri    : "{first}"' in out and 'version: "1.1.0"' in out, out
    preview = out.split("=== pipelines")[0].rsplit("Previewing update", 1)[1]
    assert "ModelLookup: (update)" in preview and "~ uri" in preview and "oss://acme-ml-models/fraud-detector/1.3.0/" in preview, preview
    assert f"get exit 0 uri {'oss://acme-ml-models/fraud-detector/1.3.0/'}" in out, out
    assert "outdated exit 6" in out and "BEHIND" in out, out  # the stack still holds 1.1.0
