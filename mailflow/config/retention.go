package config

import "time"

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
	// human_folder). Off by default: mailflow otherwise never deletes mail
	// on the server, and the mailbox may be the desk's record.
	ExpungeOnForget bool `yaml:"expunge_on_forget"`
}

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
}
