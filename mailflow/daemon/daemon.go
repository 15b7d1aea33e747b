// Package daemon wires mailflow together and runs its loops: the embedded
// sandbox mail server (when enabled), intake (mailbox.Watcher), the decider
// (pipeline), delivery (outbox.Sender) and the clock-driven jobs (agenda,
// reminders). It holds no business rules.
//
// Goroutines and who owns what:
//   - intake owns the IMAP connection; after committing new mail it wakes
//     the decider.
//   - the decider owns deciding: it takes undecided mail from the database
//     one at a time, and after each decision wakes the sender and asks
//     intake to flag or move the decided mail.
//   - the sender owns SMTP delivery of the outbox.
//   - the eraser owns the server copies of mail whose database copy
//     ended (retention, forget): it works a durable queue on short IMAP
//     connections of its own, woken after each decision.
//   - the jobs runner owns the clock: it queues agendas and reminders when
//     they fall due and wakes the sender.
//
// The database is the only state they share; the wake-ups are hints, so a
// lost one delays work but never loses it.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/outbox"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/sandbox"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/web"
)

// Daemon is one running mailflow.
type Daemon struct {
	cfg  *config.Config
	log  *slog.Logger
	st   *store.Store
	lock *store.DaemonLock // held from New to Close: one daemon per SQLite database
	wake chan struct{}
	// instance names this process among those sharing a PostgreSQL
	// database (instances.go); host is its machine.
	instance, host string

	// parts holds the config, desk, rules, templates, pipeline and jobs
	// runner that SIGHUP swaps (reload.go); startCfg is the config the
	// daemon started with, whose connections it keeps until a restart.
	parts    atomic.Pointer[parts]
	startCfg *config.Config
	reloadMu sync.Mutex
	reloaded chan struct{}
	// inFleet: one desk of several (fleet.go); the fleet owns the http
	// listener and serves this desk's pages, health and metrics on it
	// once Run calls ready.
	inFleet bool
	ready   func()

	// Sandbox is the embedded mail server when enabled (after Start).
	Sandbox *sandbox.Server
	sender  *outbox.Sender
	watcher *mailbox.Watcher
	eraser  *mailbox.Eraser

	metrics *metrics.Metrics
	httpLn  net.Listener // the /healthz and /metrics listener (after Start), or nil
	web     *web.Server  // the desk's pages on httpLn
	started time.Time    // when Run began; health ignores status left from before
	cal     *calendars   // technicians' own calendars (calendar.go)
}

