package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/metrics"
)

// get fetches path from the daemon's health and metrics listener.
func get(t testing.TB, r *running, path string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + r.d.HTTPAddr() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func healthz(t testing.TB, r *running) (int, health.Report) {
	t.Helper()
	code, body := get(t, r, "/healthz")
	var rep health.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("/healthz body %q: %v", body, err)
	}
	if (code == http.StatusOK) != rep.Healthy {
		t.Fatalf("/healthz answered %d for %+v", code, rep)
	}
	return code, rep
}

func TestSandboxMetricsAndHealth(t *testing.T) {
	cfg := testConfig(t, "127.0.0.1:0", "127.0.0.1:0", "sandbox", true, "http: {addr: \"127.0.0.1:0\"}\n")
	r := start(t, cfg)
	if r.d.HTTPAddr() == "" {
		t.Fatal("no http listener")
	}
	waitFor(t, 20*time.Second, func() bool {
		code, _ := healthz(t, r)
		return code == http.StatusOK
	}, "/healthz to answer 200")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	when := freeSlots(t, cfg, 1)[0]
	if err := r.d.Sandbox.Deliver(ctx, "kunde@example.org", []string{support}, request("kunde@example.org", "<m1@kunde.example.org>", when)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 1, 20*time.Second)

	code, body := get(t, r, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics answered %d", code)
	}
	for _, want := range []string{
		metrics.NameReceived + " 1",
		metrics.NameProcessed + `{outcome="booked"} 1`,
		metrics.NameRepliesSent + " 1", // the reply (agendas are off in testConfig)
		metrics.NameRepliesFail + " 0",
		metrics.NameReplyLatency + "_count 1",
		metrics.NameReplyLatency + `_bucket{le="600"} 1`,
		metrics.NameReconnects + " 0",
		metrics.NameIntakeState + `{state="`,
		metrics.NameOutboxDepth + " 0",
		metrics.NameDeadLetters + " 0",
		metrics.NameRuleHits + `{rule="`,
		metrics.NameBreakerOpen + " 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
	if code, rep := healthz(t, r); code != http.StatusOK || rep.Intake == "unknown" {
		t.Errorf("/healthz after a mail: %d %+v", code, rep)
	}
	if code, _ := get(t, r, "/nothing"); code != http.StatusNotFound {
		t.Errorf("/nothing answered %d", code)
	}
}

// TestDovecotHealthFollowsTheServer stops the real IMAP server under a
// running daemon: /healthz turns 503 naming intake, the reconnects show in
// /metrics, and after the server is back /healthz is 200 again.
func TestDovecotHealthFollowsTheServer(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "http: {addr: \"127.0.0.1:0\", connect_grace: 2s}\n")
	r := start(t, cfg)
	waitFor(t, 30*time.Second, func() bool {
		code, rep := healthz(t, r)
		return code == http.StatusOK && rep.Intake == "idle"
	}, "healthy and idle")

	dc.Stop()
	var rep health.Report
	waitFor(t, 30*time.Second, func() bool {
		var code int
		code, rep = healthz(t, r)
		return code == http.StatusServiceUnavailable
	}, "/healthz 503 while the IMAP server is down")
	if len(rep.Reasons) == 0 || !strings.Contains(rep.Reasons[0], "intake not connected") {
		t.Errorf("reasons %q", rep.Reasons)
	}
	_, body := get(t, r, "/metrics")
	if strings.Contains(body, metrics.NameReconnects+" 0") {
		t.Errorf("no reconnects counted:\n%s", grepLines(body, "mailflow_"))
	}
	if !strings.Contains(body, metrics.NameIntakeState+`{state="idle"} 0`) {
		t.Errorf("intake still shown idle:\n%s", grepLines(body, metrics.NameIntakeState))
	}

	dc.Restart(t)
	waitFor(t, 90*time.Second, func() bool {
		code, _ := healthz(t, r)
		return code == http.StatusOK
	}, "/healthz 200 after the IMAP server is back")
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestDebugWireLogIsRedacted runs a mail through the sandbox with
// log.level debug: the IMAP conversation is logged, without the password,
// the customer's address or the mail's text.
func TestDebugWireLogIsRedacted(t *testing.T) {
	const password = "Sandbox-Secret-42"
	cfg := testConfig(t, "127.0.0.1:0", "127.0.0.1:0", password, true, "")
	cfg.Log.Level = "debug"
	var logs mailtest.SyncBuffer
	r := startWithLog(t, cfg, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer dcancel()
	when := freeSlots(t, cfg, 1)[0]
	if err := r.d.Sandbox.Deliver(dctx, "kunde@example.org", []string{support}, request("kunde@example.org", "<dbg@kunde.example.org>", when)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 1, 20*time.Second)
	r.stop()

	var wire []string
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct{ Msg, Line string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "imap wire" {
			wire = append(wire, rec.Line)
		}
	}
	all := strings.Join(wire, "\n")
	if !strings.Contains(all, "LOGIN [credentials]") || !strings.Contains(all, "not shown") {
		t.Fatalf("no redacted login or fetch in the wire log:\n%s", all)
	}
	for _, h := range []string{password, "kunde@example.org", "Maria", "Rechnungslegung", "Fernwartung"} {
		if strings.Contains(all, h) {
			t.Errorf("wire log shows %q", h)
		}
	}
}
