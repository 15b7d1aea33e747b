package compose

import (
	"bytes"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Alert is a short plain-text mail to the desk's own people about the
// daemon itself (the breaker started holding replies). It is no customer
// mail, so it has no template: operators read it, not customers.
type Alert struct {
	To      mail.Address
	Key     string // makes the Message-ID: the same alert twice is one mail
	Subject string
	Text    string
	Date    time.Time
}

// RenderAlert builds an alert mail with the headers every mail of ours
// carries (RFC 3834 auto-generated, no auto-responses).
func (c *Composer) RenderAlert(a Alert) (Outgoing, error) {
	to, err := recipient(a.To)
	if err != nil {
		return Outgoing{}, fmt.Errorf("render alert: %w", err)
	}
	if len(c.idKey) == 0 || a.Key == "" || a.Date.IsZero() {
		return Outgoing{}, fmt.Errorf("render alert: no secret, key or date")
	}
	msgID := MessageID(c.idKey, a.Key, "alert", c.domain)
	subject := cleanHeader(a.Subject, maxSubjectRunes)
	m, from := c.newMsg(msgID, to, subject, a.Date)
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetBodyString(gomail.TypeTextPlain, a.Text)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return Outgoing{}, fmt.Errorf("render alert: %w", err)
	}
	return Outgoing{MessageID: msgID, From: from.Address, To: to.Address, Subject: subject, Raw: buf.Bytes()}, nil
}
