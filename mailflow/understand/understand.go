// Package understand reads an incoming Message like a person at the desk
// would: which language, what the customer wants (intent), which times they
// ask for (resolved against the mail's Date in the desk's zone), any AnyDesk
// ID, and why. It is pure: no I/O, no clock, no globals that change.
package understand

import "time"

// Intent is what the customer wants from the desk.
type Intent string

// The intents of DESIGN §3.
const (
	IntentAppointment Intent = "appointment_request"
	IntentAnyDeskID   Intent = "anydesk_id"
	IntentCancel      Intent = "cancel"
	IntentReschedule  Intent = "reschedule"
	IntentAccept      Intent = "accept"
	IntentQuestion    Intent = "question"
	IntentAutoReply   Intent = "auto_reply"
	IntentBounce      Intent = "bounce"
	IntentBulk        Intent = "bulk"
)

// Precision says how exactly a customer named a time.
type Precision string

// Precisions of a requested time.
const (
	PrecisionMinute    Precision = "minute"      // "10 Uhr", "14:30"
	PrecisionPartOfDay Precision = "part_of_day" // "Vormittag": a window
	PrecisionDay       Precision = "day"         // "am Donnerstag": the whole day
)

// Wish is one requested time. End is nil for a point in time ("10 Uhr");
// windows ("Vormittag", "zwischen 13 und 15 Uhr", a whole day) have End.
type Wish struct {
	Start     time.Time
	End       *time.Time
	Precision Precision
}

// Reading is everything understood from one mail.
type Reading struct {
	Language string // "de" or "en"
	Intent   Intent
	// Requested lists wanted times, best first, negated ones left out.
	Requested []Wish
	// AnyDeskID is nine digits without spaces, "" when none was found.
	AnyDeskID string
	// Choice is the 1-based proposal the customer picked (intent accept), 0 if none.
	Choice int
	// Reason is a short why ("Schulung", "Fehler", "Update"), "" when unsaid.
	Reason string
}
