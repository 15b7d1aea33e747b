package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestNilIsSafe(t *testing.T) {
	var m *Metrics
	m.Received(3)
	m.Decided("booked", "book-request")
	m.Sent()
	m.SendFailed()
	m.ReplyLatency(time.Second)
	m.Reconnect()
	m.IntakeState("idle")
	m.Outbox(1, 2)
	m.BreakerOpen(true)
	if m.Registry() != nil {
		t.Error("nil metrics have a registry")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Errorf("nil handler answered %d", rec.Code)
	}
}

func TestCounts(t *testing.T) {
	m := New()
	m.Received(2)
	m.Received(0)
	m.Decided("booked", "book-request")
	m.Decided("booked", "book-request")
	m.Decided("ignored-auto", "")
	m.Sent()
	m.SendFailed()
	m.SendFailed()
	m.ReplyLatency(1500 * time.Millisecond)
	m.ReplyLatency(-time.Second) // clock skew: not observed
	m.Reconnect()
	m.IntakeState("connecting")
	m.IntakeState("idle")
	m.Outbox(4, 1)
	m.BreakerOpen(true)

	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"received", testutil.ToFloat64(m.received), 2},
		{"booked", testutil.ToFloat64(m.processed.WithLabelValues("booked")), 2},
		{"ignored", testutil.ToFloat64(m.processed.WithLabelValues("ignored-auto")), 1},
		{"rule", testutil.ToFloat64(m.ruleHits.WithLabelValues("book-request")), 2},
		{"sent", testutil.ToFloat64(m.sent), 1},
		{"failed", testutil.ToFloat64(m.failed), 2},
		{"reconnects", testutil.ToFloat64(m.reconnects), 1},
		{"connecting", testutil.ToFloat64(m.intakeState.WithLabelValues("connecting")), 0},
		{"idle", testutil.ToFloat64(m.intakeState.WithLabelValues("idle")), 1},
		{"pending", testutil.ToFloat64(m.pending), 4},
		{"dead", testutil.ToFloat64(m.dead), 1},
		{"breaker", testutil.ToFloat64(m.breakerOpen), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.ruleHits); n != 1 {
		t.Errorf("%d rule series, want 1 (no empty rule label)", n)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		NameReceived + " 2",
		NameReplyLatency + `_bucket{le="2.5"} 1`,
		NameReplyLatency + "_count 1",
		NameIntakeState + `{state="idle"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestRegistriesAreSeparate(t *testing.T) {
	// Two daemons in one process (tests) must not share or clash.
	a, b := New(), New()
	a.Sent()
	if got := testutil.ToFloat64(b.sent); got != 0 {
		t.Errorf("second registry sees %v sends", got)
	}
}

// TestDesksInOneExposition: several desks in one process serve one
// /metrics where each desk's series carry its label and the process-wide
// ones appear once.
func TestDesksInOneExposition(t *testing.T) {
	alpha, beta := ForDesk("alpha"), ForDesk("beta")
	alpha.Sent()
	alpha.Sent()
	beta.Sent()
	beta.Decided("booked", "book-request")
	proc := prometheus.NewRegistry()
	proc.MustRegister(Process()...)
	rec := httptest.NewRecorder()
	HandlerFor(proc, alpha, beta).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		NameRepliesSent + `{desk="alpha"} 2`,
		NameRepliesSent + `{desk="beta"} 1`,
		NameProcessed + `{desk="beta",outcome="booked"} 1`,
		NamePanics + " ",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	if n := strings.Count(body, "\n"+NamePanics+" "); n != 1 {
		t.Errorf("%s appears %d times, want once", NamePanics, n)
	}
}
