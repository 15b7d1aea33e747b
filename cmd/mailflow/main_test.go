package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

// run runs the CLI in dir and returns exit code, stdout, stderr.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	wd, _ := os.Getwd()
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	var out, errb bytes.Buffer
	code := runMain(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func repo(t *testing.T, p string) string {
	abs, err := filepath.Abs(filepath.Join("..", "..", p))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestTryJSONContract checks the fields DESIGN §3 promises, on a fresh
// machine: no database exists and none is created.
func TestTryJSONContract(t *testing.T) {
	dir := t.TempDir()
	cfg := repo(t, "config.example.yaml")
	files := []string{repo(t, "testdata/try/request-de.eml"), repo(t, "testdata/try/ooo.eml"), repo(t, "testdata/try/id.eml")}
	code, out, errs := run(t, dir, append([]string{"try", "-json", "-config", cfg, "-now", "2026-11-24T09:15:00+01:00"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "mailflow.db")); err == nil {
		t.Log("note: a mailflow.db exists beside the example config (left by a manual run)")
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not one JSON object per line: %v\n%s", err, sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines for 3 files", len(lines))
	}
	for _, m := range lines {
		for _, k := range []string{"file", "message_id", "from", "language", "intent", "requested", "anydesk_id", "rule", "action", "reply", "confidence", "reasons"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%v lacks %q", m["file"], k)
			}
		}
	}
	req := lines[0]
	if c, _ := req["confidence"].(float64); c < 0.7 || len(req["reasons"].([]any)) == 0 {
		t.Errorf("a clear request must be read as sure, with reasons: %v %v", req["confidence"], req["reasons"])
	}
	if req["intent"] != "appointment_request" || req["language"] != "de" || req["action"] != "book" || req["rule"] != "book-request" {
		t.Errorf("request: %v", req)
	}
	wants := req["requested"].([]any)
	if len(wants) == 0 || wants[0].(map[string]any)["start"] != "2026-11-26T10:00:00+01:00" || wants[0].(map[string]any)["precision"] != "minute" {
		t.Errorf("requested %v", wants)
	}
	if req["anydesk_id"] != nil {
		t.Errorf("a phone number was taken for an AnyDesk ID: %v", req["anydesk_id"])
	}
	reply, _ := req["reply"].(map[string]any)
	if reply["template"] != "confirmation" || reply["to"] != "maria@kunde.at" {
		t.Errorf("reply %v", reply)
	}
	if ooo := lines[1]; ooo["intent"] != "auto_reply" || ooo["reply"] != nil || ooo["action"] != "ignore" {
		t.Errorf("out-of-office: %v", ooo)
	}
	if id := lines[2]; id["intent"] != "anydesk_id" || id["anydesk_id"] != "987654321" {
		t.Errorf("id mail: %v", id)
	}
}

func TestCheckNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "config.yaml")
	os.WriteFile(bad, []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: a@example.com}]\ndesk:\n  timezone: Europe/Vienna\n  colour: blue\n"), 0o600)
	code, _, errs := run(t, dir, "check")
	if code != 1 || !strings.Contains(errs, "config.yaml") || !strings.Contains(errs, "5:") || !strings.Contains(errs, "colour") {
		t.Fatalf("exit %d, stderr %q: want exit 1 naming config.yaml line 5 and the key", code, errs)
	}
	code, out, errs := run(t, "", "check", "-config", repo(t, "config.example.yaml"))
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("example config: exit %d %s %s", code, out, errs)
	}
	os.WriteFile(bad, []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: a@example.com}]\nrules: {dir: myrules}\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "myrules"), 0o755)
	os.WriteFile(filepath.Join(dir, "myrules", "a.yaml"), []byte("- name: x\n  then: {action: book}\n- name: y\n  then: {action: dance}\n"), 0o600)
	code, _, errs = run(t, dir, "check")
	if code != 1 || !strings.Contains(errs, "a.yaml:3") {
		t.Fatalf("bad rule: exit %d, stderr %q", code, errs)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errs := run(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("exit %d %q", code, errs)
	}
}

// TestRunStopsCleanlyOnSignal: SIGINT/SIGTERM cancel the context; the
// daemon must stop and exit 0.
func TestRunStopsCleanlyOnSignal(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(`sandbox: {enabled: true, imap_addr: "127.0.0.1:0", smtp_addr: "127.0.0.1:0"}
technicians: [{name: A, email: a@example.com}]
log: {level: error}
`), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		done <- runMain(ctx, []string{"run", "-config", filepath.Join(dir, "config.yaml")}, &out, &errb)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "mailflow.db")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("daemon did not create its database")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after a signal, want 0: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("daemon did not stop within 15s of the signal")
	}
}

