// Command pulumi-language-python (the launcher) gives the Python language host that
// scripts/ensure-pulumi.sh can build the runtime options of the project it runs.
//
// Why: since CLI 3.209 the CLI starts a language host with only the engine address and sends the
// project's runtime options (virtualenv, toolchain) inside each request's ProgramInfo. The Python
// host we can build from the Go module proxy (sdk/v3 v3.68.0) reads them only from its flags
// (-root=DIR -virtualenv=V), so under CLI 3.260 it ignores `runtime.options.virtualenv` and runs
// the first python3 on PATH ("No module named 'pulumi'"), and `pulumi install` creates no venv/.
//
// What: this program is installed as `pulumi-language-python` next to `pulumi`, with the real host
// renamed beside it to `pulumi-language-python-real`. It finds the project the CLI is running,
// reads `runtime.options.virtualenv` (or, for `toolchain: uv|poetry`, the environment that tool
// uses, if it exists) from its project file, and execs the real host with `-root=DIR
// -virtualenv=ABS` in front of the caller's arguments. A flag the caller passed itself (CLIs up to
// 3.208 pass both) is never overridden. Without a project it execs the real host unchanged.
//
// The same binary is also installed as `pulumi-resource-pulumi-python`, the dynamic provider
// plugin, with the SDK's shell shim renamed beside it to `pulumi-resource-pulumi-python-real`. The
// CLI starts that plugin in the program directory with PULUMI_RUNTIME_VIRTUALENV=<the option as
// written>, which the shim resolves against the program directory (pulumi/pulumi#7061): with
// `main:` in a subfolder it looks for the venv in the wrong place. As the provider, this program
// makes the path absolute against the project root, then execs the shim.
//
// Which project: the CLI starts both with their working directory set to the program directory
// (the project root, or the folder `main:` names), and finds the project by walking up from its
// own working directory (after `-C DIR`). So:
//  1. -root given: that folder's project file;
//  2. the parent process's (the CLI's) working directory, walking up, as the CLI does (Linux
//     /proc), if that project's program directory is this process's working directory;
//  3. walking up from this process's working directory: the first project whose program
//     directory is this directory, else (language host only) the nearest project file.
//
// The provider also requires the project's name to be $PULUMI_PROJECT, which the CLI sets. Step 2
// matters when a project's `main:` folder holds another project file (a project whose `main:` is
// another project's folder, as tests/test_layouts.py checks).
//
// Set PULUMI_LANGUAGE_PYTHON_LAUNCHER_DEBUG=1 to print the decisions on stderr.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"gopkg.in/yaml.v3"
)

// The real programs, next to this executable: the language host, and the dynamic provider's shell shim.
const (
	realHostName     = "pulumi-language-python-real"
	providerName     = "pulumi-resource-pulumi-python"
	realProviderName = "pulumi-resource-pulumi-python-real"
)

// projectFiles are the names the CLI accepts for a project file, in the order it tries them.
var projectFiles = []string{"Pulumi.json", "Pulumi.yaml", "Pulumi.yml"}

