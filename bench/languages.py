"""One-lookup preview per language, on this machine in one run: `python bench/languages.py [--runs 5] [--out FILE]`.

The same program in each language, a project run by the CLI as a user runs it (`pulumi preview` in the project
folder, file backend, against the emulator with the demo catalog): one `ModelLookup` of the newest approved
"fraud-detector". Python uses the package's dynamic provider (what a Python program uses); YAML, TypeScript
and Go use the provider plugin through Pulumi YAML's type check and the SDKs in sdk/. Each language's first
preview is reported apart (`first`: it starts cold, e.g. Go's build cache for the program); the figure is the
median of the `--runs` previews after it. TypeScript is compiled (tsc) before the first preview, not timed; Go's
host builds the program in each preview (its build cache makes that a link), which is timed, as a user waits
for it. Figures are notes, never assertions; compare the languages within one run (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests"))  # engine.py and languages.py, shared with the tests

from engine import cli_env, run_pulumi, stack_config  # noqa: E402
from languages import GO, TYPESCRIPT, build, env_for, project  # noqa: E402
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, EmulatorServer, load_demo_catalog  # noqa: E402

PLUGIN_DIR = Path(sys.prefix) / "bin"  # this venv's bin/: pulumi-resource-pai-models, and the Python programs' venv

PYTHON_PROJECT = f"""\
name: bench-python
runtime:
  name: python
  options:
    virtualenv: {sys.prefix}
"""
PYTHON_PROGRAM = """\
from pulumi_pai_models import ModelLookup

ModelLookup("model", model_name='"fraud-detector"', approval_status="Approved")
"""
YAML_PROJECT = f"""\
name: bench-yaml
runtime: yaml
plugins:
  providers:
    - name: pai-models
      path: {PLUGIN_DIR}
resources:
  model:
    type: pai-models:index:ModelLookup
    properties:
      modelName: '"fraud-detector"'
      approvalStatus: Approved
"""
TYPESCRIPT_PROGRAM = """\
import * as paiModels from "@your-org/pai-models";

new paiModels.ModelLookup("model", { modelName: '"fraud-detector"', approvalStatus: "Approved" });
"""
GO_PROGRAM = """\
package main

import (
	paimodels "github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := paimodels.NewModelLookup(ctx, "model", &paimodels.ModelLookupArgs{
			ModelName:      pulumi.String(`"fraud-detector"`),
			ApprovalStatus: pulumi.String("Approved"),
		})
		return err
	})
}
"""
LANGUAGES = ("python", "yaml", "typescript", "go")


def log(message: str) -> None:
    print(f"bench/languages: {message}", file=sys.stderr, flush=True)


def make_project(language: str, folder: Path) -> tuple[Path, dict[str, str]]:
    """The one-lookup project of `language` in `folder`, built as its user would, and the CLI's environment."""
    home = folder / "home"
    if language in ("typescript", "go"):
        lang = TYPESCRIPT if language == "typescript" else GO
        root = project(lang, folder, TYPESCRIPT_PROGRAM if lang is TYPESCRIPT else GO_PROGRAM, name=f"bench-{language}")
        build(lang, root)
        return root, env_for(lang, home)
    root = folder / "project"
    root.mkdir(parents=True)
    if language == "python":
        (root / "Pulumi.yaml").write_text(PYTHON_PROJECT)
        (root / "__main__.py").write_text(PYTHON_PROGRAM)
    else:
        (root / "Pulumi.yaml").write_text(YAML_PROJECT)
    return root, cli_env(home)


def configure(language: str, root: Path, env: dict[str, str], server: EmulatorServer) -> None:
    """Stack `bench`: the Python program reads the stack config the tests give it; the plugin its own namespace."""
    run_pulumi("stack", "select", "--create", "bench", cwd=root, env=env)
    if language == "python":
        given = stack_config(server, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        config = {key: (value.value, value.secret) for key, value in given.items()}
    else:
        config = {"pai-models:endpoint": (server.url, False), "pai-models:accessKey": (DEFAULT_ACCESS_KEY_ID, False),
                  "pai-models:secretKey": (DEFAULT_ACCESS_KEY_SECRET, True)}  # fmt: skip
    args = [a for key, (value, secret) in config.items() for a in ("--secret" if secret else "--plaintext", f"{key}={value}")]
    run_pulumi("config", "set-all", *args, cwd=root, env=env)


def measure(runs: int = 5, languages: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
    """Preview seconds per language: the first, then the median, min and max of `runs` more."""
    server = EmulatorServer(load_demo_catalog()).start()
    top = Path(tempfile.mkdtemp(prefix="pai-models-bench-languages-"))
    results: dict[str, Any] = {"runs": runs, "load_average_start": os.getloadavg(), "languages": {}}
    try:
        for language in languages:
            root, env = make_project(language, top / language)
            configure(language, root, env, server)
            seconds = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                run_pulumi("preview", cwd=root, env=env)
                seconds.append(time.perf_counter() - started)
            later = seconds[1:]
            results["languages"][language] = {"first": seconds[0], "median": statistics.median(later), "min": min(later), "max": max(later)}
            log(f"{language}: first {seconds[0]:.2f} s, then median {statistics.median(later):.2f} s of {runs}")
    finally:
        server.stop()
        shutil.rmtree(top, ignore_errors=True)
    results["load_average_end"] = os.getloadavg()
    return results


def report(results: dict[str, Any]) -> str:
    rows = [f"{'language':<12}{'median':>9}{'min':>9}{'max':>9}{'first':>9}"]
    for language, r in results["languages"].items():
        rows.append(f"{language:<12}" + "".join(f"{r[k]:>8.2f}s" for k in ("median", "min", "max", "first")))
    start, end = (" ".join(f"{x:.2f}" for x in results[k]) for k in ("load_average_start", "load_average_end"))
    return (f"`pulumi preview` of one ModelLookup, median of {results['runs']} after the first (load average {start} -> {end})\n"
            + "\n".join(rows))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="previews per language after the first (default 5)")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help=f"comma-separated, of {', '.join(LANGUAGES)}")
    parser.add_argument("--out", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    chosen = tuple(name for name in args.languages.split(",") if name)
    unknown = set(chosen) - set(LANGUAGES)
    if unknown:
        parser.error(f"unknown language(s) {', '.join(sorted(unknown))}; choose from {', '.join(LANGUAGES)}")
    results = measure(args.runs, chosen)
    print(report(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
