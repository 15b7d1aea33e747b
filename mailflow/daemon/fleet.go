package daemon

// Several desks in one process. A Fleet runs one full Daemon per desk —
// its own database, intake, decider, sender, eraser, jobs and reload —
// and owns what the desks share: the http listener and the log.
//
// Each desk is supervised on its own: a desk whose daemon cannot start
// (a locked or unreadable database, a missing secret, a broken template)
// is retried with backoff while the others answer mail, and a desk whose
// mailbox refuses the login keeps retrying inside its intake loop as a
// single desk does. Health names the desk at fault.
//
// On the listener: GET /healthz judges every desk (503 when any is
// unhealthy, each reason prefixed "desk SLUG:"), GET /metrics serves every
// desk's series labelled desk="SLUG" plus the process's own once, and
// everything a single desk serves (its pages, its own /healthz and
// /metrics) lives under /d/SLUG/.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/metrics"
)

// Fleet is the desks of one config file, run in one process.
type Fleet struct {
	cfg     *config.Config // the file: http and log are the process's
	log     *slog.Logger
	members []*member
	proc    *prometheus.Registry
	httpLn  net.Listener
}

// member is one desk of the fleet and its current daemon, if running.
type member struct {
	cfg     *config.Config
	log     *slog.Logger
	metrics *metrics.Metrics // kept across restarts of the desk's daemon

	mu      sync.Mutex
	d       *Daemon      // nil while the desk is not running
	handler http.Handler // what it serves under /d/SLUG/, while d runs
	err     error        // why it is not running
	running chan struct{}
}

// NewFleet prepares every desk of cfg; nothing is opened until Run.
func NewFleet(cfg *config.Config, log *slog.Logger) *Fleet {
	f := &Fleet{cfg: cfg, log: log, proc: prometheus.NewRegistry()}
	f.proc.MustRegister(metrics.Process()...)
	for _, dc := range cfg.Desks() {
		f.members = append(f.members, &member{
			cfg: dc, log: log.With("desk", dc.Slug), metrics: metrics.ForDesk(dc.Slug),
			err: errors.New("starting"), running: make(chan struct{}),
		})
	}
	return f
}

// Desk is the running daemon of the desk with slug, or nil while that
// desk is not running.
func (f *Fleet) Desk(slug string) *Daemon {
	for _, m := range f.members {
		if m.cfg.Slug == slug {
			m.mu.Lock()
			defer m.mu.Unlock()
			return m.d
		}
	}
	return nil
}

// Running is closed once the desk with slug has started for the first
// time (nil for an unknown slug).
func (f *Fleet) Running(slug string) <-chan struct{} {
	for _, m := range f.members {
		if m.cfg.Slug == slug {
			return m.running
		}
	}
	return nil
}

// HTTPAddr is the shared listener's address (after Start), or "".
func (f *Fleet) HTTPAddr() string {
	if f.httpLn == nil {
		return ""
	}
	return f.httpLn.Addr().String()
}

// Start binds the shared listener, so a taken port fails the start.
func (f *Fleet) Start(ctx context.Context) error {
	if f.cfg.HTTP.Addr == "" || f.httpLn != nil {
		return nil
	}
	if !f.cfg.HTTP.Loopback() {
		f.log.Warn("http.addr is not a loopback address: /healthz, /metrics and the desks' pages are reachable from the network", "addr", f.cfg.HTTP.Addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", f.cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	f.httpLn = ln
	f.log.Info("health, metrics and the desks' pages listening", "addr", ln.Addr().String(), "desks", len(f.members))
	return nil
}

// Run runs every desk until ctx is cancelled, then stops them all and
// returns nil. Only a listener that cannot be bound fails it.
func (f *Fleet) Run(ctx context.Context) error {
	if err := f.Start(ctx); err != nil {
		return err
	}
	defer func() {
		if f.httpLn != nil {
			f.httpLn.Close()
		}
	}()
	var wg sync.WaitGroup
	for _, m := range f.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.supervise(ctx)
		}()
	}
	if f.httpLn != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := supervise.Loop(ctx, f.log, "http", func(ctx context.Context) error {
				return serveOn(ctx, f.httpLn, f.handler(), f.log)
			}); err != nil {
				f.log.Error("loop stopped", "loop", "http", "err", err)
			}
		}()
	}
	slugs := make([]string, len(f.members))
	for i, m := range f.members {
		slugs[i] = m.cfg.Slug
	}
	f.log.Info("mailflow running several desks", "desks", slugs, "file", f.cfg.Path)
	<-ctx.Done()
	wg.Wait()
	f.log.Info("mailflow stopped")
	return nil
}