// Parts builds the pure parts every command needs: the desk, the rules and
// the composer. Errors name the file at fault.
func Parts(cfg *config.Config) (*booking.Desk, *rules.Set, *compose.Composer, error) {
	desk, err := booking.New(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	rs, err := rules.Load(cfg.Rules.Dir)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := compose.New(cfg, cfg.Templates.Dir)
	if err != nil {
		return nil, nil, nil, err
	}
	return desk, rs, c, nil
}

// New opens the database and builds the pipeline.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Daemon, error) {
	if err := cfg.CheckSecrets(); err != nil {
		return nil, err
	}
	// One daemon per database, decided before the database is touched:
	// two would answer every mail twice.
	// On PostgreSQL the lock lives in the database, so it is taken right
	// after connecting and before anything else is done with it.
	driver, source, err := cfg.Database.Source()
	if err != nil {
		return nil, err
	}
	var lock *store.DaemonLock
	if driver == store.SQLite {
		if lock, err = store.Lock(cfg.Database.Path); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(ctx, driver, source)
	if err != nil {
		lock.Close()
		return nil, err
	}
	// On PostgreSQL several instances may share the database: they
	// divide the work by claims and leases (instances.go) instead.
	instance, host := newInstanceID()
	st.SetInstance(instance)
	// A copy as read from the file: Start rewrites cfg's imap and smtp
	// to the sandbox's ports, and a reload compares with the file.
	asRead := *cfg
	d := &Daemon{
		cfg: cfg, startCfg: &asRead, log: log, st: st, lock: lock, instance: instance, host: host,
		wake:     make(chan struct{}, 1),
		reloaded: make(chan struct{}, 1),
		metrics:  metrics.New(),
	}
	if d.cal, err = d.buildCalendars(cfg); err != nil {
		st.Close()
		lock.Close()
		return nil, err
	}
	p, err := d.buildParts(cfg)
	if err != nil {
		st.Close()
		lock.Close()
		return nil, err
	}
	d.parts.Store(p)
	return d, nil
}

// Store is the daemon's database.
func (d *Daemon) Store() *store.Store { return d.st }

// Close releases the database and the sandbox.
func (d *Daemon) Close() error {
	var errs []error
	if d.Sandbox != nil {
		errs = append(errs, d.Sandbox.Close())
	}
	errs = append(errs, d.closeHTTP())
	errs = append(errs, d.st.Close())
	errs = append(errs, d.lock.Close())
	return errors.Join(errs...)
}

// Start starts the sandbox mail server if configured, so callers (and tests)
// know its addresses before Run.
func (d *Daemon) Start(ctx context.Context) error {
	if err := d.listenHTTP(ctx); err != nil {
		return err
	}
	if !d.cfg.Sandbox.Enabled || d.Sandbox != nil {
		return nil
	}
	users := append([]string{d.cfg.IMAP.Username}, d.cfg.Sandbox.Users...)
	for _, t := range d.cfg.Technicians {
		users = append(users, t.Email)
	}
	srv, err := sandbox.Start(ctx, sandbox.Options{
		IMAPAddr: d.cfg.Sandbox.IMAPAddr, SMTPAddr: d.cfg.Sandbox.SMTPAddr,
		Users: users, Password: d.cfg.Sandbox.Password, Logger: d.log,
	})
	if err != nil {
		return fmt.Errorf("start sandbox mail server: %w", err)
	}
	d.Sandbox = srv
	// Point intake and delivery at the ports actually bound.
	d.cfg.IMAP.Host, d.cfg.IMAP.Port = hostPort(srv.IMAPAddr())
	d.cfg.SMTP.Host, d.cfg.SMTP.Port = hostPort(srv.SMTPAddr())
	d.log.Info("sandbox mail server running", "imap", srv.IMAPAddr(), "smtp", srv.SMTPAddr(),
		"support", d.cfg.IMAP.Username, "password", "(sandbox.password)")
	return nil
}

func hostPort(addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// Run runs until ctx is cancelled, then stops every loop (the mail being
// decided either commits or rolls back) and returns nil.
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.Start(ctx); err != nil {
		return err
	}
	d.sender = outbox.New(d.cfg, d.st, d.log.With("component", "outbox"))
	d.watcher = mailbox.New(d.cfg, d.st, d.log.With("component", "intake"), d.Wake)
	d.eraser = mailbox.NewEraser(d.cfg, d.st, d.log.With("component", "eraser"))
	d.eraser.SetMetrics(d.metrics)
	d.eraser.SetPolicy(func() config.Retention { return d.current().cfg.Retention })
	d.observe()
	hup, stopHup := notifyHangup()
	defer stopHup()
	d.st.OnWriteState(d.writeStateChanged)
	var wg sync.WaitGroup
	// Every loop is supervised: a panic is logged with its stack, counted
	// (mailflow_panics_total) and the loop restarted with backoff.
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := supervise.Loop(ctx, d.log, name, f); err != nil {
				d.log.Error("loop stopped", "loop", name, "err", err)
			}
		}()
	}
	run("decider", d.decide)
	if d.shared() {
		d.sender.SetPoll(sharedPoll)
	}
	run("outbox", d.sender.Run)
	singletons := []loop{{"intake", d.watcher.Run}, {"eraser", d.eraser.Run}, {"jobs", d.runJobs}}
	if d.shared() {
		run("heartbeat", d.beat)
		run("lease", func(ctx context.Context) error { return d.lead(ctx, singletons) })
	} else {
		for _, l := range singletons {
			run(l.name, l.f)
		}
	}
	if d.httpLn != nil {
		run("http", d.serveHTTP)
	}
	d.cal.run(run)
	run("reload", func(ctx context.Context) error { return d.watchReload(ctx, hup) })
	d.log.Info("mailflow running", "mailbox", d.cfg.IMAP.Mailbox, "imap", fmt.Sprintf("%s:%d", d.cfg.IMAP.Host, d.cfg.IMAP.Port),
		"smtp", fmt.Sprintf("%s:%d", d.cfg.SMTP.Host, d.cfg.SMTP.Port), "database", d.cfg.Database.Name())
	<-ctx.Done()
	wg.Wait()
	d.log.Info("mailflow stopped")
	return nil
}

