//go:build !linux

package pgtest

import "syscall"

// dieWithParent: only Linux can tie a child's life to its parent's; a
// test binary that panics leaves the server running there.
func dieWithParent(*syscall.SysProcAttr) {}
