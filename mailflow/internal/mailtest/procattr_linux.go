package mailtest

import (
	"os"
	"syscall"
)

// childProcAttr puts Dovecot in its own process group, so that stopping it
// can signal every Dovecot process at once, and makes the kernel stop it
// when the test binary dies without running its cleanups (timeout panic,
// SIGKILL), so no stray Dovecot keeps a port.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// signalGroup sends sig to Dovecot's whole process group. SIGTERM to the
// master alone takes over a second (it waits for its children); to the group
// every process exits within milliseconds.
func signalGroup(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
