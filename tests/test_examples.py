"""Every program and script under examples/, run so none rots.

- quickstart, select-by-tag-and-condition: the example's own `__main__.py` (loaded with runpy inside
  an inline program) in the real Pulumi engine against the emulator; the exported URIs are checked
  against the answer computed here from the catalog the emulator serves.
- eas-service: under `pulumi.runtime.set_mocks`, because the pulumi-alicloud plugin cannot run here.
  Mocks never call a resource provider, ModelLookup's dynamic provider included: they receive only the
  inputs. So the mocks below resolve ModelLookup themselves by calling `lookup.find_model` against the
  emulator with the lookup's inputs, which is what the provider's `check` does in the engine.
- pipeline: the workflow YAML is parsed, checked to need nothing from this repository (it is copied into
  the user's), and each command it runs is checked against the real `pai-models get --help` / argument
  parser and the pulumi CLI; the workflow's lookup step (its script, as GitHub runs it) and `get-uri.sh`
  (with the same lookup command) run against `pai-models emulator` started as a subprocess.
"""

from __future__ import annotations

import copy
import json
import os
import re
import runpy
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

import pulumi
import pytest
import yaml
from conftest import model_named, newest_approved
from engine import REPO, inline_stack, pulumi_bin_dir, stack_config
from packaging.requirements import Requirement
from pulumi_pai_models import PaiModelsClient, Settings, lifecycle
from pulumi_pai_models.cli import build_parser
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog
from pulumi_pai_models.registry import CachedRegistry

EXAMPLES = REPO / "examples"
BIN = Path(sys.executable).parent
PAI_MODELS = str(BIN / "pai-models")
LOOKUP_TYPE = "pulumi-python:dynamic/pai-models:ModelLookup"
SERVICE_TYPE = "alicloud:pai/service:Service"


# -- catalogs and the answers expected from them (computed from the data, not by the library) ----------


def versions_of(model: dict) -> list[dict]:
    return model.get("Versions") or ([model["LatestVersion"]] if model.get("LatestVersion") else [])


def newest(items: list[dict]) -> dict:
    return max(items, key=lambda item: item["GmtCreateTime"])


def own_models(catalog: dict) -> list[dict]:
    return [m for m in catalog["Models"] if not m.get("Provider")]


def tagged(model: dict, key: str, value: str) -> bool:
    return {"Key": key, "Value": value} in (model.get("Tags") or [])


def smaller_than(model: dict, size: float) -> bool:
    have = model.get("ParameterSize")
    return isinstance(have, (int, float)) and not isinstance(have, bool) and have < size


def expected_selection(catalog: dict, env: str = "prod", max_size: int = 3000) -> tuple[dict, dict]:
    """The newest own model tagged env=`env` with ParameterSize < `max_size`, and its newest approved version."""
    matching = [m for m in own_models(catalog) if tagged(m, "env", env) and smaller_than(m, max_size)]
    assert matching, "the test catalog must have a match"
    assert len({m["GmtCreateTime"] for m in matching}) == len(matching), "no ties: the newest is unambiguous"
    model = newest(matching)
    return model, newest_approved(model)


def selection_catalog() -> dict:
    """The catalog the selection tests serve: the demo catalog (test_the_selection_catalog_makes_every_filter_matter
    checks that it still exercises every part of the query)."""
    return load_demo_catalog()


def with_version(catalog: dict, model_name: str, **version) -> dict:
    """`catalog` with one more version of `model_name` (a copy of its newest, with `version` over it)."""
    catalog = copy.deepcopy(catalog)
    model = model_named(catalog, model_name)
    extra = copy.deepcopy(newest(versions_of(model)))
    extra.update(version)
    model["Versions"] = [*versions_of(model), extra]
    model.pop("LatestVersion", None)
    return catalog


def test_the_selection_catalog_makes_every_filter_matter():
    catalog = selection_catalog()
    model, version = expected_selection(catalog)
    prod = [m for m in own_models(catalog) if tagged(m, "env", "prod")]
    small = [m for m in own_models(catalog) if smaller_than(m, 3000)]
    assert newest(prod)["ModelId"] != model["ModelId"]  # the size condition excludes the newest prod model
    assert newest(small)["ModelId"] != model["ModelId"]  # the tag excludes the newest small model
    assert len([m for m in prod if smaller_than(m, 3000)]) >= 1
    assert newest(versions_of(model))["VersionName"] != version["VersionName"]  # approval skips its newest version


