package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/store"
)

// TestBackupRestoreCommands: what an operator types, and what they are told.
func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: anna@example.com}]\n"), 0o600)
	dbPath := filepath.Join(dir, "mailflow.db")
	st, err := store.Open(context.Background(), store.SQLite, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	backup := filepath.Join(dir, "b.db")

	for _, tc := range []struct {
		name   string
		args   []string
		locked bool
		code   int
		want   string
	}{
		{"backup", []string{"backup", backup}, false, 0, "b.db: backup of "},
		{"backup never overwrites", []string{"backup", backup}, false, 1, "never overwritten"},
		{"backup without a file", []string{"backup"}, false, 2, "usage: mailflow backup"},
		{"restore while running", []string{"restore", backup}, true, 1, "refusing to restore while mailflow runs"},
		{"restore", []string{"restore", backup}, false, 0, "the database it replaced is kept as "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.locked {
				l, err := store.Lock(dbPath)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
			}
			code, out, errs := run(t, dir, tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("exit %d (want %d), want %q in:\n%s%s", code, tc.code, tc.want, out, errs)
			}
		})
	}
}
