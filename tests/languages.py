"""TypeScript and Go programs under the real CLI, through the provider plugin `pai-models` and this repository's
SDKs (sdk/nodejs, sdk/go): for tests/test_languages.py, bench/languages.py and cross-door tables.

A project is the language's example (examples/typescript-eas-service, examples/go-eas-service) copied into a
folder of the caller's, with its relative paths (the plugin's folder, the SDK) made absolute, or a program of the
caller's in its place. What is slow to make is made once and kept under the cache root ($PAI_MODELS_CACHE, else
~/.cache/pulumi-pai-models, as scripts/ensure-pulumi.sh), keyed by everything it is made from:

- the language host: `scripts/ensure-pulumi.sh --with nodejs|go` (next to the CLI `engine.pulumi_bin_dir()`);
- TypeScript: node_modules, `npm ci` of the example's package.json and package-lock.json (which install the SDK
  from sdk/nodejs and compile it), in `node/<key>/`; each project links to it and is compiled with `npm run
  build` (tsc, the example's tsconfig.json), as a user's is (`build`), or once into `compiled/<key>/` for every
  project of the same sources (`compiled`);
- Go: Go's own module and build caches (`go build` downloads the modules the example's go.sum pins once); the
  host builds the program in each operation (`build`: nothing beforehand), or it is built once into `go/<key>/`
  and run through the runtime option `binary:` (`compiled`).

`run_lookup(language, arguments, ...)` runs a small program that calls getModel (or registers a ModelLookup) with
the given arguments (the schema's camelCase names) and returns its result or its one-line error: a column of a
cross-door table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from engine import REPO, cli_env, pulumi_bin_dir, run_pulumi

CACHE = Path(os.environ.get("PAI_MODELS_CACHE") or Path.home() / ".cache" / "pulumi-pai-models")
PLUGIN_DIR = Path(sys.prefix) / "bin"  # this venv's bin/, holding pulumi-resource-pai-models
#: Where Go is when it is not on PATH (ensure-pulumi.sh looks there too).
GO_FALLBACK = Path("/usr/local/go/bin")


@dataclasses.dataclass(frozen=True)
class Language:
    """One language of the SDKs: its example, its host (as ensure-pulumi.sh --with names it), its program file."""

    name: str
    host: str
    example: Path
    main_file: str


TYPESCRIPT = Language("typescript", "nodejs", REPO / "examples" / "typescript-eas-service", "index.ts")
GO = Language("go", "go", REPO / "examples" / "go-eas-service", "main.go")
LANGUAGES = {language.name: language for language in (TYPESCRIPT, GO)}


def language_of(language: str | Language) -> Language:
    return language if isinstance(language, Language) else LANGUAGES[language]


# -- tools and hosts -----------------------------------------------------------------------------------------


def go_command() -> str:
    """The `go` a user's shell finds (PATH, else /usr/local/go/bin)."""
    found = shutil.which("go") or shutil.which("go", path=str(GO_FALLBACK))
    if found is None:
        raise AssertionError("Go programs need `go` (on PATH or in /usr/local/go/bin)")
    return found


@functools.cache
def ensure_host(language: str | Language) -> Path:
    """The folder of the CLI in use, with `language`'s host beside it (ensure-pulumi.sh --with builds it once)."""
    lang = language_of(language)
    done = subprocess.run(["bash", str(REPO / "scripts" / "ensure-pulumi.sh"), "--with", lang.host],
                          check=True, stdout=subprocess.PIPE, text=True, stderr=None)  # fmt: skip
    folder = Path(done.stdout.strip().splitlines()[-1])
    if folder.resolve() != pulumi_bin_dir().resolve() and not (pulumi_bin_dir() / f"pulumi-language-{lang.host}").exists():
        raise AssertionError(f"the CLI in use ({pulumi_bin_dir()}) has no pulumi-language-{lang.host}; "
                             f"ensure-pulumi.sh put one in {folder}: set PAI_MODELS_PULUMI_BIN to that folder")  # fmt: skip
    return pulumi_bin_dir()


