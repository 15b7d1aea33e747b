package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a buffer the daemon writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// twoDeskConfig writes a config that serves two desks whose hours differ:
// beta opens at 08:00, alpha (the default week) at 09:00.
func twoDeskConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	y := `imap: {host: 127.0.0.1, port: 1, password: x}
smtp: {host: 127.0.0.1, port: 1}
desks:
  - slug: alpha
    imap: {username: support@alpha.example}
    technicians: [{name: Anna, email: anna@alpha.example}]
  - slug: beta
    imap: {username: hilfe@beta.example}
    desk: {hours: {mon: ["08:00-16:00"], tue: ["08:00-16:00"], wed: ["08:00-16:00"], thu: ["08:00-16:00"], fri: ["08:00-16:00"]}}
    technicians: [{name: Bernd, email: bernd@beta.example}]
`
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	eml := "From: Maria Huber <maria@kunde.example>\r\nTo: support@alpha.example\r\nSubject: Termin\r\n" +
		"Date: Mon, 07 Dec 2026 09:00:00 +0100\r\nMessage-ID: <t1@kunde.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Guten Tag,\r\n\r\nhätten Sie am 09.12.2026 um 08:30 Uhr Zeit für eine Fernwartung?\r\n\r\nMaria Huber\r\n"
	if err := os.WriteFile(filepath.Join(dir, "req.eml"), []byte(eml), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDeskFlag: a command that acts on one desk acts on the one -desk
// names, with that desk's hours; without -desk it names the choices.
func TestDeskFlag(t *testing.T) {
	dir := twoDeskConfig(t)
	outcome := func(desk string) string {
		t.Helper()
		code, out, errs := run(t, dir, "try", "-json", "-now", "2026-12-07T09:00:00+01:00", "-desk", desk, "req.eml")
		if code != 0 {
			t.Fatalf("try -desk %s: exit %d: %s", desk, code, errs)
		}
		var rep tryReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		return rep.Outcome
	}
	if got := outcome("beta"); got != "booked" {
		t.Errorf("beta (open at 08:00) outcome %q, want booked", got)
	}
	if got := outcome("alpha"); got == "booked" {
		t.Errorf("alpha (open at 09:00) booked 08:30")
	}
	for _, args := range [][]string{
		{"try", "req.eml"},
		{"status"},
		{"forget", "maria@kunde.example"},
		{"backup", "b.db"},
	} {
		code, _, errs := run(t, dir, args...)
		if code == 0 || !strings.Contains(errs, "serves 2 desks: choose one with -desk alpha|beta") {
			t.Errorf("%v without -desk: exit %d, %s", args, code, errs)
		}
	}
	if code, _, errs := run(t, dir, "status", "-desk", "gamma"); code == 0 || !strings.Contains(errs, `no desk "gamma"; its desks are alpha, beta`) {
		t.Errorf("unknown desk: exit %d, %s", code, errs)
	}
	if code, out, errs := run(t, dir, "check"); code != 0 || !strings.Contains(out, "desk alpha: ok") || !strings.Contains(out, "desk beta: ok") {
		t.Errorf("check: exit %d\n%s%s", code, out, errs)
	}
}

// TestRunSeveralDesks: `mailflow run` on a file with two desks serves
// both in one process; `status -desk` asks the running daemon for that
// desk's own verdict; a signal stops every desk and exits 0.
func TestRunSeveralDesks(t *testing.T) {
	dir, cfgPath, addr := runDesksConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var out, errb lockedBuffer
	go func() { done <- runMain(ctx, []string{"run", "-config", cfgPath}, &out, &errb) }()

	health := waitHealthy(t, addr, &errb)
	if len(health.Desks) != 2 || health.Desks[0].Desk != "alpha" || health.Desks[1].Desk != "beta" {
		t.Errorf("/healthz desks %+v, want alpha and beta", health.Desks)
	}
	code, sout, serr := run(t, "", "status", "-config", cfgPath, "-desk", "beta")
	if code != 0 || !strings.HasPrefix(sout, "desk beta (Beta)\nhealthy\n") {
		t.Errorf("status -desk beta: exit %d\n%s%s", code, sout, serr)
	}
	for _, db := range []string{"alpha.db", "beta.db"} {
		if _, err := os.Stat(filepath.Join(dir, db)); err != nil {
			t.Errorf("no %s: %v", db, err)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after a signal, want 0: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the desks did not stop within 30s of the signal")
	}
}

// TestRunOneDeskOfSeveral: `run -desk beta` runs beta alone, at its
// place on the listener, and leaves alpha's database alone.
func TestRunOneDeskOfSeveral(t *testing.T) {
	dir, cfgPath, addr := runDesksConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var out, errb lockedBuffer
	go func() { done <- runMain(ctx, []string{"run", "-config", cfgPath, "-desk", "beta"}, &out, &errb) }()
	health := waitHealthy(t, addr, &errb)
	if len(health.Desks) != 1 || health.Desks[0].Desk != "beta" {
		t.Errorf("/healthz desks %+v, want beta alone", health.Desks)
	}
	if resp, err := http.Get("http://" + addr + "/d/beta/login"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("beta's pages: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "alpha.db")); err == nil {
		t.Error("run -desk beta opened alpha's database")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

// fleetHealth is the part of the fleet's /healthz these tests read.
type fleetHealth struct {
	Healthy bool `json:"healthy"`
	Desks   []struct {
		Desk    string `json:"desk"`
		Healthy bool   `json:"healthy"`
	} `json:"desks"`
}

// waitHealthy waits until the daemon on addr answers /healthz healthy.
func waitHealthy(t *testing.T, addr string, log *lockedBuffer) fleetHealth {
	t.Helper()
	var health fleetHealth
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if err == nil && health.Healthy {
				return health
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no healthy daemon on %s: %v %+v\n%s", addr, err, health, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runDesksConfig writes a two-desk config whose listener is on a free
// loopback port; the mailboxes are unreachable (health allows for it).
func runDesksConfig(t *testing.T) (dir, cfgPath, addr string) {
	t.Helper()
	dir = t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	cfgPath = filepath.Join(dir, "config.yaml")
	y := `imap: {host: 127.0.0.1, port: 1, password: x}
smtp: {host: 127.0.0.1, port: 1}
http: {addr: "` + addr + `", connect_grace: 1h, intake_silence: 1h, min_free_disk: 0}
log: {level: error}
jobs: {agenda_time: none, reminders: []}
desks:
  - {name: Alpha, imap: {username: support@alpha.example}, technicians: [{name: Anna, email: anna@alpha.example}]}
  - {name: Beta, imap: {username: hilfe@beta.example}, technicians: [{name: Bernd, email: bernd@beta.example}]}
`
	if err := os.WriteFile(cfgPath, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, cfgPath, addr
}
