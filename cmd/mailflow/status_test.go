package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/store"
)

// TestStatusVerdict: `mailflow status` ends its first line with the same
// verdict /healthz gives, and shows the jobs' entries when they exist.
func TestStatusVerdict(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: anna@example.com}]\n"), 0o600)
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	set := func(k, v string) {
		t.Helper()
		if err := st.SetStatus(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	set(store.StatusIntakeState, "reconnecting")
	set(store.StatusIntakeDownSince, "2020-01-01T00:00:00Z")
	set(store.StatusIntakeBeat, "x")
	st.Close()
	// A daemon holds the database while status looks at it.
	lock, err := store.Lock(filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, dir, "status")
	if code != 1 || !strings.HasPrefix(out, "unhealthy: intake not connected for ") || !strings.Contains(out, "(reconnecting)") {
		t.Fatalf("status: %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(out, "job ") {
		t.Errorf("job lines without job entries:\n%s", out)
	}

	st, _ = store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	set(store.StatusIntakeState, "idle")
	set("jobs.agenda.next", "2026-03-03T07:00:00+01:00")
	st.Close()
	code, out, errs = run(t, dir, "status")
	if code != 0 || !strings.HasPrefix(out, "healthy\n") || !strings.Contains(out, "job agenda.next") || !strings.Contains(out, "intake state") ||
		!strings.Contains(out, "server erasures") || !strings.Contains(out, "0 pending, 0 given up") {
		t.Fatalf("status: %d\n%s\n%s", code, out, errs)
	}

	// No daemon running: unhealthy, exit 1, and it says so.
	lock.Close()
	code, out, errs = run(t, dir, "status")
	if code != 1 || !strings.HasPrefix(out, "unhealthy: no mailflow daemon is running on this database") {
		t.Fatalf("status without a daemon: %d\n%s\n%s", code, out, errs)
	}
}
