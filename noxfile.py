"""The supported range at both ends, each installed the way a user installs it (docs/development.md).

    .venv/bin/nox                   lowest and newest (what .ci/run runs after ./scripts/test.sh)
    .venv/bin/nox -s newest_cli     the engine tests under the newest Pulumi CLI as well (builds it once)

lowest      the lowest Python that `requires-python` allows, every direct dependency at the lower bound that
            provider/pyproject.toml declares, the extras' too (transitive ones as pip resolves them);
newest      NEWEST_PYTHON with the newest release of every dependency, no lock (no extras: pulumi-policy would hold
            protobuf back);
newest_cli  as newest, the engine tests only, under the CLI of scripts/ensure-pulumi-newest.sh.
(The lock on Python 3.11 is ./scripts/test.sh's.) Each builds a wheel from provider/ and installs it with the test tools
into its own virtualenv, checks that the tests import that install (not the checkout), then runs the fast tests,
tests/test_internals.py and the engine tests of ModelLookup and the plugin, under the CLI that scripts/ensure-pulumi.sh
gives unless said otherwise.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nox
import tomllib
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parent
PROJECT = tomllib.loads((REPO / "provider" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: The newest Python the range is tested with (installed here by pyenv, as 3.10 to 3.13 are).
NEWEST_PYTHON = "3.13"
#: What the tests import besides the package and its dependencies; unpinned: the newest that installs on the Python.
TEST_TOOLS = ["pytest", "hypothesis", "packaging", "PyYAML"]
#: The engine tests of ModelLookup and the plugin, and the adapters around Pulumi's internals (all their tests).
ENGINE_TESTS = ["tests/test_internals.py", "tests/test_engine.py", "tests/test_rollout.py", "tests/test_plugin.py", "tests/test_yaml.py"]
#: Not run by these sessions: it builds the checkout in its own ways (the lowest setuptools, an sdist, a git URL), which
#: does not depend on the dependencies' versions, and needs tomllib (Python 3.11). ./scripts/test.sh runs it; here each
#: session's own wheel build is the user's way in.
NOT_HERE = ["--ignore=tests/test_packaging.py"]
#: Tests that run a program with pulumi_alicloud, at 4.0.0 (the version the README names), which needs pulumi >= 3.231:
#: not installable at the lowest end.
WITH_PULUMI_ALICLOUD = [
    "tests/test_examples.py::test_eas_service_serves_the_looked_up_version",
    "tests/test_readme.py::test_readme_program_feeds_the_looked_up_uri_to_the_eas_service",
    "tests/test_readme.py::test_readme_program_and_the_eas_example_write_one_service_config_shape",
]
PULUMI_ALICLOUD = "pulumi_alicloud"
#: The package's extras (`[policy]`): the lowest session installs them at their lower bounds too.
EXTRAS = sorted(PROJECT.get("optional-dependencies", {}))

nox.options.sessions = ["lowest", "newest"]
nox.options.reuse_venv = "yes"  # a second run reinstalls only what changed (and the package itself, always)
nox.options.error_on_missing_interpreters = True  # a missing Python fails the run, never skips a session


def lowest_python() -> str:
    """The lower bound of `requires-python` ("3.10")."""
    [floor] = [s.version for s in SpecifierSet(PROJECT["requires-python"]) if s.operator == ">="]
    return floor


def lower_bounds() -> list[str]:
    """`name==X` for each direct dependency's `>=X`, the optional ones (extras) included."""
    pins = []
    for text in [*PROJECT["dependencies"], *(r for extra in EXTRAS for r in PROJECT["optional-dependencies"][extra])]:
        requirement = Requirement(text)
        [floor] = [s.version for s in requirement.specifier if s.operator == ">="]
        pins.append(f"{requirement.name}=={floor}")
    return pins


def interpreter(version: str) -> str:
    """`pythonX.Y`: pyenv's own binary of that version when pyenv has it (its shims answer "command not found" for a
    version that is not selected), else whatever PATH gives."""
    pyenv = shutil.which("pyenv")
    if pyenv:
        done = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True, check=False)
        prefix = done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else ""
        candidate = Path(prefix) / "bin" / f"python{version}"
        if prefix and candidate.is_file():
            return str(candidate)
    return f"python{version}"


