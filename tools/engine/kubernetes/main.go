// Command pulumi-resource-kubernetes serves the Kubernetes resource provider
// from github.com/pulumi/pulumi-kubernetes/provider/v4.
//
// The provider's own main package embeds a schema file that is generated at
// build time and therefore is not part of the published Go module. build.sh
// generates schema-embed.json and terraform-mapping-embed.json next to a
// staged copy of this file, then builds it.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
