package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logBuffer collects a daemon's log lines for a test to wait on.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	t  testing.TB
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return l.b.Write(p)
}

// waitLog waits until the log has count lines containing every one of want.
func (l *logBuffer) waitLog(t *testing.T, count int, want ...string) {
	t.Helper()
	waitFor(t, time.Minute, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		n := 0
		for _, line := range strings.Split(l.b.String(), "\n") {
			all := true
			for _, w := range want {
				all = all && strings.Contains(line, w)
			}
			if all {
				n++
			}
		}
		return n >= count
	}, "log line with "+strings.Join(want, ", "))
}

// TestSIGHUPReload sends the daemon SIGHUP as an operator (or systemctl
// reload) would. A valid change (a closed day, a changed subject line)
// applies to the next mail without a restart, a change to a section that
// needs a restart is named in the log; an invalid one is refused
// with the reason in the log, and the daemon keeps answering with the set
// it had.
func TestSIGHUPReload(t *testing.T) {
	cfg := testConfig(t, "127.0.0.1:0", "127.0.0.1:0", "sandbox", true, "templates: {dir: tmpl}\nrules: {dir: rules}\n")
	dir := filepath.Dir(cfg.Path)
	rulesFile, err := os.ReadFile(filepath.Join("..", "..", "rules", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"tmpl/de", "rules"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "rules", "default.yaml"), rulesFile, 0o644)
	original, err := os.ReadFile(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{t: t}
	r := startWithLog(t, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	// One day to close by reloading, and open slots on other days.
	var closedSlot time.Time
	var open []time.Time
	for _, s := range freeSlots(t, cfg, 80) {
		switch {
		case closedSlot.IsZero() && len(open) > 0 && s.Format(time.DateOnly) != open[0].Format(time.DateOnly):
			closedSlot = s
		case closedSlot.IsZero() || s.Format(time.DateOnly) != closedSlot.Format(time.DateOnly):
			open = append(open, s)
		}
	}
	next := func() time.Time { s := open[0]; open = open[1:]; return s }
	n := 0
	// ask sends customer i's request for slot and returns the reply.
	ask := func(slot time.Time) *mail.Message {
		t.Helper()
		n++
		who := customer(n)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.d.Sandbox.Deliver(ctx, who, []string{support}, request(who, requestID(n), slot)); err != nil {
			t.Fatal(err)
		}
		waitSent(t, r.d.Store(), n, time.Minute)
		msgs := sandboxInbox(t, r.d.Sandbox.IMAPAddr(), who, "sandbox")
		if len(msgs) != 1 {
			t.Fatalf("%s has %d mails, want 1", who, len(msgs))
		}
		m, err := mail.ReadMessage(bytes.NewReader(msgs[0]))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	subject := func(m *mail.Message) string {
		s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	booked := func(m *mail.Message) bool { return strings.Contains(subject(m), "Fernwartungstermin am") }
	confirmedNew := func(m *mail.Message) bool { return strings.Contains(subject(m), "] Bestätigt: Fernwartungstermin am") }
	hup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	// Before: slot 0's day is open and the subject is the built-in one.
	if m := ask(next()); !booked(m) {
		t.Fatalf("before the reload: %q, want a confirmation", subject(m))
	}

	// A valid change: one day closed, a new subject line.
	closed := closedSlot.Format(time.DateOnly)
	valid := strings.Replace(string(original), "min_notice: 1h}", `min_notice: 1h, closed: ["`+closed+`"]}`, 1)
	// And a restart-only section: kept as it runs, with a warning.
	valid = strings.Replace(valid, "log: {level: warn}", "log: {level: debug}", 1)
	if !strings.Contains(valid, closed) || !strings.Contains(valid, "level: debug") {
		t.Fatal("test config has no desk or log line to change")
	}
	os.WriteFile(cfg.Path, []byte(valid), 0o600)
	os.WriteFile(filepath.Join(dir, "tmpl", "de", "confirmation.subject.tmpl"), []byte("Bestätigt: Fernwartungstermin{{with .Appointment}} am {{.Full}}{{end}}"), 0o644)
	hup()
	logs.waitLog(t, 1, "configuration reloaded")
	logs.waitLog(t, 1, "only after a restart", "sections=[log]")
	if m := ask(next()); !confirmedNew(m) {
		t.Errorf("after the reload the subject is %q, want the new template's", subject(m))
	}
	if m := ask(closedSlot); booked(m) {
		t.Errorf("booked on %s, closed by the reload: %q", closed, subject(m))
	}

	// Invalid changes: each refused with its reason; the last good set runs on.
	for _, tc := range []struct {
		name   string
		config string
		file   string // written into the config's folder
		body   string
		reason string
	}{
		{"unknown key", valid + "desk_typo: 1\n", "", "", "desk_typo"},
		{"bad value", strings.Replace(valid, "min_notice: 1h", "min_notice: 1h, slot_minutes: 1000", 1), "", "", "slot_minutes"},
		{"broken template", valid, "tmpl/de/confirmation.txt.tmpl", "{{if}", "confirmation.txt.tmpl"},
		{"rule naming no template", valid, "rules/default.yaml", "- name: x\n  then: {reply: no_such_template}\n", "no_such_template"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(cfg.Path, []byte(tc.config), 0o600)
			if tc.file != "" {
				p := filepath.Join(dir, tc.file)
				before, _ := os.ReadFile(p)
				os.WriteFile(p, []byte(tc.body), 0o644)
				defer os.WriteFile(p, before, 0o644)
			}
			hup()
			logs.waitLog(t, 1, "reload refused", tc.reason)
			m := ask(next())
			if !confirmedNew(m) {
				t.Errorf("after a refused reload the reply is %q, want the running set's confirmation", subject(m))
			}
		})
	}
}
