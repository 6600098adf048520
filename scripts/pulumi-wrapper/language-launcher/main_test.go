package main

// `go test` here checks the launcher's decisions without a CLI; tests/test_layouts.py (Python) and
// tests/test_languages.py (Node.js, Go) run it under the real one.

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFlagValue(t *testing.T) {
	for _, c := range []struct {
		args  []string
		value string
		found bool
	}{
		{[]string{"127.0.0.1:1"}, "", false},
		{[]string{"-root=/a", "127.0.0.1:1"}, "/a", true},
		{[]string{"--root", "/b", "127.0.0.1:1"}, "/b", true},
		{[]string{"-rooted=/c", "127.0.0.1:1"}, "", false},
		{[]string{"--", "-root=/d"}, "", false},
	} {
		value, found := flagValue(c.args, "root")
		if value != c.value || found != c.found {
			t.Errorf("flagValue(%q) = %q, %v; want %q, %v", c.args, value, found, c.value, c.found)
		}
	}
}

func TestProjectWithMainHoldingAnotherProject(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "Pulumi.yaml"), "name: outer\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\nmain: app/\n")
	write(t, filepath.Join(root, "app", "Pulumi.yaml"), "name: inner\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
	app := filepath.Join(root, "app")

	// By name (the dynamic provider knows $PULUMI_PROJECT): the outer project, whose program runs in app/.
	p := findProject(app, "outer")
	if p == nil || p.root != root || p.virtualenv() != filepath.Join(root, ".venv") {
		t.Fatalf("findProject(app, outer) = %+v", p)
	}
	// Without a name and without the CLI as parent: the nearest project that runs in app/.
	if p := findProject(app, ""); p == nil || p.name != "inner" {
		t.Fatalf("findProject(app, \"\") = %+v", p)
	}
	if p := findProject(app, "neither"); p != nil {
		t.Fatalf("findProject(app, neither) = %+v", p)
	}
}

// inProject writes a project file and makes its folder the working directory for the test.
func inProject(t *testing.T, file, text string) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, file), text)
	back, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(back) })
	return root
}

// flagsOf is what the launcher installed as host `name` adds in front of args (and to the environment).
func flagsOf(name string, args ...string) ([]string, []string) {
	return hostArgs(args, languages[name])
}

func TestPythonFlags(t *testing.T) {
	root := inProject(t, "Pulumi.yml", "name: p\nruntime:\n  name: python\n  options:\n    virtualenv: /abs/env\n")
	hostFlags := func(args []string) []string {
		flags, _ := flagsOf("pulumi-language-python", args...)
		return flags
	}
	if got, want := hostFlags([]string{"127.0.0.1:1"}), []string{"-root=" + root, "-virtualenv=/abs/env"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hostFlags = %q, want %q", got, want)
	}
	if got := hostFlags([]string{"-virtualenv=x", "127.0.0.1:1"}); !reflect.DeepEqual(got, []string{"-root=" + root}) {
		t.Errorf("a given -virtualenv is kept: hostFlags = %q", got)
	}
	if got := hostFlags([]string{"-root", root, "-virtualenv", "x", "127.0.0.1:1"}); got != nil {
		t.Errorf("both given: hostFlags = %q", got)
	}
}

func TestToolchainUv(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "Pulumi.yaml"), "name: p\nruntime:\n  name: python\n  options:\n    toolchain: uv\n")
	p := projectIn(root)
	if venv := p.virtualenv(); venv != "" {
		t.Errorf("no .venv yet: virtualenv() = %q", venv)
	}
	if err := os.Mkdir(filepath.Join(root, ".venv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if venv := p.virtualenv(); venv != filepath.Join(root, ".venv") {
		t.Errorf("virtualenv() = %q", venv)
	}
	t.Setenv("UV_PROJECT_ENVIRONMENT", "other")
	if err := os.Mkdir(filepath.Join(root, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	if venv := p.virtualenv(); venv != filepath.Join(root, "other") {
		t.Errorf("with UV_PROJECT_ENVIRONMENT: virtualenv() = %q", venv)
	}
}

func TestNodejsFlags(t *testing.T) {
	root := inProject(t, "Pulumi.yaml", "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n"+
		"    tsconfig: tsconfig.build.json\n    nodeargs: --max-old-space-size=4096\n    packagemanager: yarn\n")
	flags, env := flagsOf("pulumi-language-nodejs", "127.0.0.1:1")
	want := []string{"-root=" + root, "-typescript=false", "-tsconfig=tsconfig.build.json", "-nodeargs=--max-old-space-size=4096"}
	if !reflect.DeepEqual(flags, want) || !reflect.DeepEqual(env, []string{"PULUMI_PREFER_YARN=true"}) {
		t.Errorf("flags, env = %q, %q; want %q, [PULUMI_PREFER_YARN=true]", flags, env, want)
	}
	if flags, _ := flagsOf("pulumi-language-nodejs", "-typescript=true", "127.0.0.1:1"); slices.Contains(flags, "-typescript=false") {
		t.Errorf("a given -typescript is kept: flags = %q", flags)
	}
}

func TestNodejsWithoutOptions(t *testing.T) {
	root := inProject(t, "Pulumi.yaml", "name: p\nruntime: nodejs\n")
	if flags, env := flagsOf("pulumi-language-nodejs", "127.0.0.1:1"); !reflect.DeepEqual(flags, []string{"-root=" + root}) || env != nil {
		t.Errorf("flags, env = %q, %q; want only -root", flags, env)
	}
}

func TestGoFlags(t *testing.T) {
	root := inProject(t, "Pulumi.yaml", "name: p\nruntime:\n  name: go\n  options:\n    binary: bin/program\n")
	if flags, _ := flagsOf("pulumi-language-go", "127.0.0.1:1"); !reflect.DeepEqual(flags, []string{"-root=" + root, "-binary=bin/program"}) {
		t.Errorf("flags = %q", flags)
	}
	inProject(t, "Pulumi.yaml", "name: p\nruntime:\n  name: go\n  options:\n    buildTarget: out/program\n")
	if flags, _ := flagsOf("pulumi-language-go", "-root=/elsewhere", "127.0.0.1:1"); !reflect.DeepEqual(flags, []string(nil)) {
		t.Errorf("-root given, no project there: flags = %q", flags)
	}
}
