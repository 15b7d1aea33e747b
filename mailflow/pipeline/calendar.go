package pipeline

import (
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// Calendar answers to our invitations, kept apart from the rules so the
// trust work can take them over: an acceptance is filed without a reply;
// a decline is read as a cancel and a counter-proposal as a reschedule,
// and both go through the rules and the sender's own booking like any
// such mail.

// calendarFiled decides an acceptance (or tentative acceptance) and
// reports whether it did.
func (p *Pipeline) calendarFiled(msg *message.Message, reading understand.Reading, res *Result) bool {
	if msg.Calendar == nil || !reading.CalendarFiled() {
		return false
	}
	res.Rule, res.Action = "calendar-answer", rules.ActionIgnore
	res.Outcome, res.DestFolder = OutcomeIgnoreAuto, p.cfg.IMAP.ProcessedFolder
	res.Detail = "calendar answer " + msg.Calendar.PartStat + ": filed, no reply"
	return true
}

// calendarRef is the booking reference in a calendar answer's UID (our
// invitations use the reference as the UID's local part).
func calendarRef(msg *message.Message) string {
	if msg.Calendar == nil {
		return ""
	}
	return bookingRef.FindString(msg.Calendar.UID)
}
