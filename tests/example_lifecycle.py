"""The life of the plugin's example program under the real engine, the same in every language it is written in (Pulumi
YAML, TypeScript, Go): tests/test_yaml.py and tests/test_languages.py run `run_example_lifecycle` on their project."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from conftest import add_newer_version, demo_model, newest_approved
from engine import REPO, run_pulumi, stored_state
from pulumi_pai_models import lifecycle
from pulumi_pai_models.emulator import load_demo_catalog

LOOKUP = "pai-models:index:ModelLookup"
LOOKUP_PROPERTIES = set(json.loads((REPO / "schema" / "pai-models.json").read_text())["resources"][LOOKUP]["properties"])


def expected_outputs(version: dict, model: dict) -> dict:
    """What the examples export for this model and version (the config's defaults), computed here."""
    service = {"metadata": {"name": "fraud_detector", "instance": 1, "cpu": 1, "memory": 2000}, "model_path": version["Uri"],
               "processor": "pmml"}  # fmt: skip
    return {
        "modelId": model["ModelId"],
        "versionName": version["VersionName"],
        "modelPath": version["Uri"],
        "newestUri": version["Uri"],
        "serviceConfig": service,
    }


def preview_json(root: Path, env: dict[str, str]) -> dict:
    return json.loads(run_pulumi("preview", "--json", cwd=root, env=env).stdout)


def lookup_step(preview: dict, name: str = "model") -> dict:
    """The step the engine plans for the ModelLookup `name`."""
    [step] = [s for s in preview["steps"] if s["urn"].endswith(f"{LOOKUP}::{name}")]
    return step


def outputs_of(root: Path, env: dict[str, str]) -> dict:
    outputs = json.loads(run_pulumi("stack", "output", "--json", "--show-secrets", cwd=root, env=env).stdout)
    outputs["serviceConfig"] = json.loads(outputs["serviceConfig"])
    return outputs


def run_example_lifecycle(root: Path, env: dict[str, str], pai, home: Path, secret: str) -> None:
    """Preview, up, an empty second preview, a newer version as an update of exactly the changed outputs, refresh,
    destroy, for the example in `root` (a stack configured for the emulator `pai` with `secret`, the CLI's home
    `home`); `secret` is in no state and no output of the CLI."""
    model = demo_model()
    version = newest_approved(model)
    texts: list[str] = []

    # 1. preview: the function's and the lookup's URI are known, nothing is deployed.
    preview = run_pulumi("preview", cwd=root, env=env)
    texts.append(preview.stdout + preview.stderr)
    assert re.search(r"modelPath\s*:\s*\"" + re.escape(version["Uri"]), preview.stdout), preview.stdout
    assert re.search(r"newestUri\s*:\s*\"" + re.escape(version["Uri"]), preview.stdout), preview.stdout
    step = lookup_step(preview_json(root, env))
    assert step["op"] == "create" and step["newState"]["inputs"]["uri"] == version["Uri"]
    assert "warning" not in (preview.stdout + preview.stderr).lower()

    # 2. up exports the URIs and the service config.
    up = run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env)
    texts.append(up.stdout + up.stderr)
    assert outputs_of(root, env) == expected_outputs(version, model)

    # 3. a second preview has no changes.
    again = preview_json(root, env)
    assert again["changeSummary"] == {"same": 2}, again["changeSummary"]
    run_pulumi("preview", "--expect-no-changes", cwd=root, env=env)

    # 4. a newer approved version: an update of the lookup whose detailed diff names exactly the changed outputs.
    newer = add_newer_version(pai)
    step = lookup_step(preview_json(root, env))
    changed = {"uri", "versionName"} | ({"modelVersion"} if "model_version" in lifecycle.PREVIEW_NAMES else set())
    assert step["op"] == "update" and set(step["detailedDiff"]) == changed and set(step["diffReasons"]) == changed
    assert all(d["kind"] == "update" for d in step["detailedDiff"].values())
    shown = run_pulumi("preview", "--diff", cwd=root, env=env).stdout
    texts.append(shown)
    lookup_part = shown.split(f"{LOOKUP}: (update)", 1)[1].split("--outputs:--", 1)[0]
    assert set(re.findall(r"~ (\w+)\s*:", lookup_part)) & LOOKUP_PROPERTIES == changed, lookup_part  # nested JSON keys aside
    assert f'=> "{newer["Uri"]}"' in lookup_part
    up = run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env)
    texts.append(up.stdout + up.stderr)
    assert outputs_of(root, env) == expected_outputs(newer, model)

    # 5. refresh keeps it; destroy deletes nothing in PAI.
    run_pulumi("refresh", "--yes", "--skip-preview", cwd=root, env=env)
    assert preview_json(root, env)["changeSummary"] == {"same": 2}
    state = stored_state(home)
    run_pulumi("destroy", "--yes", "--skip-preview", cwd=root, env=env)
    with urllib.request.urlopen(pai.url + "/_emulator/catalog") as answer:
        assert len(json.load(answer)["Models"]) == len(load_demo_catalog()["Models"])

    # 6. the secret is in no state and no output of the CLI.
    assert "fraud-detector" in state and LOOKUP in state
    assert secret not in state and secret not in "\n".join(texts)