// supervise runs the desk's daemon until ctx ends, starting it again with
// backoff whenever it cannot start or stops with an error (or a panic).
func (m *member) supervise(ctx context.Context) {
	fails := supervise.Streak{Log: m.log, What: "desk not running", Max: time.Minute}
	for ctx.Err() == nil {
		began := time.Now()
		err := supervise.Loop(ctx, m.log, "desk", m.runOnce)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("stopped")
		}
		m.down(err)
		if time.Since(began) > time.Minute {
			fails.OK() // it ran a while: start over from a short wait
		}
		if !supervise.Sleep(ctx, fails.Fail(err)) {
			return
		}
	}
}

// runOnce opens the desk and runs it until ctx ends.
func (m *member) runOnce(ctx context.Context) error {
	d, err := New(ctx, m.cfg, m.log)
	if err != nil {
		return err
	}
	defer d.Close()
	d.inFleet = true
	d.metrics = m.metrics
	var h http.Handler
	if m.cfg.HTTP.Addr != "" {
		// Everything a single desk serves (its pages, /healthz, /metrics
		// and whatever else its handler has) under /d/SLUG/.
		root := deskRoot(m.cfg.Slug)
		w, err := d.newWeb(root)
		if err != nil {
			return err
		}
		d.web = w
		h = http.StripPrefix(root, d.httpHandler())
	}
	d.ready = func() { m.up(d, h) }
	return d.Run(ctx)
}

// deskRoot is where one desk of several lives on the shared listener.
func deskRoot(slug string) string { return "/d/" + slug }

func (m *member) up(d *Daemon, h http.Handler) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.d, m.handler, m.err = d, h, nil
	select {
	case <-m.running:
	default:
		close(m.running)
	}
}

func (m *member) down(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.d, m.handler, m.err = nil, nil, err
	m.metrics.Unhealthy(health.AllCauses, []string{health.CauseDaemon})
}

func (m *member) current() (*Daemon, http.Handler, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.d, m.handler, m.err
}

// health is the desk's verdict, also when it is not running.
func (m *member) health(ctx context.Context) health.DeskReport {
	r := health.DeskReport{Slug: m.cfg.Slug, Name: m.cfg.Name}
	d, _, err := m.current()
	if d == nil {
		r.Report = health.NotRunning(time.Now(), err)
		return r
	}
	rep, err := d.Health(ctx)
	if err != nil {
		rep = health.Report{Status: "unhealthy", Reasons: []string{"database: " + err.Error()}, Causes: []string{health.CauseDatabase}, Intake: "unknown", Checked: time.Now().UTC()}
	}
	r.Report = rep
	return r
}

// Health judges every desk, as GET /healthz does.
func (f *Fleet) Health(ctx context.Context) health.DesksReport {
	reps := make([]health.DeskReport, len(f.members))
	for i, m := range f.members {
		reps[i] = m.health(ctx)
	}
	return health.Combine(time.Now(), reps)
}

func (f *Fleet) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", f.serveHealth)
	mux.HandleFunc("GET /metrics", f.serveMetrics)
	for _, m := range f.members {
		mux.Handle(deskRoot(m.cfg.Slug)+"/", m)
	}
	return mux
}

// ServeHTTP serves the desk's pages while it runs, and says why not
// otherwise.
func (m *member) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, h, err := m.current()
	if h == nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, fmt.Sprintf("desk %s is not running: %v", m.cfg.Slug, err), http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

func (f *Fleet) serveHealth(w http.ResponseWriter, r *http.Request) {
	rep := f.Health(r.Context())
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	if !rep.Healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if err := json.NewEncoder(w).Encode(rep); err != nil {
		f.log.Debug("healthz answer not written", "err", err)
	}
}

func (f *Fleet) serveMetrics(w http.ResponseWriter, r *http.Request) {
	all := make([]*metrics.Metrics, len(f.members))
	for i, m := range f.members {
		all[i] = m.metrics
		if d, _, _ := m.current(); d != nil {
			d.refreshGauges(r.Context())
		}
	}
	metrics.HandlerFor(f.proc, all...).ServeHTTP(w, r)
}

// serveOn serves h on ln until ctx ends, then shuts down gracefully.
func serveOn(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: httpReadTimeout,
		ReadTimeout:       httpReadTimeout,
		WriteTimeout:      httpWriteTimeout,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), httpShutdown)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}