func main() {
	self, err := os.Executable()
	if err != nil {
		fail("cannot locate this executable: %v", err)
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	dir := filepath.Dir(self)
	args := os.Args[1:]

	if filepath.Base(os.Args[0]) == providerName {
		// Installed as the dynamic provider plugin: the CLI passes the runtime options to it as
		// PULUMI_RUNTIME_<OPTION> and starts it in the program directory, where the shim resolves a
		// relative virtualenv (pulumi/pulumi#7061): wrong when `main:` names a subfolder. Make it
		// absolute against the project root, as the language host resolves it.
		fixProviderVirtualenv()
		execute(filepath.Join(dir, realProviderName), args, "the dynamic provider shim")
	}

	extra := extraFlags(args)
	execute(filepath.Join(dir, realHostName), append(extra, args...), "the real language host")
}

func execute(program string, args []string, what string) {
	debug("exec %s %s", program, strings.Join(args, " "))
	if err := syscall.Exec(program, append([]string{program}, args...), os.Environ()); err != nil {
		fail("cannot run %s %s: %v", what, program, err)
	}
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

// extraFlags returns the -root/-virtualenv flags to add to the caller's args.
func extraFlags(args []string) []string {
	givenRoot, hasRoot := flagValue(args, "root")
	_, hasVirtualenv := flagValue(args, "virtualenv")
	if hasRoot && hasVirtualenv {
		return nil
	}

	cwd, err := os.Getwd()
	if err != nil {
		debug("no working directory: %v", err)
		return nil
	}
	var proj *project
	if hasRoot {
		proj = projectIn(absFrom(cwd, givenRoot))
	} else {
		proj = findProject(cwd, "")
	}
	if proj == nil {
		debug("no project found from %s", cwd)
		return nil
	}
	debug("project %s (program directory %s)", proj.file, proj.programDir)

	var extra []string
	if !hasRoot {
		extra = append(extra, "-root="+proj.root)
	}
	if !hasVirtualenv {
		if venv := proj.virtualenv(); venv != "" {
			extra = append(extra, "-virtualenv="+venv)
		}
	}
	return extra
}

// flagValue finds flag `name` (as -name=v, --name=v, -name v or --name v) in args.
func flagValue(args []string, name string) (string, bool) {
	for i, arg := range args {
		if arg == "--" {
			break
		}
		if !strings.HasPrefix(arg, "-") {
			continue
		}
		key, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if key != name {
			continue
		}
		if hasValue {
			return value, true
		}
		if i+1 < len(args) {
			return args[i+1], true
		}
		return "", true
	}
	return "", false
}

type project struct {
	name       string // its `name:`
	file       string // the project file
	root       string // its folder
	programDir string // where the CLI runs the program: root, or the folder `main:` names
	options    map[string]any
}

// findProject applies steps 2 and 3 of the package comment; a project named `name` (if not "") only.
func findProject(cwd, name string) *project {
	here := canonical(cwd)
	runsHere := func(p *project) bool {
		return p != nil && canonical(p.programDir) == here && (name == "" || p.name == name)
	}
	if parentCwd, err := os.Readlink("/proc/" + strconv.Itoa(os.Getppid()) + "/cwd"); err == nil {
		if p := nearestProject(parentCwd); runsHere(p) {
			return p
		}
	}
	var nearest *project
	for dir := cwd; ; dir = filepath.Dir(dir) {
		if p := projectIn(dir); p != nil {
			if runsHere(p) {
				return p
			}
			if nearest == nil && (name == "" || p.name == name) {
				nearest = p
			}
		}
		if filepath.Dir(dir) == dir {
			return nearest
		}
	}
}

// nearestProject is the first project found walking up from dir, as the CLI finds its project.
func nearestProject(dir string) *project {
	for ; ; dir = filepath.Dir(dir) {
		if p := projectIn(dir); p != nil {
			return p
		}
		if filepath.Dir(dir) == dir {
			return nil
		}
	}
}

// projectIn reads the project file in dir, or returns nil if there is none (or it cannot be read).
func projectIn(dir string) *project {
	for _, name := range projectFiles {
		file := filepath.Join(dir, name)
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		var doc struct {
			Name    string `yaml:"name"`
			Main    string `yaml:"main"`
			Runtime any    `yaml:"runtime"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			debug("cannot parse %s: %v", file, err)
			return nil
		}
		p := &project{name: doc.Name, file: file, root: dir, programDir: programDir(dir, doc.Main)}
		if runtime, ok := doc.Runtime.(map[string]any); ok {
			p.options, _ = runtime["options"].(map[string]any)
		}
		return p
	}
	return nil
}

// programDir mirrors the CLI's getPwdMain: the folder the program runs in.
func programDir(root, main string) string {
	if main == "" {
		return root
	}
	path := absFrom(root, main)
	if info, err := os.Stat(path); err == nil && !info.IsDir() {
		return filepath.Dir(path)
	}
	return path
}

func (p *project) option(name string) string {
	value, _ := p.options[name].(string)
	return value
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

// existing returns dir if it is a directory: the real host can only use a uv or poetry environment
// that exists (it would create a missing one with pip, from a requirements.txt such projects lack).
func existing(dir string) string {
	if info, err := os.Stat(dir); dir != "" && err == nil && info.IsDir() {
		return dir
	}
	debug("no environment at %q", dir)
	return ""
}

func searchUp(dir, name string) (string, bool) {
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return dir, true
		}
		if filepath.Dir(dir) == dir {
			return "", false
		}
	}
}

func absFrom(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
}

// canonical resolves symlinks so that two spellings of one folder compare equal.
func canonical(path string) string {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		return resolved
	}
	return filepath.Clean(path)
}

func debug(format string, args ...any) {
	if os.Getenv("PULUMI_LANGUAGE_PYTHON_LAUNCHER_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "pulumi-language-python launcher: "+format+"\n", args...)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python launcher: "+format+"\n", args...)
	os.Exit(1)
}
