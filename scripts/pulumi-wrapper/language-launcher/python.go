package main

// Python: the host (sdk/v3 v3.68.0) takes -virtualenv=ABS; `runtime.options.virtualenv` (relative to the project
// root, as the CLI's own host resolves it), or for `toolchain: uv|poetry` the environment that tool uses, if it
// exists (the old host would create a missing one with pip, from a requirements.txt such projects lack). Without
// the flag it runs the first python3 on PATH ("No module named 'pulumi'"), and `pulumi install` creates no venv/.
//
// The dynamic provider plugin `pulumi-resource-pulumi-python`: the CLI starts it in the program directory with
// PULUMI_RUNTIME_VIRTUALENV=<the option as written>, which the SDK's shim resolves against the program directory
// (pulumi/pulumi#7061): with `main:` in a subfolder it looks for the venv in the wrong place. As the provider,
// this program makes the path absolute against the project root (the project named $PULUMI_PROJECT), then execs
// the shim.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const pythonProviderName = "pulumi-resource-pulumi-python"

func pythonOptions(p *project) ([]flagArg, []string) {
	if venv := p.virtualenv(); venv != "" {
		return []flagArg{{"virtualenv", venv}}, nil
	}
	return nil, nil
}

// fixProviderVirtualenv makes a relative PULUMI_RUNTIME_VIRTUALENV absolute against the project root.
func fixProviderVirtualenv() {
	venv := os.Getenv("PULUMI_RUNTIME_VIRTUALENV")
	toolchain := os.Getenv("PULUMI_RUNTIME_TOOLCHAIN")
	if filepath.IsAbs(venv) || (venv == "" && toolchain != "uv") {
		return
	}
	cwd, err := os.Getwd()
	if err != nil {
		return
	}
	proj := findProject(cwd, os.Getenv("PULUMI_PROJECT"))
	if proj == nil {
		debug("no project found from %s", cwd)
		return
	}
	if venv == "" {
		venv = existing(uvVirtualenv(proj.root))
	} else {
		venv = absFrom(proj.root, venv)
	}
	if venv != "" {
		debug("PULUMI_RUNTIME_VIRTUALENV=%s (project %s)", venv, proj.file)
		os.Setenv("PULUMI_RUNTIME_VIRTUALENV", venv)
	}
}

// virtualenv is the absolute virtualenv path the project's runtime options select, or "".
func (p *project) virtualenv() string {
	if venv := p.option("virtualenv"); venv != "" {
		return absFrom(p.root, venv) // relative to the project root, as the CLI's own host resolves it
	}
	switch toolchain := p.option("toolchain"); toolchain {
	case "", "pip":
		return ""
	case "uv":
		return existing(uvVirtualenv(p.root))
	case "poetry":
		return existing(poetryVirtualenv(p.root))
	default:
		debug("unknown toolchain %q", toolchain)
		return ""
	}
}

// uvVirtualenv mirrors the CLI's uv toolchain: next to the nearest uv.lock, else pyproject.toml, else in the root;
// $UV_PROJECT_ENVIRONMENT, else .venv.
func uvVirtualenv(root string) string {
	projectDir := root
	if dir, ok := searchUp(root, "uv.lock"); ok {
		projectDir = dir
	} else if dir, ok := searchUp(root, "pyproject.toml"); ok {
		projectDir = dir
	}
	if env := os.Getenv("UV_PROJECT_ENVIRONMENT"); env != "" {
		return absFrom(projectDir, env)
	}
	return filepath.Join(projectDir, ".venv")
}

// poetryVirtualenv asks poetry for the project's environment ("" without poetry).
func poetryVirtualenv(root string) string {
	cmd := exec.Command("poetry", "env", "info", "--path")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		debug("poetry env info --path: %v", err)
		return ""
	}
	return strings.TrimSpace(string(out))
}

// existing returns dir if it is a directory ("" otherwise).
func existing(dir string) string {
	if info, err := os.Stat(dir); dir != "" && err == nil && info.IsDir() {
		return dir
	}
	debug("no environment at %q", dir)
	return ""
}
