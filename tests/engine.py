"""The real Pulumi engine for tests (and bench/run.py): the CLI (built by scripts/ensure-pulumi.sh when absent)
and stacks on a local file backend with passphrase secrets, driven through the Automation API (inline
programs) or run as `pulumi` subprocesses on project directories (`cli_env`, `run_pulumi`)."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from pulumi import automation as auto

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
PASSPHRASE = "pai-models-tests"
# What PATH holds besides the CLI's folder in `cli_env`: the system's folders only, none with this project's Python.
SYSTEM_PATH = os.pathsep.join(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])


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
        project_settings=auto.ProjectSettings(
            name=project, runtime="python", backend=auto.ProjectBackend(url=variables["PULUMI_BACKEND_URL"])
        ),
    )
    s = auto.create_or_select_stack(stack_name=stack, project_name=project, program=program, opts=workspace)
    if config:
        s.set_all_config(dict(config))
    return s


def cli_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for `pulumi` run as a subprocess on a project directory, as a user's shell would have it.

    The CLI's folder first on PATH, then only the system's folders; no PULUMI_PYTHON_CMD, no active
    virtualenv, no PYTHONPATH: the program's Python comes from the project's Pulumi.yaml. State and the
    plugin home live under `home`.
    """
    dropped = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_") and k not in dropped}
    (home / "state").mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "PULUMI_HOME": str(home / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{home / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
            "PATH": f"{pulumi_bin_dir()}{os.pathsep}{SYSTEM_PATH}",
        }
    )
    env.update(extra or {})
    return env


def run_pulumi(
    *args: str, cwd: Path, env: Mapping[str, str], check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`pulumi ARGS` (the CLI of `pulumi_bin_dir()`) in `cwd`; with `check`, a non-zero exit fails with the CLI's output."""
    command = [str(pulumi_bin_dir() / "pulumi"), "--non-interactive", *args]
    done = subprocess.run(command, check=False, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(
            f"`pulumi {' '.join(args)}` in {cwd} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    return done


class Capture:
    """Engine events and text output of one operation."""

    def __init__(self):
        self.events = []
        self.lines = []

    def steps(self, name):
        """(op, diffs, new inputs) of resource steps whose URN ends with ::name."""
        found = []
        for e in self.events:
            pre = e.resource_pre_event
            if pre and pre.metadata.urn.endswith("::" + name):
                m = pre.metadata
                found.append((m.op.value if hasattr(m.op, "value") else str(m.op), m.diffs or [], dict(m.new.inputs) if m.new else {}))
        return found

    def ops(self):
        """URN -> the op (same, create, update, ...) of each resource step the engine planned or took."""
        found = {}
        for e in self.events:
            pre = e.resource_pre_event
            if pre:
                op = pre.metadata.op
                found[pre.metadata.urn] = op.value if hasattr(op, "value") else str(op)
        return found

    def diff_keys(self, type_and_name):
        """The keys the engine lists for an update of `Type name` in its preview display."""
        for line in "".join(self.lines).splitlines():
            found = re.search(re.escape(type_and_name) + r" update \[diff: ~([^\]]*)\]", line)
            if found:
                return set(found.group(1).split(","))
        raise AssertionError(f"no update of {type_and_name} in:\n" + "".join(self.lines))

    @property
    def text(self):
        return self._text(self.events)

    @property
    def shown(self):
        """What `pulumi` shows without --debug: the text, and every event but the debug-level diagnostics (under CLI 3.277,
        not 3.260, one carries the SDK's own traceback of the RegisterResource call the engine cut off after a failed
        check)."""
        return self._text([e for e in self.events if not (e.diagnostic_event and e.diagnostic_event.severity == "debug")])

    def _text(self, events):
        return "\n".join(self.lines) + json.dumps([e.__dict__ for e in events], default=lambda o: getattr(o, "__dict__", str(o)))


def failure_text(op) -> str:
    """Run an operation that must fail (`pulumi.automation` raises `CommandError`); everything it said, as one text."""
    return failure_texts(op)[0]


def failure_texts(op) -> tuple[str, str]:
    """Run an operation that must fail: (everything it said, what `pulumi` shows of it without --debug)."""
    import pytest

    capture = Capture()
    with pytest.raises(auto.errors.CommandError) as info:
        run(op, capture)
    return str(info.value) + capture.text, str(info.value) + capture.shown


def stored_state(home) -> str:
    """Every file the file backend wrote, as text: what is really at rest."""
    return "\n".join(p.read_text(errors="replace") for p in sorted((home / "state").rglob("*")) if p.is_file())


def run(op, capture: Capture, **kw):
    return op(on_event=capture.events.append, on_output=capture.lines.append, **kw)


def stack_config(server, key_id: str, secret: str) -> dict[str, auto.ConfigValue]:
    """The stack config of a program that looks models up in `server` with this key pair (the secret as a secret)."""
    return {
        "pai-models:endpoint": auto.ConfigValue(server.url),
        "alicloud:accessKey": auto.ConfigValue(key_id),
        "alicloud:secretKey": auto.ConfigValue(secret, secret=True),
    }
