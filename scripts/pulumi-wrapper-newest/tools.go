//go:build tools

// Package tools pins the newest Pulumi CLI release on the Go module proxy (and its Go SDK, whose version
// package receives the -X version ldflag), which scripts/ensure-pulumi-newest.sh builds for the `newest_cli`
// session of noxfile.py: the engine tests under the newest CLI besides the one scripts/pulumi-wrapper pins.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
