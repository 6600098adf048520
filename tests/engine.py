"""The real Pulumi engine for tests: the CLI (built by scripts/ensure-pulumi.sh when absent) and stacks
on a local file backend with passphrase secrets, driven through the Automation API."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from pulumi import automation as auto

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
PASSPHRASE = "pai-models-tests"


@functools.cache
def pulumi_bin_dir() -> Path:
    """The folder holding `pulumi` and its plugins: $PAI_MODELS_PULUMI_BIN, else what ensure-pulumi.sh gives."""
    given = os.environ.get("PAI_MODELS_PULUMI_BIN")
    if given:
        return Path(given)
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "ensure-pulumi.sh")], check=True, stdout=subprocess.PIPE, text=True, stderr=None
    )
    return Path(done.stdout.strip().splitlines()[-1])


def engine_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the CLI and the processes it starts (dynamic providers use this Python)."""
    bin_dir = pulumi_bin_dir()
    env = {
        "PULUMI_HOME": str(home / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{home / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join([str(TESTS)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])),
    }
    env.update(extra or {})
    return env


def inline_stack(
    home: Path,
    program: Callable[[], None],
    *,
    project: str = "pai-models-e2e",
    stack: str = "test",
    config: Mapping[str, auto.ConfigValue] | None = None,
    env: Mapping[str, str] | None = None,
) -> auto.Stack:
    """A stack running `program` inline in this process, with its state under `home`."""
    (home / "state").mkdir(parents=True, exist_ok=True)
    (home / "work").mkdir(parents=True, exist_ok=True)
    variables = engine_env(home, env)
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(home / "work"),
        pulumi_home=variables["PULUMI_HOME"],
        env_vars=variables,
        pulumi_command=auto.PulumiCommand(root=str(pulumi_bin_dir().parent)),
        project_settings=auto.ProjectSettings(name=project, runtime="python", backend=auto.ProjectBackend(url=variables["PULUMI_BACKEND_URL"])),
    )
    s = auto.create_or_select_stack(stack_name=stack, project_name=project, program=program, opts=workspace)
    if config:
        s.set_all_config(dict(config))
    return s