def env_for(language: str | Language, home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """`engine.cli_env` for a program of `language` (its host ensured): a user's shell, with Go on PATH for Go."""
    lang = language_of(language)
    ensure_host(lang)
    env = cli_env(home, extra)
    if lang is GO:
        env["PATH"] = f"{env['PATH']}{os.pathsep}{Path(go_command()).parent}"
    return env


# -- the cache -----------------------------------------------------------------------------------------------


def digest(*parts: bytes | str | Path) -> str:
    """A short key for the cache from texts, bytes and files (a folder: every file in it, by relative path)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path) and part.is_dir():
            for file in sorted(p for p in part.rglob("*") if p.is_file() and not {"node_modules", "bin"} & set(p.parts)):
                h.update(str(file.relative_to(part)).encode() + b"\0" + file.read_bytes() + b"\0")
        elif isinstance(part, Path):
            h.update(part.read_bytes() + b"\0")
        else:
            h.update((part.encode() if isinstance(part, str) else part) + b"\0")
    return h.hexdigest()[:16]


@contextlib.contextmanager
def cache_entry(kind: str, key: str) -> Iterator[tuple[Path, bool]]:
    """(folder, ready) of the cache entry `kind/key`, under a lock; a caller that finds it not ready makes it in
    the folder (made empty) and leaves normally, which marks it ready; an error leaves it unready."""
    folder = CACHE / kind / key
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(CACHE / kind / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = folder / ".ready"
        if marker.exists():
            yield folder, True
            return
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        yield folder, False
        marker.touch()


def run(command: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 900) -> str:
    """Run a build step; a failure raises with everything it printed."""
    done = subprocess.run(command, cwd=cwd, env=dict(env or os.environ), capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"`{' '.join(command)}` in {cwd} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def node_modules() -> Path:
    """The TypeScript example's node_modules: `npm ci` from its package-lock.json, which installs the SDK from
    sdk/nodejs (a copy of it sits beside, at the same relative path), once per lock, SDK and Node.js version."""
    example = TYPESCRIPT.example
    versions = run(["node", "--version"], REPO) + run(["npm", "--version"], REPO)
    files = [example / "package.json", example / "package-lock.json", example / ".npmrc"]
    key = digest(*files, REPO / "sdk" / "nodejs", versions)
    with cache_entry("node", key) as (folder, ready):
        project = folder / "examples" / example.name
        if not ready:
            project.mkdir(parents=True)
            for file in files:
                shutil.copy(file, project)
            shutil.copytree(REPO / "sdk" / "nodejs", folder / "sdk" / "nodejs", ignore=shutil.ignore_patterns("node_modules", "bin"))
            run(["npm", "ci", "--no-audit", "--no-fund"], project)
        return project / "node_modules"


# -- projects ------------------------------------------------------------------------------------------------


def project(language: str | Language, folder: Path, program: str | None = None, *, name: str | None = None) -> Path:
    """The language's example (or `program`, the text of its main file) as a project in `folder`/project, ready to
    build: the plugin's folder absolute, the SDK from this repository, dependencies from the cache."""
    lang = language_of(language)
    root = folder / "project"
    shutil.copytree(lang.example, root, ignore=shutil.ignore_patterns("node_modules", "bin", "Pulumi.*.yaml"))
    settings = (root / "Pulumi.yaml").read_text()
    settings = settings.replace("path: ../../.venv/bin", f"path: {PLUGIN_DIR}")
    if name:
        settings = re.sub(r"^name: .*$", f"name: {name}", settings, count=1, flags=re.MULTILINE)
    (root / "Pulumi.yaml").write_text(settings)
    if program is not None:
        (root / lang.main_file).write_text(program)
    if lang is TYPESCRIPT:
        (root / "node_modules").symlink_to(node_modules(), target_is_directory=True)
    else:
        mod = (root / "go.mod").read_text().replace("=> ../../sdk/go", f"=> {REPO / 'sdk' / 'go'}")
        (root / "go.mod").write_text(mod)
    return root


def build(language: str | Language, root: Path) -> None:
    """What a user runs before `pulumi preview`: `npm run build` (tsc) for TypeScript; Go's host builds itself."""
    if language_of(language) is TYPESCRIPT:
        run(["npm", "run", "build"], root)


def configure(root: Path, env: Mapping[str, str], server, key_id: str, secret: str, **config: str) -> None:
    """Stack `test` of the project, configured for the emulator (the secret as a secret) and with `config`."""
    run_pulumi("stack", "select", "--create", "test", cwd=root, env=env)
    pairs = [f"pai-models:endpoint={server.url}", f"pai-models:accessKey={key_id}", *(f"{k}={v}" for k, v in config.items())]
    plain = [arg for pair in pairs for arg in ("--plaintext", pair)]
    run_pulumi("config", "set-all", *plain, "--secret", f"pai-models:secretKey={secret}", cwd=root, env=env)


# -- errors as a user reads them ------------------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What a language prints around an error message: Node.js's report of an unhandled exception (and its stack
#: trace's lines), the Go SDK's `program failed` with its list of errors.
FRAMING = re.compile(r"^Running program .* failed with an unhandled exception:$|^an unhandled error occurred: program failed:$|"
                     r"^\d+ errors? occurred:$")  # fmt: skip
MESSAGE = re.compile(r"^(?:(?:<ref \*\d+> )?(?:error|Error): |\* )(.+)$")


def diagnostics(text: str) -> str:
    """The Diagnostics section of a `pulumi preview`/`up` report (colour codes removed)."""
    text = ANSI.sub("", text)
    return text.split("Diagnostics:", 1)[1].split("\nResources:", 1)[0] if "Diagnostics:" in text else ""


def error_lines(text: str) -> list[str]:
    """The error messages of a failed operation, each its one line: what follows `error: ` (the engine's and the
    Go SDK's), `Error: ` (Node.js's unhandled exception) or `* ` (an item of the Go SDK's error list), without
    the framing lines around them and the lines of a stack trace."""
    found = []
    for line in diagnostics(text).splitlines():
        match = MESSAGE.match(line.strip())
        if match and not FRAMING.match(match.group(1)):
            found.append(match.group(1))
    return found


# -- a lookup from a program ---------------------------------------------------------------------------------

#: ModelLookup's outputs that a lookup program exports (those it resolves; its inputs are the arguments given).
RESOURCE_OUTPUTS = ("modelId", "resolvedModelName", "versionName", "uri", "model", "modelVersion", "querySummary")

#: A TypeScript program: getModel (stack config `kind` = getModel) or a ModelLookup named `lookup` (kind =
#: ModelLookup) with the stack config `arguments` (a JSON object), its result exported as `result`.
LOOKUP_TS = """\
import * as pulumi from "@pulumi/pulumi";
import * as paiModels from "@your-org/pai-models";

const config = new pulumi.Config();
const args = JSON.parse(config.require("arguments"));

function lookup(kind: string) {
    if (kind === "getModel") {
        return paiModels.getModel(args as paiModels.GetModelArgs);
    }
    const m = new paiModels.ModelLookup("lookup", args as paiModels.ModelLookupArgs);
    return { OUTPUTS };
}

export const result = lookup(config.require("kind"));
""".replace("OUTPUTS", ", ".join(f"{name}: m.{name}" for name in RESOURCE_OUTPUTS))

#: The same in Go: the JSON object decoded into GetModelArgs, or made into ModelLookupArgs' inputs (field names
#: match case-insensitively; an unknown one is refused, as the compiler refuses it in a program).
LOOKUP_GO = """\
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	paimodels "github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func decode(ctx *pulumi.Context, into any) error {
	decoder := json.NewDecoder(bytes.NewBufferString(config.Require(ctx, "arguments")))
	decoder.DisallowUnknownFields()
	return decoder.Decode(into)
}

// inputs sets the fields of ModelLookupArgs (pulumi inputs, which JSON cannot fill) from the JSON object.
func inputs(ctx *pulumi.Context, args *paimodels.ModelLookupArgs) error {
	var raw map[string]any
	if err := json.Unmarshal([]byte(config.Require(ctx, "arguments")), &raw); err != nil {
		return err
	}
	fields := reflect.ValueOf(args).Elem()
	for key, value := range raw {
		field := fields.FieldByNameFunc(func(name string) bool { return strings.EqualFold(name, key) })
		if !field.IsValid() {
			return fmt.Errorf("json: unknown field %q", key)
		}
		var input any
		switch v := value.(type) {
		case nil:
			continue
		case string:
			input = pulumi.String(v)
		case bool:
			input = pulumi.Bool(v)
		case []any:
			items := pulumi.StringArray{}
			for _, item := range v {
				items = append(items, pulumi.String(fmt.Sprint(item)))
			}
			input = items
		case map[string]any:
			items := pulumi.StringMap{}
			for k, item := range v {
				items[k] = pulumi.String(fmt.Sprint(item))
			}
			input = items
		default:
			return fmt.Errorf("json: %q: a %T is no argument of ModelLookup", key, v)
		}
		if !reflect.TypeOf(input).AssignableTo(field.Type()) {
			return fmt.Errorf("json: %q: a %T is not a %s", key, input, field.Type())
		}
		field.Set(reflect.ValueOf(input))
	}
	return nil
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		if config.Require(ctx, "kind") == "getModel" {
			var args paimodels.GetModelArgs
			if err := decode(ctx, &args); err != nil {
				return err
			}
			result, err := paimodels.GetModel(ctx, &args)
			if err != nil {
				return err
			}
			ctx.Export("result", pulumi.Any(result))
			return nil
		}
		var args paimodels.ModelLookupArgs
		if err := inputs(ctx, &args); err != nil {
			return err
		}
		m, err := paimodels.NewModelLookup(ctx, "lookup", &args)
		if err != nil {
			return err
		}
		ctx.Export("result", pulumi.Map{
OUTPUTS
		})
		return nil
	})
}
""".replace("OUTPUTS", "\n".join(f'\t\t\t"{name}": m.{name[0].upper() + name[1:]},' for name in RESOURCE_OUTPUTS))


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a program's lookup gave: its result (the schema's camelCase names), or its error as one line."""

    result: dict | None
    error: str | None
    text: str  # everything the CLI printed


def compiled(language: str | Language, root: Path, *, binary: str = "program") -> Path:
    """The project in `root` made ready to run, each program compiled once (cached) for every caller and run: for
    TypeScript, tsc's output (`npm run build`) of the project's sources; for Go, the main package built once with
    `go build` (as the host builds it) and run through the runtime option `binary:` (named `binary`), so that no
    preview, up, refresh or destroy builds and links it again. A cache entry is keyed by every file it is made
    from (the program, go.mod and go.sum or tsconfig.json and the lock, the SDK, the Go or Node.js version): a
    change to any is built anew. The host's own build of a program is what the tests that call `build` see."""
    lang = language_of(language)
    if lang is TYPESCRIPT:
        sources = sorted(p for p in root.glob("*.ts") if p.is_file())
        key = digest(*sources, root / "tsconfig.json", root / "package.json", node_modules().parent / "package-lock.json", REPO / "sdk" / "nodejs",
                     "\0".join(p.name for p in sources))  # fmt: skip
        with cache_entry("compiled", key) as (built, ready):
            if not ready:
                build(lang, root)
                shutil.copytree(root / "bin", built / "bin")
        shutil.copytree(built / "bin", root / "bin", dirs_exist_ok=True)
        return root
    sources = sorted(p for p in root.glob("*.go") if p.is_file())
    # go.mod names this checkout's sdk/go by its path: keyed by the SDK's files instead, so that a clone elsewhere
    # (or another worktree) finds the same program built.
    mod = (root / "go.mod").read_text().replace(str(REPO), "<repository>")
    key = digest(*sources, mod, root / "go.sum", REPO / "sdk" / "go", run([go_command(), "version"], REPO), "\0".join(p.name for p in sources))
    with cache_entry("go", key) as (built, ready):
        if not ready:
            run([go_command(), "build", "-o", str(built / "program"), "."], root, {**os.environ, "CGO_ENABLED": "0"})
    # The program alone, run through the runtime option `binary:` (without it the host finds no Go files to build).
    for file in (*sources, root / "go.mod", root / "go.sum"):
        file.unlink()
    (root / binary).symlink_to(built / "program")
    settings = (root / "Pulumi.yaml").read_text()
    assert "runtime: go\n" in settings, settings
    (root / "Pulumi.yaml").write_text(settings.replace("runtime: go\n", f"runtime:\n  name: go\n  options:\n    binary: {binary}\n"))
    return root


