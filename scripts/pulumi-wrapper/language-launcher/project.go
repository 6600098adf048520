package main

// Which project a host runs. The CLI starts hosts (and the Python dynamic provider) with their working directory
// set to the program directory (the project root, or the folder `main:` names), and finds the project by walking
// up from its own working directory (after `-C DIR`). So:
//  1. -root given: that folder's project file;
//  2. the parent process's (the CLI's) working directory, walking up, as the CLI does (Linux /proc), if that
//     project's program directory is this process's working directory;
//  3. walking up from this process's working directory: the first project whose program directory is this
//     directory, else (language host only) the nearest project file.
//
// The Python provider also requires the project's name to be $PULUMI_PROJECT, which the CLI sets. Step 2 matters
// when a project's `main:` folder holds another project file (a project whose `main:` is another project's
// folder, as tests/test_layouts.py checks).

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"
)

// projectFiles are the names the CLI accepts for a project file, in the order it tries them.
var projectFiles = []string{"Pulumi.json", "Pulumi.yaml", "Pulumi.yml"}

type project struct {
	name       string // its `name:`
	file       string // the project file
	root       string // its folder
	programDir string // where the CLI runs the program: root, or the folder `main:` names
	options    map[string]any
}

// findProject applies steps 2 and 3 above; a project named `name` (if not "") only.
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

// option is runtime option `name` as text ("" if unset): a string as written, a YAML boolean or number formatted
// as its flag takes it (`typescript: false` -> "false").
func (p *project) option(name string) string {
	switch value := p.options[name].(type) {
	case nil:
		return ""
	case string:
		return value
	case bool, int, float64:
		return fmt.Sprint(value)
	default:
		debug("runtime option %s: %v is neither text, a number nor a boolean", name, value)
		return ""
	}
}

// optionFlags turns the runtime options of `names` that are set into flags of the same names.
func (p *project) optionFlags(names ...string) []flagArg {
	var flags []flagArg
	for _, name := range names {
		if value := p.option(name); value != "" {
			flags = append(flags, flagArg{name, value})
		}
	}
	return flags
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
