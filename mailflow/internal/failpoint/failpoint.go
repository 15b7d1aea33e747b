// Package failpoint lets the fault suite stop the real binary at chosen
// places, the way a power cut or kill -9 would, so crash consistency is
// tested on the code that runs in production rather than on a copy.
//
// Failpoints are off unless the environment names them:
//
//	MAILFLOW_FAILPOINT=after-store:37   SIGKILL itself on the 37th pass through "after-store"
//	MAILFLOW_FAILPOINT=after-smtp       ... on the first pass
//	MAILFLOW_FAILPOINT_DBFULL=/path     while /path exists, the database is "full" (SQLITE_FULL on growth)
//
// Off, a failpoint costs one atomic load.
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// The named points, in the order one mail passes them.
const (
	AfterFetch = "after-fetch" // bodies fetched, not yet stored
	AfterStore = "after-store" // stored and committed, not yet flagged \Seen
	InDecide   = "in-decide"   // inside the decision's transaction, before commit
	AfterClaim = "after-claim" // attempt committed as in flight, not yet handed to SMTP
	AfterSMTP  = "after-smtp"  // the server said 250, the result is not yet recorded
)

var (
	once    sync.Once
	enabled atomic.Bool
	target  string
	at      int64
	hits    atomic.Int64
	dbFull  string
)

func load() {
	once.Do(func() {
		dbFull = os.Getenv("MAILFLOW_FAILPOINT_DBFULL")
		v := os.Getenv("MAILFLOW_FAILPOINT")
		if v == "" {
			return
		}
		name, n, _ := strings.Cut(v, ":")
		target, at = name, 1
		if k, err := strconv.ParseInt(n, 10, 64); err == nil && k > 0 {
			at = k
		}
		enabled.Store(true)
	})
}

// Hit marks a pass through the named point; when it is the configured
// point and pass, the process kills itself (SIGKILL: no deferred function,
// no flush, no goodbye to any server).
func Hit(name string) {
	load()
	if !enabled.Load() || name != target {
		return
	}
	if hits.Add(1) == at {
		os.Stderr.WriteString("failpoint " + name + ": SIGKILL\n")
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

// DatabaseFull reports whether the fault suite declared the disk full.
func DatabaseFull() (configured, full bool) {
	load()
	if dbFull == "" {
		return false, false
	}
	_, err := os.Stat(dbFull)
	return true, err == nil
}
