// Package jobs owns mailflow's clock-driven work: each technician's daily
// agenda and the customers' reminders before a session. It runs beside the
// mail path, never inside it: a pass looks at the clock and the database,
// and whatever is due is queued in the outbox like any other mail.
//
// Every job has a key ("agenda/2026-11-26/anna@example.com",
// "reminder/FW-1001/day-before"). The key, the outbox row and the audit row
// commit in one transaction, so a second pass in the same minute, a second
// process or a restart at the due minute finds the key taken and sends
// nothing twice. Work missed while the daemon was down is caught up at the
// next pass as far as it still makes sense (see dueAgendas, dueReminder).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Runner runs the jobs. Its methods are safe for concurrent use; two
// Runners on one database (two processes) still send everything once.
type Runner struct {
	cfg      *config.Config
	st       *store.Store
	desk     *booking.Desk
	composer *compose.Composer
	log      *slog.Logger
	loc      *time.Location

	agendaAt  int // minutes after midnight, desk time; -1 with agenda_time: none
	dayBefore int // minutes after midnight of the day-before reminder; -1 without one
	reminders []config.Reminder

	now    func() time.Time
	queued func()
	every  time.Duration
	wake   chan struct{}

	// failing remembers the keys whose job failed, so a job that fails on
	// every pass is logged as an error once and then quietly retried.
	mu      sync.Mutex
	failing map[string]bool
	// lastPurge is when retention last ran; it runs hourly.
	lastPurge time.Time
}

// Option changes a Runner's defaults.
type Option func(*Runner)

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(r *Runner) { r.now = now } }

// WithQueued sets what to call after a pass queued mail: the daemon passes
// the outbox's Wake so the mail leaves at once instead of at its next poll.
func WithQueued(f func()) Option { return func(r *Runner) { r.queued = f } }

// WithInterval sets how often Run looks at the clock (default 30 s).
func WithInterval(d time.Duration) Option { return func(r *Runner) { r.every = d } }

// defaultInterval is how often Run looks at the clock: a job is due on the
// minute, and half a minute late is on time for a mail.
const defaultInterval = 30 * time.Second

// New builds a Runner from the configuration (jobs.agenda_time,
// jobs.team_lead, jobs.reminders) and the parts every command has.
func New(cfg *config.Config, st *store.Store, desk *booking.Desk, composer *compose.Composer, log *slog.Logger, opts ...Option) (*Runner, error) {
	agendaAt, err := config.ParseClock(cfg.Jobs.AgendaTime)
	switch {
	case strings.EqualFold(strings.TrimSpace(cfg.Jobs.AgendaTime), config.AgendaOff):
		agendaAt = -1
	case err != nil:
		return nil, fmt.Errorf("jobs.agenda_time: %w", err)
	}
	r := &Runner{
		// Keyed Message-IDs: a reply to a reminder proves who wrote it.
		cfg: cfg, st: st, desk: desk, composer: composer.WithSecret(st.IDSecret()), log: log, loc: desk.Location(),
		agendaAt: agendaAt, dayBefore: -1,
		now: time.Now, every: defaultInterval, wake: make(chan struct{}, 1), failing: map[string]bool{},
	}
	for i, rem := range cfg.Jobs.Reminders {
		switch {
		case rem.DayBeforeAt != "":
			if r.dayBefore, err = config.ParseClock(rem.DayBeforeAt); err != nil {
				return nil, fmt.Errorf("jobs.reminders[%d].day_before_at: %w", i, err)
			}
		case rem.Before <= 0:
			return nil, fmt.Errorf("jobs.reminders[%d].before: %s is not above 0", i, rem.Before)
		}
		r.reminders = append(r.reminders, rem)
	}
	for _, o := range opts {
		o(r)
	}
	if r.every <= 0 {
		r.every = defaultInterval
	}
	return r, nil
}

