// Package metrics owns mailflow's Prometheus metrics: one registry per
// daemon (never the global default one), and the few verbs the loops call
// to count what they do. A nil *Metrics is valid and does nothing, so every
// package works, and is tested, without metrics.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mailflow/mailflow/mailflow/internal/supervise"
)

// Metric names, for tests and dashboards.
const (
	NameReceived        = "mailflow_mails_received_total"
	NameProcessed       = "mailflow_mails_processed_total"
	NameRepliesSent     = "mailflow_replies_sent_total"
	NameRepliesFail     = "mailflow_replies_failed_total"
	NameReplyLatency    = "mailflow_reply_latency_seconds"
	NameReconnects      = "mailflow_imap_reconnects_total"
	NameIntakeState     = "mailflow_intake_state"
	NameOutboxDepth     = "mailflow_outbox_pending"
	NameDeadLetters     = "mailflow_outbox_dead_letters"
	NameRuleHits        = "mailflow_rule_hits_total"
	NameBreakerOpen     = "mailflow_circuit_breaker_open"
	NamePanics          = "mailflow_panics_total"
	NameWritesRefuse    = "mailflow_database_writes_refused"
	NameUnhealthy       = "mailflow_unhealthy"
	NameDiskFree        = "mailflow_database_disk_free_bytes"
	NameFloodAlarm      = "mailflow_reply_rate_alarm"
	NameErasuresPending = "mailflow_server_erasures_pending"
	NameErasuresGaveUp  = "mailflow_server_erasures_gave_up"
	NameErasures        = "mailflow_server_erasures_total"
)

// LatencyBuckets are the arrival→reply histogram's upper bounds in seconds:
// from a tenth of a second (the sandbox) to ten minutes (a slow server
// behind retries). Anything slower lands in +Inf, which is the alarm.
var LatencyBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}

// Metrics is one daemon's metrics.
type Metrics struct {
	reg *prometheus.Registry

	received    prometheus.Counter
	processed   *prometheus.CounterVec
	sent        prometheus.Counter
	failed      prometheus.Counter
	latency     prometheus.Histogram
	reconnects  prometheus.Counter
	intakeState *prometheus.GaugeVec
	pending     prometheus.Gauge
	dead        prometheus.Gauge
	ruleHits    *prometheus.CounterVec
	breakerOpen prometheus.Gauge
	refused     prometheus.Gauge
	unhealthy   *prometheus.GaugeVec
	diskFree    prometheus.Gauge
	floodAlarm  prometheus.Gauge
	// server erasures (mailbox.Eraser): the queue read at scrape, and
	// erasures finished or failed by this process
	erasuresPending prometheus.Gauge
	erasuresGaveUp  prometheus.Gauge
	erasures        *prometheus.CounterVec

	mu    sync.Mutex
	state string // the intake state whose gauge is 1
}

// New returns metrics registered in a fresh registry, together with the Go
// runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := build(reg)
	m.reg = reg
	reg.MustRegister(Process()...)
	return m
}

// ForDesk returns the metrics of one desk of several in one process: a
// fresh registry whose every series carries desk="slug". The process-wide
// collectors (Go runtime, process, panics) are left out: the process
// serves them once, beside every desk's registry (see Process).
func ForDesk(slug string) *Metrics {
	reg := prometheus.NewRegistry()
	m := build(prometheus.WrapRegistererWith(prometheus.Labels{"desk": slug}, reg))
	m.reg = reg
	return m
}

// Process returns the collectors of the process as a whole.
func Process() []prometheus.Collector {
	panics := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: NamePanics, Help: "Panics recovered in this process (a loop restarted, or a mail routed to a human); each is a bug worth reporting.",
	}, func() float64 { return float64(supervise.Panics()) })
	return []prometheus.Collector{panics, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
}

// build makes the metrics and registers them with reg.
func build(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameReceived, Help: "Mails taken in from the support mailbox and stored.",
		}),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameProcessed, Help: "Mails decided, by recorded outcome.",
		}, []string{"outcome"}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameRepliesSent, Help: "Outbox mails delivered to the SMTP server (replies, notices, agendas, reminders).",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameRepliesFail, Help: "Failed outbox delivery attempts (retried or dead-lettered).",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    NameReplyLatency,
			Help:    "Time from storing a customer's mail to delivering our reply to it.",
			Buckets: LatencyBuckets,
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: NameReconnects, Help: "IMAP connections lost and redialled.",
		}),
		intakeState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: NameIntakeState, Help: "1 for the intake's current state (idle, polling, fetching, connecting, reconnecting, stopped), else 0.",
		}, []string{"state"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameOutboxDepth, Help: "Outbox mails waiting to be sent.",
		}),
		dead: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameDeadLetters, Help: "Outbox mails given up on (dead letters).",
		}),
		ruleHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameRuleHits, Help: "Decisions by the rule that matched.",
		}, []string{"rule"}),
		breakerOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: NameBreakerOpen, Help: "1 while the circuit breaker holds replies to one address or domain back (a mail loop?).",
		}),
	}
	m.refused = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameWritesRefuse, Help: "1 while the database refuses writes (disk full, read-only, I/O errors); every loop pauses.",
	})
	m.unhealthy = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: NameUnhealthy, Help: "1 for each cause that makes /healthz unhealthy right now (intake, smtp, database, breaker, disk, oauth), else 0.",
	}, []string{"cause"})
	m.diskFree = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameDiskFree, Help: "Free space on the filesystem that holds the database.",
	})
	m.floodAlarm = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameFloodAlarm, Help: "1 while replies go out far above the desk's usual rate (an alarm; nothing is held for it).",
	})
	m.erasuresPending = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameErasuresPending, Help: "Server copies of mail whose database copy ended, still to be expunged or redacted in the IMAP folders.",
	})
	m.erasuresGaveUp = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: NameErasuresGaveUp, Help: "Server erasures given up after many failed attempts (mailflow status lists them).",
	})
	m.erasures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: NameErasures, Help: "Server erasure attempts, by result (done, failed).",
	}, []string{"result"})
	reg.MustRegister(m.received, m.processed, m.sent, m.failed, m.latency, m.reconnects,
		m.intakeState, m.pending, m.dead, m.ruleHits, m.breakerOpen, m.refused, m.unhealthy, m.diskFree, m.floodAlarm,
		m.erasuresPending, m.erasuresGaveUp, m.erasures)
	return m
}