# -- engine: quickstart and select-by-tag-and-condition ------------------------------------------------


def engine_config(server) -> dict:
    return stack_config(server, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)


def example_program(name: str):
    """An inline program that runs examples/<name>/__main__.py as the Python language host would."""
    path = EXAMPLES / name / "__main__.py"

    def program():
        runpy.run_path(str(path), run_name="__main__")

    return program


def project_name(example: str) -> str:
    return yaml.safe_load((EXAMPLES / example / "Pulumi.yaml").read_text())["name"]


@pytest.mark.parametrize("example", ["quickstart", "eas-service", "select-by-tag-and-condition"])
def test_example_is_a_runnable_python_project(example):
    folder = EXAMPLES / example
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    runtime = project["runtime"]
    assert (runtime["name"] if isinstance(runtime, dict) else runtime) == "python"
    assert project["name"]
    compile((folder / "__main__.py").read_text(), str(folder / "__main__.py"), "exec")
    assert (folder / "README.md").read_text().strip()


@pytest.mark.engine
def test_quickstart_in_the_engine(tmp_path, emulator):
    example = "quickstart"
    stack = inline_stack(tmp_path, example_program(example), project=project_name(example), config=engine_config(emulator))
    up = stack.up()
    catalog = load_demo_catalog()
    fraud = model_named(catalog, "fraud-detector")
    expected = newest_approved(fraud)
    assert up.outputs["uri"].value == expected["Uri"]
    assert up.outputs["version_name"].value == expected["VersionName"]
    assert up.outputs["model_id"].value == fraud["ModelId"]
    production = {m["ModelName"]: newest(versions_of(m))["Uri"] for m in own_models(catalog) if tagged(m, "env", "prod")}
    assert up.outputs["production_models"].value == production
    stack.destroy()


@pytest.mark.engine
def test_select_by_tag_and_condition_in_the_engine(tmp_path, emulator):
    example = "select-by-tag-and-condition"
    catalog = selection_catalog()
    emulator.set_catalog(catalog)
    stack = inline_stack(tmp_path, example_program(example), project=project_name(example), config=engine_config(emulator))

    up = stack.up()
    model, version = expected_selection(catalog)
    assert up.outputs["uri"].value == version["Uri"]
    assert up.outputs["function_uri"].value == version["Uri"]
    assert (up.outputs["model_name"].value, up.outputs["version_name"].value) == (model["ModelName"], version["VersionName"])
    assert "ParameterSize" in up.outputs["query"].value and "env" in up.outputs["query"].value

    # A newer approved version of the chosen model: both the resource and the function move to it.
    newer = with_version(catalog, model["ModelName"], VersionName="9.0.0", GmtCreateTime="2031-01-01T00:00:00Z",
                         ApprovalStatus="Approved", Uri=f"oss://acme-ml-models/{model['ModelName']}/9.0.0/")  # fmt: skip
    emulator.set_catalog(newer)
    _, newer_version = expected_selection(newer)
    assert newer_version["Uri"] != version["Uri"]
    preview = stack.preview()
    assert preview.change_summary.get("update") == 1  # the ModelLookup; nothing else is a resource
    up = stack.up()
    assert up.outputs["uri"].value == newer_version["Uri"]
    assert up.outputs["function_uri"].value == newer_version["Uri"]
    stack.destroy()


# -- mocks: eas-service ---------------------------------------------------------------------------------


