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
	// Subject is RFC 2047 decoded, control characters removed.
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
	// heuristics only; never mined for IDs or times).
	Quoted string
	// Auto, Bulk and Bounce are the automated-mail signals (DESIGN §2.4).
	Auto   bool
	Bulk   bool
	Bounce bool
	// SignalReasons says which header or pattern set a signal, for logs and try.
	SignalReasons []string
	// Header gives access to any other raw header (decoded values).
	Header map[string][]string
	// Truncated is set when a limit cut the body text or skipped parts.
	Truncated bool
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