func TestAppointmentsByHand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfgPath, []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: anna@example.com}]\n"), 0o600)
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	book := func() string {
		a := &store.Appointment{Customer: "maria@kunde.at", CustomerName: "Maria", Technician: "anna@example.com", Start: start, End: start.Add(30 * time.Minute), Language: "de"}
		if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.Book(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		start = start.Add(time.Hour)
		return a.Ref
	}
	first, second, third := book(), book(), book()
	st.Close()

	code, out, errs := run(t, dir, "appointments", "list", "-days", "5")
	if code != 0 || !strings.Contains(out, first) || !strings.Contains(out, "maria@kunde.at") {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
	if code, out, _ := run(t, dir, "appointments", "show", first); code != 0 || !strings.Contains(out, "booked") {
		t.Fatalf("show: %d %s", code, out)
	}
	if code, out, errs := run(t, dir, "appointments", "cancel", first); code != 0 || !strings.Contains(out, "queued") {
		t.Fatalf("cancel: %d %s %s", code, out, errs)
	}
	if code, _, _ := run(t, dir, "appointments", "done", second); code != 0 {
		t.Fatal("done failed")
	}
	if code, _, errs := run(t, dir, "appointments", "done", first); code == 0 || !strings.Contains(errs, "cancelled") {
		t.Fatalf("marking a cancelled session done must fail: %d %s", code, errs)
	}
	if code, out, errs := run(t, dir, "appointments", "no-show", "-text", "nicht erreichbar", third); code != 0 || !strings.Contains(out, "no-show") {
		t.Fatalf("no-show: %d %s %s", code, out, errs)
	}
	if code, out, errs := run(t, dir, "appointments", "note", "-text", "Rückruf vereinbart", third); code != 0 || !strings.Contains(out, "note saved") {
		t.Fatalf("note: %d %s %s", code, out, errs)
	}
	if code, out, _ := run(t, dir, "appointments", "show", third); code != 0 || !strings.Contains(out, "no-show: nicht erreichbar") || !strings.Contains(out, "note: Rückruf vereinbart") {
		t.Fatalf("the protocol lacks the no-show and the note:\n%s", out)
	}
	if code, _, errs := run(t, dir, "appointments", "cancel", "FW-9999"); code == 0 || !strings.Contains(errs, "not found") {
		t.Fatalf("cancelling an unknown booking: %d %s", code, errs)
	}
	st, _ = store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	defer st.Close()
	pending, _ := st.Outbox(ctx, store.OutboxPending)
	// The cancellation (with its calendar cancellation) and, for the
	// no-show, an offer of new slots to that customer.
	var cancels, offers int
	for _, m := range pending {
		switch {
		case m.Recipient == "maria@kunde.at" && strings.Contains(string(m.Raw), "METHOD:CANCEL"):
			cancels++
		case m.Purpose == "proposal":
			offers++
		}
	}
	if len(pending) != 2 || cancels != 1 || offers != 1 {
		t.Fatalf("queued: %d mails, %d cancellations with METHOD:CANCEL to the customer, %d offers after the no-show", len(pending), cancels, offers)
	}
	if code, out, _ := run(t, dir, "appointments", "list", "-days", "5"); code != 0 || strings.Contains(out, first) || strings.Contains(out, second) || strings.Contains(out, third) {
		t.Fatalf("list shows sessions that are no longer booked:\n%s", out)
	}
}

// TestVersionNamesTheBuild checks what a bug report needs from `mailflow
// version`: the version, the commit and the build date, whether stamped in
// by the release build or not.
func TestVersionNamesTheBuild(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		want                  []string
	}{
		{"stamped", "0.9.0", "1a4a000", "2026-12-02T16:00:00Z", []string{"mailflow 0.9.0\n", "commit 1a4a000\n", "built 2026-12-02T16:00:00Z\n", "go1."}},
		{"plain go build", "", "", "", []string{"mailflow ", "commit ", "built ", "go1."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := [3]string{version, commit, date}
			version, commit, date = tc.version, tc.commit, tc.date
			defer func() { version, commit, date = old[0], old[1], old[2] }()
			code, out, errs := run(t, "", "version")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("version output lacks %q:\n%s", w, out)
				}
			}
			if lines := strings.Count(out, "\n"); lines != 4 {
				t.Errorf("%d lines, want 4:\n%s", lines, out)
			}
		})
	}
}
