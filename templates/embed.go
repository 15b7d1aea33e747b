// Package templates holds the built-in mail templates, compiled into the
// binary so mailflow answers correctly even when the operator has not copied
// a single template. An operator changes a text by putting a file with the
// same relative path into the configured templates folder; mailflow/compose
// prefers that file over the embedded one (see README.md).
package templates

import "embed"

// FS holds <language>/<mail>.<part>.tmpl for every built-in mail. The
// explicit glob (rather than naming the directories) is what makes embed
// include the partials: files whose names start with "_" are skipped when a
// directory is embedded as a whole.
//
//go:embed */*.tmpl
var FS embed.FS
