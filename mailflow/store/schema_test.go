package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestDesksShareOnePostgresDatabase: two desks given one PostgreSQL
// database, each confined to a schema of its own by the dsn's
// search_path, open together (two instances each, migrating at once),
// and what one desk stores, claims and leases the other never sees; the
// database's public schema stays empty.
func TestDesksShareOnePostgresDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := freshSource(t, Postgres)
	desks := []struct {
		schema string
		sender string
		mails  int
	}{
		{"desk_north", "ann@example.org", 3},
		{"desk_south", "bob@example.org", 2},
	}
	stores := make([][]*Store, len(desks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, d := range desks {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := Open(ctx, Postgres, dsn+" search_path="+d.schema)
				if err != nil {
					t.Errorf("%s: %v", d.schema, err)
					return
				}
				t.Cleanup(func() { st.Close() })
				mu.Lock()
				stores[i] = append(stores[i], st)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	now := time.Now().UTC()
	for i, d := range desks {
		st := stores[i][0]
		var mails []Fetched
		for n := range d.mails {
			mails = append(mails, Fetched{UID: uint32(n + 1), MessageID: fmt.Sprintf("<%d@%s>", n, d.schema),
				BodyHash: fmt.Sprintf("%s-%d", d.schema, n), Size: 10, Raw: []byte("Subject: hi\r\n\r\nhello\r\n"), Sender: d.sender})
		}
		if _, err := st.SaveFetched(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: uint32(d.mails)}, mails, ""); err != nil {
			t.Fatalf("%s: save: %v", d.schema, err)
		}
		// Both desks watch a mailbox called INBOX (on different accounts):
		// each desk's lease is its own.
		ok, err := st.AcquireLease(ctx, "mailbox", "instance-"+d.schema, time.Minute, now)
		if err != nil || !ok {
			t.Fatalf("%s: lease: %v %v", d.schema, ok, err)
		}
	}
	for i, d := range desks {
		for _, st := range stores[i] {
			undecided, err := st.Undecided(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(undecided) != d.mails {
				t.Errorf("%s sees %d undecided mails, want its own %d", d.schema, len(undecided), d.mails)
			}
			for _, id := range undecided {
				in, err := st.Incoming(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(in.MessageID, "@"+d.schema+">") {
					t.Errorf("%s reads the other desk's mail %s", d.schema, in.MessageID)
				}
			}
			leases, err := st.Leases(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(leases) != 1 || leases[0].Holder != "instance-"+d.schema {
				t.Errorf("%s sees leases %+v, want only its own", d.schema, leases)
			}
		}
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var public int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&public); err != nil {
		t.Fatal(err)
	}
	if public != 0 {
		t.Errorf("public schema has %d tables, want none", public)
	}
}

// TestOwnSchema: which search_path values give the store a schema of its
// own (created if missing, migrated under its own lock).
func TestOwnSchema(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"public", ""},
		{"desk_north", "desk_north"},
		{" desk_a ", "desk_a"},
		{"desk_a,public", ""},
		{`"Desk"`, ""},
		{"pg_temp", ""},
		{"a;drop", ""},
	} {
		if got := ownSchema(tc.in); got != tc.want {
			t.Errorf("ownSchema(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
