"""The policy pack under the real engine: `pulumi preview|up --policy-pack` on a Python program and a Pulumi YAML program.

Each program deploys PAI-EAS services (`alicloud:pai/service:Service`, served by the stand-in alicloud plugin in
tests/standin_alicloud, found through Pulumi.yaml `plugins: providers:`), whose model paths come from a ModelLookup
(Python: the dynamic provider; YAML: the `pai-models` plugin) or are written into the program by hand. The pack is
what a user gets from `pai-models policy-pack` (Python projects: the installed executable; YAML projects: the one
`--write DIR` writes). `pulumi` runs as a subprocess with only the CLI's folder and the system's on PATH
(`engine.cli_env`); the registry is the emulator, with a key pair of this module's own, which the program and the pack
take from the environment; the pack's endpoint comes from its `--policy-pack-config` file, the program's from the
stack config.

What a user sees is read from the CLI's text output: each policy result is a block `- [level] [severity: ...]  policy
(type: name)`, then the policy's description and the pack's one-line message (a preview skip: the SDK's note alone).
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import api_requests
from engine import TESTS, cli_env, run_pulumi

pytestmark = pytest.mark.engine

KEY_ID = "LTAIpolicyTestKey"
SECRET = "policy-" + secrets.token_hex(16)  # unique, so finding it in any output is a real leak
VENV_BIN = Path(sys.executable).parent  # pai-models, pai-models-policy-pack and pulumi-resource-pai-models
STANDIN = TESTS / "standin_alicloud"
SERVICE = "alicloud:pai/service:Service"

# The demo catalog's fraud-detector (emulator/demo_catalog.json): 0.9.0 Rejected, 1.0.0 and 1.1.0 Approved, 1.2.0 Pending
# (its latest version); five own models in all.
ACME = "oss://acme-ml-models.oss-cn-hangzhou.aliyuncs.com"
FRAUD = {v: f"{ACME}/fraud-detector/{v}/" for v in ("0.9.0", "1.0.0", "1.1.0", "1.2.0")}
HANDMADE = "oss://acme-ml-models/hand-made/model/"

# A service's model path: "lookup" (a ModelLookup of fraud-detector with approval_status Approved: 1.1.0), "at-up" (a
# tracking ModelLookup's model.LatestVersion.Uri, unknown in a preview: 1.2.0 at up), or the path itself.
PYTHON_PROGRAM = """\
import json

import pulumi
import pulumi_alicloud as alicloud
from pulumi_pai_models import ModelLookup

with open("services.json") as f:
    services = json.load(f)
for name, source in services.items():
    if source == "lookup":
        path = ModelLookup(f"{name}-model", model_name='"fraud-detector"', approval_status="Approved").uri
    elif source == "at-up":
        path = ModelLookup(f"{name}-model", model_name='"fraud-detector"').model.apply(lambda m: m["LatestVersion"]["Uri"])
    else:
        path = pulumi.Output.from_input(source)
    config = path.apply(lambda p, name=name: json.dumps(
        {"metadata": {"name": name, "instance": 1, "cpu": 1, "memory": 2000}, "model_path": p, "processor": "pmml"}))
    alicloud.pai.Service(name, service_config=config, develop="false")
"""


def yaml_program(services: dict[str, str]) -> dict:
    resources: dict[str, dict] = {}
    for name, source in services.items():
        path = source
        if source in ("lookup", "at-up"):
            properties = {"modelName": '"fraud-detector"', **({"approvalStatus": "Approved"} if source == "lookup" else {})}
            resources[f"{name}-model"] = {"type": "pai-models:index:ModelLookup", "properties": properties}
            path = f"${{{name}-model.uri}}" if source == "lookup" else f"${{{name}-model.model.LatestVersion.Uri}}"
        config = {"metadata": {"name": name, "instance": 1, "cpu": 1, "memory": 2000}, "model_path": path, "processor": "pmml"}
        resources[name] = {"type": SERVICE, "properties": {"develop": "false", "serviceConfig": {"fn::toJSON": config}}}
    plugins = [{"name": "pai-models", "path": str(VENV_BIN)}, {"name": "alicloud", "path": str(STANDIN)}]
    return {"name": "policy-yaml", "runtime": "yaml", "plugins": {"providers": plugins}, "resources": resources}


@dataclass(frozen=True)
class Finding:
    """One policy result as the CLI shows it."""

    level: str
    policy: str
    name: str
    lines: tuple[str, ...]  # the description, then the message; a preview skip: the SDK's note only

    @property
    def message(self) -> str:
        return self.lines[-1]


_FINDING = re.compile(r"^\s+- \[(?P<level>\w+)\](?: \[severity: \w+\])?\s+(?P<policy>\S+)\s+\((?P<type>.+): (?P<name>[^:()]+)\)$")


def findings(text: str) -> list[Finding]:
    """Every policy result in the CLI's output, in order."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        match = _FINDING.match(line)
        if match:
            block = []
            for following in lines[i + 1 :]:
                if not following.strip() or _FINDING.match(following) or not following.startswith(" " * 10):
                    break
                block.append(following.strip())
            found.append(Finding(match["level"], match["policy"], match["name"], tuple(block)))
    return found


