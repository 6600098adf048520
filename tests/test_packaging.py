"""The package as it ships: a wheel and an sdist built here the way a user or the release workflow builds them.

- the wheel: `pip wheel --no-deps` of a copy of provider/ (pip builds it in an isolated environment with
  what [build-system] requires, as the README's Install section says), and again from the sdist (which is
  what `python -m build` does, so the sdist must hold everything a build needs);
- the sdist: setuptools' own `build_sdist` hook, run with exactly the lowest setuptools that [build-system]
  allows, so the lower bound stays honest;
- from a git URL with `#subdirectory=provider`, as the Install section's first form (this repository's
  committed HEAD over file://).

Each must carry the Apache-2.0 LICENSE and the metadata a package index shows. Building needs PyPI (for
setuptools), as scripts/bootstrap.sh does.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
PROVIDER = REPO / "provider"
LICENSE = REPO / "LICENSE"
README = REPO / "README.md"
RELEASE = REPO / "examples" / "release" / "release.yml"
#: sha256 of the Apache License 2.0 as the ASF publishes it (https://www.apache.org/licenses/LICENSE-2.0.txt).
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
#: The repository URL while it is unpublished: the README, the metadata and the workflows use this one.
REPOSITORY = "https://github.com/YOUR-ORG/pulumi-pai-models"
#: What setuptools prints for the old `license = { text = ... }` table and for license classifiers.
DEPRECATED_LICENSE = ("`project.license` as a TOML table is deprecated", "License classifiers are deprecated")


def pyproject() -> dict:
    return tomllib.loads((PROVIDER / "pyproject.toml").read_text())


def run(args: list[str], **kwargs) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def lowest_setuptools() -> str:
    """`setuptools==X` for the `setuptools>=X` of [build-system] requires."""
    [requirement] = [Requirement(r) for r in pyproject()["build-system"]["requires"] if Requirement(r).name == "setuptools"]
    [lower] = [s.version for s in requirement.specifier if s.operator == ">="]
    return f"setuptools=={lower}"


@dataclass
class Built:
    wheel: Path
    sdist: Path
    wheel_from_sdist: Path
    log: str


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    work = tmp_path_factory.mktemp("packaging")
    source = work / "provider"
    shutil.copytree(PROVIDER, source, ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".mypy_cache"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]

    log = run([*pip, "wheel", "-v", "--no-deps", "-w", str(work / "wheel"), str(source)])

    backend = work / "backend"
    run([*pip, "install", "--quiet", "--target", str(backend), lowest_setuptools()])
    hook = "import sys, setuptools.build_meta as backend; print(backend.build_sdist(sys.argv[1]))"
    # -S: nothing from this virtualenv's site-packages (its own, older setuptools) gets in the way.
    log += run([sys.executable, "-S", "-c", hook, str(work / "sdist")], cwd=source, env={"PYTHONPATH": str(backend), "PATH": ""})

    [sdist] = (work / "sdist").glob("*.tar.gz")
    log += run([*pip, "wheel", "-v", "--no-deps", "-w", str(work / "from-sdist"), str(sdist)])
    [wheel] = (work / "wheel").glob("*.whl")
    [wheel_from_sdist] = (work / "from-sdist").glob("*.whl")
    return Built(wheel, sdist, wheel_from_sdist, log)


def wheel_metadata(wheel: Path) -> tuple[email.message.Message, dict[str, bytes]]:
    with zipfile.ZipFile(wheel) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    [metadata] = [name for name in files if name.endswith(".dist-info/METADATA")]
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(files[metadata]), files


def sdist_metadata(sdist: Path) -> tuple[email.message.Message, dict[str, bytes]]:
    with tarfile.open(sdist) as archive:
        files = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    [pkg_info] = [name for name in files if name.count("/") == 1 and name.endswith("/PKG-INFO")]
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(files[pkg_info]), files


def check_index_metadata(metadata: email.message.Message) -> None:
    """What a package index shows: the license, where the project lives, what it is."""
    assert metadata["Name"] == "pulumi-pai-models"
    assert metadata["Version"] == pyproject()["project"]["version"]
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["License"] is None  # the expression replaces the free-text field
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert urls["Source"] == REPOSITORY and urls["Documentation"].startswith(REPOSITORY) and "Issues" in urls
    classifiers = metadata.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and "Programming Language :: Python :: 3" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # not beside License-Expression (PEP 639)
    assert {"pulumi", "pai", "alicloud"} <= set(metadata["Keywords"].split(","))
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "# pulumi-pai-models" in metadata.get_payload() and "pip install" in metadata.get_payload()


def test_license_is_the_apache_2_text_and_the_package_keeps_the_same_copy():
    text = LICENSE.read_bytes()
    assert hashlib.sha256(text).hexdigest() == APACHE_2_SHA256
    assert (PROVIDER / "LICENSE").read_bytes() == text, "provider/LICENSE must be a copy of LICENSE (cp LICENSE provider/)"


def test_pyproject_declares_the_license_the_pep_639_way():
    project = pyproject()["project"]
    assert project["license"] == "Apache-2.0"  # an SPDX expression, not the deprecated table
    assert project["license-files"] == ["LICENSE"]
    requirement = lowest_setuptools()
    assert tuple(int(part) for part in requirement.split("==")[1].split(".")[:2]) >= (77, 0), "PEP 639 needs setuptools >= 77"


@pytest.mark.parametrize("which", ["wheel", "wheel_from_sdist"])
def test_the_wheel_ships_the_license_and_the_index_metadata(built, which):
    metadata, files = wheel_metadata(getattr(built, which))
    [license_file] = [name for name in files if name.endswith(".dist-info/licenses/LICENSE")]
    assert files[license_file] == LICENSE.read_bytes()
    check_index_metadata(metadata)
    for data in ("py.typed", "pulumi-plugin.json", "emulator/demo_catalog.json"):
        assert f"pulumi_pai_models/{data}" in files
    [entry_points] = [files[name].decode() for name in files if name.endswith(".dist-info/entry_points.txt")]
    assert re.search(r"^pai-models = pulumi_pai_models\.cli:main$", entry_points, re.M)


def test_the_sdist_ships_the_license_readme_and_metadata(built):
    metadata, files = sdist_metadata(built.sdist)
    root = built.sdist.name.removesuffix(".tar.gz")
    assert files[f"{root}/LICENSE"] == LICENSE.read_bytes()
    assert files[f"{root}/README.md"] == (PROVIDER / "README.md").read_bytes()
    assert f"{root}/pyproject.toml" in files
    check_index_metadata(metadata)


def test_the_build_warns_of_no_deprecated_license_metadata(built):
    for message in DEPRECATED_LICENSE:
        assert message not in built.log


def test_the_git_url_form_of_the_install_section_builds(tmp_path):
    """`pip install git+URL#subdirectory=provider`, with this repository's committed HEAD as the URL."""
    url = f"git+{REPO.as_uri()}#subdirectory=provider"
    run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--no-deps", "-w", str(tmp_path), url])
    [wheel] = tmp_path.glob("pulumi_pai_models-*.whl")
    metadata, files = wheel_metadata(wheel)
    assert metadata["Name"] == "pulumi-pai-models"
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in files)


