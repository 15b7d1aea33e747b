// Package health owns the one verdict on whether mailflow is doing its job:
// is intake connected and alive, does the outbox drain, do the OAuth tokens
// work. `mailflow status` and the daemon's /healthz both ask Check, so the
// operator's terminal and the monitoring system never disagree.
//
// Check is pure: it judges facts read from the store's status table (and,
// inside the daemon, its start time) against thresholds from the config.
package health

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Causes: what a reason is about. Each is also a metric
// (mailflow_unhealthy{cause=...}).
const (
	CauseIntake   = "intake"   // not connected, stopped or silent
	CauseSMTP     = "smtp"     // delivery failing while mail waits, or mail stuck
	CauseDatabase = "database" // writes refused (disk full, read-only, I/O)
	CauseBreaker  = "breaker"  // the circuit breaker holds replies back
	CauseDisk     = "disk"     // free space under http.min_free_disk
	CauseOAuth    = "oauth"    // token refresh failing
	CauseDaemon   = "daemon"   // (mailflow status only) no daemon holds the database
)

// AllCauses lists every cause, for metrics that show 0 for the healthy ones.
var AllCauses = []string{CauseIntake, CauseSMTP, CauseDatabase, CauseBreaker, CauseDisk, CauseOAuth, CauseDaemon, CauseCalendar}

// Thresholds say how long each kind of trouble may last before it counts.
type Thresholds struct {
	// ConnectGrace is how long intake may be connecting or reconnecting
	// (a server restart, a network blip) before it is unhealthy.
	ConnectGrace time.Duration
	// IntakeSilence is how long intake may go without a successful poll or
	// heartbeat.
	IntakeSilence time.Duration
	// OutboxStuck is how old the oldest pending outbox mail may get.
	OutboxStuck time.Duration
	// MinFreeDisk is the least free space (bytes) where the database lives; 0: not checked.
	MinFreeDisk int64
}

// FromConfig returns the thresholds of the http section.
func FromConfig(c config.HTTP) Thresholds {
	return Thresholds{ConnectGrace: c.ConnectGrace, IntakeSilence: c.IntakeSilence, OutboxStuck: c.OutboxStuck, MinFreeDisk: c.MinFreeDisk}
}

// Facts is what Check judges.
type Facts struct {
	Now    time.Time
	Status map[string]store.StatusValue
	Outbox store.OutboxStats
	// Started is when the running daemon started; zero when the facts are
	// read from outside it (mailflow status). Status written before it is
	// left over from an earlier run.
	Started time.Time
	// Live is what only the running process knows (it may be unable to
	// write it down: the database refusing writes is one such fact).
	Live Live
	// Calendar is the queue of writes to technicians' calendars.
	Calendar store.CalendarSyncStats
}

// Live facts, from the daemon's memory or measured by `mailflow status`.
type Live struct {
	// WritesRefusedSince is when the database started refusing writes
	// (zero: writes work), with the last such error.
	WritesRefusedSince time.Time
	WritesErr          error
	// SMTPFailingSince is when delivery started failing for reasons of
	// the server or the network (zero: the last attempt worked).
	SMTPFailingSince time.Time
	SMTPErr          error
	// BreakerOpen: the circuit breaker holds replies back.
	BreakerOpen bool
	// DiskFree is the free space where the database lives (bytes), when
	// DiskChecked.
	DiskFree    int64
	DiskChecked bool
	// NoDaemon: no process holds the database's daemon lock (status only).
	NoDaemon bool
}

// Gather reads the facts from the store.
func Gather(ctx context.Context, st *store.Store, now, started time.Time) (Facts, error) {
	kv, err := st.Status(ctx)
	if err != nil {
		return Facts{}, fmt.Errorf("health: %w", err)
	}
	ob, err := st.OutboxStats(ctx)
	if err != nil {
		return Facts{}, fmt.Errorf("health: %w", err)
	}
	cal, err := st.CalendarSyncStats(ctx)
	if err != nil {
		return Facts{}, fmt.Errorf("health: %w", err)
	}
	return Facts{Now: now, Status: kv, Outbox: ob, Started: started, Calendar: cal}, nil
}

// Report is the verdict, shaped for /healthz.
type Report struct {
	Healthy bool      `json:"healthy"`
	Status  string    `json:"status"` // "ok" or "unhealthy"
	Reasons []string  `json:"reasons,omitempty"`
	Causes  []string  `json:"causes,omitempty"` // one per reason, see Cause*
	Intake  string    `json:"intake"`           // the intake state, "unknown" if never written
	Pending int       `json:"outbox_pending"`
	Dead    int       `json:"outbox_dead"`
	Checked time.Time `json:"checked_at"`
}

// Verdict is the report in one line: "healthy" or "unhealthy: reasons".
func (r Report) Verdict() string {
	if r.Healthy {
		return "healthy"
	}
	return "unhealthy: " + strings.Join(r.Reasons, "; ")
}

