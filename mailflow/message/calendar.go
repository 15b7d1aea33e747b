package message

import (
	"io"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// CalendarAnswer is what a customer's calendar client said about our
// invitation: an iTIP REPLY (accepted, tentative, declined) or a COUNTER
// proposing another time.
type CalendarAnswer struct {
	Method   string // REPLY, COUNTER (upper case)
	PartStat string // ACCEPTED, TENTATIVE, DECLINED (REPLY only)
	UID      string // the event's UID: ours carry the booking reference
	// Start is the event's start as the answer states it (for COUNTER the
	// proposed new time); zero when missing.
	Start time.Time
}

// maxCalendarBytes caps how much of a calendar part is read: an answer is
// a few hundred bytes, a hostile one is not read further.
const maxCalendarBytes = 64 << 10

// readCalendar reads an iTIP answer from a text/calendar part; nil when the
// part is no REPLY or COUNTER or cannot be read (a defect, never an error:
// the mail's text is still what counts).
func (w *bodyWalker) readCalendar(r io.Reader) *CalendarAnswer {
	cal, err := ical.NewDecoder(io.LimitReader(r, maxCalendarBytes)).Decode()
	if err != nil {
		w.defect("text/calendar: %v", err)
		return nil
	}
	a := &CalendarAnswer{}
	if p := cal.Props.Get(ical.PropMethod); p != nil {
		a.Method = strings.ToUpper(strings.TrimSpace(p.Value))
	}
	if a.Method != "REPLY" && a.Method != "COUNTER" {
		return nil
	}
	for _, ev := range cal.Events() {
		if p := ev.Props.Get(ical.PropUID); p != nil {
			a.UID = SanitizeHeader(p.Value, 200)
		}
		for _, at := range ev.Props.Values(ical.PropAttendee) {
			if ps := at.Params.Get(ical.ParamParticipationStatus); ps != "" {
				a.PartStat = strings.ToUpper(ps)
			}
		}
		if t, err := ev.DateTimeStart(time.UTC); err == nil {
			a.Start = t
		}
		break // an answer is about one event
	}
	return a
}