def pulumi_bin(script: str) -> str:
    """The folder holding `pulumi` and its plugins that `scripts/<script>` gives (its last stdout line)."""
    done = subprocess.run(["bash", str(REPO / "scripts" / script)], stdout=subprocess.PIPE, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def check_classifiers(session: nox.Session) -> None:
    """The package's Python classifiers are every version from the lowest to the newest these sessions test."""
    listed = [c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"] if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    low, high = (int(v.split(".")[1]) for v in (lowest_python(), NEWEST_PYTHON))
    expected = [f"3.{minor}" for minor in range(low, high + 1)]
    if listed != expected:
        session.error(f"provider/pyproject.toml classifiers list Python {listed}; the tested range is {expected}")


def install(session: nox.Session, *requirements: str, upgrade: bool = False, extras: list[str] | None = None) -> None:
    """A wheel built from provider/ (with `extras`) with `requirements` and the test tools, as a user installs it; then a
    check that the tests import this install and that its dependencies agree."""
    check_classifiers(session)
    wheels = Path(session.create_tmp()) / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(REPO / "provider"))
    [wheel] = wheels.glob("pulumi_pai_models-*.whl")
    strategy = ["--upgrade", "--upgrade-strategy", "eager"] if upgrade else []
    session.install(*strategy, f"{wheel}[{','.join(extras)}]" if extras else str(wheel), *requirements, *TEST_TOOLS)
    session.install("--force-reinstall", "--no-deps", str(wheel))  # a reused virtualenv gets this checkout's build
    session.run("python", "-m", "pip", "check")
    optional = [r for extra in extras or [] for r in PROJECT["optional-dependencies"][extra]]
    names = [Requirement(r).name for r in [*PROJECT["dependencies"], *optional]]
    session.run(
        "python", "-c",
        "import sys, pulumi_pai_models as p; from importlib.metadata import version as v;"
        "assert p.__file__.startswith(sys.prefix), p.__file__;"
        "print('python', sys.version.split()[0], *(f'{n} {v(n)}' for n in sys.argv[1:]))",
        "pulumi-pai-models", *names,
    )  # fmt: skip


def pytest(session: nox.Session, cli: str, *args: str) -> None:
    """pytest with `args`, the engine tests under the `pulumi` in folder `cli`."""
    env = {"PAI_MODELS_PULUMI_BIN": cli, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", "PULUMI_SKIP_UPDATE_CHECK": "true"}
    session.run(str(Path(cli) / "pulumi"), "version", env=env, external=True)
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *NOT_HERE, *args, env=env)


def run_range_tests(session: nox.Session, *deselected: str) -> None:
    """The fast tests, then the engine and shell tests of ENGINE_TESTS, under the pinned CLI."""
    cli = pulumi_bin("ensure-pulumi.sh")
    deselect = [f"--deselect={test}" for test in deselected]
    pytest(session, cli, "-m", "not engine and not shell", *deselect, "tests")
    pytest(session, cli, "-m", "engine or shell", *deselect, *ENGINE_TESTS)


@nox.session(python=interpreter(lowest_python()))
def lowest(session: nox.Session) -> None:
    """The lowest Python and every direct dependency at its declared lower bound."""
    install(session, *lower_bounds(), extras=EXTRAS)
    run_range_tests(session, *WITH_PULUMI_ALICLOUD)


@nox.session(python=interpreter(NEWEST_PYTHON))
def newest(session: nox.Session) -> None:
    """The newest Python here and the newest release of every dependency."""
    install(session, PULUMI_ALICLOUD, upgrade=True)
    run_range_tests(session)


@nox.session(python=interpreter(NEWEST_PYTHON))
def newest_cli(session: nox.Session) -> None:
    """As newest, the engine tests under the newest Pulumi CLI release (scripts/pulumi-wrapper-newest pins it)."""
    install(session, PULUMI_ALICLOUD, upgrade=True)
    pytest(session, pulumi_bin("ensure-pulumi-newest.sh"), *ENGINE_TESTS)
