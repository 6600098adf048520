"""TypeScript and Go programs using the provider plugin `pai-models` through the SDKs in sdk/, under the real CLI,
against the emulator.

The CLI is the one scripts/ensure-pulumi.sh builds, with the old Node.js and Go language hosts it builds on
request (`--with nodejs,go`) behind the launcher that hands them Pulumi.yaml's runtime options. The programs are
the examples (examples/typescript-eas-service, examples/go-eas-service) and small ones written here, made into
projects by tests/languages.py: TypeScript is compiled with tsc (`npm run build`, the example's tsconfig.json;
the example's `typescript: false` runs the output, no ts-node), Go is built by its host (`go build`) or, for the
programs run in many operations, built once and run through the runtime option `binary:`. The engine runs the
plugin's invoke, check, diff, create, update and delete. The emulator runs in this process with a key pair of its own, whose secret is a secret
stack config value (`pai-models:secretKey`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess

import pytest
import yaml
from conftest import add_newer_version, demo_model, newest_approved
from engine import REPO, pulumi_bin_dir, run_pulumi
from example_lifecycle import LOOKUP, run_example_lifecycle
from languages import (
    GO,
    LANGUAGES,
    TYPESCRIPT,
    build,
    compiled,
    configure,
    diagnostics,
    env_for,
    error_lines,
    go_command,
    project,
    run,
    run_lookup,
)

pytestmark = pytest.mark.engine

KEY_ID = "LTAIlanguagesTestKey"
SECRET = "languages-" + secrets.token_hex(16)  # unique, so finding it anywhere is a real leak
SCHEMA = json.loads((REPO / "schema" / "pai-models.json").read_text())
EXAMPLES = pytest.mark.parametrize("language", list(LANGUAGES))


@pytest.fixture
def pai(private_emulator):
    return private_emulator(KEY_ID, SECRET)


def test_the_examples_name_this_repositorys_plugin_and_sdks():
    for language in LANGUAGES.values():
        settings = yaml.safe_load((language.example / "Pulumi.yaml").read_text())
        assert settings["plugins"]["providers"] == [{"name": "pai-models", "path": "../../.venv/bin"}]
        assert (language.example / "../../.venv/bin/pulumi-resource-pai-models").resolve() == (REPO / ".venv/bin/pulumi-resource-pai-models").resolve()
    package = json.loads((TYPESCRIPT.example / "package.json").read_text())
    assert package["dependencies"]["@your-org/pai-models"] == "file:../../sdk/nodejs"
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in {**package["dependencies"], **package["devDependencies"]}.values() if not v.startswith("file:"))
    lock = json.loads((TYPESCRIPT.example / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    sdk = json.loads((REPO / "sdk" / "nodejs" / "package.json").read_text())
    assert lock["packages"]["node_modules/@your-org/pai-models"]["dependencies"] == sdk["dependencies"]
    assert "replace github.com/YOUR-ORG/pulumi-pai-models/sdk/go => ../../sdk/go" in (GO.example / "go.mod").read_text()


@EXAMPLES
def test_the_example_under_the_engine(tmp_path, pai, language):
    # Compiled once for every run of the same sources (tsc; Go: `go build`, run through `binary:`), not in each of its
    # ten operations; the Go example as shipped, built by the host itself, previews in
    # test_the_runtime_options_reach_the_go_host.
    root = compiled(language, project(language, tmp_path))
    env = env_for(language, tmp_path / "home")
    configure(root, env, pai, KEY_ID, SECRET)
    run_example_lifecycle(root, env, pai, tmp_path / "home", SECRET)


LOCKED = {
    "typescript": """\
import * as paiModels from "@your-org/pai-models";

const model = new paiModels.ModelLookup("model", { modelName: '"fraud-detector"', approvalStatus: "Approved", lock: true });
export const uri = model.uri;
""",
    "go": """\
package main

