package calendar

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/config"
)

// BusyCache holds every technician's busy times for the booking window,
// read in the background (Run) every calendars.refresh. A decision reads
// the cache (BusyTimes) and never waits on a service, except up to
// calendars.timeout for a technician whose busy times were never read
// yet. A technician whose busy times are older than calendars.stale (the
// service unreachable) counts with the config alone: their hours and
// absences, and the desk's own bookings.
type BusyCache struct {
	services map[string]Service
	loc      *time.Location
	settings config.Calendars
	horizon  int // days
	log      *slog.Logger
	now      func() time.Time
	// onState is told when a technician's calendar starts or stops being
	// usable (the daemon writes it to the status table).
	onState func(technician string, s State)

	mu      sync.Mutex
	entries map[string]*busyEntry
	// base bounds every read: Run's context, so reads end with the daemon
	// (a read a decision started is not cancelled with that decision).
	base context.Context
}

type busyEntry struct {
	periods  []Period
	from, to time.Time
	fetched  time.Time // last successful read
	failing  time.Time // first failure since the last success
	lastErr  error
	running  chan struct{} // closed when the refresh under way ends
	reported bool          // the last onState said "fallback"
}

// State is one technician's calendar as status and health show it.
type State struct {
	Technician string
	Provider   string
	// Fetched is when busy times were last read (zero: never).
	Fetched time.Time
	// Fallback: the busy times are missing or stale, so bookings for
	// this technician go by the config alone.
	Fallback bool
	// FailingSince and Err: the reads fail (zero: the last one worked).
	FailingSince time.Time
	Err          string
}

// chunk bounds the window of one read: Graph's getSchedule takes at most
// 62 days, and smaller answers fail less.
const chunk = 31 * 24 * time.Hour

// NewBusyCache builds the cache over services (keyed by lower-case email).
func NewBusyCache(cfg *config.Config, services map[string]Service, log *slog.Logger) *BusyCache {
	if log == nil {
		log = slog.Default()
	}
	return &BusyCache{services: services, loc: cfg.Location(), settings: cfg.CalendarSettings(), horizon: cfg.Desk.HorizonDays,
		log: log, now: time.Now, entries: map[string]*busyEntry{}, onState: func(string, State) {}, base: context.Background()}
}

// OnState sets the function told about each technician's fallback
// turning on or off. Call before Run.
func (b *BusyCache) OnState(f func(technician string, s State)) { b.onState = f }

// window is what one refresh reads: from yesterday (a session in progress)
// to the end of the booking horizon.
func (b *BusyCache) window() (time.Time, time.Time) {
	now := b.now().In(b.loc)
	y, m, d := now.Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, b.loc), time.Date(y, m, d+b.horizon+2, 0, 0, 0, 0, b.loc)
}

