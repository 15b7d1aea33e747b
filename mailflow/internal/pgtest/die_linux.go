package pgtest

import "syscall"

// dieWithParent has the kernel kill the server when the test binary ends.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