import (
	paimodels "github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		model, err := paimodels.NewModelLookup(ctx, "model", &paimodels.ModelLookupArgs{
			ModelName:      pulumi.String(`"fraud-detector"`),
			ApprovalStatus: pulumi.String("Approved"),
			Lock:           pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		ctx.Export("uri", model.Uri)
		return nil
	})
}
""",
}


@EXAMPLES
def test_a_locked_lookup_warns_on_its_resource_with_the_command_that_moves_it(tmp_path, pai, language):
    name = f"{language}-locked"
    root = compiled(language, project(language, tmp_path, LOCKED[language], name=name))
    env = env_for(language, tmp_path / "home")
    configure(root, env, pai, KEY_ID, SECRET)
    kept = newest_approved(demo_model())
    run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env)
    newer = add_newer_version(pai)
    preview = run_pulumi("preview", cwd=root, env=env)
    text = preview.stdout + preview.stderr
    urn = f"urn:pulumi:test::{name}::{LOOKUP}::model"
    assert re.search(rf"{re.escape(LOOKUP)} \(model\):\s*\n\s*warning: ModelLookup locked to fraud-detector version", text), text
    assert f"pulumi up --replace '{urn}'" in text and newer["VersionName"] in text
    assert diagnostics(text).count("warning: ModelLookup locked") == 1 and "2 unchanged" in text
    assert json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)["uri"] == kept["Uri"]
    run_pulumi("up", "--yes", "--skip-preview", "--replace", urn, cwd=root, env=env)
    assert json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)["uri"] == newer["Uri"]


NO_MATCH = "NoModelMatch: no model matches ModelName='\"no-such-model\"'"


@EXAMPLES
@pytest.mark.parametrize(
    "resource, arguments, wanted",
    [
        (False, {"modelName": '"no-such-model"'}, ["pai-models:index:getModel", NO_MATCH, "modelName"]),
        (True, {"modelName": '"no-such-model"'}, [f"{LOOKUP} resource 'lookup' has a problem: {NO_MATCH}", "modelName"]),
        (True, {"conditions": ["ParameterSize < abc"]}, ["invalid conditions.value: 'abc' is not a number"]),
    ],
    ids=["invoke-no-match", "lookup-no-match", "lookup-bad-condition"],
)  # fmt: skip
def test_a_failing_lookup_is_one_line_naming_the_argument(tmp_path, pai, language, resource, arguments, wanted):
    outcome = run_lookup(language, arguments, resource=resource, server=pai, key_id=KEY_ID, secret=SECRET, folder=tmp_path)
    assert outcome.result is None and outcome.error is not None, outcome.text
    assert all(part in outcome.error for part in wanted), (outcome.error, outcome.text)
    # The message is whole on its line, once under Diagnostics: what follows it is a blank line or the next
    # resource's section (or, for TypeScript, Node.js's stack trace: see docs/languages.md); no Python traceback.
    shown = diagnostics(outcome.text)
    assert shown.count(outcome.error) == 1, outcome.text
    after = shown.split(outcome.error, 1)[1].split("\n")[1]
    assert re.match(r"\s*(at |$|\S.*:$)", after), (after, outcome.text)
    assert "Traceback" not in outcome.text and 'File "' not in outcome.text and SECRET not in outcome.text


@EXAMPLES
def test_a_lookup_program_gives_what_get_model_gives(tmp_path, pai, language):
    version = newest_approved(demo_model())
    outcome = run_lookup(language, {"modelName": '"fraud-detector"', "approvalStatus": "Approved"}, server=pai, key_id=KEY_ID, secret=SECRET,
                         folder=tmp_path)  # fmt: skip
    assert outcome.error is None, outcome.text
    assert set(outcome.result) >= {"modelId", "modelName", "versionName", "uri"}
    assert (outcome.result["uri"], outcome.result["versionName"]) == (version["Uri"], version["VersionName"])


MISSPELT = {
    "typescript": """\
import * as paiModels from "@your-org/pai-models";

export const uri = paiModels.getModelOutput({ modelNme: '"fraud-detector"' }).uri;
""",
    "go": """\
package main

