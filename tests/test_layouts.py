"""Standard Pulumi project layouts under the real CLI that scripts/ensure-pulumi.sh provides.

Each test writes a project directory and runs `pulumi` on it as a subprocess (not the Automation API's
inline mode), with a local file backend, the way a user's shell does: no PULUMI_PYTHON_CMD and no
Python of ours on PATH (`engine.cli_env`), so the program's Python can only come from Pulumi.yaml's
`runtime.options.virtualenv`. The program exports `sys.prefix`, which must be the project's venv, and
looks models up against the emulator with a function and a ModelLookup (a dynamic provider, whose
process must find the venv too).

The venvs of most tests are made with this interpreter's base Python and link this interpreter's
site-packages (a `.pth` file), which is quick and needs no network; `pulumi install` makes its own,
with pip, from a requirements.txt (that test needs the package index).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import urllib.request
from pathlib import Path

import pytest
from engine import REPO, SYSTEM_PATH, cli_env, run_pulumi
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog

BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)

PROGRAM = '''\
"""A layout test's program: the Python it runs in, a constant, and lookups against the emulator."""

import sys

import pulumi
from pulumi_pai_models import ModelLookup, get_models

pulumi.export("prefix", sys.prefix)
pulumi.export("constant", 42)
pulumi.export("prod_models", sorted(m.model_name for m in get_models(tags={"env": "prod"}).models))
pulumi.export("uri", ModelLookup("model", model_name='"fraud-detector"', approval_status="Approved").uri)
'''


def expected_outputs() -> dict:
    """What PROGRAM exports, computed from the catalog the emulator serves (prefix aside)."""
    models = load_demo_catalog()["Models"]
    prod = sorted(m["ModelName"] for m in models if not m.get("Provider") and {"Key": "env", "Value": "prod"} in (m.get("Tags") or []))
    fraud = next(m for m in models if m["ModelName"] == "fraud-detector")
    versions = fraud.get("Versions") or [fraud["LatestVersion"]]
    approved = max((v for v in versions if v.get("ApprovalStatus") == "Approved"), key=lambda v: v["GmtCreateTime"])
    return {"constant": 42, "prod_models": prod, "uri": approved["Uri"]}


def pulumi_yaml(name: str, *, virtualenv: str | None = None, main: str | None = None, runtime: str = "python") -> str:
    lines = [f"name: {name}", "runtime:", f"  name: {runtime}"]
    if virtualenv is not None:
        lines += ["  options:", f"    virtualenv: {virtualenv}"]
    if main is not None:
        lines.append(f"main: {main}")
    return "\n".join(lines) + "\n"


def write_project(root: Path, *, virtualenv: str, main: str | None = None) -> Path:
    """A Python project in `root` (its program in `root/main` if given); returns the program's folder."""
    program_dir = root / main if main else root
    program_dir.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(pulumi_yaml(f"layout-{root.name}", virtualenv=virtualenv, main=main))
    (program_dir / "__main__.py").write_text(PROGRAM)
    return program_dir


def linked_venv(path: Path) -> Path:
    """A real venv at `path` (this interpreter's base Python, no pip) that sees this interpreter's packages."""
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(path)], check=True, capture_output=True)
    [site_packages] = path.glob("lib/python*/site-packages")
    own = sysconfig.get_paths()["purelib"]
    # addsitedir (not a bare path) so that the .pth files there, the editable install's among them, are read too.
    (site_packages / "_pai_models_tests_link.pth").write_text(f"import site; site.addsitedir({own!r})\n")
    return path


@pytest.fixture
def env(tmp_path, emulator) -> dict[str, str]:
    """The CLI's environment; the program and its dynamic provider reach the emulator through the environment."""
    return cli_env(
        tmp_path / "home",
        {
            "PAI_MODELS_ENDPOINT": emulator.url,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
        },
    )


def preview_and_up(root: Path, env: dict[str, str], *, cwd: Path | None = None, chdir: bool = False) -> dict:
    """`pulumi preview`, `pulumi up` and the stack's outputs; in `cwd` with `-C root` if `chdir`."""
    where = ["-C", str(root)] if chdir else []
    run_at = cwd or root
    run_pulumi(*where, "stack", "select", "--create", "test", cwd=run_at, env=env)
    run_pulumi(*where, "preview", cwd=run_at, env=env)
    run_pulumi(*where, "up", "--yes", "--skip-preview", cwd=run_at, env=env)
    outputs = json.loads(run_pulumi(*where, "stack", "output", "--json", cwd=run_at, env=env).stdout)
    run_pulumi(*where, "destroy", "--yes", "--skip-preview", cwd=run_at, env=env)
    return outputs


def assert_ran_in(outputs: dict, venv: Path) -> None:
    assert Path(outputs.pop("prefix")).resolve() == venv.resolve()
    assert outputs == expected_outputs()


@pytest.mark.engine
def test_relative_virtualenv(tmp_path, env):
    root = tmp_path / "project"
    write_project(root, virtualenv="venv")
    venv = linked_venv(root / "venv")
    assert_ran_in(preview_and_up(root, env), venv)


@pytest.mark.engine
def test_absolute_virtualenv(tmp_path, env):
    venv = linked_venv(tmp_path / "elsewhere" / "env")
    root = tmp_path / "project"
    write_project(root, virtualenv=str(venv))
    assert_ran_in(preview_and_up(root, env), venv)


@pytest.mark.engine
def test_main_in_a_subfolder_that_is_a_project_itself(tmp_path, env):
    # As a root Pulumi.yaml with `main: examples/quickstart/` would run another project's folder: the virtualenv
    # is relative to the project root (not to main), for the program and for the dynamic provider's process
    # alike, and the Pulumi.yaml inside main (another project, with another venv) is not the one that counts.
    root = tmp_path / "project"
    program_dir = write_project(root, virtualenv=".venv", main="src/app/")
    (program_dir / "Pulumi.yaml").write_text(pulumi_yaml("inner-project", virtualenv="inner-venv-that-does-not-exist"))
    venv = linked_venv(root / ".venv")
    assert_ran_in(preview_and_up(root, env), venv)
    assert not (program_dir / ".venv").exists() and not (program_dir / "inner-venv-that-does-not-exist").exists()


@pytest.mark.engine
def test_cwd_flag_from_another_directory(tmp_path, env):
    root = tmp_path / "project"
    write_project(root, virtualenv="venv", main="infra")
    venv = linked_venv(root / "venv")
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    assert_ran_in(preview_and_up(root, env, cwd=elsewhere, chdir=True), venv)


# What a copy of this repository's folders leaves out: build output, caches, an example's venv and stack files.
COPY_IGNORE = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".mypy_cache", "venv", "Pulumi.*.yaml")


@functools.cache
def package_index_reachable() -> bool:
    url = os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/"
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/pip/", timeout=10) as answer:
            return answer.status == 200
    except OSError:
        return False


def installing(env: dict[str, str]) -> dict[str, str]:
    """`env` for `pulumi install`: the venv is created by python3 from the folder of this interpreter's base Python.

    (Not PULUMI_PYTHON_CMD=<a path>: with a virtualenv the host takes that variable as a file name in the venv's bin/.)
    """
    cli_folder = env["PATH"].split(os.pathsep)[0]
    return {**env, "PATH": os.pathsep.join([cli_folder, str(Path(BASE_PYTHON).parent), SYSTEM_PATH]), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.mark.engine
def test_pulumi_install_creates_the_virtualenv_where_pulumi_yaml_says(tmp_path, env):
    # The language host creates the venv (see `installing`), upgrades pip, setuptools and wheel in it from the
    # package index (always: nothing here can turn that off), then installs requirements.txt: this package from
    # this checkout, with the versions the tests run with. Not editable (-e): the host then finds no
    # pulumi-plugin.json beside the package, takes it for a provider package and tries to download a plugin.
    if not package_index_reachable():
        pytest.skip("pulumi install needs the package index (pip upgrades pip, setuptools and wheel)")
    root = tmp_path / "project"
    write_project(root, virtualenv="venv")
    # A copy, so that building it leaves no build/ or *.egg-info in the checkout.
    package = shutil.copytree(REPO / "provider", tmp_path / "provider", ignore=COPY_IGNORE)
    (root / "requirements.txt").write_text(textwrap.dedent(f"""\
        -c {REPO / "requirements.lock"}
        {package}
        """))  # fmt: skip
    env = installing(env)
    run_pulumi("install", cwd=root, env=env)
    venv = root / "venv"
    assert (venv / "pyvenv.cfg").is_file(), sorted(p.name for p in root.iterdir())
    assert not (root / "pyvenv.cfg").exists() and not (root / "bin").exists()  # not the project root itself
    assert_ran_in(preview_and_up(root, env), venv)


@pytest.mark.engine
def test_example_project_standalone(tmp_path, env):
    # examples/quickstart as a user runs it: `pulumi install` makes its venv/ from its requirements.txt
    # (which names ../../provider: the layout of this repository is copied), then preview and up.
    if not package_index_reachable():
        pytest.skip("pulumi install needs the package index (pip upgrades pip, setuptools and wheel)")
    shutil.copytree(REPO / "provider", tmp_path / "provider", ignore=COPY_IGNORE)
    root = shutil.copytree(REPO / "examples" / "quickstart", tmp_path / "examples" / "quickstart", ignore=COPY_IGNORE)
    env = installing(env)
    run_pulumi("install", cwd=root, env=env)
    assert (root / "venv" / "pyvenv.cfg").is_file()
    outputs = preview_and_up(root, env)
    assert outputs["uri"] == expected_outputs()["uri"]
    assert sorted(outputs["production_models"]) == expected_outputs()["prod_models"]


@pytest.mark.engine
def test_pulumi_yaml_program(tmp_path):
    # Pulumi YAML's language host (built by ensure-pulumi.sh next to the CLI): a program with no resources.
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: layout-yaml\nruntime: yaml\noutputs:\n  x: 1\n  greeting: hello\n")
    env = cli_env(tmp_path / "home")
    run_pulumi("stack", "select", "--create", "test", cwd=root, env=env)
    preview = run_pulumi("preview", cwd=root, env=env)
    assert "x" in preview.stdout and "warning" not in (preview.stdout + preview.stderr).lower()
    run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env)
    assert json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout) == {"x": 1, "greeting": "hello"}


@pytest.mark.shell
def test_launcher_go_tests():
    # The launcher's own `go test` (its flag handling and choice of project, without a CLI), where Go is: the
    # machines where ensure-pulumi.sh builds the launcher (it looks in /usr/local/go/bin too).
    go = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if go is None:
        pytest.skip("no Go: ensure-pulumi.sh builds no launcher here")
    launcher = REPO / "scripts" / "pulumi-wrapper" / "language-launcher"
    done = subprocess.run([go, "test", "./..."], cwd=launcher, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