class EmulatorBackedMocks(pulumi.runtime.Mocks):
    """Mocks that record every resource's inputs and resolve ModelLookup against the emulator.

    The mocks never call a provider (ModelLookup's dynamic provider included): they get the inputs
    only. For ModelLookup, `new_resource` runs the lookup lifecycle's `check` and `complete`, as the
    provider's check and create do in the engine, and returns what they resolved.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.inputs: dict[str, tuple[str, dict]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.inputs[args.name] = (args.typ, dict(args.inputs))
        outputs = dict(args.inputs)
        if args.typ == LOOKUP_TYPE:  # what the provider's check and create do in the engine
            registry = CachedRegistry(PaiModelsClient(self.settings))
            checked = lifecycle.check({}, args.inputs, registry, move_hint="-")
            assert not checked.failures, checked.failures
            outputs = lifecycle.complete(checked.inputs, registry, move_hint="-")
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def run_with_mocks(example: str, mocks: pulumi.runtime.Mocks, config: dict[str, str] | None = None) -> None:
    """Run examples/<example>/__main__.py under `mocks` until every resource is registered."""
    project = project_name(example)
    pulumi.runtime.set_mocks(mocks, project=project, stack="test", preview=False)
    pulumi.runtime.set_all_config({f"{project}:{k}": v for k, v in (config or {}).items()})
    try:

        @pulumi.runtime.test
        def program():
            runpy.run_path(str(EXAMPLES / example / "__main__.py"), run_name="__main__")

        program()
    finally:
        pulumi.runtime.set_all_config({})
        pulumi.runtime.settings.configure(pulumi.runtime.settings.Settings(project="p", stack="s"))
        pulumi.runtime.settings.SETTINGS.monitor = None


def service_config(mocks: EmulatorBackedMocks) -> dict:
    [(_, inputs)] = [value for value in mocks.inputs.values() if value[0] == SERVICE_TYPE]
    return json.loads(inputs["serviceConfig"])


def test_eas_service_serves_the_looked_up_version(emulator, settings):
    fraud = model_named(load_demo_catalog(), "fraud-detector")
    expected = newest_approved(fraud)
    assert newest(versions_of(fraud))["VersionName"] != expected["VersionName"]  # approval matters here

    mocks = EmulatorBackedMocks(settings)
    run_with_mocks("eas-service", mocks)
    lookup_type, lookup_inputs = mocks.inputs["model"]
    assert lookup_type == LOOKUP_TYPE and lookup_inputs["model_name"] == '"fraud-detector"'
    config = service_config(mocks)
    assert config["model_path"] == expected["Uri"]
    assert config["processor"] == expected["InferenceSpec"]["processor"]
    assert config["metadata"]["name"] == "fraud_detector"

    # A newer approved version without an InferenceSpec processor: the new URI, the configured processor.
    newer = with_version(load_demo_catalog(), "fraud-detector", VersionName="2.0.0", GmtCreateTime="2031-01-01T00:00:00Z",
                         ApprovalStatus="Approved", Uri="oss://acme-ml-models/fraud-detector/2.0.0/", InferenceSpec={})  # fmt: skip
    emulator.set_catalog(newer)
    mocks = EmulatorBackedMocks(settings)
    run_with_mocks("eas-service", mocks, config={"processor": "xgboost_custom", "serviceName": "fraud_v2"})
    config = service_config(mocks)
    assert config["model_path"] == newest_approved(model_named(newer, "fraud-detector"))["Uri"] == "oss://acme-ml-models/fraud-detector/2.0.0/"
    assert config["processor"] == "xgboost_custom"
    assert config["metadata"]["name"] == "fraud_v2"


# -- pipeline: the workflow's commands, its lookup step and get-uri.sh against the emulator ---------------

PIPELINE = EXAMPLES / "pipeline"
WORKFLOW = PIPELINE / "deploy.yml"
GET_URI = PIPELINE / "get-uri.sh"
README = REPO / "README.md"
#: The user's repository the workflow is copied into, for the checks below: a Pulumi project at its root
#: whose ModelLookup makes the workflow's choice (this example is one).
USER_PROJECT = EXAMPLES / "select-by-tag-and-condition"
_SHELL_END = {"|", "||", "&&", ";", ">", ">>", "<", "(", ")", ";;"}


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def run_steps(doc: dict):
    """(job id, job, step) for every step with a `run` script."""
    for job_id, job in doc["jobs"].items():
        for step in job["steps"]:
            if "run" in step:
                yield job_id, job, step


def command_lines(script: str) -> list[list[str]]:
    """The script's simple commands as words (a line-continued or folded command is one; `$(...)` is one of its own)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: list[str] = []
        for word in lexer:
            if word in _SHELL_END:
                commands.append(current)
                current = []
            else:
                current.append(word)
        commands.append(current)
    return [c for c in commands if c]


def pai_models_get_commands(doc: dict) -> list[list[str]]:
    """Each `pai-models get ...` the workflow runs, from `pai-models` on."""
    found = []
    for _, _, step in run_steps(doc):
        for words in command_lines(step["run"]):
            for i in range(len(words) - 1):
                if words[i] == "pai-models" and words[i + 1] == "get":
                    found.append(words[i:])
    return found


