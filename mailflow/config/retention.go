package config

import (
	"net/url"
	"strings"
	"time"
)

// Retention says how long personal data outlives the session it was
// collected for (PRODUCT.md: "any data that was transferred is deleted as
// soon as the job is done"). The hourly purge job and `mailflow purge`
// apply it; `mailflow forget` erases one customer regardless of it.
type Retention struct {
	// AnyDeskIDDays is how long a customer's AnyDesk ID is kept after its
	// session was marked done or cancelled. 0 erases it in the very
	// transaction that marks the session done (cancelled ones at the next
	// purge, at most an hour later).
	AnyDeskIDDays int `yaml:"anydesk_id_days"`
	// RawMailDays is how long the raw bytes of mail (received and sent)
	// are kept once the appointment they belong to is done or cancelled,
	// or, for mail about no appointment, after it arrived or went out.
	// Mail of a session still booked is always kept.
	RawMailDays int `yaml:"raw_mail_days"`
	// ExpungeOnForget makes `mailflow forget` also delete the customer's
	// mails on the IMAP server (imap.mailbox, processed_folder and
	// human_folder), redacted copies included. On by default: a customer
	// who asks to be forgotten is forgotten on the server too.
	ExpungeOnForget bool `yaml:"expunge_on_forget"`
	// Server says what happens to the server copy of a mail (in every
	// folder mailflow files mail into) once its database copy ended:
	// expunge it, replace it by a redacted copy that keeps the thread
	// (same Message-ID, In-Reply-To, References), or keep it.
	Server string `yaml:"server"`
}

// retention.server values.
const (
	ServerExpunge = "expunge"
	ServerRedact  = "redact"
	ServerKeep    = "keep"
)

// Upper bounds that catch a typo (300 for 30) rather than express a
// policy: data kept for years would break the privacy promise.
const (
	maxAnyDeskIDDays = 90
	maxRawMailDays   = 3650
)

// AnyDeskIDPeriod is AnyDeskIDDays as a duration.
func (r Retention) AnyDeskIDPeriod() time.Duration {
	return time.Duration(r.AnyDeskIDDays) * 24 * time.Hour
}

// RawMailPeriod is RawMailDays as a duration.
func (r Retention) RawMailPeriod() time.Duration {
	return time.Duration(r.RawMailDays) * 24 * time.Hour
}

// checkRetention validates the retention section.
func (c *Config) checkRetention(bad func(key, format string, args ...any)) {
	if c.Retention.AnyDeskIDDays < 0 || c.Retention.AnyDeskIDDays > maxAnyDeskIDDays {
		bad("retention.anydesk_id_days", "%d is not between 0 and %d", c.Retention.AnyDeskIDDays, maxAnyDeskIDDays)
	}
	if c.Retention.RawMailDays < 0 || c.Retention.RawMailDays > maxRawMailDays {
		bad("retention.raw_mail_days", "%d is not between 0 and %d", c.Retention.RawMailDays, maxRawMailDays)
	}
	switch c.Retention.Server {
	case ServerExpunge, ServerRedact, ServerKeep:
	default:
		bad("retention.server", "%q is not expunge, redact or keep", c.Retention.Server)
	}
	if c.TechnicianNotice.ID == "" {
		// The default: a link to the session's page where the web pages
		// are served and reachable, else the ID in the notice's body.
		c.TechnicianNotice.ID = NoticeIDMail
		if c.HTTP.PublicURL != "" && c.HTTP.Addr != "" {
			c.TechnicianNotice.ID = NoticeIDLink
		}
	}
	switch c.TechnicianNotice.ID {
	case NoticeIDMail:
	case NoticeIDLink:
		if u, err := url.Parse(c.HTTP.PublicURL); c.HTTP.PublicURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("technician_notice.id", "link needs http.public_url (an http or https URL), got %q", c.HTTP.PublicURL)
		}
	default:
		bad("technician_notice.id", "%q is not mail or link", c.TechnicianNotice.ID)
	}
}

// TechnicianNotice is how the technician's instant notice carries the
// customer's AnyDesk ID.
type TechnicianNotice struct {
	// ID is mail (the ID in the notice's body: the technician's mailbox
	// keeps it as long as they keep the mail) or link (a link to the
	// session's page, http.public_url + "/s/REF", which shows the ID
	// while it exists; no ID in any mailbox). Never in a Subject.
	ID string `yaml:"id"`
}

// technician_notice.id values.
const (
	NoticeIDMail = "mail"
	NoticeIDLink = "link"
)

// SessionLink is the page of a booking the link form of a notice points at.
func (c *Config) SessionLink(ref string) string {
	return strings.TrimRight(c.HTTP.PublicURL, "/") + "/s/" + url.PathEscape(ref)
}