// Run refreshes every technician's busy times now and then every
// calendars.refresh, until ctx ends.
func (b *BusyCache) Run(ctx context.Context) error {
	if len(b.services) == 0 {
		<-ctx.Done()
		return nil
	}
	b.mu.Lock()
	b.base = ctx
	b.mu.Unlock()
	t := time.NewTicker(b.settings.Refresh)
	defer t.Stop()
	for {
		b.RefreshAll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RefreshAll reads every technician's busy times, all at once, and returns
// when each read ended (or timed out).
func (b *BusyCache) RefreshAll(ctx context.Context) {
	var wg sync.WaitGroup
	for tech := range b.services {
		wg.Go(func() { b.wait(ctx, b.refresh(tech)) })
	}
	wg.Wait()
}

func (b *BusyCache) wait(ctx context.Context, done <-chan struct{}) {
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// refresh starts reading tech's busy times unless a read is under way,
// and returns a channel closed when it ends.
func (b *BusyCache) refresh(tech string) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.entries[tech]
	if e == nil {
		e = &busyEntry{}
		b.entries[tech] = e
	}
	if e.running != nil {
		return e.running
	}
	done := make(chan struct{})
	e.running = done
	svc := b.services[tech]
	from, to := b.window()
	// The read is the cache's own: a decision that started it and gave up
	// waiting does not cancel it for the next one.
	base := b.base
	go func() {
		defer close(done)
		periods, err := b.read(base, svc, from, to)
		b.store(tech, from, to, periods, err)
	}()
	return done
}

// read asks the service in chunks, each under calendars.timeout. A
// panic in a client library (a malformed answer) is a failed read.
func (b *BusyCache) read(ctx context.Context, svc Service, from, to time.Time) (out []Period, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("calendar read panicked: %v", r)
		}
	}()
	for s := from; s.Before(to); s = s.Add(chunk) {
		e := s.Add(chunk)
		if e.After(to) {
			e = to
		}
		cctx, cancel := context.WithTimeout(ctx, b.settings.Timeout)
		ps, err := svc.Busy(cctx, s, e)
		cancel()
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return mergePeriods(out), nil
}

func (b *BusyCache) store(tech string, from, to time.Time, periods []Period, err error) {
	now := b.now()
	b.mu.Lock()
	e := b.entries[tech]
	e.running = nil
	if err != nil {
		if e.failing.IsZero() {
			e.failing = now
		}
		e.lastErr = err
	} else {
		e.periods, e.from, e.to, e.fetched = periods, from, to, now
		e.failing, e.lastErr = time.Time{}, nil
	}
	st := b.stateLocked(tech, e, now)
	changed := st.Fallback != e.reported
	e.reported = st.Fallback
	b.mu.Unlock()
	if err != nil {
		b.log.Warn("calendar: reading busy times failed", "technician", tech, "err", err, "fallback", st.Fallback)
	}
	if changed || err == nil && !st.Fallback {
		b.onState(tech, st)
	}
}

func (b *BusyCache) stateLocked(tech string, e *busyEntry, now time.Time) State {
	st := State{Technician: tech, Provider: providerOf(b.services[tech]), Fetched: e.fetched, FailingSince: e.failing}
	if e.lastErr != nil {
		st.Err = e.lastErr.Error()
	}
	st.Fallback = e.fetched.IsZero() || now.Sub(e.fetched) > b.settings.Stale
	return st
}

// States reports every technician's calendar, in email order.
func (b *BusyCache) States() []State {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []State
	for tech := range b.services {
		e := b.entries[tech]
		if e == nil {
			e = &busyEntry{}
		}
		out = append(out, b.stateLocked(tech, e, now))
	}
	slices.SortFunc(out, func(a, c State) int { return strings.Compare(a.Technician, c.Technician) })
	return out
}

// BusyTimes returns each technician's busy periods overlapping [from, to)
// as far as they are known and fresh; a technician in fallback is left
// out. It waits at most calendars.timeout, and only for technicians whose
// busy times were never read.
func (b *BusyCache) BusyTimes(ctx context.Context, from, to time.Time) map[string][]booking.Slot {
	if len(b.services) == 0 {
		return nil
	}
	var never []<-chan struct{}
	b.mu.Lock()
	for tech := range b.services {
		if e := b.entries[tech]; e == nil || e.fetched.IsZero() && e.lastErr == nil {
			b.mu.Unlock()
			never = append(never, b.refresh(tech))
			b.mu.Lock()
		}
	}
	b.mu.Unlock()
	if len(never) > 0 {
		wctx, cancel := context.WithTimeout(ctx, b.settings.Timeout)
		for _, ch := range never {
			b.wait(wctx, ch)
		}
		cancel()
	}
	now := b.now()
	out := map[string][]booking.Slot{}
	b.mu.Lock()
	defer b.mu.Unlock()
	for tech, e := range b.entries {
		if b.stateLocked(tech, e, now).Fallback {
			continue
		}
		var slots []booking.Slot
		for _, p := range e.periods {
			if p.Start.Before(to) && p.End.After(from) {
				slots = append(slots, booking.Slot{Start: p.Start, End: p.End})
			}
		}
		out[tech] = slots
	}
	return out
}

func providerOf(s Service) string {
	switch s.(type) {
	case *CalDAV:
		return "caldav"
	case *Graph:
		return "microsoft"
	case *Google:
		return "google"
	}
	return "other"
}