def lookup_project(language: str | Language, folder: Path) -> Path:
    """A project running LOOKUP_TS or LOOKUP_GO, compiled once (cached) for every caller."""
    lang = language_of(language)
    return compiled(lang, project(lang, folder, LOOKUP_TS if lang is TYPESCRIPT else LOOKUP_GO, name="pai-models-lookup"), binary="lookup")


def run_lookup(language: str | Language, arguments: Mapping[str, object], *, resource: bool = False,
               server, key_id: str, secret: str, folder: Path) -> Outcome:  # fmt: skip
    """getModel(`arguments`), or a ModelLookup with them (`resource`), in a `language` program run by `pulumi up`
    against `server` with this key pair (state under `folder`): its result, or its error as one line."""
    root = lookup_project(language, folder)
    env = env_for(language, folder / "home")
    kind = "ModelLookup" if resource else "getModel"
    configure(root, env, server, key_id, secret, arguments=json.dumps(dict(arguments)), kind=kind)
    done = run_pulumi("up", "--yes", "--skip-preview", cwd=root, env=env, check=False)
    text = done.stdout + done.stderr
    if done.returncode != 0:
        errors = error_lines(text)
        return Outcome(None, errors[0] if errors else None, text)
    outputs = json.loads(run_pulumi("stack", "output", "--json", "--show-secrets", cwd=root, env=env).stdout)
    return Outcome(outputs["result"], None, text)
