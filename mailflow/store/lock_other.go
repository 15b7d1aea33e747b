//go:build !unix

package store

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("lock held")

// flock is a no-op where flock(2) does not exist: one daemon per database
// is then the operator's promise (the systemd unit runs one).
func flock(*os.File) error { return nil }
