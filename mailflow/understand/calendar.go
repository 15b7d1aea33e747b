package understand

import (
	"time"

	"github.com/mailflow/mailflow/mailflow/message"
)

// Calendar answers: a click on "Accept", "Decline" or "Propose new time" in
// Outlook or Gmail sends an iTIP message whose text is boilerplate. The
// calendar part says exactly what the customer did, so it alone is read.
const (
	ReasonCalendarAccepted = "calendar client accepted our invitation"
	ReasonCalendarDeclined = "calendar client declined our invitation"
	ReasonCalendarCounter  = "calendar client proposed a new time"
)

func readCalendarAnswer(msg *message.Message, c *message.CalendarAnswer, now time.Time) Reading {
	r := Reading{Language: "de", Intent: IntentQuestion, Confidence: 0.95}
	toks := tokenize(capText(msg.Text, maxTextBytes))
	if detectLanguage(toks, tokenize(msg.Subject)) == langEN {
		r.Language = "en"
	}
	switch {
	case c.Method == "COUNTER" && !c.Start.IsZero():
		r.Intent = IntentReschedule
		if start := c.Start.In(now.Location()); start.After(now) {
			r.Requested = []Wish{{Start: start, Precision: PrecisionMinute}}
		}
		r.Reasons = []string{ReasonCalendarCounter}
	case c.Method == "REPLY" && c.PartStat == "DECLINED":
		r.Intent = IntentCancel
		r.Reasons = []string{ReasonCalendarDeclined}
	case c.Method == "REPLY" && (c.PartStat == "ACCEPTED" || c.PartStat == "TENTATIVE"):
		// Nothing to do but file it: an automatic answer, never replied to.
		r.Intent = IntentAutoReply
		r.Reasons = []string{ReasonCalendarAccepted}
	default:
		r.Confidence = 0.3
	}
	return r
}

// CalendarFiled reports whether a reading is a calendar acceptance, which
// is filed without a reply.
func (r Reading) CalendarFiled() bool {
	return len(r.Reasons) == 1 && r.Reasons[0] == ReasonCalendarAccepted
}
