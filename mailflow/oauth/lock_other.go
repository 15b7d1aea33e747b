//go:build !unix

package oauth

import "context"

// lockFile does nothing where flock is missing: sources in one process are
// still serialised by their own semaphore, but two processes could race.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