def flags_of(words: list[str]) -> list[str]:
    return [w.split("=", 1)[0] for w in words if w.startswith("--")]


def default_package(doc: dict) -> str:
    """What `pip install "$PAI_MODELS_PACKAGE"` installs when the repository sets no variable."""
    expression = doc["env"]["PAI_MODELS_PACKAGE"]
    found = re.fullmatch(r"\$\{\{\s*vars\.PAI_MODELS_PACKAGE\s*\|\|\s*'([^']+)'\s*\}\}", expression)
    assert found, expression
    return found.group(1)


def readme_install_url() -> str:
    """The git URL the README's Install section tells users to pip install."""
    section = README.read_text().split("## Install\n", 1)[1].split("\n## ", 1)[0]
    [url] = set(re.findall(r'pip install "(git\+https://[^"]+)"', section))
    return url


def test_workflow_needs_nothing_from_this_repository():
    """deploy.yml goes into the user's own repository: it may not name a path of this one."""
    text = WORKFLOW.read_text()
    doc = workflow()  # valid YAML
    for path in ("./provider", "../", "examples/", "get-uri.sh", "scripts/", "tests/", "bench/"):
        assert path not in text, f"deploy.yml refers to {path} of the pulumi-pai-models repository"
    assert not re.search(r"""(^|[\s"'=])(provider|examples|scripts|tests|bench)/""", text, re.M)
    for _, job, step in run_steps(doc):
        for words in command_lines(step["run"]):
            if words[:2] == ["pip", "install"]:
                assert words[2:] == ["$PAI_MODELS_PACKAGE"], f"pip install {words[2:]}: install the package as README's Install says"
            assert not any(w.endswith((".sh", ".py")) for w in words), f"runs a script from a repository: {words}"
        workdir = step.get("working-directory") or job.get("defaults", {}).get("run", {}).get("working-directory") or "."
        assert workdir == ".", workdir

    # The package: by default the git URL of the README's Install section, a valid requirement for pip,
    # whose subdirectory holds the package in this repository.
    url = default_package(doc)
    assert url == readme_install_url()
    requirement = Requirement(f"pulumi-pai-models @ {url}")
    assert requirement.url == url and url.endswith("#subdirectory=provider")
    assert (REPO / "provider" / "pyproject.toml").is_file()


def test_workflow_runs_commands_that_exist():
    doc = workflow()
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"pull_request", "push"} <= set(triggers)

    # pai-models get: the flags parse, and `pai-models get --help` lists each of them.
    gets = pai_models_get_commands(doc)
    assert gets, "the workflow runs pai-models get"
    help_text = subprocess.run([PAI_MODELS, "get", "--help"], check=True, capture_output=True, text=True).stdout
    for words in gets:
        args = build_parser().parse_args(words[1:])  # exits (SystemExit) on a flag it does not accept
        assert args.command == "get" and args.most_recent and args.approval_status == "Approved" and args.output == "uri"
        assert args.tags == ["env=prod"] and args.conditions == ["ParameterSize<3000"]
        for flag in flags_of(words[2:]):
            assert re.search(rf"(^|[\s,]){re.escape(flag)}\b", help_text, re.M), f"{flag} not in pai-models get --help"

    # pulumi: preview and up of a project that uses the lookup (USER_PROJECT stands for the user's), the
    # region set by config; every subcommand and flag exists in the pulumi CLI.
    pulumi_cmds = []
    for _, job, step in run_steps(doc):
        workdir = step.get("working-directory") or job.get("defaults", {}).get("run", {}).get("working-directory") or "."
        for words in command_lines(step["run"]):
            if words[0] == "pulumi":
                pulumi_cmds.append((USER_PROJECT / workdir, words))
    verbs = [tuple(w for w in words[1:] if not w.startswith("-"))[:2] for _, words in pulumi_cmds]
    assert ("preview",) in [v[:1] for v in verbs] and ("up",) in [v[:1] for v in verbs]
    assert any(words[1:4] == ["config", "set", "alicloud:region"] for _, words in pulumi_cmds)
    for project_dir, words in pulumi_cmds:
        project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
        main = (project_dir / "__main__.py").read_text()
        assert project["runtime"]["name"] == "python" and "ModelLookup(" in main
        sub = [w for w in words[1:] if not w.startswith("-")]
        sub = sub[:2] if sub[0] in ("config", "stack") else sub[:1]
        cli_help = subprocess.run([str(pulumi_bin_dir() / "pulumi"), *sub, "--help"], check=True, capture_output=True, text=True).stdout
        for flag in flags_of(words[1:]):
            assert re.search(rf"\s{re.escape(flag)}\b", cli_help), f"pulumi {' '.join(sub)} has no {flag}"

    # What the workflow reads with `pulumi stack output NAME`, the project exports.
    for _, job, step in run_steps(doc):
        workdir = job.get("defaults", {}).get("run", {}).get("working-directory") or "."
        for name in re.findall(r"pulumi stack output (\w+)", step["run"]):
            assert f'pulumi.export("{name}"' in (USER_PROJECT / workdir / "__main__.py").read_text(), f"no output {name}"

    # Credentials only from the secret store.
    for scope in [doc.get("env", {})] + [job.get("env", {}) for job in doc["jobs"].values()]:
        for name, value in scope.items():
            if re.search(r"KEY|SECRET|TOKEN", name):
                assert re.fullmatch(r"\$\{\{\s*secrets\.\w+\s*\}\}", str(value)), f"{name} is not from secrets"
    job_envs = [job.get("env", {}) for job in doc["jobs"].values()]
    assert all({"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"} <= set(env) for env in job_envs)


