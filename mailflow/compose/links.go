package compose

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// TemplateWebLogin is the one-time sign-in link a technician asks for on
// the web page.
const TemplateWebLogin = "web_login"

// Links are the self-service links in a mail to a customer, each for the
// booking this one mail is about; "" when the desk has no http.public_url.
// A link only opens a page: the change happens when the customer confirms
// there (mail scanners open links).
type Links struct {
	// Page shows the booking with both choices.
	Page string
	// Cancel and Move lead to the confirmation page of that change.
	Cancel, Move string
}

// linkTemplates are the mails that carry links to their booking.
var linkTemplates = map[string]bool{TemplateConfirmation: true, TemplateRescheduled: true, TemplateReminder: true}

// proposalTemplates carry one link per proposed slot.
var proposalTemplates = map[string]bool{TemplateProposal: true, TemplateNeedTime: true}

// WithPublicURL returns a composer that puts self-service links under base
// (http.public_url) into confirmations, proposals and reminders.
func (c *Composer) WithPublicURL(base string) *Composer {
	cc := *c
	cc.publicURL = strings.TrimRight(base, "/")
	return &cc
}

// LinkToken is the token of the links in our mail msgID: the Message-ID
// and an HMAC of it under the Message-ID key, so only mails we sent have
// valid links, and whoever holds one holds what a reply to that mail
// would prove (docs/trust.md).
func (c *Composer) LinkToken(msgID string) string {
	// Our Message-IDs are hex @ our domain: the hex part alone keeps the
	// link short enough for a mail line.
	id := strings.TrimSuffix(strings.TrimPrefix(msgID, "<"), ">")
	local := strings.TrimSuffix(id, "@"+c.domain)
	return local + "." + base64.RawURLEncoding.EncodeToString(c.linkMAC(id))
}

// LinkMessageID checks a link token and returns the Message-ID (with
// angle brackets) of the mail it was in.
func (c *Composer) LinkMessageID(token string) (string, error) {
	idPart, macPart, ok := strings.Cut(token, ".")
	if !ok || len(token) > 400 || len(c.idKey) == 0 {
		return "", fmt.Errorf("link token: malformed")
	}
	if idPart == "" || strings.Trim(idPart, "0123456789abcdef") != "" {
		return "", fmt.Errorf("link token: malformed")
	}
	id := idPart + "@" + c.domain
	mac, err := base64.RawURLEncoding.DecodeString(macPart)
	if err != nil {
		return "", fmt.Errorf("link token: %w", err)
	}
	if !hmac.Equal(mac, c.linkMAC(id)) {
		return "", fmt.Errorf("link token: signature does not match")
	}
	return "<" + id + ">", nil
}

func (c *Composer) linkMAC(id string) []byte {
	m := hmac.New(sha256.New, c.idKey)
	m.Write([]byte("web-link\x00"))
	m.Write([]byte(id))
	return m.Sum(nil)[:16]
}

// addLinks fills the self-service links of a mail with Message-ID msgID.
func (c *Composer) addLinks(m *Mail, template, msgID string) {
	if c.publicURL == "" || len(c.idKey) == 0 {
		return
	}
	base := c.publicURL + "/l/" + c.LinkToken(msgID)
	switch {
	case linkTemplates[template] && m.Ref != "":
		m.Links = &Links{Page: base, Cancel: base + "/cancel", Move: base + "/move"}
	case proposalTemplates[template]:
		for i := range m.Proposals {
			m.Proposals[i].Link = fmt.Sprintf("%s/pick/%d", base, m.Proposals[i].N)
		}
	}
}
