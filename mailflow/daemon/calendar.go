package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/mailflow/mailflow/mailflow/calendar"
	"github.com/mailflow/mailflow/mailflow/config"
)

// calendars are the technicians' own calendars as the daemon runs them:
// busy times read in the background (the desk's BusySource), the queue
// of calendar writes, and the ICS feeds on the HTTP listener. They are
// built from the config the daemon started with; a change to a
// technician's calendar section takes a restart.
type calendars struct {
	busy   *calendar.BusyCache
	syncer *calendar.Syncer
	feed   *calendar.Feed
}

// StatusCalendarPrefix + a technician's address is their calendar's state
// in the status table: "" while it is read fine, else since when the desk
// goes by the config alone for them, and why.
const StatusCalendarPrefix = "calendar."

func (d *Daemon) buildCalendars(cfg *config.Config) (*calendars, error) {
	services, err := calendar.Services(cfg, nil)
	if err != nil {
		return nil, err
	}
	log := d.log.With("component", "calendar")
	c := &calendars{feed: calendar.NewFeed(cfg, d.st, log)}
	if len(services) > 0 {
		c.busy = calendar.NewBusyCache(cfg, services, log)
		c.busy.OnState(func(tech string, s calendar.State) {
			v := ""
			if s.Fallback {
				since := s.FailingSince
				if since.IsZero() {
					since = time.Now()
				}
				v = fmt.Sprintf("%s %s", since.UTC().Format(time.RFC3339), s.Err)
			}
			if err := d.st.SetStatus(context.Background(), StatusCalendarPrefix+tech, v); err != nil {
				log.Warn("calendar: status not written", "err", err)
			}
		})
		c.syncer = calendar.NewSyncer(cfg, d.st, services, log)
	}
	return c, nil
}

// runCalendars adds the calendar loops to the daemon's.
func (c *calendars) run(run func(name string, f func(context.Context) error)) {
	if c == nil {
		return
	}
	if c.busy != nil {
		run("calendar-busy", c.busy.Run)
	}
	if c.syncer != nil {
		run("calendar-sync", c.syncer.Run)
	}
}

// busySource is what the desk reads busy times from (nil: none).
func (c *calendars) busySource() *calendar.BusyCache {
	if c == nil {
		return nil
	}
	return c.busy
}