@pytest.fixture(scope="module")
def emulator_process():
    """`pai-models emulator --port 0` as a subprocess; its URL from the first line it prints."""
    process = subprocess.Popen(
        [PAI_MODELS, "emulator", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        first = process.stdout.readline().strip()
        found = re.fullmatch(r"listening on (http://\S+)", first)
        assert found, f"unexpected first line {first!r}"
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def put_catalog(url: str, catalog: dict) -> None:
    request = urllib.request.Request(url + "/_emulator/catalog", data=json.dumps(catalog).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


@pytest.fixture
def served(emulator_process):
    """The emulator subprocess's URL, with the selection catalog (restored after each test)."""
    put_catalog(emulator_process, selection_catalog())
    yield emulator_process
    put_catalog(emulator_process, selection_catalog())


def lookup_step() -> dict:
    [step] = [step for _, _, step in run_steps(workflow()) if step.get("id") == "lookup"]
    return step


def workflow_lookup() -> list[str]:
    [command] = pai_models_get_commands(workflow())
    return command


class Ran:
    """What one run of the lookup step or of get-uri.sh did."""

    def __init__(self, done: subprocess.CompletedProcess, outputs: dict[str, str], messages: str):
        self.code = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.outputs = outputs
        self.messages = messages  # the advice added to pai-models' own error line


def _environment(url: str, tmp_path: Path, outputs: Path, env: dict[str, str]) -> dict[str, str]:
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "PAI_MODELS_ENDPOINT": url,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
        "GITHUB_OUTPUT": str(outputs),
        **env,
    }


def run_lookup_step(url: str, change, tmp_path: Path, **env: str) -> Ran:
    """The workflow's lookup step, its script as GitHub runs it (`bash -e`), its command changed by `change`,
    with the step's own env (ALLOW_NO_MATCH) unless `env` overrides it."""
    step = lookup_step()
    script = step["run"]
    [original] = re.findall(r"pai-models get [^)\n]*", script)
    script = script.replace(original, shlex.join(change(shlex.split(original))))
    path = tmp_path / "lookup-step.sh"
    path.write_text(script)
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    step_env = {k: str(v) for k, v in (step.get("env") or {}).items()}
    variables = _environment(url, tmp_path, outputs, {"GITHUB_ACTIONS": "true", **step_env, **env})
    done = subprocess.run(["bash", "-e", str(path)], check=False, env=variables, capture_output=True, text=True, timeout=60)
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    messages = "\n".join(line for line in done.stdout.splitlines() if line.startswith("::"))
    return Ran(done, written, messages)


def run_get_uri(url: str, change, tmp_path: Path, **env: str) -> Ran:
    """get-uri.sh with the workflow's lookup command (changed by `change`), outside GitHub Actions unless `env` says so."""
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    variables = _environment(url, tmp_path, outputs, env)
    done = subprocess.run(
        ["bash", str(GET_URI), *change(workflow_lookup())], check=False, env=variables, capture_output=True, text=True, timeout=60
    )
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    messages = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("pai-models: "))
    return Ran(done, written, messages)


RUNNERS = {"workflow-step": run_lookup_step, "get-uri.sh": run_get_uri}


def _same(words: list[str]) -> list[str]:
    return words


def test_get_uri_is_executable():
    assert os.access(GET_URI, os.X_OK)


@pytest.mark.parametrize("runner", RUNNERS)
def test_lookup_prints_the_uri_the_workflow_asks_for(served, tmp_path, runner):
    ran = RUNNERS[runner](served, _same, tmp_path)
    _, version = expected_selection(selection_catalog())
    assert (ran.code, ran.stdout, ran.stderr) == (0, version["Uri"] + "\n", "")
    assert ran.outputs == {"uri": version["Uri"], "found": "true"}


@pytest.mark.parametrize("runner", RUNNERS)
def test_lookup_no_match_exits_3_or_skips_when_allowed(served, tmp_path, runner):
    run = RUNNERS[runner]
    # No own model tagged env=prod is below the size any more.
    catalog = selection_catalog()
    for model in own_models(catalog):
        if tagged(model, "env", "prod"):
            model["ParameterSize"] = 9000
    put_catalog(served, catalog)

    ran = run(served, _same, tmp_path, ALLOW_NO_MATCH="false")
    assert (ran.code, ran.outputs) == (3, {"found": "false"})
    assert "pai-models: error: no model matches" in ran.stderr and "nothing to deploy" in ran.messages
    assert version_uri_not_printed(ran)

    ran = run(served, _same, tmp_path, ALLOW_NO_MATCH="false", GITHUB_ACTIONS="true")
    assert ran.code == 3 and "::error::no model version matches" in ran.messages

    ran = run(served, _same, tmp_path, ALLOW_NO_MATCH="true")
    assert (ran.code, ran.outputs) == (0, {"found": "false"})
    assert "nothing to deploy" in ran.messages and version_uri_not_printed(ran)

    # A matching model with no approved version is a no match too.
    catalog = selection_catalog()
    model, _ = expected_selection(catalog)
    for version in versions_of(model_named(catalog, model["ModelName"])):
        version["ApprovalStatus"] = "Pending"
    put_catalog(served, catalog)
    ran = run(served, _same, tmp_path, ALLOW_NO_MATCH="false")
    assert (ran.code, ran.outputs) == (3, {"found": "false"}) and version_uri_not_printed(ran)


def test_the_workflow_step_skips_a_no_match_as_configured(served, tmp_path):
    """As the workflow sets it (ALLOW_NO_MATCH: "true"), no match skips the deploy job instead of failing."""
    assert lookup_step()["env"]["ALLOW_NO_MATCH"] == "true"
    catalog = selection_catalog()
    for model in own_models(catalog):
        model["Tags"] = []
    put_catalog(served, catalog)
    ran = run_lookup_step(served, _same, tmp_path)
    assert (ran.code, ran.outputs) == (0, {"found": "false"})


def version_uri_not_printed(ran: Ran) -> bool:
    return "oss://" not in ran.stdout


def _without(words: list[str], flag: str) -> list[str]:
    return [w for w in words if w != flag]


def _replaced(words: list[str], old: str, new: str) -> list[str]:
    return [new if w == old else w for w in words]


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    "change, env, code, hint",
    [
        (lambda c: _replaced(c, "ParameterSize<3000", "ParameterSize<abc"), {}, 2, "bad input"),
        (lambda c: _without(_replaced(c, "env=prod", "env=staging"), "--most-recent"), {}, 4, "several models match"),
        (_same, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong-secret"}, 5, "check the credentials"),
    ],
    ids=["bad-input", "ambiguous", "auth-error"],
)
def test_lookup_passes_other_exit_codes_on_with_advice(served, tmp_path, runner, change, env, code, hint):
    ran = RUNNERS[runner](served, change, tmp_path, **env)
    assert (ran.code, ran.outputs) == (code, {"found": "false"})
    assert "pai-models: error:" in ran.stderr and hint in ran.messages
    assert version_uri_not_printed(ran)
    assert "wrong-secret" not in ran.stdout + ran.stderr
