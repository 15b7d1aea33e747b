package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestDatabaseFilesArePrivate: whatever the umask, the database folder is
// 0700 and the database, -wal and -shm files 0600 (they hold raw mail and
// AnyDesk IDs).
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "mailflow.db")
	st, err := Open(context.Background(), SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	maria().book(t, st, time.Now().Add(time.Hour).Truncate(time.Minute)) // writes, so -wal and -shm exist
	check := func(p string, want os.FileMode) {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", filepath.Base(p), got, want)
		}
	}
	check(dir, 0o700)
	for _, f := range []string{path, path + "-wal", path + "-shm", path + "-booking-number"} {
		check(f, 0o600)
	}
}

// TestBookingNumbersAreNeverReused: neither forget (which deletes the
// appointment) nor a restored older copy of the database hands a number
// out a second time.
func TestBookingNumbersAreNeverReused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	st, err := Open(ctx, SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	m := maria()
	m.book(t, st, time.Now().Add(time.Hour).Truncate(time.Minute))
	first := m.appt.Ref
	backup, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if backup, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forget(ctx, m.addr); err != nil {
		t.Fatal(err)
	}
	p := peter()
	p.book(t, st, time.Now().Add(2*time.Hour).Truncate(time.Minute))
	second := p.appt.Ref
	if second == first {
		t.Fatalf("after forget the number %s was handed out again", first)
	}
	st.Close()

	// The operator restores the copy taken before forget and Peter's booking.
	for _, f := range []string{path + "-wal", path + "-shm"} {
		os.Remove(f)
	}
	if err := os.WriteFile(path, backup, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := &customer{addr: "quentin@kunde.example", name: "Quentin", id: "555666777"}
	q.book(t, st, time.Now().Add(3*time.Hour).Truncate(time.Minute))
	if q.appt.Ref == first || q.appt.Ref == second {
		t.Fatalf("after a restore the number %s was handed out again (before: %s, %s)", q.appt.Ref, first, second)
	}
}

// TestSenderHashIsKeyed: the hash of an address differs between
// installations and is 128 bits, so nobody can recompute it from a list
// of addresses.
func TestSenderHashIsKeyed(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		a, b := open(t), open(t)
		const addr = "maria@kunde.example"
		ha, hb := a.HashAddress(addr), b.HashAddress(addr)
		if ha == hb {
			t.Fatal("two installations hash an address alike")
		}
		if len(ha) != len("c:")+32 || ha != a.HashAddress(" MARIA@kunde.example ") {
			t.Fatalf("hash %q: want c: and 32 hex digits, the same for any spelling", ha)
		}
		if ha == legacyHash(addr) {
			t.Fatal("the keyed hash equals the unkeyed one")
		}
	})
}