@dataclass
class Project:
    """A program of one language in a folder of its own, a stack `test` on the emulator, and the pack to run."""

    root: Path
    env: dict[str, str]
    pack: Path
    record: Path

    def run(self, *args: str, pack_config: dict) -> tuple[subprocess.CompletedProcess[str], list[Finding]]:
        config = self.root.parent / "pack.json"
        config.write_text(json.dumps(pack_config))
        done = run_pulumi(*args, "--policy-pack", str(self.pack), "--policy-pack-config", str(config), cwd=self.root, env=self.env,
                          check=False)  # fmt: skip
        text = done.stdout + done.stderr
        assert SECRET not in text
        return done, findings(text)

    def deployed(self) -> list[str]:
        """The services the stand-in plugin created or updated (not previews), in order."""
        if not self.record.exists():
            return []
        return [json.loads(line)["name"] for line in self.record.read_text().splitlines()]


def pai_models(*args: str) -> str:
    done = subprocess.run([str(VENV_BIN / "pai-models"), *args], check=True, capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


@pytest.fixture(params=["python", "yaml"])
def project(request, tmp_path, private_emulator):
    """A factory: `project(services)` is the program of this language (request.param) deploying `services`."""
    server = private_emulator(KEY_ID, SECRET)

    def make(services: dict[str, str]) -> Project:
        root = tmp_path / request.param
        root.mkdir()
        if request.param == "python":
            runtime = {"name": "python", "options": {"virtualenv": sys.prefix}}
            plugins = {"providers": [{"name": "alicloud", "path": str(STANDIN)}]}
            (root / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "policy-python", "runtime": runtime, "plugins": plugins}))
            (root / "__main__.py").write_text(PYTHON_PROGRAM)
            (root / "services.json").write_text(json.dumps(services))
            pack = Path(pai_models("policy-pack"))
        else:
            (root / "Pulumi.yaml").write_text(yaml.safe_dump(yaml_program(services), sort_keys=False))
            pack = Path(pai_models("policy-pack", "--write", str(tmp_path / "pack")))
        record = tmp_path / "deployed.jsonl"
        env = cli_env(tmp_path / "home", {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
                                          "STANDIN_ALICLOUD_PYTHON": sys.executable, "STANDIN_ALICLOUD_RECORD": str(record)})  # fmt: skip
        run_pulumi("stack", "select", "--create", "test", cwd=root, env=env)
        run_pulumi("config", "set", "pai-models:endpoint", server.url, cwd=root, env=env)
        return Project(root, env, pack, record)

    make.server = server  # type: ignore[attr-defined]
    return make


def registry(server, **extra) -> dict:
    """A pack config whose registry is the emulator."""
    return {"pai-registry": {"endpoint": server.url}, **extra}


def of(found: list[Finding], policy: str) -> dict[str, Finding]:
    return {f.name: f for f in found if f.policy == policy}


def assert_says(finding: Finding, level: str, *facts: str) -> None:
    assert finding.level == level, finding
    assert len(finding.lines) == 2, finding  # the policy's description, then one line
    for fact in facts:
        assert fact in finding.message, (fact, finding.message)


