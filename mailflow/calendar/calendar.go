// Package calendar owns the technicians' own calendars: reading their busy
// times for booking (CalDAV, Microsoft Graph, Google Calendar), writing each
// booking into them as an event with the appointment's UID, and the
// subscribable ICS feed. Booking never waits on a calendar service longer
// than its timeout: busy times are cached and refreshed in the background
// (Busy), and writes go through a durable queue in the database (Syncer),
// so an outage neither blocks nor loses a booking.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
)

// Period is a time a technician is busy in their own calendar.
type Period struct{ Start, End time.Time }

// Event is one booking as an entry of a technician's calendar.
type Event = compose.SessionEvent

// Service is one technician's calendar at a provider.
type Service interface {
	// Busy lists the busy periods overlapping [from, to), the events
	// mailflow wrote itself left out where the service tells them apart.
	Busy(ctx context.Context, from, to time.Time) ([]Period, error)
	// Put creates or updates ev. remote is what an earlier Put returned
	// for the same UID ("" the first time); the result is to be passed
	// next time.
	Put(ctx context.Context, ev Event, remote string) (string, error)
	// Delete removes the event of uid; one already gone is no error.
	Delete(ctx context.Context, uid, remote string) error
}

// ErrPermanent marks a failure retrying will not fix (a 4xx other than
// 408/429): the write is given up with an alert instead of retried.
var ErrPermanent = errors.New("permanent")

// statusError turns an HTTP status into an error, permanent or not.
func statusError(what string, resp *http.Response, body []byte) error {
	msg := strings.TrimSpace(string(body))
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	err := fmt.Errorf("%s: %s: %s", what, resp.Status, msg)
	switch c := resp.StatusCode; {
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return err
	case c >= 400:
		return fmt.Errorf("%w (%w)", err, ErrPermanent)
	}
	return err
}

// New builds the service of one technician's calendar; nil, nil when the
// technician has none (or only a feed). httpClient may be nil.
func New(t config.Technician, loc *time.Location, ourDomain string, timeout time.Duration, httpClient *http.Client) (Service, error) {
	tc := t.Calendar
	if httpClient == nil {
		httpClient = &http.Client{Timeout: timeout}
	}
	switch {
	case tc == nil:
		return nil, nil
	case tc.CalDAV != nil:
		return NewCalDAV(*tc.CalDAV, loc, ourDomain, httpClient)
	case tc.Microsoft != nil:
		return NewGraph(*tc.Microsoft, t.Email, httpClient)
	case tc.Google != nil:
		return NewGoogle(*tc.Google, t.Email, httpClient)
	}
	return nil, nil
}

// Services builds every technician's calendar service, keyed by lower-case
// email.
func Services(cfg *config.Config, httpClient *http.Client) (map[string]Service, error) {
	out := map[string]Service{}
	for i, t := range cfg.Technicians {
		s, err := New(t, cfg.Location(), cfg.Desk.MessageIDDomain, cfg.CalendarSettings().Timeout, httpClient)
		if err != nil {
			return nil, fmt.Errorf("technicians[%d].calendar: %w", i, err)
		}
		if s != nil {
			out[strings.ToLower(t.Email)] = s
		}
	}
	return out, nil
}