import (
	paimodels "github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		ctx.Export("uri", paimodels.GetModelOutput(ctx, paimodels.GetModelOutputArgs{ModelNme: pulumi.String(`"fraud-detector"`)}).Uri())
		return nil
	})
}
""",
}


def test_a_misspelt_argument_stops_tsc_naming_it(tmp_path):
    root = project(TYPESCRIPT, tmp_path, MISSPELT["typescript"])
    done = subprocess.run(["npm", "run", "build"], cwd=root, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode != 0
    assert "'modelNme' does not exist in type 'GetModelOutputArgs'" in done.stdout, done.stdout


def test_a_misspelt_argument_stops_the_go_build_naming_it(tmp_path, pai):
    root = project(GO, tmp_path, MISSPELT["go"])
    env = env_for(GO, tmp_path / "home")
    configure(root, env, pai, KEY_ID, SECRET)
    done = run_pulumi("preview", cwd=root, env=env, check=False)
    text = done.stdout + done.stderr
    assert done.returncode != 0
    assert "unknown field ModelNme in struct literal of type paimodels.GetModelOutputArgs" in text, text
    assert error_lines(text), text


OPTIONS_TS = """\
export const execArgv = process.execArgv;
export const typescript = process.env.PULUMI_NODEJS_TYPESCRIPT ?? "unset";
"""


def test_the_runtime_options_reach_the_nodejs_host(tmp_path, pai):
    # CLIs since 3.209 pass runtime options only inside requests, which the old host ignores: the launcher makes
    # them flags. Without it the host runs node with no extra arguments and with PULUMI_NODEJS_TYPESCRIPT=true.
    root = project(TYPESCRIPT, tmp_path, OPTIONS_TS)
    settings = (root / "Pulumi.yaml").read_text().replace("nodeargs: --stack-trace-limit=5\n", "nodeargs: --max-old-space-size=1536\n")
    (root / "Pulumi.yaml").write_text(settings)
    build(TYPESCRIPT, root)
    env = env_for(TYPESCRIPT, tmp_path / "home")
    configure(root, env, pai, KEY_ID, SECRET)
    run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env)
    outputs = json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)
    assert outputs == {"execArgv": ["--max-old-space-size=1536"], "typescript": "unset"}


def test_the_runtime_options_reach_the_go_host(tmp_path, pai):
    # buildTarget: where the host's `go build` writes the program (without the launcher: a temporary file).
    root = project(GO, tmp_path)
    settings = (root / "Pulumi.yaml").read_text().replace("runtime: go\n", "runtime:\n  name: go\n  options:\n    buildTarget: out/program\n")
    (root / "Pulumi.yaml").write_text(settings)
    env = env_for(GO, tmp_path / "home")
    configure(root, env, pai, KEY_ID, SECRET)
    preview = run_pulumi("preview", cwd=root, env=env)
    assert (root / "out" / "program").is_file()
    # The example as shipped (no `binary:`), built by the host: its lookups give the newest approved URI in preview,
    # as in the lifecycle test_the_example_under_the_engine runs on the same program built once.
    uri = newest_approved(demo_model())["Uri"]
    assert re.search(r"modelPath\s*:\s*\"" + re.escape(uri), preview.stdout) and re.search(r"newestUri\s*:\s*\"" + re.escape(uri), preview.stdout), preview.stdout
    assert "warning" not in (preview.stdout + preview.stderr).lower()


# -- every argument and output of the schema, in each language's types --------------------------------------


def every_argument_program(language: str) -> str:
    """A program passing a value to every argument of ModelLookup and of getModel (getModelOutput for TypeScript)
    and reading every output, written from the schema: it compiles only if the SDK has each under its name and type."""
    lookup, function = SCHEMA["resources"][LOOKUP], SCHEMA["functions"]["pai-models:index:getModel"]

    def value(spec: dict, go: str = "") -> str:
        kind = spec["type"]
        if language == "typescript":
            return {"string": '"x"', "boolean": "true", "array": '["ParameterSize<3000"]', "object": '{ env: "prod" }'}[kind]
        return {"string": f"pulumi.String{go}(`x`)", "boolean": f"pulumi.Bool{go}(true)",
                "array": "pulumi.StringArray{pulumi.String(`ParameterSize<3000`)}" if not go else "[]string{`ParameterSize<3000`}",
                "object": "pulumi.StringMap{`env`: pulumi.String(`prod`)}" if not go else "map[string]string{`env`: `prod`}"}[kind]  # fmt: skip

    def title(name: str) -> str:
        return name[0].upper() + name[1:]

    if language == "typescript":
        args = ", ".join(f"{name}: {value(spec)}" for name, spec in lookup["inputProperties"].items())
        fn_args = ", ".join(f"{name}: {value(spec)}" for name, spec in function["inputs"]["properties"].items())
        reads = ", ".join([f"m.{name}" for name in lookup["properties"]] + [f"f.{name}" for name in function["outputs"]["properties"]])
        return (f'import * as pulumi from "@pulumi/pulumi";\nimport * as paiModels from "@your-org/pai-models";\n\n'
                f'const m = new paiModels.ModelLookup("m", {{ {args} }});\nconst f = paiModels.getModelOutput({{ {fn_args} }});\n'
                f"export const all: pulumi.Output<unknown>[] = [{reads}];\n")  # fmt: skip
    args = "".join(f"\t\t\t{title(name)}: {value(spec)},\n" for name, spec in lookup["inputProperties"].items())
    fn_args = "".join(f"\t\t\t{title(name)}: {value(spec, 'Ref')},\n" for name, spec in function["inputs"]["properties"].items())
    reads = "".join(f"\t\t_ = m.{title(name)}\n" for name in lookup["properties"]) + "".join(f"\t\t_ = f.{title(name)}\n" for name in function["outputs"]["properties"])
    return ("package main\n\nimport (\n\tpaimodels \"github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models\"\n"
            '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n)\n\nfunc main() {\n\tpulumi.Run(func(ctx *pulumi.Context) error {\n'
            f'\t\tm, err := paimodels.NewModelLookup(ctx, "m", &paimodels.ModelLookupArgs{{\n{args}\t\t}})\n'
            "\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n"
            f"\t\tf, err := paimodels.GetModel(ctx, &paimodels.GetModelArgs{{\n{fn_args}\t\t}})\n"
            f"\t\tif err != nil {{\n\t\t\treturn err\n\t\t}}\n{reads}\t\treturn nil\n\t}})\n}}\n")  # fmt: skip


@EXAMPLES
def test_a_program_using_every_argument_and_output_compiles(tmp_path, language):
    root = project(language, tmp_path, every_argument_program(language))
    if language == "typescript":
        build(language, root)
        assert (root / "bin" / "index.js").is_file()
    else:
        run([go_command(), "vet", "."], root)


# -- the hosts are built only on request -------------------------------------------------------------------------


@pytest.mark.shell
def test_ensure_pulumi_builds_no_language_host_unless_asked(tmp_path):
    # A cache holding the CLI and the Python and YAML pieces only (hard links to the one in use): without --with,
    # ensure-pulumi.sh finds it complete and adds nothing; an unknown language is refused before any build.
    cache = tmp_path / "cache" / "pulumi-v3.260.0"
    source = pulumi_bin_dir().parent
    if not (source / "stamps").is_dir():
        pytest.skip("the CLI in use is not one ensure-pulumi.sh built (a release install has its own hosts)")
    for folder in ("bin", "stamps"):
        (cache / folder).mkdir(parents=True)
        for file in (source / folder).iterdir():
            if "nodejs" not in file.name and "-go" not in file.name:
                try:
                    os.link(file, cache / folder / file.name)
                except OSError:  # another file system
                    shutil.copy2(file, cache / folder / file.name)
    env = {**os.environ, "PAI_MODELS_CACHE": str(tmp_path / "cache"), "PAI_MODELS_BUILD_PULUMI": "1", "PAI_MODELS_LANGUAGES": ""}
    script = str(REPO / "scripts" / "ensure-pulumi.sh")
    done = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=600, check=True)
    assert done.stdout.strip().splitlines()[-1] == str(cache / "bin")
    assert not [f.name for f in (cache / "bin").iterdir() if "nodejs" in f.name or "language-go" in f.name], done.stderr
    refused = subprocess.run(["bash", script, "--with", "nodejs,cobol"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert refused.returncode == 2 and "unknown language 'cobol'" in refused.stderr
    assert not (cache / "bin" / "pulumi-language-nodejs").exists()