// Check judges the facts.
func Check(f Facts, th Thresholds) Report {
	r := Report{Intake: "unknown", Pending: f.Outbox.Pending, Dead: f.Outbox.Dead, Checked: f.Now.UTC()}
	cause := CauseIntake
	add := func(format string, args ...any) {
		r.Reasons = append(r.Reasons, fmt.Sprintf(format, args...))
		r.Causes = append(r.Causes, cause)
	}
	// current returns a status value unless it is left over from an earlier run.
	current := func(key string) (store.StatusValue, bool) {
		v, ok := f.Status[key]
		if ok && !f.Started.IsZero() && v.UpdatedAt.Before(f.Started) {
			return v, false
		}
		return v, ok
	}
	age := func(t time.Time) time.Duration { return f.Now.Sub(t).Round(time.Second) }

	// Intake connection.
	state, ok := current(store.StatusIntakeState)
	switch {
	case !ok:
		if f.Started.IsZero() || f.Now.Sub(f.Started) > th.ConnectGrace {
			add("intake has not started")
		}
	case state.Value == mailbox.StateStopped:
		r.Intake = state.Value
		add("intake stopped %s ago", age(state.UpdatedAt))
	case state.Value == mailbox.StateConnecting || state.Value == mailbox.StateReconnecting:
		r.Intake = state.Value
		since := state.UpdatedAt
		if d, ok := f.Status[store.StatusIntakeDownSince]; ok && d.Value != "" {
			if t, err := time.Parse(time.RFC3339, d.Value); err == nil && t.Before(since) {
				since = t
			}
		}
		if !f.Started.IsZero() && since.Before(f.Started) {
			since = f.Started
		}
		if f.Now.Sub(since) > th.ConnectGrace {
			msg := fmt.Sprintf("intake not connected for %s (%s)", age(since), state.Value)
			if e, ok := f.Status[store.StatusIntakeLastErr]; ok && e.Value != "" && !e.UpdatedAt.Before(since) {
				msg += ": " + oneLine(e.Value)
			}
			add("%s", msg)
		}
	default:
		r.Intake = state.Value
	}

	// Intake liveness: a poll or a heartbeat at least every IntakeSilence.
	var last time.Time
	if b, ok := f.Status[store.StatusIntakeBeat]; ok {
		last = b.UpdatedAt
	}
	if f.Started.After(last) {
		last = f.Started // a fresh daemon gets the full silence allowance
	}
	if !last.IsZero() && f.Now.Sub(last) > th.IntakeSilence {
		add("intake silent for %s (no successful poll or heartbeat)", age(last))
	}

	if f.Live.NoDaemon {
		cause = CauseDaemon
		add("no mailflow daemon is running on this database")
	}

	// Outbox drains.
	cause = CauseSMTP
	smtpSince, smtpErr := f.Live.SMTPFailingSince, f.Live.SMTPErr
	if smtpSince.IsZero() {
		if v, ok := current(store.StatusOutboxFailing); ok && v.Value != "" {
			if t, err := time.Parse(time.RFC3339, v.Value); err == nil {
				smtpSince = t
				if e, ok := f.Status[store.StatusOutboxLastErr]; ok && e.Value != "" {
					smtpErr = fmt.Errorf("%s", e.Value)
				}
			}
		}
	}
	if !smtpSince.IsZero() && f.Outbox.Pending > 0 && f.Now.Sub(smtpSince) > th.ConnectGrace {
		msg := fmt.Sprintf("smtp delivery failing for %s with %d mails waiting", age(smtpSince), f.Outbox.Pending)
		if smtpErr != nil {
			msg += ": " + oneLine(smtpErr.Error())
		}
		add("%s", msg)
	} else if o := f.Outbox.OldestPending; !o.IsZero() && f.Now.Sub(o) > th.OutboxStuck {
		add("outbox stuck: oldest of %d pending mails is %s old", f.Outbox.Pending, age(o))
	}

	// The database takes writes.
	cause = CauseDatabase
	if t := f.Live.WritesRefusedSince; !t.IsZero() {
		msg := "database refuses writes (intake, deciding and sending paused)"
		if a := age(t); a > 0 {
			msg = fmt.Sprintf("database refuses writes for %s (intake, deciding and sending paused)", a)
		}
		if f.Live.WritesErr != nil {
			msg += ": " + oneLine(f.Live.WritesErr.Error())
		}
		add("%s", msg)
	}
	cause = CauseDisk
	if th.MinFreeDisk > 0 && f.Live.DiskChecked && f.Live.DiskFree < th.MinFreeDisk {
		add("disk space low where the database lives: %s free, below %s", Bytes(f.Live.DiskFree), Bytes(th.MinFreeDisk))
	}

	// The breaker.
	cause = CauseBreaker
	breaker := f.Live.BreakerOpen
	if !breaker && f.Started.IsZero() {
		if v, ok := f.Status[store.StatusBreaker]; ok && v.Value != "" && v.Value != "closed" {
			breaker = true
		}
	}
	if breaker {
		msg := "circuit breaker open: replies held back"
		if v, ok := f.Status[store.StatusBreaker]; ok && v.Value != "" && v.Value != "closed" {
			msg += " (" + oneLine(v.Value) + ")"
		}
		add("%s", msg)
	}

	// Tokens: a refresh failure counts until a login succeeds after it.
	cause = CauseOAuth
	if e, ok := f.Status[store.StatusOAuthLastErr]; ok && strings.TrimSpace(e.Value) != "" {
		var login time.Time
		for _, k := range []string{store.StatusIntakeLogin, store.StatusOutboxLogin} {
			if l, ok := f.Status[k]; ok && l.UpdatedAt.After(login) {
				login = l.UpdatedAt
			}
		}
		if !login.After(e.UpdatedAt) {
			add("oauth token refresh failing (%s ago): %s", age(e.UpdatedAt), oneLine(e.Value))
		}
	}

	cause = CauseCalendar
	checkCalendars(f, th, add)

	r.Healthy = len(r.Reasons) == 0
	r.Status = "ok"
	if !r.Healthy {
		r.Status = "unhealthy"
	}
	return r
}

// Bytes formats a byte count for people (MiB/GiB).
func Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// oneLine keeps an error message to one short line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 200
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
