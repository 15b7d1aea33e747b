package faults

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
)

// desksEnv is a two-desk deployment on one PostgreSQL database (each
// desk in its schema desk_<slug>) and one Dovecot (each desk its own
// mailbox), with one config per instance (each its own /healthz port).
type desksEnv struct {
	*instancesEnv
	desks []deskMailbox
}

// deskMailbox is one desk of the deployment: its slug, its mailbox (the
// Dovecot user) and its schema in the shared database.
type deskMailbox struct {
	slug, user, schema string
}

func newDesksEnv(t testing.TB, instances int) *desksEnv {
	t.Helper()
	e := &desksEnv{
		instancesEnv: &instancesEnv{env: newEnv(t, envOptions{}), dsn: pgtest.DSN(t)},
		desks: []deskMailbox{
			{"alpha", "alpha@example.com", "desk_alpha"},
			{"beta", "beta@example.com", "desk_beta"},
		},
	}
	ih, ip := splitAddr(t, e.d.IMAPAddr)
	sh, sp := splitAddr(t, e.sink.addr)
	for i := range instances {
		y := fmt.Sprintf(`imap: {host: %s, port: %s, tls: none, password: %q, processed_folder: Processed, human_folder: Human}
smtp: {host: %s, port: %s, tls: none, retry_backoff: 1s}
database: {driver: postgres, dsn: %q}
http: {addr: %q, connect_grace: 10s}
limits: {breaker_mails: 100000, per_sender_per_day: 1000}
jobs: {agenda_time: none}
log: {level: info}
desks:
`, ih, ip, mailtest.Password, sh, sp, e.dsn, freeAddr(t))
		for _, d := range e.desks {
			y += fmt.Sprintf("  - slug: %s\n    imap: {username: %s}\n    smtp: {from: %s}\n    technicians: [{name: Tech %s, email: tech@%s.example}]\n",
				d.slug, d.user, d.user, d.slug, d.slug)
		}
		p := filepath.Join(e.dir, fmt.Sprintf("config-%d.yaml", i))
		if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		e.cfgs = append(e.cfgs, p)
	}
	var err error
	if e.db, err = sql.Open("pgx", e.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	return e
}

func splitAddr(t testing.TB, addr string) (string, string) {
	t.Helper()
	h, p, ok := strings.Cut(addr, ":")
	if !ok {
		t.Fatalf("address %q", addr)
	}
	return h, p
}

// holderOf is the instance holding desk d's mailbox lease ("" when none).
func (e *desksEnv) holderOf(d deskMailbox) string {
	var h string
	if err := e.db.QueryRow("SELECT holder FROM " + d.schema + ".leases WHERE name LIKE 'intake %' AND expires_at > now()").Scan(&h); err != nil {
		return ""
	}
	return h
}

// leaseRows counts desk d's live mailbox leases (one mailbox, so one row
// at most: more would be two instances watching it).
func (e *desksEnv) leaseRows(d deskMailbox) int {
	var n int
	e.db.QueryRow("SELECT count(*) FROM " + d.schema + ".leases WHERE name LIKE 'intake %' AND expires_at > now()").Scan(&n)
	return n
}

// settledDesk: desk d stored at least n mails, decided all, sent all.
func (e *desksEnv) settledDesk(d deskMailbox, n int) bool {
	var stored, undecided, pending int
	if err := e.db.QueryRow("SELECT count(*), count(*) FILTER (WHERE state = 'new') FROM "+d.schema+".incoming").Scan(&stored, &undecided); err != nil || stored < n {
		return false
	}
	if err := e.db.QueryRow("SELECT count(*) FROM " + d.schema + ".outbox WHERE state = 'pending'").Scan(&pending); err != nil {
		return false
	}
	return undecided == 0 && pending == 0
}

// TestTwoInstancesShareTwoDesks: two instances run the same two-desk
// config on one PostgreSQL database (the desks in schemas of their own)
// and one Dovecot. Each desk's mailbox is watched by one instance (the
// holder of the desk's lease), each desk's customers are answered once,
// and nothing of one desk lands in the other's tables. When the instance holding a desk's lease is killed with
// SIGKILL, the other takes over every desk it held, and mail arriving
// after that is answered once too.
func TestTwoInstancesShareTwoDesks(t *testing.T) {
	const n = 15
	e := newDesksEnv(t, 2)
	procs := map[int]*proc{}
	started := make([]*proc, 2)
	for i := range started {
		started[i] = e.startInstance(i)
		procs[started[i].cmd.Process.Pid] = started[i]
	}
	waitFor(t, "both instances to beat in both desks", func() bool {
		for i, p := range started {
			// The free port picked for an instance's listener can be taken
			// by another process before it binds: start it again elsewhere.
			if e.retryOnBusyPort(t, i, p) {
				delete(procs, p.cmd.Process.Pid)
				started[i] = e.startInstance(i)
				procs[started[i].cmd.Process.Pid] = started[i]
			}
		}
		// Each running process beats in each desk (a process restarted
		// for its port may have left a row of its own behind).
		for _, d := range e.desks {
			for _, p := range started {
				var beats bool
				e.db.QueryRow("SELECT EXISTS (SELECT 1 FROM "+d.schema+".instances WHERE split_part(id, '/', 2) = $1 AND stopped_at IS NULL)",
					strconv.Itoa(p.cmd.Process.Pid)).Scan(&beats)
				if !beats {
					return false
				}
			}
		}
		return true
	})
	customers := map[string][]string{}
	for _, d := range e.desks {
		customers[d.slug] = e.backlogTo(d.user, d.slug[:1], n)
	}
	holders := map[string]string{}
	waitFor(t, "each desk's mailbox lease held", func() bool {
		for _, d := range e.desks {
			if holders[d.slug] = e.holderOf(d); holders[d.slug] == "" {
				return false
			}
		}
		return true
	})
	var all []string
	for _, d := range e.desks {
		all = append(all, customers[d.slug]...)
	}
	e.waitAnswered(all)
	for _, d := range e.desks {
		waitFor(t, d.slug+" settled", func() bool { return e.settledDesk(d, n) })
	}
	e.checkDesks(t, customers, holders)

	// SIGKILL the instance holding alpha's mailbox.
	victimID := holders["alpha"]
	held := "alpha"
	if holders["beta"] == victimID {
		held += " and beta"
	}
	victim := procs[pidOf(t, victimID)]
	if victim == nil {
		t.Fatalf("alpha's lease holder %s is none of the started instances", victimID)
	}
	var survivor *proc
	for _, p := range procs {
		if p != victim {
			survivor = p
		}
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	waitFor(t, "the surviving instance to hold both desks' leases", func() bool {
		for _, d := range e.desks {
			h := e.holderOf(d)
			if h == "" || pidOf(t, h) != survivor.cmd.Process.Pid {
				return false
			}
			holders[d.slug] = h
		}
		return true
	})
	failover := time.Since(killed)
	if failover > 30*time.Second {
		t.Errorf("failover took %s, want at most 30 s", failover)
	}
	for _, d := range e.desks {
		customers[d.slug] = append(customers[d.slug], e.backlogTo(d.user, d.slug[:1]+"late", 5)...)
	}
	all = nil
	for _, d := range e.desks {
		all = append(all, customers[d.slug]...)
	}
	e.waitAnswered(all)
	for _, d := range e.desks {
		waitFor(t, d.slug+" settled after the takeover", func() bool { return e.settledDesk(d, n+5) })
	}
	e.checkDesks(t, customers, holders)
	out, err := exec.Command(binary, "status", "-config", e.cfgs[0], "-desk", "beta").CombinedOutput()
	if !strings.Contains(string(out), "held by "+holders["beta"]) {
		t.Errorf("mailflow status -desk beta does not show the lease held by %s (%v):\n%s", holders["beta"], err, out)
	}
	report(t, "2 instances × 2 desks on one PostgreSQL, %d+5 mails per desk: every customer answered once; the killed instance held %s; failover %.1fs", n, held, failover.Seconds())
}

// checkDesks: every customer answered exactly once, from their desk's
// address; each desk's tables hold its own mail only; each desk's
// mailbox is leased to one instance, the one in holders.
func (e *desksEnv) checkDesks(t *testing.T, customers map[string][]string, holders map[string]string) {
	t.Helper()
	var all []string
	for _, d := range e.desks {
		all = append(all, customers[d.slug]...)
	}
	if lost, doubled := e.count(all); lost != 0 || doubled != 0 {
		t.Errorf("lost %d, doubled %d; want every customer answered exactly once", lost, doubled)
	}
	for _, d := range e.desks {
		var stored, foreign int
		if err := e.db.QueryRow("SELECT count(*), count(*) FILTER (WHERE message_id NOT LIKE '<"+d.slug[:1]+"%') FROM "+d.schema+".incoming").Scan(&stored, &foreign); err != nil {
			t.Fatal(err)
		}
		if stored != len(customers[d.slug]) || foreign != 0 {
			t.Errorf("desk %s stored %d mails (%d of another desk), want its own %d", d.slug, stored, foreign, len(customers[d.slug]))
		}
		if rows := e.leaseRows(d); rows != 1 {
			t.Errorf("desk %s: %d live mailbox leases, want 1", d.slug, rows)
		}
		if h := e.holderOf(d); h != holders[d.slug] {
			t.Errorf("desk %s: mailbox lease held by %s, want %s (it never changes hands while its holder lives)", d.slug, h, holders[d.slug])
		}
	}
}
