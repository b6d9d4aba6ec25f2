//go:build tools

// Package cli only exists to pin the Pulumi CLI main package as a dependency,
// so that `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` resolves it
// from this module's go.mod/go.sum.
package cli

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
