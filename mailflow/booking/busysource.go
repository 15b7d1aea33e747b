package booking

import (
	"context"
	"time"
)

// BusySource reports the time technicians are busy in their own calendars
// (mailflow/calendar), by lower-case email. It answers from what it has
// and never blocks a decision for long; a technician it knows nothing
// about goes by the config alone.
type BusySource interface {
	BusyTimes(ctx context.Context, from, to time.Time) map[string][]Slot
}

// busySource is held beside the calendar so every door into the desk (mail,
// web, command line) sees the same one; booking itself never calls it.
type busySourceBox struct{ BusySource }

// SetBusySource attaches the technicians' own calendars (nil: none).
func (d *Desk) SetBusySource(s BusySource) {
	if s == nil {
		d.busy.Store(nil)
		return
	}
	d.busy.Store(&busySourceBox{s})
}

// BusySource is the source SetBusySource attached, or nil.
func (d *Desk) BusySource() BusySource {
	if b := d.busy.Load(); b != nil {
		return b.BusySource
	}
	return nil
}
