package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/sandbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestCheckConnectCalendar: `mailflow check -connect` reads each
// technician's calendar once and names the one that fails.
func TestCheckConnectCalendar(t *testing.T) {
	// The working case runs against Radicale in mailflow/calendar
	// (TestCheckAgainstRadicale); here a calendar that is not there.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://" + ln.Addr().String() + "/anna/work/"
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Options{IMAPAddr: "127.0.0.1:0", SMTPAddr: "127.0.0.1:0",
		Users: []string{"support@example.com"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	write := func(password string) string {
		ih, ip, _ := net.SplitHostPort(sb.IMAPAddr())
		sh, sp, _ := net.SplitHostPort(sb.SMTPAddr())
		os.WriteFile(filepath.Join(dir, "pw"), []byte(sb.Password()+"\n"), 0o600)
		os.WriteFile(filepath.Join(dir, "dav"), []byte(password+"\n"), 0o600)
		cfg := fmt.Sprintf(`imap: {host: %s, port: %s, tls: none, username: support@example.com, password_file: pw}
smtp: {host: %s, port: %s, tls: none, from: support@example.com}
http: {addr: "127.0.0.1:0", public_url: "https://desk.example.com"}
technicians:
  - {name: A, email: anna@example.com, calendar: {caldav: {url: %q, username: anna, password_file: dav}, ics_feed: true}}
`, ih, ip, sh, sp, url)
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	code, out, errs := run(t, "", "check", "-connect", "-config", write("secret"))
	if code != 1 || !strings.Contains(out, "\nimap: ok\n") || !strings.Contains(out, "calendar anna@example.com (caldav): FAILED") ||
		!strings.Contains(errs, "calendar anna@example.com") {
		t.Fatalf("calendar server down: exit %d\n%s\n%s", code, out, errs)
	}
	// The feed address, for the operator to hand on, once the database
	// (whose secret the address derives from) exists.
	code, out, _ = run(t, "", "calendar", "feeds", "-config", write("secret"))
	if code == 0 {
		t.Fatalf("calendar feeds without a database: %s", out)
	}
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errs = run(t, "", "calendar", "feeds", "-config", write("secret"))
	if code != 0 || !strings.Contains(out, "anna@example.com") || !strings.Contains(out, "https://desk.example.com/calendar/") {
		t.Fatalf("calendar feeds: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestStatusShowsCalendars: `mailflow status` names a technician whose
// calendar cannot be read, says booking goes by the config for them, and
// is unhealthy for it.
func TestStatusShowsCalendars(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(`sandbox: {enabled: true}
technicians:
  - {name: A, email: anna@example.com, calendar: {caldav: {url: "http://127.0.0.1:1/anna/work/"}}}
  - {name: B, email: ben@example.com}
`), 0o600)
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{store.StatusIntakeState: "idle", store.StatusIntakeBeat: "x",
		"calendar.anna@example.com": "2026-11-26T09:30:00Z caldav: connection refused"} {
		if err := st.SetStatus(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	lock, err := store.Lock(filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	code, out, errs := run(t, dir, "status")
	if code != 1 || !strings.Contains(out, "unhealthy: calendar of anna@example.com unreachable") ||
		!strings.Contains(out, "calendar anna@example.com  caldav: unreachable, booking goes by the config alone") ||
		!strings.Contains(out, "calendar writes") || strings.Contains(out, "calendar ben@") {
		t.Fatalf("status: %d\n%s\n%s", code, out, errs)
	}
}
