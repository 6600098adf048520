"""Pulumi YAML programs using the provider plugin `pai-models`, under the real CLI, against the emulator.

The project is examples/yaml-eas-service, copied into a temporary folder with its `plugins: providers:
path:` made absolute (the example's relative path names this repository's .venv/bin, where the
`pulumi-resource-pai-models` console script is). `pulumi` runs as a subprocess with a local file
backend and only the CLI's folder and the system's on PATH (`engine.cli_env`): Pulumi YAML's language
host fetches the plugin's schema, type-checks the program, and the engine runs the plugin's invoke,
check, diff, create, update, read and delete. The emulator runs in this process with a key pair of its
own, whose secret is a secret stack config value (`pai-models:secretKey`).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from conftest import add_newer_version, demo_model, newest_approved
from engine import REPO, cli_env, run_pulumi
from example_lifecycle import LOOKUP, run_example_lifecycle

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "yaml-eas-service"
PLUGIN_DIR = Path(sys.prefix) / "bin"  # this venv's bin/, holding pulumi-resource-pai-models
KEY_ID = "LTAIyamlTestKey"
SECRET = "yaml-" + secrets.token_hex(16)  # unique, so finding it anywhere is a real leak


@pytest.fixture
def pai(private_emulator):
    return private_emulator(KEY_ID, SECRET)


def project(tmp_path: Path, program: str | None = None) -> Path:
    """The example (or `program`, a Pulumi.yaml text using the plugin) in a folder of its own, the plugin path absolute."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
    text = program or (root / "Pulumi.yaml").read_text()
    (root / "Pulumi.yaml").write_text(text.replace("path: ../../.venv/bin", f"path: {PLUGIN_DIR}"))
    return root


def stack_env(tmp_path: Path, root: Path, server) -> dict[str, str]:
    """The CLI's environment and a stack `test` configured for the emulator (the secret as a secret)."""
    env = cli_env(tmp_path / "home")
    run_pulumi("stack", "select", "--create", "test", cwd=root, env=env)
    run_pulumi("config", "set-all", "--plaintext", f"pai-models:endpoint={server.url}", "--plaintext", f"pai-models:accessKey={KEY_ID}",
               "--secret", f"pai-models:secretKey={SECRET}", cwd=root, env=env)  # fmt: skip
    return env


def test_the_example_names_this_repositorys_plugin():
    plugins = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["plugins"]["providers"]
    assert plugins == [{"name": "pai-models", "path": "../../.venv/bin"}]
    assert (EXAMPLE / "../../.venv/bin/pulumi-resource-pai-models").resolve() == (REPO / ".venv/bin/pulumi-resource-pai-models").resolve()
    assert (PLUGIN_DIR / "pulumi-resource-pai-models").is_file()


def test_the_yaml_example_under_the_engine(tmp_path, pai):
    root = project(tmp_path)
    run_example_lifecycle(root, stack_env(tmp_path, root, pai), pai, tmp_path / "home", SECRET)


#: The head of a Pulumi.yaml that uses this repository's plugin (`project` makes its path absolute).
HEAD = """\
name: {name}
runtime: yaml
plugins:
  providers:
    - name: pai-models
      path: ../../.venv/bin
"""

LOCKED = HEAD.format(name="yaml-locked") + """\
resources:
  model:
    type: pai-models:index:ModelLookup
    properties:
      modelName: '"fraud-detector"'
      approvalStatus: Approved
      lock: true
outputs:
  uri: ${model.uri}
"""


def test_a_locked_lookup_warns_on_its_resource_with_the_command_that_moves_it(tmp_path, pai):
    root = project(tmp_path, LOCKED)
    env = stack_env(tmp_path, root, pai)
    kept = newest_approved(demo_model())
    run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env)
    newer = add_newer_version(pai)
    preview = run_pulumi("preview", cwd=root, env=env)
    text = preview.stdout + preview.stderr
    urn = f"urn:pulumi:test::yaml-locked::{LOOKUP}::model"
    assert re.search(rf"{re.escape(LOOKUP)} \(model\):\s*\n\s*warning: ModelLookup locked to fraud-detector version", text), text
    assert f"pulumi up --replace '{urn}'" in text and newer["VersionName"] in text
    assert text.split("Diagnostics:", 1)[1].count("warning: ModelLookup locked") == 1 and "2 unchanged" in text
    assert json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)["uri"] == kept["Uri"]
    run_pulumi("up", "--yes", "--skip-preview", "--replace", urn, cwd=root, env=env)
    assert json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)["uri"] == newer["Uri"]


ERRORS = HEAD.format(name="yaml-errors") + "{body}\n"


@pytest.mark.parametrize(
    "body, wanted",
    [
        ("variables:\n  m:\n    fn::invoke:\n      function: pai-models:index:getModel\n      arguments:\n"
         "        modelName: '\"no-such-model\"'\noutputs:\n  uri: ${m.uri}",
         "pai-models:index:getModel invoke failed: NoModelMatch: no model matches ModelName='\"no-such-model\"'"),
        ("resources:\n  m:\n    type: pai-models:index:ModelLookup\n    properties:\n      modelName: '\"no-such-model\"'",
         "resource 'm' has a problem: NoModelMatch: no model matches ModelName='\"no-such-model\"'"),
        ("resources:\n  m:\n    type: pai-models:index:ModelLookup\n    properties:\n      conditions: ['ParameterSize < abc']",
         "property conditions value {[{ParameterSize < abc}]} has a problem: invalid conditions.value: 'abc' is not a number"),
        ("resources:\n  m:\n    type: pai-models:index:ModelLookup\n    properties:\n      modelNme: x",
         "modelNme"),
    ],
    ids=["invoke-no-match", "lookup-no-match", "bad-condition", "misspelt-property"],
)  # fmt: skip
def test_errors_are_one_line_naming_the_property(tmp_path, pai, body, wanted):
    root = project(tmp_path, ERRORS.format(body=body))
    env = stack_env(tmp_path, root, pai)
    done = run_pulumi("preview", cwd=root, env=env, check=False)
    text = done.stdout + done.stderr
    assert done.returncode != 0
    assert wanted in text, text
    assert "Traceback" not in text and 'File "' not in text and SECRET not in text


