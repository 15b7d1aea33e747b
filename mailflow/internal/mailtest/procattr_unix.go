//go:build unix && !linux

package mailtest

import (
	"os"
	"syscall"
)

// childProcAttr puts Dovecot in its own process group; see the Linux
// version (which also sets a parent-death signal).
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func signalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
