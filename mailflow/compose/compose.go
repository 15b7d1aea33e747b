// Package compose renders outgoing mail from templates: the customer's
// language, text and HTML parts, threading headers and the RFC 3834 headers
// that keep auto-replies from looping. It decides nothing about *whether* to
// send; callers hand it a Reply and store the Outgoing it returns.
package compose

import (
	"net/mail"
	"time"
)

// Template names of the built-in mails.
const (
	TemplateConfirmation = "confirmation"
	TemplateProposal     = "proposal"
	TemplateIDReceived   = "id_received"
)

// Reply is everything needed to render one outgoing mail.
type Reply struct {
	Template string // TemplateConfirmation, ...
	Language string // "de" or "en"; "" means the configured default
	To       mail.Address
	// InboundKey identifies the mail this answers (store key); with Purpose it
	// makes the Message-ID deterministic so a resend after a crash is the
	// same mail.
	InboundKey string
	Purpose    string
	// Thread: the customer's Message-ID and References, and their subject.
	InReplyTo  string
	References []string
	Subject    string
	// Date stamps the mail (the decision time), so rendering is repeatable.
	Date time.Time
	// Ref is the booking reference shown in the subject ("FW-1234"), may be "".
	Ref string
	// Appointment is the booked slot (confirmation), zero otherwise.
	Appointment Slot
	// Proposals are offered slots (proposal), best first.
	Proposals []Slot
	// Why says why the wish did not fit (proposal), in the reply language; may be "".
	Why string
	// AnyDeskIDMasked is the ID as shown to the customer ("*** *** 789").
	AnyDeskIDMasked string
}

// Slot is a time range in the desk's zone.
type Slot struct{ Start, End time.Time }

// Outgoing is a rendered mail ready for the outbox.
type Outgoing struct {
	MessageID string // with angle brackets
	From      string // bare address
	To        string // bare address
	Subject   string
	Raw       []byte // the complete RFC 5322 message, CRLF line ends
}