// Wake asks Run for a pass now. It never blocks.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run makes a pass at once and then every interval (or on Wake) until ctx
// is cancelled, and returns nil then. A failed pass is logged; its jobs are
// still due at the next one.
func (r *Runner) Run(ctx context.Context) error {
	t := time.NewTicker(r.every)
	defer t.Stop()
	// A database refusing writes is logged once per streak (the daemon
	// logs it too); the ticker is the backoff.
	writes := supervise.Streak{Log: r.log, What: "database refuses writes: agendas, reminders and retention paused"}
	for {
		_, err := r.RunDue(ctx, r.now())
		switch {
		case err == nil:
			writes.OK()
		case ctx.Err() != nil:
		case store.IsWriteRefused(err):
			writes.Fail(err)
		default:
			writes.OK()
			r.log.Error("jobs pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.wake:
		}
	}
}

// Report counts the mails one pass queued.
type Report struct {
	Agendas, Reminders int
	// Alerts counts mails to the team lead about the daemon (breaker trips).
	Alerts int
	// Purged is what the hourly retention run erased (zero between runs).
	Purged store.PurgeResult
}

// RunDue queues every job due at now that is not done yet. One failing job
// does not keep the others back: all errors are returned together.
func (r *Runner) RunDue(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	var errs []error
	n, err := r.dueAgendas(ctx, now)
	rep.Agendas = n
	errs = append(errs, err)
	n, err = r.dueReminders(ctx, now)
	rep.Reminders = n
	errs = append(errs, err)
	n, err = r.dueAlerts(ctx, now)
	rep.Alerts = n
	errs = append(errs, err)
	if rep.Agendas+rep.Reminders+rep.Alerts > 0 && r.queued != nil {
		r.queued()
	}
	rep.Purged, err = r.purge(ctx, now)
	errs = append(errs, err)
	r.recordNextRuns(ctx, now)
	return rep, errors.Join(errs...)
}

// purge applies the retention periods once an hour: AnyDesk IDs and raw
// mail of finished sessions are deleted when their time is up.
func (r *Runner) purge(ctx context.Context, now time.Time) (store.PurgeResult, error) {
	r.mu.Lock()
	due := r.lastPurge.IsZero() || now.Sub(r.lastPurge) >= time.Hour || now.Before(r.lastPurge)
	if due {
		r.lastPurge = now
	}
	r.mu.Unlock()
	if !due {
		return store.PurgeResult{}, nil
	}
	res, err := r.st.Purge(ctx, now, store.Retention{AnyDeskIDDays: r.cfg.Retention.AnyDeskIDDays, RawMailDays: r.cfg.Retention.RawMailDays})
	if err != nil {
		return res, fmt.Errorf("retention purge: %w", err)
	}
	if res.Total() > 0 {
		r.log.Info("retention purge", "erased", res.String())
	}
	return res, nil
}

// errChanged rolls a job's transaction back when what it is about changed
// since the pass looked (cancelled, moved): nothing is sent, the key stays
// free, and the next pass decides afresh.
var errChanged = errors.New("changed since the pass looked")

// failed logs a job's failure: as an error the first time, then at debug
// level, so a job that keeps failing does not flood the log every pass.
func (r *Runner) failed(ctx context.Context, key string, err error) {
	r.mu.Lock()
	again := r.failing[key]
	r.failing[key] = true
	r.mu.Unlock()
	level := slog.LevelError
	if again {
		level = slog.LevelDebug
	}
	r.log.Log(ctx, level, "job failed, retrying at the next pass", "job", key, "err", err)
}

func (r *Runner) succeeded(key string) {
	r.mu.Lock()
	delete(r.failing, key)
	r.mu.Unlock()
}

// Day arithmetic on the desk's wall clock: dates are built from year, month
// and day, never by adding 24 hours, so DST days come out right.

func (r *Runner) dayStart(t time.Time) time.Time {
	y, m, d := t.In(r.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, r.loc)
}

func (r *Runner) addDays(t time.Time, n int) time.Time {
	y, m, d := t.In(r.loc).Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, r.loc)
}

func (r *Runner) clock(day time.Time, minutes int) time.Time {
	y, m, d := day.In(r.loc).Date()
	return time.Date(y, m, d, minutes/60, minutes%60, 0, 0, r.loc)
}

// maxDayWalk bounds searches for a working day: more than a year without
// one is a configuration that has no working days at all.
const maxDayWalk = 370

// workingDayAfter returns the first working day after day's date for
// technician ("" for anybody), zero when none comes within maxDayWalk days.
func (r *Runner) workingDayAfter(day time.Time, technician string) time.Time {
	for i := 1; i <= maxDayWalk; i++ {
		if d := r.addDays(day, i); r.desk.WorkingDay(d, technician) {
			return d
		}
	}
	return time.Time{}
}

// workingDayBefore returns the last working day (anybody at work) before
// day's date; the calendar day before when there is none.
func (r *Runner) workingDayBefore(day time.Time) time.Time {
	for i := 1; i <= maxDayWalk; i++ {
		if d := r.addDays(day, -i); r.desk.WorkingDay(d, "") {
			return d
		}
	}
	return r.addDays(day, -1)
}

func sameAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
