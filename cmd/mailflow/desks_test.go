package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
