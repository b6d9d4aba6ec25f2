//go:build tools

// Package python only exists to pin the Python language host main package as
// a dependency, so `go build` resolves it from this module's go.mod/go.sum.
package python

import (
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
