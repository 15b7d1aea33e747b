package calendar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Syncer works the calendar_sync queue: for each queued appointment it
// brings the technicians' calendars in line with the appointment as it is
// now (its event in its technician's calendar; none in anybody else's,
// none at all once cancelled or forgotten). A failed write stays queued
// and is tried again with backoff (calendars.retry_backoff doubling up to
// an hour), however long the outage: a write is never dropped.
type Syncer struct {
	st       *store.Store
	services map[string]Service
	loc      *time.Location
	domain   string
	lang     string
	settings config.Calendars
	log      *slog.Logger
	now      func() time.Time
	// poll is how often Run looks for due work when nothing is due sooner:
	// the queue is written by other transactions (mail, web, command line).
	poll time.Duration
}

// NewSyncer builds the queue worker over services (by lower-case email).
func NewSyncer(cfg *config.Config, st *store.Store, services map[string]Service, log *slog.Logger) *Syncer {
	if log == nil {
		log = slog.Default()
	}
	return &Syncer{st: st, services: services, loc: cfg.Location(), domain: cfg.Desk.MessageIDDomain, lang: cfg.Desk.Language,
		settings: cfg.CalendarSettings(), log: log, now: time.Now, poll: 5 * time.Second}
}

// Run syncs what is due until ctx ends. Once a minute it also queues the
// events of appointments that are gone (`mailflow forget`), so they leave
// the technicians' calendars too.
func (s *Syncer) Run(ctx context.Context) error {
	var orphansChecked time.Time
	for {
		if s.now().Sub(orphansChecked) >= time.Minute {
			orphansChecked = s.now()
			if n, err := s.st.QueueOrphanCalendarEvents(ctx, s.now()); err != nil {
				s.log.Warn("calendar: looking for events of forgotten appointments failed", "err", err)
			} else if n > 0 {
				s.log.Info("calendar: removing events of forgotten appointments", "count", n)
			}
		}
		if _, err := s.SyncDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("calendar sync pass failed", "err", err)
		}
		wait := s.poll
		if next, err := s.st.NextCalendarSync(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(s.now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// SyncDue works every queued appointment that is due, and returns how
// many were written.
func (s *Syncer) SyncDue(ctx context.Context) (int, error) {
	done := 0
	for {
		due, err := s.st.DueCalendarSyncs(ctx, s.now(), 50)
		if err != nil {
			return done, err
		}
		if len(due) == 0 {
			return done, nil
		}
		progress := false
		for _, c := range due {
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			if err := s.syncOne(ctx, c); err != nil {
				wait := s.backoff(c.Attempts)
				s.log.Warn("calendar write failed; retrying", "appointment", c.AppointmentID, "attempt", c.Attempts+1,
					"retry_in", wait, "err", err)
				if err := s.st.RetryCalendarSync(ctx, c, s.now().Add(wait), err.Error()); err != nil {
					return done, err
				}
				continue
			}
			if err := s.st.FinishCalendarSync(ctx, c); err != nil {
				return done, err
			}
			done++
			progress = true
		}
		if !progress {
			return done, nil
		}
	}
}

// backoff is the wait after attempt n (0-based) failed.
func (s *Syncer) backoff(n int) time.Duration {
	d := s.settings.RetryBackoff
	for i := 0; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// syncOne brings one appointment's calendar entries up to date.
func (s *Syncer) syncOne(ctx context.Context, c store.CalendarSync) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("calendar write panicked: %v", r)
		}
	}()
	a, err := s.st.AppointmentByID(ctx, c.AppointmentID)
	if errors.Is(err, store.ErrNotFound) {
		a, err = nil, nil
	}
	if err != nil {
		return err
	}
	placed, err := s.st.CalendarEvents(ctx, c.AppointmentID)
	if err != nil {
		return err
	}
	want := ""
	if a != nil && a.Status != store.StatusCancelled {
		want = strings.ToLower(a.Technician)
		if s.services[want] == nil {
			want = ""
		}
	}
	var errs []error
	remote := ""
	for _, p := range placed {
		if p.Technician == want {
			remote = p.RemoteID
			continue
		}
		if svc := s.services[p.Technician]; svc != nil {
			cctx, cancel := context.WithTimeout(ctx, s.settings.Timeout*5)
			err := svc.Delete(cctx, p.UID, p.RemoteID)
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("remove %s from %s: %w", p.UID, p.Technician, err))
				continue
			}
		}
		if err := s.st.DeleteCalendarEvent(ctx, p.AppointmentID, p.Technician); err != nil {
			return err
		}
		s.log.Info("calendar event removed", "appointment", c.AppointmentID, "technician", p.Technician)
	}
	if want != "" {
		ev := s.Event(a)
		cctx, cancel := context.WithTimeout(ctx, s.settings.Timeout*5)
		id, err := s.services[want].Put(cctx, ev, remote)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("write %s to %s: %w", ev.UID, want, err))
		} else {
			if err := s.st.SetCalendarEvent(ctx, store.CalendarEvent{AppointmentID: a.ID, Technician: want, UID: ev.UID, RemoteID: id, UpdatedAt: s.now()}); err != nil {
				return err
			}
			s.log.Info("calendar event written", "appointment", a.ID, "ref", a.Ref, "technician", want)
		}
	}
	return errors.Join(errs...)
}

// Event is appointment a as an entry in its technician's calendar.
func (s *Syncer) Event(a *store.Appointment) Event {
	return EventOf(a, s.loc, s.lang, s.domain)
}

// EventOf is appointment a as a calendar entry in the desk's zone loc,
// worded in lang.
func EventOf(a *store.Appointment, loc *time.Location, lang, domain string) Event {
	sum, desc := compose.SessionText(lang, a.Ref, a.CustomerName, a.Customer, a.Reason)
	return Event{UID: compose.SessionUID(a.Ref, domain), Sequence: a.Sequence, Start: a.Start.In(loc), End: a.End.In(loc),
		Summary: sum, Description: desc, Cancelled: a.Status == store.StatusCancelled, Stamp: a.UpdatedAt}
}
