package main

// Node.js: the host (sdk/v3 v3.68.0) takes -typescript=BOOL (default true: run the program through ts-node),
// -tsconfig=PATH and -nodeargs=ARGS, as the runtime options of the same names (as written: the host passes them
// on to the program it starts in the program directory, as the CLI's own host does).
//
// `packagemanager` matters only to `pulumi install`: this host installs with npm, or with yarn when
// PULUMI_PREFER_YARN is true, which `packagemanager: yarn` sets. It knows neither pnpm nor bun (it uses npm).

func nodejsOptions(p *project) ([]flagArg, []string) {
	var env []string
	switch manager := p.option("packagemanager"); manager {
	case "", "npm":
	case "yarn":
		env = append(env, "PULUMI_PREFER_YARN=true")
	default:
		debug("packagemanager %q: this host installs with npm", manager)
	}
	return p.optionFlags("typescript", "tsconfig", "nodeargs"), env
}
