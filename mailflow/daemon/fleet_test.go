package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

const fleetConfig = `
imap: {host: 127.0.0.1, port: 1, tls: none, password: x}
smtp: {host: 127.0.0.1, port: 1, tls: none}
database: {path: mailflow.db}
http: {addr: "127.0.0.1:0", connect_grace: 1h, intake_silence: 1h, min_free_disk: 0}
log: {level: warn}
jobs: {agenda_time: none, reminders: []}
desks:
  - slug: alpha
    imap: {username: alpha@example.com}
    desk: {company: Alpha GmbH}
    technicians: [{name: Anna, email: anna@alpha.example}]
  - slug: beta
    imap: {username: beta@example.com}
    technicians: [{name: Bernd, email: bernd@beta.example}]
`

// TestFleetSupervisesEachDesk: a desk that cannot start (its database is
// held by another process) is named by /healthz and its pages say why,
// while the other desk runs; once the database is free the desk starts
// by itself. One SIGHUP reloads every desk from its own entry.
func TestFleetSupervisesEachDesk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(fleetConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	held, err := store.Lock(filepath.Join(dir, "beta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	logs := &logBuffer{t: t}
	f := NewFleet(file, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := f.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	<-f.Running("alpha")
	base := "http://" + f.HTTPAddr()
	waitFor(t, time.Minute, func() bool {
		code, rep := fleetHealth(t, base+"/healthz")
		return code == http.StatusServiceUnavailable && len(rep.Unhealthy) == 1 && rep.Unhealthy[0] == "beta" &&
			strings.HasPrefix(rep.Reasons[0], "desk beta: not running: ")
	}, "/healthz naming beta as not running")
	if code, body := getURL(t, base+"/d/beta/login"); code != http.StatusServiceUnavailable || !strings.Contains(body, "desk beta is not running") {
		t.Errorf("beta's pages: %d %s", code, body)
	}
	if code, body := getURL(t, base+"/d/alpha/login"); code != http.StatusOK || !strings.Contains(body, `action="/d/alpha/login"`) {
		t.Errorf("alpha's sign-in page: %d", code)
	}
	if code, _ := getURL(t, base+"/d/alpha/healthz"); code != http.StatusOK {
		t.Errorf("alpha's own health: %d", code)
	}
	if code, body := getURL(t, base+"/d/alpha/metrics"); code != http.StatusOK || !strings.Contains(body, `desk="alpha"`) || strings.Contains(body, `desk="beta"`) {
		t.Errorf("alpha's own metrics: %d, its series alone: %v", code, !strings.Contains(body, `desk="beta"`))
	}

	held.Close()
	select {
	case <-f.Running("beta"):
	case <-ctx.Done():
		t.Fatal("beta did not start once its database was free")
	}
	waitFor(t, time.Minute, func() bool {
		code, _ := fleetHealth(t, base+"/healthz")
		return code == http.StatusOK
	}, "every desk healthy")

	// One SIGHUP: each desk takes its own entry of the changed file.
	changed := strings.Replace(fleetConfig, "Alpha GmbH", "Alpha AG", 1)
	changed = strings.Replace(changed, "[{name: Bernd, email: bernd@beta.example}]", "[{name: Bernd, email: bernd@beta.example}, {name: Berta, email: berta@beta.example}]", 1)
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs.waitLog(t, 2, "configuration reloaded")
	if c := f.Desk("alpha").current().cfg; c.Desk.Company != "Alpha AG" || len(c.Technicians) != 1 {
		t.Errorf("alpha after reload: %s, %d technicians", c.Desk.Company, len(c.Technicians))
	}
	if c := f.Desk("beta").current().cfg; len(c.Technicians) != 2 || c.Desk.Company == "Alpha AG" {
		t.Errorf("beta after reload: %s, %d technicians", c.Desk.Company, len(c.Technicians))
	}

	// A mistake in beta's entry: beta keeps its running set, alpha still
	// takes its change.
	broken := strings.Replace(changed, "Alpha AG", "Alpha SE", 1)
	broken = strings.Replace(broken, "imap: {username: beta@example.com}", "imap: {username: beta@example.com}\n    desk: {language: fr}", 1)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs.waitLog(t, 1, "reload refused", "desk=beta", "desk.language")
	logs.waitLog(t, 3, "configuration reloaded")
	if c := f.Desk("alpha").current().cfg; c.Desk.Company != "Alpha SE" {
		t.Errorf("alpha did not reload beside a broken beta: %s", c.Desk.Company)
	}
	if c := f.Desk("beta").current().cfg; len(c.Technicians) != 2 || c.Desk.Language != "de" {
		t.Errorf("beta changed by a refused reload: %d technicians, language %s", len(c.Technicians), c.Desk.Language)
	}
}

// BenchmarkFleetTenDesks: what a desk costs in one process — the time to
// open and start ten desks (each its own SQLite database, migrations
// included), and the goroutines and heap each one holds while it runs.
func BenchmarkFleetTenDesks(b *testing.B) {
	const n = 10
	var y strings.Builder
	y.WriteString("imap: {host: 127.0.0.1, port: 1, tls: none, password: x}\nsmtp: {host: 127.0.0.1, port: 1, tls: none}\n" +
		"log: {level: error}\njobs: {agenda_time: none, reminders: []}\ntechnicians: [{name: A, email: a@example.com}]\ndesks:\n")
	for i := range n {
		fmt.Fprintf(&y, "  - {slug: d%02d, imap: {username: s@d%02d.example}}\n", i, i)
	}
	var goroutines, heap float64
	b.StopTimer()
	for range b.N {
		dir := b.TempDir()
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(y.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		file, err := config.Load(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		f := NewFleet(file, slog.New(slog.NewTextHandler(io.Discard, nil)))
		done := make(chan error, 1)
		b.StartTimer()
		go func() { done <- f.Run(ctx) }()
		for _, d := range file.Desks() {
			<-f.Running(d.Slug)
		}
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		goroutines += float64(runtime.NumGoroutine()-g0) / n
		heap += float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
		cancel()
		<-done
	}
	b.ReportMetric(goroutines/float64(b.N), "goroutines/desk")
	b.ReportMetric(heap/float64(b.N), "heap-B/desk")
}