def install_section() -> str:
    return README.read_text().split("## Install\n", 1)[1].split("\n## ", 1)[0]


def test_the_install_section_names_this_package_and_version():
    section = install_section()
    version = pyproject()["project"]["version"]
    [url] = set(re.findall(r'pip install "(git\+https://[^"]+)"', section))
    assert url == f"git+{REPOSITORY}.git@v{version}#subdirectory=provider"
    assert Requirement(f"pulumi-pai-models @ {url}").url == url
    assert "placeholder" in section and "YOUR-ORG" in section
    assert f"pip install dist/pulumi_pai_models-{version}-py3-none-any.whl" in section
    assert "pip wheel --no-deps -w dist ./provider" in section and "python -m build provider" in section
    assert "pip install pulumi-pai-models" in section and "not" in section  # PyPI: the plan, not a fact yet
    urls = pyproject()["project"]["urls"]
    assert urls["Source"] == REPOSITORY


def test_the_release_workflow_builds_checks_and_uploads_without_secrets():
    text = RELEASE.read_text()
    doc = yaml.safe_load(text)
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and any(t.startswith("v") for t in triggers["push"]["tags"])
    assert "secrets." not in text and "password" not in text.lower() and "token" not in text.lower()
    assert doc["permissions"] == {"contents": "read"}
    [job] = doc["jobs"].values()
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert re.search(r"python -m build provider --outdir dist\b", scripts)
    assert re.search(r"twine check --strict dist/\*", scripts)
    assert (REPO / "provider" / "pyproject.toml").is_file()
    uploads = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "dist/"


def release_step(name: str) -> str:
    [job] = yaml.safe_load(RELEASE.read_text())["jobs"].values()
    [script] = [step["run"] for step in job["steps"] if step.get("name") == name]
    return script


def test_the_release_workflow_checks_find_the_license_in_these_builds(built, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(built.wheel, dist)
    shutil.copy(built.sdist, dist)
    script = release_step("Check them")
    [check] = re.findall(r"python - <<'PY'\n(.*?)\nPY", script, re.S)
    run([sys.executable, "-c", check], cwd=tmp_path)

    # The same check fails on a wheel without the LICENSE.
    with zipfile.ZipFile(built.wheel) as source, zipfile.ZipFile(dist / built.wheel.name, "w") as stripped:
        for item in source.infolist():
            if not item.filename.endswith("/LICENSE"):
                stripped.writestr(item, source.read(item))
    done = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "no LICENSE in the wheel" in done.stderr


@pytest.mark.parametrize("tag_matches", [True, False])
def test_the_release_workflow_refuses_a_tag_that_is_not_the_version(tag_matches):
    version = pyproject()["project"]["version"]
    tag = f"v{version}" if tag_matches else "v0.0.0-not-the-version"
    script = release_step("Check the tag names the package's version")
    env = {"GITHUB_REF_NAME": tag, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == (0 if tag_matches else 1), done.stdout + done.stderr


def test_the_readme_states_the_declared_version_range():
    """The README's install section gives the range pyproject.toml declares (the range sessions test its two ends)."""
    project = pyproject()["project"]
    pythons = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    [pulumi] = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "pulumi"]
    [low] = [s.version for s in pulumi.specifier if s.operator == ">="]
    [high] = [s.version for s in pulumi.specifier if s.operator == "<"]
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert project["requires-python"] == f">={pythons[0]}"
    assert f"Python {pythons[0]} to {pythons[-1]} and `pulumi` >= {low} (< {high})" in readme


def test_the_packages_public_names_are_one_list_in_three_places():
    # Each public name is imported on first use (`_NAMES`: name -> module), for type checkers under TYPE_CHECKING,
    # and exported (`__all__`): the three must name the same things, and each must be found where `_NAMES` says.
    import ast
    import importlib

    import pulumi_pai_models as package

    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    typed = {(node.module, alias.name) for node in guarded.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    names = package._NAMES
    assert typed == {(module, name) for name, module in names.items()}
    assert sorted(package.__all__) == sorted([*names, "__version__"])
    for name, module in names.items():
        assert getattr(package, name) is getattr(importlib.import_module(f"pulumi_pai_models.{module}"), name), name
