package main

// `go test` here checks the launcher's decisions without a CLI; tests/test_layouts.py runs it under the real one.

import (
	"os"
	"path/filepath"
	"reflect"
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

func TestExtraFlags(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "Pulumi.yml"), "name: p\nruntime:\n  name: python\n  options:\n    virtualenv: /abs/env\n")
	back, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chdir(back) })
	if got, want := extraFlags([]string{"127.0.0.1:1"}), []string{"-root=" + root, "-virtualenv=/abs/env"}; !reflect.DeepEqual(got, want) {
		t.Errorf("extraFlags = %q, want %q", got, want)
	}
	if got := extraFlags([]string{"-virtualenv=x", "127.0.0.1:1"}); !reflect.DeepEqual(got, []string{"-root=" + root}) {
		t.Errorf("a given -virtualenv is kept: extraFlags = %q", got)
	}
	if got := extraFlags([]string{"-root", root, "-virtualenv", "x", "127.0.0.1:1"}); got != nil {
		t.Errorf("both given: extraFlags = %q", got)
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