// Registry is the registry everything is registered in (nil for nil).
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Received counts n mails stored by intake.
func (m *Metrics) Received(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.received.Add(float64(n))
}

// Decided counts one decided mail by its outcome and the rule that matched
// ("" when none did).
func (m *Metrics) Decided(outcome, rule string) {
	if m == nil {
		return
	}
	m.processed.WithLabelValues(outcome).Inc()
	if rule != "" {
		m.ruleHits.WithLabelValues(rule).Inc()
	}
}

// Sent counts one delivered outbox mail.
func (m *Metrics) Sent() {
	if m == nil {
		return
	}
	m.sent.Inc()
}

// SendFailed counts one failed delivery attempt.
func (m *Metrics) SendFailed() {
	if m == nil {
		return
	}
	m.failed.Inc()
}

// ReplyLatency records the time from a mail's arrival to our reply's
// delivery.
func (m *Metrics) ReplyLatency(d time.Duration) {
	if m == nil || d < 0 {
		return
	}
	m.latency.Observe(d.Seconds())
}

// Reconnect counts one lost IMAP connection.
func (m *Metrics) Reconnect() {
	if m == nil {
		return
	}
	m.reconnects.Inc()
}

// IntakeState sets the intake's current state: its gauge to 1, the
// previous state's to 0.
func (m *Metrics) IntakeState(state string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state == state {
		return
	}
	if m.state != "" {
		m.intakeState.WithLabelValues(m.state).Set(0)
	}
	m.intakeState.WithLabelValues(state).Set(1)
	m.state = state
}

// Outbox sets the queue gauges.
func (m *Metrics) Outbox(pending, dead int) {
	if m == nil {
		return
	}
	m.pending.Set(float64(pending))
	m.dead.Set(float64(dead))
}

// ErasureBacklog sets the server erasure queue gauges.
func (m *Metrics) ErasureBacklog(pending, gaveUp int) {
	if m == nil {
		return
	}
	m.erasuresPending.Set(float64(pending))
	m.erasuresGaveUp.Set(float64(gaveUp))
}

// ServerErasures counts n server erasures that ended with result.
func (m *Metrics) ServerErasures(result string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.erasures.WithLabelValues(result).Add(float64(n))
}

// WritesRefused sets whether the database refuses writes.
func (m *Metrics) WritesRefused(refused bool) {
	if m == nil {
		return
	}
	m.refused.Set(b2f(refused))
}

// Unhealthy sets each cause's gauge: 1 for those in causes, 0 for the
// others of all.
func (m *Metrics) Unhealthy(all, causes []string) {
	if m == nil {
		return
	}
	for _, c := range all {
		m.unhealthy.WithLabelValues(c).Set(0)
	}
	for _, c := range causes {
		m.unhealthy.WithLabelValues(c).Set(1)
	}
}

// FloodAlarm sets the reply-rate alarm gauge.
func (m *Metrics) FloodAlarm(on bool) {
	if m == nil {
		return
	}
	m.floodAlarm.Set(b2f(on))
}

// DiskFree sets the free space gauge.
func (m *Metrics) DiskFree(bytes int64) {
	if m == nil || bytes < 0 {
		return
	}
	m.diskFree.Set(float64(bytes))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// BreakerOpen sets the circuit breaker gauge.
func (m *Metrics) BreakerOpen(open bool) {
	if m == nil {
		return
	}
	v := 0.0
	if open {
		v = 1
	}
	m.breakerOpen.Set(v)
}

// HandlerFor serves the metrics of several desks in one exposition: the
// process-wide collectors once, then each desk's series with its desk label.
func HandlerFor(process *prometheus.Registry, desks ...*Metrics) http.Handler {
	g := prometheus.Gatherers{process}
	for _, m := range desks {
		if m != nil {
			g = append(g, m.reg)
		}
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
