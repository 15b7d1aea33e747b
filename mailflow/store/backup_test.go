package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// saveMail stores n mails with UIDs from first on, moving the cursor.
func saveMail(t *testing.T, st *Store, first, n int) {
	t.Helper()
	var mails []Fetched
	for uid := first; uid < first+n; uid++ {
		mails = append(mails, Fetched{UID: uint32(uid), MessageID: fmt.Sprintf("<%d@x>", uid), BodyHash: fmt.Sprint(uid), Raw: []byte("mail")})
	}
	if _, err := st.SaveFetched(context.Background(), Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: uint32(first + n - 1)}, mails, ""); err != nil {
		t.Fatal(err)
	}
}

func lastUID(t *testing.T, st *Store) uint32 {
	t.Helper()
	c, _, err := st.Cursor(context.Background(), "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	return c.LastUID
}

// TestBackupWhileWriting takes a backup while another goroutine keeps
// storing mail: the copy is private, intact and a consistent snapshot
// (its cursor matches the mail it holds), and restoring it brings back
// exactly that state.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "mailflow.db")
	st, err := Open(ctx, SQLite, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	saveMail(t, st, 1, 50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for uid := uint32(51); ; uid++ {
			select {
			case <-stop:
				return
			default:
			}
			m := []Fetched{{UID: uid, MessageID: fmt.Sprintf("<%d@x>", uid), BodyHash: fmt.Sprint(uid), Raw: []byte("mail")}}
			if _, writeErr = st.SaveFetched(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: uid}, m, ""); writeErr != nil {
				return
			}
		}
	}()
	backup := filepath.Join(dir, "backup.db")
	err = Backup(ctx, dbPath, backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if writeErr != nil {
		t.Fatalf("writing beside the backup: %v", writeErr)
	}
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600 (it holds customers' mail)", fi.Mode().Perm())
	}
	if err := Backup(ctx, dbPath, backup); err == nil {
		t.Error("a second backup overwrote the first")
	}
	after := lastUID(t, st)
	st.Close()

	res, err := Restore(ctx, backup, dbPath, time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res.Schema != SchemaVersion() || !strings.HasSuffix(res.Previous, ".before-restore-20261202T170000Z") {
		t.Errorf("restore result %+v", res)
	}
	st, err = Open(ctx, SQLite, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cur := lastUID(t, st)
	var stored int
	if err := st.r.GetContext(ctx, &stored, "SELECT count(*) FROM incoming"); err != nil {
		t.Fatal(err)
	}
	if int(cur) != stored || cur < 50 || cur > after {
		t.Errorf("restored cursor %d with %d mails stored (live database had %d): not one snapshot", cur, stored, after)
	}
	// The replaced database is kept whole, its -wal folded in.
	prev, err := Open(ctx, SQLite, res.Previous)
	if err != nil {
		t.Fatal(err)
	}
	defer prev.Close()
	if got := lastUID(t, prev); got != after {
		t.Errorf("kept database has cursor %d, want %d", got, after)
	}
}

func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "mailflow.db")
	st, err := Open(ctx, SQLite, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	saveMail(t, st, 1, 3)
	good := filepath.Join(dir, "good.db")
	if err := Backup(ctx, dbPath, good); err != nil {
		t.Fatal(err)
	}
	st.Close()
	newer := filepath.Join(dir, "newer.db")
	if err := Backup(ctx, dbPath, newer); err != nil {
		t.Fatal(err)
	}
	n, err := Open(ctx, SQLite, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.w.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	n.Close()
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 100)), 0o600)
	other := filepath.Join(dir, "other.db")
	os.WriteFile(other, nil, 0o600)

	for _, tc := range []struct {
		name, src, want string
		locked          bool
	}{
		{"while mailflow runs", good, "stop it first", true},
		{"newer schema", newer, "newer mailflow", false},
		{"not SQLite", garbage, "not a readable SQLite database", false},
		{"not mailflow's", other, "not a mailflow database", false},
		{"missing", filepath.Join(dir, "nope.db"), "no such file", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.locked {
				l, err := Lock(dbPath)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			_, err := Restore(ctx, tc.src, dbPath, time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one saying %q", err, tc.want)
			}
			if tc.locked && !errors.Is(err, ErrLocked) {
				t.Errorf("err %v is not ErrLocked", err)
			}
			// Nothing was touched: the database still holds its 3 mails.
			st, err := Open(ctx, SQLite, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := lastUID(t, st); got != 3 {
				t.Errorf("database changed: cursor %d", got)
			}
		})
	}
}

func TestLockNamesHolder(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "mailflow.db")
	l, err := Lock(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dbPath)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Fatalf("second lock: %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	l.Close()
	l, err = Lock(dbPath)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l.Close()
}
