//go:build unix

package health

import (
	"path/filepath"
	"syscall"
)

// DiskFree is the space available to mailflow on the filesystem that holds
// path (the database file), or -1 when it cannot be told.
func DiskFree(path string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