// Wake tells the decider that new mail was stored. Never blocks.
func (d *Daemon) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// maxFailures is how often deciding one mail may fail before it is routed
// to a human instead, so one bad mail never blocks those behind it.
const maxFailures = 3

// writeStateChanged logs the start and the end of a streak of refused
// database writes (once each, whichever loop met it) and sets the metric.
func (d *Daemon) writeStateChanged(refused bool, since time.Time, err error) {
	d.metrics.WritesRefused(refused)
	if refused {
		d.log.Error("database refuses writes: intake, deciding and sending pause until it takes writes again; nothing is sent that cannot be recorded",
			"database", d.cfg.Database.Name(), "err", err)
		return
	}
	d.log.Info("database takes writes again; resuming", "after", time.Since(since).Round(time.Millisecond))
}

// decide takes undecided mail from the database until ctx ends.
func (d *Daemon) decide(ctx context.Context) error {
	failures := map[int64]int{}
	writes := supervise.Streak{Log: d.log.With("loop", "decider"), What: "database refuses writes: deciding paused"}
	for {
		retry := false
		ids, err := d.st.Undecided(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Error("list undecided mail", "err", err)
			retry = true
		}
	mails:
		for _, id := range ids {
			if ctx.Err() != nil {
				return nil
			}
			p := d.current().pipeline
			res, err := p.Process(ctx, id, time.Now())
			switch {
			case err == nil:
				writes.OK()
			case ctx.Err() != nil:
				return nil // rolled back; decided again after restart
			case store.IsWriteRefused(err):
				// Not this mail's fault: it is decided again, from scratch,
				// once the database takes writes. Never routed to a human
				// for it.
				if !supervise.Sleep(ctx, writes.Fail(err)) {
					return nil
				}
				retry = true
				break mails
			default:
				failures[id]++
				d.log.Error("deciding mail failed", "incoming", id, "attempt", failures[id], "err", err)
				if failures[id] >= maxFailures {
					if res, err := p.Fail(ctx, id, err.Error()); err != nil {
						d.log.Error("routing failed mail to a human failed", "incoming", id, "err", err)
					} else if res != nil {
						d.metrics.Decided(res.Outcome, res.Rule)
					}
				}
				retry = true
				continue
			}
			delete(failures, id)
			if res != nil {
				d.metrics.Decided(res.Outcome, res.Rule)
			}
			d.sender.Wake()
			d.watcher.Dispose()
			// A decision may have ended a mail's database copy (a session
			// done erases its ID): the eraser, on its own connection,
			// ends the server copy. Only a hint; the queue is durable.
			d.eraser.Wake()
		}
		wait := time.Hour
		if d.shared() {
			wait = sharedPoll // mail stored by another instance's intake wakes nobody here
		}
		if retry {
			wait = min(wait, 2*time.Second)
		}
		if retry && writes.Failing() {
			wait = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
	}
}
