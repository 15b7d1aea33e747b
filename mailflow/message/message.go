// Package message turns a raw RFC 5322 mail into a Message: decoded headers,
// the best text the customer wrote now (quotes, forwards and signatures cut),
// and the signals that mark automated mail. It does no network I/O and never
// panics on malformed input: what it cannot read becomes an error or an
// empty field, never a crash.
package message

import (
	"errors"
	"net/mail"
	"time"
)

// Message is one parsed incoming mail.
type Message struct {
	// MessageID is the Message-ID header including angle brackets ("" if absent).
	MessageID string
	// From is the first author address; Sender/Reply-To are kept separately.
	From    mail.Address
	ReplyTo []mail.Address
	To      []mail.Address
	Cc      []mail.Address
	// ReturnPath is the envelope sender as the receiving server recorded it;
	// HasReturnPath tells an absent header from an empty one ("<>").
	ReturnPath    string
	HasReturnPath bool
	// Subject is RFC 2047 decoded, control characters removed, whitespace
	// folded (see SanitizeHeader).
	Subject string
	// Date is the Date header; zero when missing or unparsable.
	Date       time.Time
	InReplyTo  string
	References []string
	// Text is what the customer wrote in this mail: text/plain preferred,
	// else HTML converted to text, with quoted replies, forwarded sections and
	// signatures cut. Capped at Limits.MaxTextBytes.
	Text string
	// FullText is the whole decoded body text before cutting (capped likewise).
	FullText string
	// Quoted is the text that was cut as quoted or forwarded (for threading
	// heuristics only; never mined for IDs or times). It also holds the cut
	// signature, in document order, so Text+Quoted account for all of FullText.
	Quoted string
	// Signature is the customer's signature block as cut from Text ("" when
	// none was recognised). It is a subset of Quoted, kept apart because a
	// technician may want the phone number; never mine it for IDs or times.
	Signature string
	// Auto, Bulk and Bounce are the automated-mail signals (DESIGN §2.4).
	Auto   bool
	Bulk   bool
	Bounce bool
	// Machine marks a report a program wrote (cron, monitoring, version
	// control, fax, a form post): no person asks the desk anything in it,
	// but one may need to look at it, so it is not ignored like bulk mail.
	Machine bool
	// SignalReasons says which header or pattern set a signal, for logs and try.
	SignalReasons []string
	// Header gives access to any other raw header (decoded values). Keys are
	// canonical MIME keys ("Message-Id", "X-Auto-Response-Suppress"); values
	// are RFC 2047 decoded, control characters removed, in header order.
	Header map[string][]string
	// Calendar is the iTIP answer (REPLY or COUNTER) a calendar client
	// attached, nil when the mail carries none.
	Calendar *CalendarAnswer
	// Truncated is set when a limit cut the body text or skipped parts.
	Truncated bool
	// Damaged is set when the bytes of a text part could not be decoded
	// (base64 that is neither base64 nor plain text): Text holds what
	// was read before the fault, and nothing should be done on it alone.
	Damaged bool
	// Defects lists what could not be read cleanly (a broken MIME structure,
	// bad base64, an unknown charset, an unreadable Date). The Message is
	// still returned with whatever was readable, so the caller can route it
	// to a human instead of losing it; a defect alone does not mean Text is
	// wrong. A defect starting with "panic" is a bug in this package: the
	// fields it would have filled after that point may be empty.
	Defects []string
}

// Limits bound the work one mail may cause.
type Limits struct {
	MaxMIMEDepth   int // nested multiparts followed; deeper parts are skipped
	MaxParts       int // parts looked at in total
	MaxTextBytes   int // decoded text kept
	MaxHeaderBytes int // header block size accepted
}

// DefaultLimits are used where a Limits field is zero.
var DefaultLimits = Limits{MaxMIMEDepth: 10, MaxParts: 100, MaxTextBytes: 256 << 10, MaxHeaderBytes: 64 << 10}

// ErrUnparseable is wrapped by Parse errors for mail that has no readable header.
var ErrUnparseable = errors.New("unparseable mail")
