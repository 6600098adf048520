package main

// Go: the host (sdk/v3 v3.66.0) takes -binary=PATH (run that prebuilt program instead of building one) and
// -buildTarget=PATH (where `go build` writes the program), as the runtime options of the same names (as written:
// the host resolves them in the program directory, as the CLI's own host does).

func goOptions(p *project) ([]flagArg, []string) {
	return p.optionFlags("binary", "buildTarget"), nil
}
