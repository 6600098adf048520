//go:build tools

// Package tools pins the Pulumi CLI (and its Go SDK, whose version package
// receives the -X version ldflag) at the release that matches the pulumi
// Python package, so scripts/ensure-pulumi.sh builds it reproducibly from the
// Go module proxy with the checksums in go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