@pytest.mark.parametrize(
    "document, heading, outputs",
    [("README.md", "Pulumi YAML, TypeScript, Go", ("uri",)), ("docs/languages.md", "Pulumi YAML", ("uri", "processor"))],
    ids=["readme", "languages-guide"],
)
def test_the_documented_yaml_programs_run(tmp_path, pai, document, heading, outputs):
    section = (REPO / document).read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    program = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    assert "path: /path/to/venv/bin" in program
    root = project(tmp_path, program.replace("path: /path/to/venv/bin", "path: ../../.venv/bin"))
    env = stack_env(tmp_path, root, pai)
    run_pulumi("up", "--yes", cwd=root, env=env)
    version = newest_approved(demo_model())
    found = json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)
    expected = {"uri": version["Uri"], "processor": version["InferenceSpec"]["processor"]}
    assert found == {name: expected[name] for name in outputs}


def test_twenty_identical_lookups_cost_the_requests_of_one(tmp_path, pai):
    lookup = "    type: pai-models:index:ModelLookup\n    properties:\n      modelName: '\"fraud-detector\"'\n      approvalStatus: Approved\n"
    counts = []
    for n in (1, 20):
        program = HEAD.format(name="yaml-twenty") + "resources:\n" + "".join(f"  m{i}:\n{lookup}" for i in range(n))
        root = project(tmp_path / str(n), program)
        env = stack_env(tmp_path / str(n), root, pai)
        pai.reset()
        run_pulumi("preview", cwd=root, env=env)
        counts.append(len(pai.requests()))
    assert counts[0] > 0 and counts[1] == counts[0], counts


FAILING_TOGETHER = HEAD.format(name="yaml-together") + """\
variables:
  found:
    fn::invoke:
      function: pai-models:index:getModel
      arguments:
        modelName: '"no-such-model"'
      return: uri
resources:
  model:
    type: pai-models:index:ModelLookup
    properties:
      modelName: '"unterminated'
outputs:
  found: ${found}
  uri: ${model.uri}
"""


def test_an_invoke_error_is_never_lost_when_a_lookup_fails_too(tmp_path, pai):
    """The engine ends a preview at the lookup's failed check and closes the plugin; the invoke that is still running
    (or not yet sent) used to lose its own error to `grpc: the client connection is closing`, in 2 runs of 3."""
    root = project(tmp_path, FAILING_TOGETHER)
    env = stack_env(tmp_path, root, pai)
    wanted = "pai-models:index:getModel invoke failed: NoModelMatch: no model matches ModelName='\"no-such-model\"'"
    for _ in range(3):
        done = run_pulumi("preview", cwd=root, env=env, check=False)
        text = done.stdout + done.stderr
        assert done.returncode != 0 and "client connection is closing" not in text, text
        lines = [line for line in text.splitlines() if "getModel invoke failed" in line]
        assert lines and all(wanted in line for line in lines), text  # the whole message on each line that shows it
        assert "invalid modelName: an exact name must be wrapped in double quotes" in text


def test_a_misspelt_config_key_fails_naming_the_closest_and_the_fix_works(tmp_path, pai):
    root = project(tmp_path)
    env = stack_env(tmp_path, root, pai)
    run_pulumi("config", "set", "pai-models:endpiont", pai.url, cwd=root, env=env)
    done = run_pulumi("preview", cwd=root, env=env, check=False)
    text = done.stdout + done.stderr
    assert done.returncode != 0
    assert "ConfigurationError: unknown stack config key pai-models:endpiont: did you mean pai-models:endpoint?" in text, text
    run_pulumi("config", "rm", "pai-models:endpiont", cwd=root, env=env)
    run_pulumi("preview", cwd=root, env=env)


def test_the_documented_way_to_find_the_plugin_is_quiet_and_path_is_not(tmp_path, pai):
    """`plugins: providers: path:` in Pulumi.yaml (the README's way) finds the plugin without a word; the same program
    finding it on PATH warns "using pulumi-resource-pai-models from $PATH" (what a user sees without the block)."""
    quiet = project(tmp_path / "quiet")
    env = stack_env(tmp_path / "quiet", quiet, pai)
    text = run_pulumi("preview", cwd=quiet, env=env).stdout
    assert "from $PATH" not in text and "warning" not in text.lower(), text
    loud = project(tmp_path / "loud")
    (loud / "Pulumi.yaml").write_text(re.sub(r"plugins:\n  providers:\n    - name: pai-models\n      path: .*\n", "",
                                             (loud / "Pulumi.yaml").read_text()))  # fmt: skip
    env = stack_env(tmp_path / "loud", loud, pai) | {"PATH": f"{PLUGIN_DIR}:{cli_env(tmp_path)['PATH']}"}
    done = run_pulumi("preview", cwd=loud, env=env)
    assert "using pulumi-resource-pai-models from $PATH" in done.stdout + done.stderr
