// Package nopanic fails a package's test run when any goroutine recovered a
// panic that no test announced (supervise.ExpectPanics): the daemon
// survives its bugs, but a test suite must not let them pass unseen.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { nopanic.Run(m) }
package nopanic

import (
	"fmt"
	"os"
	"testing"

	"github.com/mailflow/mailflow/mailflow/internal/supervise"
)

// Run runs the tests and exits non-zero when they failed or when a panic
// was recovered that no test expected. after runs once the tests are
// through (servers the package's tests shared, such as pgtest's).
func Run(m *testing.M, after ...func()) {
	code := m.Run()
	for _, f := range after {
		f()
	}
	if n := supervise.Unexpected(); n > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d panic(s) recovered during the tests (see the logged stacks); a recovered panic is still a bug\n", n)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