def test_an_approved_uri_from_a_lookup_passes_and_an_older_approved_one_is_advised(project):
    p = project({"good": "lookup", "older": "oss://acme-ml-models/fraud-detector/1.0.0"})
    config = registry(project.server, **{"pai-locked-lookups": {"stacks": ["test"]}})

    done, found = p.run("preview", pack_config=config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {(f.level, f.policy, f.name) for f in found} == {
        ("advisory", "pai-newest-approved", "older"),
        ("advisory", "pai-locked-lookups", "good-model"),
    }  # nothing about "good": the lookup's 1.1.0 is the newest approved version
    assert_says(of(found, "pai-newest-approved")["older"], "advisory", 'service "older" model_path "oss://acme-ml-models/fraud-detector/1.0.0"',
                "Approved version 1.0.0 of model fraud-detector", f"newer Approved version exists: 1.1.0 ({FRAUD['1.1.0']})")  # fmt: skip
    assert_says(of(found, "pai-locked-lookups")["good-model"], "advisory", 'ModelLookup "good-model" in stack "test" is not locked')

    done, found = p.run("up", "--yes", "--skip-preview", pack_config=config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pai-newest-approved" in {f.policy for f in found}  # the pack ran at up too
    assert sorted(p.deployed()) == ["good", "older"]


def test_a_path_not_registered_a_pending_and_a_rejected_version_are_stopped(project):
    p = project({"good": "lookup", "handmade": HANDMADE, "pending": FRAUD["1.2.0"], "rejected": FRAUD["0.9.0"]})

    done, found = p.run("preview", pack_config=registry(project.server))
    assert done.returncode != 0
    mandatory = of(found, "pai-approved-model")
    assert set(mandatory) == {"handmade", "pending", "rejected"}  # "good" passes
    assert_says(mandatory["handmade"], "mandatory", f'service "handmade" model_path "{HANDMADE}"', "is not a model version in the PAI "
                "registry", "5 own models searched", "register it", "Approved")  # fmt: skip
    assert_says(mandatory["pending"], "mandatory", f'service "pending" model_path "{FRAUD["1.2.0"]}"', "version 1.2.0 of model "
                "fraud-detector", "approval status is Pending", f"newest Approved version 1.1.0 ({FRAUD['1.1.0']})")  # fmt: skip
    assert_says(mandatory["rejected"], "mandatory", f'service "rejected" model_path "{FRAUD["0.9.0"]}"', "version 0.9.0 of model "
                "fraud-detector", "approval status is Rejected", "newest Approved version 1.1.0")  # fmt: skip

    # An update stops at the first mandatory violation (a preview reports them all): none of the three is deployed.
    done, found = p.run("up", "--yes", "--skip-preview", pack_config=registry(project.server))
    assert done.returncode != 0
    stopped = of(found, "pai-approved-model")
    assert stopped and set(stopped) <= {"handmade", "pending", "rejected"}, found
    assert not {"handmade", "pending", "rejected"} & set(p.deployed())


SKIPPED_IN_PREVIEW = (
    "can't run policy 'pai-approved-model' from policy pack 'pai-models@v0.1.0' during preview: "
    "string value at .serviceConfig can't be known during preview"
)


def test_a_path_unknown_in_preview_is_reported_as_checked_later_and_stopped_at_up(project):
    p = project({"later": "at-up"})

    done, found = p.run("preview", pack_config=registry(project.server))
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(f.level, f.policy, f.name, f.lines) for f in found] == [("advisory", "pai-approved-model", "later", (SKIPPED_IN_PREVIEW,))]

    done, found = p.run("up", "--yes", pack_config=registry(project.server))  # its preview first, then the update
    assert done.returncode != 0
    assert [f.lines for f in found if f.level == "advisory"] == [(SKIPPED_IN_PREVIEW,)]  # the preview of `up`
    [stopped] = [f for f in found if f.level == "mandatory"]
    assert_says(stopped, "mandatory", f'service "later" model_path "{FRAUD["1.2.0"]}"', "approval status is Pending")
    assert "later" not in p.deployed()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_registry_fails_closed_unless_made_advisory(project):
    p = project({"pinned": FRAUD["1.1.0"]})
    down = f"http://127.0.0.1:{closed_port()}"

    done, found = p.run("preview", pack_config={"pai-registry": {"endpoint": down}})
    assert done.returncode != 0
    assert [(f.level, f.policy, f.name) for f in found] == [("mandatory", "pai-registry", "pinned")]  # and nothing else
    assert_says(found[0], "mandatory", f'service "pinned" model_path "{FRAUD["1.1.0"]}" cannot be checked', "did not answer",
                f"ListModels failed, code ConnectionError: {down} (from policy pack config pai-registry.endpoint) refused the connection",
                '"pai-registry": "advisory" in the --policy-pack-config file')  # fmt: skip

    done, found = p.run("preview", pack_config={"pai-registry": {"enforcementLevel": "advisory", "endpoint": down}})
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(f.level, f.policy, f.name) for f in found] == [("advisory", "pai-registry", "pinned")]


@pytest.mark.parametrize("project", ["yaml"], indirect=True)
def test_one_pack_run_lists_the_registry_once_for_twenty_services(project):
    # 20 services on four models: fraud-detector 1.1.0 and churn-predictor 2.0.0 are not their models' latest versions
    # (one version listing each), support-summarizer 1.0.0 and sentiment-zh 0.1.0 are (answered by the listing).
    models = [FRAUD["1.1.0"], f"{ACME}/churn-predictor/2.0.0/", f"{ACME}/support-summarizer/1.0.0/", f"{ACME}/sentiment-zh/0.1.0/"]
    services = {f"svc{i:02d}": models[i % 4] for i in range(20)}
    p = project(services)
    server = project.server
    server.reset()

    done, found = p.run("preview", pack_config=registry(server))
    assert done.returncode == 0 and found == [], done.stdout + done.stderr
    assert sorted((r["action"], r["path"]) for r in api_requests(server)) == [
        ("ListModelVersions", "/api/v1/models/model-churn-predictor/versions"),
        ("ListModelVersions", "/api/v1/models/model-fraud-detector/versions"),
        ("ListModels", "/api/v1/models"),
    ]

    # Five of them on paths registered nowhere: every own model's versions are read, once for the run.
    (p.root / "Pulumi.yaml").write_text(yaml.safe_dump(yaml_program({**services, **{f"svc{i:02d}": f"{HANDMADE}{i}/" for i in range(5)}})))
    server.reset()
    done, found = p.run("preview", pack_config=registry(server))
    assert done.returncode != 0 and len(of(found, "pai-approved-model")) == 5
    actions = [(r["action"], r["path"]) for r in api_requests(server)]
    assert actions.count(("ListModels", "/api/v1/models")) == 1
    versions = [path for action, path in actions if action == "ListModelVersions"]
    assert len(versions) == len(set(versions)) == 5, versions  # the five own models, each once
