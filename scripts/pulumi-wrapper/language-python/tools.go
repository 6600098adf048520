//go:build tools

// Package tools pins the Python language host for scripts/ensure-pulumi.sh.
//
// Later releases (v3.90.0, the next one the proxy serves, already) make it the separate module
// github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3, which the
// module proxy available here refuses (403). v3.68.0 is the newest release in
// which it lives inside sdk/v3, which the proxy serves. That host works with
// CLI v3.260.0 and the 3.260.0 Python SDK for `pulumi up` on a Pulumi.yaml
// project, but ignores Pulumi.yaml runtime options (virtualenv, toolchain): it
// runs PULUMI_PYTHON_CMD, else python3/python from PATH. This is its own module
// because one module graph cannot hold sdk/v3 at both v3.68.0 and v3.260.0.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
