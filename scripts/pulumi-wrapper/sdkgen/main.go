// Command sdkgen writes the TypeScript and Go SDKs of a Pulumi package schema, with the code generators of the
// Pulumi release the CLI is built from (pkg/v3, pinned by this module's go.mod and go.sum).
//
// Usage: sdkgen SCHEMA.json OUT_DIR   (writes OUT_DIR/nodejs and OUT_DIR/go; scripts/gen-sdks.sh runs it)
//
// Why not `pulumi package gen-sdk`: the CLI asks the language's host to generate, and the hosts that can be built
// here (sdk/v3 v3.68.0 and v3.66.0, see ../language-nodejs and ../language-go) predate that call. The
// generators are Go packages of pkg/v3 and run here directly, as the release's own hosts would run them.
//
// The TypeScript SDK is generated as a *local* SDK (what `pulumi package add` writes): its package.json has
// `main: bin/index.js` and a postinstall script that compiles it with tsc, so that `npm install` of the folder
// (from a clone of the repository) gives a working package without a registry.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the name the generated files say they were written by.
const tool = "pai-models sdkgen"

// noPackages refuses every other package: the schema references none (pulumi.json's types are built in).
type noPackages struct{}

func (noPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("cannot load package %q", name)
}

func (noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("cannot load package %q", d.Name)
}

func (noPackages) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("cannot load package %q", name)
}

func (noPackages) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("cannot load package %q", d.Name)
}

func main() {
	if len(os.Args) != 3 {
		fail(fmt.Errorf("usage: sdkgen SCHEMA.json OUT_DIR"))
	}
	schemaFile, out := os.Args[1], os.Args[2]
	// Each generator fills in the package's language info as it binds: bind afresh for each.
	for _, language := range []string{"nodejs", "go"} {
		pkg := bind(schemaFile)
		var files map[string][]byte
		var err error
		switch language {
		case "nodejs":
			files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, true /* local SDK: compiled on install */, noPackages{})
		case "go":
			files, err = gogen.GeneratePackage(tool, pkg, nil)
		}
		check(err)
		for name, content := range files {
			path := filepath.Join(out, language, filepath.FromSlash(name))
			check(os.MkdirAll(filepath.Dir(path), 0o755))
			check(os.WriteFile(path, content, 0o644))
		}
	}
}

func bind(schemaFile string) *schema.Package {
	data, err := os.ReadFile(schemaFile)
	check(err)
	var spec schema.PackageSpec
	check(json.Unmarshal(data, &spec))
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	check(err)
	if diags.HasErrors() {
		fail(diags)
	}
	return pkg
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sdkgen:", err)
	os.Exit(1)
}
