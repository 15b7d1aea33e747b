// Package rules holds the default rules shipped inside the binary. An
// operator's rules folder (config `rules.dir`) replaces them.
package rules

import "embed"

// FS holds default.yaml.
//
//go:embed *.yaml
var FS embed.FS
