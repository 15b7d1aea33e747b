package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/calendar"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/redact"
	"github.com/mailflow/mailflow/mailflow/web"
)

// Timeouts of the health and metrics listener.
const (
	httpReadTimeout  = 10 * time.Second
	httpWriteTimeout = 30 * time.Second
	httpShutdown     = 5 * time.Second
)

// Metrics are the daemon's metrics.
func (d *Daemon) Metrics() *metrics.Metrics { return d.metrics }

// HTTPAddr is the address /healthz and /metrics are served on (after
// Start), or "" when http.addr is not set.
func (d *Daemon) HTTPAddr() string {
	if d.httpLn == nil {
		return ""
	}
	return d.httpLn.Addr().String()
}

// observe wires metrics into the loops, turns on the redacted IMAP wire
// log at log.level debug, and notes the start for health checks.
func (d *Daemon) observe() {
	d.started = time.Now()
	d.watcher.SetMetrics(d.metrics)
	d.sender.SetMetrics(d.metrics)
	if strings.EqualFold(d.cfg.Log.Level, "debug") {
		wire := d.log.With("component", "intake")
		d.watcher.SetDebugWriter(func() io.Writer { return redact.NewLogWriter(wire, "imap wire") })
	}
	if d.ready != nil {
		// Everything health and the pages read is set: the fleet may
		// serve this desk from now on.
		d.ready()
	}
}

// listenHTTP binds http.addr, so a taken port fails the start, not a
// goroutine later.
func (d *Daemon) listenHTTP(ctx context.Context) error {
	if d.cfg.HTTP.Addr == "" || d.httpLn != nil || d.inFleet {
		return nil
	}
	if !d.cfg.HTTP.Loopback() {
		d.log.Warn("http.addr is not a loopback address: /healthz, /metrics and the desk's pages are reachable from the network", "addr", d.cfg.HTTP.Addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", d.cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	d.httpLn = ln
	web, err := d.newWeb("")
	if err != nil {
		ln.Close()
		return err
	}
	d.web = web
	d.log.Info("health, metrics and the desk's pages listening", "addr", ln.Addr().String(), "public_url", d.cfg.HTTP.PublicURL)
	return nil
}

// newWeb builds the desk's pages, served under root ("" for /).
func (d *Daemon) newWeb(root string) (*web.Server, error) {
	return web.New(web.Deps{
		Store:  d.st,
		Desk:   func() *desk.Desk { return d.current().core },
		Config: func() *config.Config { return d.current().cfg },
		Health: d.Health,
		Wake:   d.wakeSender,
		Log:    d.log.With("component", "web"),
		Root:   root,
	})
}

func (d *Daemon) closeHTTP() error {
	if d.httpLn == nil {
		return nil
	}
	if err := d.httpLn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close http listener: %w", err)
	}
	return nil
}

// serveHTTP serves /healthz and /metrics until ctx ends, then shuts the
// server down gracefully.
func (d *Daemon) serveHTTP(ctx context.Context) error {
	return serveOn(ctx, d.httpLn, d.httpHandler(), d.log)
}

func (d *Daemon) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", d.serveHealth)
	mux.HandleFunc("GET /metrics", d.serveMetrics)
	if d.web != nil {
		d.web.Register(mux)
	}
	if d.cal != nil && d.cal.feed != nil {
		mux.Handle("GET "+calendar.FeedPath, d.cal.feed)
	}
	return mux
}

// Health judges the running daemon as /healthz does: the facts in the
// database plus what only this process knows (refused writes, SMTP
// failing, the breaker, free disk space).
func (d *Daemon) Health(ctx context.Context) (health.Report, error) {
	f, err := health.Gather(ctx, d.st, time.Now(), d.started)
	if err != nil {
		return health.Report{}, err
	}
	f.Live = d.live()
	rep := health.Check(f, health.FromConfig(d.cfg.HTTP))
	d.metrics.Unhealthy(health.AllCauses, rep.Causes)
	return rep, nil
}

func (d *Daemon) live() health.Live {
	var l health.Live
	l.WritesRefusedSince, l.WritesErr = d.st.WriteState()
	if d.sender != nil {
		l.SMTPFailingSince, l.SMTPErr = d.sender.Failing()
		l.BreakerOpen = d.sender.BreakerOpen()
	}
	if !d.cfg.Database.IsPostgres() && d.cfg.Database.Path != ":memory:" {
		if free := health.DiskFree(d.cfg.Database.Path); free >= 0 {
			l.DiskFree, l.DiskChecked = free, true
			d.metrics.DiskFree(free)
		}
	}
	return l
}

// serveHealth answers 200 when healthy and 503 with the reasons when not.
func (d *Daemon) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	rep, err := d.Health(r.Context())
	if err != nil {
		// The database not answering is itself unhealthy.
		rep = health.Report{Status: "unhealthy", Reasons: []string{"database: " + err.Error()}, Causes: []string{health.CauseDatabase}, Intake: "unknown", Checked: time.Now().UTC()}
	}
	w.Header().Set("Content-Type", "application/json")
	if !rep.Healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if err := json.NewEncoder(w).Encode(rep); err != nil {
		d.log.Debug("healthz answer not written", "err", err)
	}
}

// serveMetrics refreshes the queue gauges from the database, then serves
// the registry.
func (d *Daemon) serveMetrics(w http.ResponseWriter, r *http.Request) {
	d.refreshGauges(r.Context())
	d.metrics.Handler().ServeHTTP(w, r)
}

// refreshGauges reads the gauges that live in the database (queues,
// health) into the metrics, before a scrape.
func (d *Daemon) refreshGauges(ctx context.Context) {
	if ob, err := d.st.OutboxStats(ctx); err == nil {
		d.metrics.Outbox(ob.Pending, ob.Dead)
	} else {
		d.log.Warn("outbox gauges not refreshed", "err", err)
	}
	if b, err := d.st.ErasureBacklog(ctx); err == nil {
		d.metrics.ErasureBacklog(b.Pending, b.GaveUp)
	} else {
		d.log.Warn("server erasure gauges not refreshed", "err", err)
	}
	if _, err := d.Health(ctx); err != nil {
		d.metrics.Unhealthy(health.AllCauses, []string{health.CauseDatabase})
	}
}
