package compose

import "strings"

// Notice kinds.
const (
	NoticeID = "id" // the customer's AnyDesk ID arrived
	// NoticeIDChanged: a proven mail replaced the ID the technician had.
	NoticeIDChanged = "id_changed"
	NoticeRule      = "rule" // a rule asked for a technician's attention
	NoticeDone      = "ack"  // a technician's command was carried out
)

// Notice is what a technician notice reports. Technicians are the only
// people who ever see an AnyDesk ID in full.
type Notice struct {
	Kind string
	// Customer is the customer's address and name.
	CustomerName    string
	CustomerAddress string
	// AnyDeskID is the full nine-digit ID (NoticeID).
	AnyDeskID string
	// Rule and Intent say why a rule notified (NoticeRule).
	Rule, Intent string
	// Text is a short free text: the command carried out (NoticeDone).
	Text string
	// Link, when set, is the session's page (technician_notice.id link):
	// the notice then points there instead of carrying AnyDeskID, so no
	// ID sits in a technician's mailbox.
	Link string
	// Reason and Sequence describe the session for the notice's
	// sessions.ics (with Reply.Ref and Reply.Appointment).
	Reason   string
	Sequence int
	// Cancelled: the session was called off (the acknowledgement of a
	// cancellation); its entry in sessions.ics says so.
	Cancelled bool
}

// NoticeText is Notice as templates see it, cleaned for display.
type NoticeText struct {
	Kind, CustomerName, CustomerAddress, Rule, Intent, Text string
	// AnyDeskID is grouped for reading out over the phone: "123 456 789".
	// Empty when Link is set.
	AnyDeskID string
	// Link is the session page that shows the ID (technician_notice.id link).
	Link string
}

func noticeText(n *Notice) *NoticeText {
	id := ""
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, n.AnyDeskID)
	// The link form never carries the ID, whatever the caller passed.
	if n.Link == "" && len(digits) == 9 {
		id = digits[:3] + " " + digits[3:6] + " " + digits[6:]
	}
	return &NoticeText{
		Kind:            cleanHeader(n.Kind, 16),
		CustomerName:    cleanHeader(n.CustomerName, maxNameRunes),
		CustomerAddress: cleanHeader(n.CustomerAddress, 254),
		Rule:            cleanHeader(n.Rule, 80),
		Intent:          cleanHeader(n.Intent, 40),
		Text:            cleanText(n.Text, 2000),
		AnyDeskID:       id,
		Link:            cleanHeader(n.Link, 500),
	}
}
