//go:build tools

// Package tools pins the Go language host for scripts/ensure-pulumi.sh (built only on request:
// `ensure-pulumi.sh --with go`).
//
// Later releases make it the separate module github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3, which the
// module proxy available here refuses (403). v3.66.0 is the newest release in which it lives inside sdk/v3,
// which the proxy serves. It reads runtime options (binary, buildTarget) only from flags, which CLIs since
// 3.209 no longer pass: the launcher (../language-launcher) passes them. This is its own module because one
// module graph cannot hold sdk/v3 at v3.66.0 beside the CLI's v3.260.0.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go"
)
