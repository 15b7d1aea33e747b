package daemon

// Reload (SIGHUP). The decider and the jobs read the configuration, the
// desk, the rules and the templates through one holder, d.parts, which a
// reload swaps as a whole once the new set has passed every check `mailflow
// check` makes. A decision in flight finishes with the set it started with;
// the next one takes the new set. A refused reload logs why and changes
// nothing.
//
// The connections (imap, smtp, oauth2), the database, the sandbox, the
// http listener, the log and the limits (the sender's breaker) keep their
// running values: they belong to loops that hold sockets or files. A reload
// that changes them says they need a restart.

import (
	"context"
	"fmt"
	deskcore "github.com/mailflow/mailflow/mailflow/desk"
	"os"
	"os/signal"
	"reflect"
	"syscall"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/jobs"
	"github.com/mailflow/mailflow/mailflow/pipeline"
	"github.com/mailflow/mailflow/mailflow/rules"
)

// parts is what one reload replaces, built from one config.
type parts struct {
	cfg      *config.Config
	desk     *booking.Desk
	rules    *rules.Set
	composer *compose.Composer
	pipeline *pipeline.Pipeline
	jobs     *jobs.Runner
	// core is the desk core the web pages call (the pipeline has its own
	// of the same parts; the desk holds no state of its own).
	core *deskcore.Desk
}

// buildParts checks and builds everything that reads cfg's reloadable
// sections, the same checks as `mailflow check`.
func (d *Daemon) buildParts(cfg *config.Config) (*parts, error) {
	desk, rs, c, err := Parts(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if err := rs.CheckTemplates(c.Templates()); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	clock, err := jobs.New(cfg, d.st, desk, c, d.log.With("component", "jobs"), jobs.WithQueued(d.wakeSender))
	if err != nil {
		return nil, err
	}
	return &parts{
		cfg: cfg, desk: desk, rules: rs, composer: c, jobs: clock, core: deskcore.New(cfg, d.st, desk, c),
		pipeline: pipeline.New(cfg, d.st, desk, rs, c, d.log),
	}, nil
}

// current is the set the next decision or jobs pass uses.
func (d *Daemon) current() *parts { return d.parts.Load() }

// wakeSender nudges the outbox once Run has started it.
func (d *Daemon) wakeSender() {
	if s := d.sender; s != nil {
		s.Wake()
	}
}

// restartOnly are the sections a reload keeps as they run.
var restartOnly = []struct {
	key string
	get func(*config.Config) any
	set func(dst, src *config.Config)
}{
	{"imap", func(c *config.Config) any { return c.IMAP }, func(d, s *config.Config) { d.IMAP = s.IMAP }},
	{"smtp", func(c *config.Config) any { return c.SMTP }, func(d, s *config.Config) { d.SMTP = s.SMTP }},
	{"oauth2", func(c *config.Config) any { return c.OAuth2 }, func(d, s *config.Config) { d.OAuth2 = s.OAuth2 }},
	{"database", func(c *config.Config) any { return c.Database }, func(d, s *config.Config) { d.Database = s.Database }},
	{"sandbox", func(c *config.Config) any { return c.Sandbox }, func(d, s *config.Config) { d.Sandbox = s.Sandbox }},
	{"http", func(c *config.Config) any { return c.HTTP }, func(d, s *config.Config) { d.HTTP = s.HTTP }},
	{"log", func(c *config.Config) any { return c.Log }, func(d, s *config.Config) { d.Log = s.Log }},
	{"limits", func(c *config.Config) any { return c.Limits }, func(d, s *config.Config) { d.Limits = s.Limits }},
}

// Reload re-reads the config file the daemon was started with, and the
// rules and templates it names. On any error the running set stays and the
// error (with file:line where there is one) is logged and returned.
func (d *Daemon) Reload(ctx context.Context) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	old := d.current()
	if err := d.reload(old); err != nil {
		d.log.Error("reload refused; the running configuration stays", "file", old.cfg.Path, "err", err)
		return err
	}
	return nil
}

func (d *Daemon) reload(old *parts) error {
	if old.cfg.Path == "" {
		return fmt.Errorf("the daemon was not started from a config file")
	}
	// One desk of several reloads its own entry (the others reload
	// themselves on the same SIGHUP, and a mistake in another's entry
	// does not stop this one); desks added or removed need a restart.
	cfg, err := config.LoadDesk(old.cfg.Path, old.cfg.Slug)
	if err != nil {
		return err
	}
	// The running values win (the sandbox even rewrote imap and smtp to
	// the ports it bound): every loop keeps agreeing on them.
	var needRestart []string
	for _, s := range restartOnly {
		if !reflect.DeepEqual(s.get(cfg), s.get(d.startCfg)) {
			needRestart = append(needRestart, s.key)
		}
		s.set(cfg, old.cfg)
	}
	p, err := d.buildParts(cfg)
	if err != nil {
		return err
	}
	d.parts.Store(p)
	select {
	case d.reloaded <- struct{}{}:
	default:
	}
	d.log.Info("configuration reloaded", "file", cfg.Path, "rules", len(p.rules.Rules()), "technicians", len(cfg.Technicians))
	if len(needRestart) > 0 {
		d.log.Warn("changed sections take effect only after a restart; they keep their running values", "sections", needRestart)
	}
	return nil
}

// watchReload turns SIGHUP into Reload until ctx ends. Run installs the
// signal handler before it starts any loop, so a SIGHUP that arrives once
// the daemon answers mail never kills it.
func (d *Daemon) watchReload(ctx context.Context, hup <-chan os.Signal) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			d.log.Info("SIGHUP: reloading configuration, rules and templates")
			d.Reload(ctx) // logs its own outcome
		}
	}
}

// notifyHangup starts delivering SIGHUP to the returned channel; stop ends it.
func notifyHangup() (hup <-chan os.Signal, stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	return ch, func() { signal.Stop(ch) }
}

// runJobs runs the current jobs runner and, after a reload, stops it and
// runs the new one. A pass cut short rolls back; its keys keep it from
// sending anything twice when the new runner makes the same pass.
func (d *Daemon) runJobs(ctx context.Context) error {
	for {
		jctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		r := d.current().jobs
		go func() { done <- r.Run(jctx) }()
		select {
		case <-ctx.Done():
			cancel()
			return <-done
		case <-d.reloaded:
			cancel()
			if err := <-done; err != nil {
				d.log.Error("jobs runner stopped with an error", "err", err)
			}
		}
	}
}
