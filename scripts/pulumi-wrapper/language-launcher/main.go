// Command language-launcher gives the old language hosts that scripts/ensure-pulumi.sh can build (Python, Node.js,
// Go) the runtime options of the project they run.
//
// Why: since CLI 3.209 the CLI starts a language host with only the engine address and sends the project's
// runtime options inside each request's ProgramInfo. The hosts we can build from the Go module proxy live inside
// sdk/v3 (Python and Node.js v3.68.0, Go v3.66.0) and read those options only from their flags, so under CLI 3.260
// they ignore `runtime.options` (Python runs the first python3 on PATH, "No module named 'pulumi'"; Node.js runs
// ts-node although `typescript: false`; Go ignores `binary`).
//
// What: this one program is installed next to `pulumi` under each host's name (pulumi-language-python,
// pulumi-language-nodejs, pulumi-language-go), with the real host renamed beside it (`<name>-real`). It finds the
// project the CLI is running (project.go), turns its runtime options into the real host's flags (python.go,
// nodejs.go, golang.go), and execs the real host with `-root=DIR` and those flags in front of the caller's
// arguments. A flag the caller passed itself (CLIs up to 3.208 pass them) is never overridden. Without a project
// it execs the real host unchanged.
//
// Installed as `pulumi-resource-pulumi-python`, the Python dynamic provider plugin, it fixes that plugin's
// virtualenv and execs the SDK's shell shim renamed beside it (python.go).
//
// Set PULUMI_LANGUAGE_LAUNCHER_DEBUG=1 to print the decisions on stderr.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// flagArg is one flag for a real host: -name=value.
type flagArg struct{ name, value string }

// language is what the launcher knows of one host: the project's runtime options as that host's flags and
// environment (for a project found; never nil).
type language struct {
	options func(p *project) (flags []flagArg, env []string)
}

// languages: the hosts this launcher fronts, by the name it is installed under (the real host is <name>-real).
var languages = map[string]language{
	"pulumi-language-python": {options: pythonOptions},
	"pulumi-language-nodejs": {options: nodejsOptions},
	"pulumi-language-go":     {options: goOptions},
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fail("cannot locate this executable: %v", err)
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	dir := filepath.Dir(self)
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]

	if name == pythonProviderName {
		fixProviderVirtualenv()
		execute(filepath.Join(dir, pythonProviderName+"-real"), args, os.Environ(), "the dynamic provider shim")
	}
	lang, ok := languages[name]
	if !ok {
		fail("installed as %q: expected one of pulumi-language-{python,nodejs,go} or %s", name, pythonProviderName)
	}
	extra, env := hostArgs(args, lang)
	execute(filepath.Join(dir, name+"-real"), append(extra, args...), append(os.Environ(), env...), "the real language host")
}

func execute(program string, args, env []string, what string) {
	debug("exec %s %s", program, strings.Join(args, " "))
	if err := syscall.Exec(program, append([]string{program}, args...), env); err != nil {
		fail("cannot run %s %s: %v", what, program, err)
	}
}

// hostArgs returns the flags to add in front of the caller's args (-root, then the language's options the caller
// did not pass) and the environment to add, from the project this host runs.
func hostArgs(args []string, lang language) ([]string, []string) {
	givenRoot, hasRoot := flagValue(args, "root")
	cwd, err := os.Getwd()
	if err != nil {
		debug("no working directory: %v", err)
		return nil, nil
	}
	var proj *project
	if hasRoot {
		proj = projectIn(absFrom(cwd, givenRoot))
	} else {
		proj = findProject(cwd, "")
	}
	if proj == nil {
		debug("no project found from %s", cwd)
		return nil, nil
	}
	debug("project %s (program directory %s)", proj.file, proj.programDir)

	var extra []string
	if !hasRoot {
		extra = append(extra, "-root="+proj.root)
	}
	flags, env := lang.options(proj)
	for _, f := range flags {
		if _, given := flagValue(args, f.name); !given {
			extra = append(extra, "-"+f.name+"="+f.value)
		}
	}
	return extra, env
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

func debug(format string, args ...any) {
	if os.Getenv("PULUMI_LANGUAGE_LAUNCHER_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "%s launcher: "+format+"\n", append([]any{filepath.Base(os.Args[0])}, args...)...)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s launcher: "+format+"\n", append([]any{filepath.Base(os.Args[0])}, args...)...)
	os.Exit(1)
}
