// Package compose renders outgoing mail from templates: the customer's
// language, text and HTML parts, threading headers and the RFC 3834 headers
// that keep auto-replies from looping. It decides nothing about *whether* to
// send; callers hand it a Reply and store the Outgoing it returns.
package compose

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	gomail "github.com/wneessen/go-mail"

	"github.com/mailflow/mailflow/mailflow/config"
)

// Template names of the built-in mails; templates/README.md says when each
// is sent.
const (
	TemplateConfirmation  = "confirmation"
	TemplateProposal      = "proposal"
	TemplateIDReceived    = "id_received"
	TemplateCancelled     = "cancelled"
	TemplateRescheduled   = "rescheduled"
	TemplateNeedTime      = "need_time"
	TemplateOutOfScope    = "out_of_scope"
	TemplateReceivedHuman = "received_human"
	TemplateReminder      = "reminder"
	// TemplateConfirmChange goes to the address on file when a change to a
	// booking was asked for without proof; a reply to it is the proof.
	TemplateConfirmChange = "confirm_change"
	// TemplateTechnicianNotice goes to a technician, never to a customer.
	TemplateTechnicianNotice = "technician_notice"
)

// Calendar methods of an invitation (RFC 5546).
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// Invite asks Render to attach a calendar invitation for Reply.Appointment:
// a text/calendar part and an .ics attachment.
type Invite struct {
	// UID is stable for the appointment across reschedules and cancellation.
	UID string
	// Sequence grows with every change (0 for the first booking).
	Sequence int
	// Method is MethodRequest or MethodCancel.
	Method string
}

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
	// Guess marks a proposal whose first slot is our best reading of a
	// wish we are not sure of: the mail asks "did you mean …?" instead of
	// booking it unasked.
	Guess bool
	// PickHour marks a proposal for a day the customer named without a
	// time: Why then asks them to choose the hour, no regret said.
	PickHour bool
	// AnyDeskIDMasked is the ID as shown to the customer ("*** *** 789").
	AnyDeskIDMasked string
	// Previous is the appointment's old time (rescheduled), zero otherwise.
	Previous Slot
	// Invite, when set, attaches a calendar invitation for Appointment.
	Invite *Invite
	// Notice is what a technician notice says (technician_notice only).
	Notice *Notice
	// Agenda is the day an agenda mail lists (agenda only).
	Agenda *Agenda
	// SignInLink is the one-time sign-in link (web_login only).
	SignInLink string
	// Generated marks a mail that answers no mail (agenda, reminder): it
	// says "Auto-Submitted: auto-generated" as RFC 3834 asks of those,
	// instead of "auto-replied". Either keeps auto-responders quiet.
	Generated bool
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

// ErrUnknownTemplate is wrapped by Render when no mail of the asked name
// exists, so callers (and rule checks) can tell a typo from a broken template.
var ErrUnknownTemplate = errors.New("unknown template")

// Header limits. A subject or name longer than this is a sign of abuse, not
// of a customer, and very long unfoldable words break some mail servers.
const (
	maxSubjectRunes   = 200
	maxNameRunes      = 100
	maxRefRunes       = 40
	maxWhyRunes       = 500
	maxMessageIDBytes = 250
	maxReferences     = 10
)

// connectNowWindow is how close to the appointment an arriving ID counts as
// "the technician connects now" rather than "at your appointment": customers
// are told to send it at the appointment, and a few minutes early is on time.
const connectNowWindow = 15 * time.Minute

// Composer renders Replies into complete mails. It is safe for concurrent
// use: templates are parsed once in New and only executed afterwards.
type Composer struct {
	// idKey keys our Message-IDs (WithSecret); without it Render refuses.
	idKey       []byte
	from        mail.Address
	domain      string
	defaultLang string
	loc         *time.Location
	// januaryName differs between Austrian ("Jänner") and German
	// ("Januar") business German.
	januaryName string

	company, supportAddress   string
	remoteToolURL, privacyURL string
	// publicURL is the base of self-service links ("" = no links).
	publicURL string
	// slot is the length of a calendar entry whose appointment has no end.
	slot  time.Duration
	langs map[string]*language
}

// New parses the embedded templates, each replaced by the file with the same
// relative path under overrideDir when there is one. overrideDir may be ""
// or name a folder that does not exist yet: an operator who has not
// customised anything still gets the built-in mails. Every problem found is
// returned at once, each naming its file.
func New(cfg *config.Config, overrideDir string) (*Composer, error) {
	if cfg == nil {
		return nil, errors.New("compose: no config")
	}
	fromAddr, err := mail.ParseAddress(cfg.SMTP.From)
	if err != nil {
		return nil, fmt.Errorf("compose: smtp.from %q: %w", cfg.SMTP.From, err)
	}
	if fromAddr.Address != strings.TrimSpace(cfg.SMTP.From) {
		return nil, fmt.Errorf("compose: smtp.from %q must be a bare address (the company name comes from desk.company)", cfg.SMTP.From)
	}
	c := &Composer{
		from:           mail.Address{Name: cleanHeader(cfg.Desk.Company, maxNameRunes), Address: fromAddr.Address},
		domain:         cfg.Desk.MessageIDDomain,
		defaultLang:    cfg.Desk.Language,
		loc:            cfg.Location(),
		januaryName:    "Jänner",
		company:        cfg.Desk.Company,
		supportAddress: cfg.Desk.SupportAddress,
		remoteToolURL:  cfg.Desk.RemoteToolURL,
		privacyURL:     cfg.Desk.RemoteToolPrivacyURL,
		slot:           time.Duration(cfg.Desk.SlotMinutes) * time.Minute,
		publicURL:      strings.TrimRight(cfg.HTTP.PublicURL, "/"),
	}
	if c.slot <= 0 {
		c.slot = 30 * time.Minute
	}
	if strings.EqualFold(cfg.Desk.Holidays, "DE") {
		c.januaryName = "Januar"
	}
	if c.supportAddress == "" {
		c.supportAddress = fromAddr.Address
	}
	if c.domain == "" {
		// config.Load fills this in; a hand-built Config may not have.
		_, c.domain, _ = strings.Cut(fromAddr.Address, "@")
	}
	if c.defaultLang == "" {
		c.defaultLang = "de"
	}
	files, err := collectFiles(overrideDir)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	langs, err := parseLanguages(files)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	c.langs = langs
	if _, ok := c.langs[c.defaultLang]; !ok {
		return nil, fmt.Errorf("compose: no templates for the default language %q", c.defaultLang)
	}
	for code, l := range c.langs {
		l.hours = hoursLines(cfg.Desk.Hours, code)
		l.zone = zoneName(cfg.Desk.Timezone, code)
	}
	return c, nil
}

// WithSecret returns a composer whose Message-IDs are keyed with key (the
// store's IDSecret). The ID of a mail is then deterministic for one
// installation, so a decision replayed after a crash renders the same mail
// and the outbox recognises it, yet nobody without the database can guess
// it: a reply naming it proves that the replier got our mail.
func (c *Composer) WithSecret(key []byte) *Composer {
	cc := *c
	cc.idKey = append([]byte(nil), key...)
	return &cc
}

// messageIDBytes is the randomness of our Message-IDs (128 bits; at least
// 96 are needed so that they cannot be guessed).
const messageIDBytes = 16

// MessageID is the Message-ID (with angle brackets) of the mail answering
// inboundKey for purpose: an HMAC of both under key. Deriving it instead of
// drawing it at random lets a resend after a crash be recognised as the
// same mail by us and by the customer's mail client.
func MessageID(key []byte, inboundKey, purpose, domain string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(inboundKey + "\x00" + purpose))
	return "<" + hex.EncodeToString(m.Sum(nil)[:messageIDBytes]) + "@" + domain + ">"
}

// Templates lists the mails that can be rendered, so a rule naming a
// template can be checked before any mail arrives.
func (c *Composer) Templates() []string {
	return c.langs[c.defaultLang].mailNames()
}

// Render builds the complete mail for r. Two calls with the same Reply give
// the same bytes.
func (c *Composer) Render(r Reply) (Outgoing, error) {
	lang := c.language(r.Language)
	l := c.langs[lang]
	if !l.mails[r.Template] {
		return Outgoing{}, fmt.Errorf("render %q (%s): %w", r.Template, lang, ErrUnknownTemplate)
	}
	if r.InboundKey == "" {
		return Outgoing{}, fmt.Errorf("render %s: no inbound key, the Message-ID would not be unique", r.Template)
	}
	if r.Date.IsZero() {
		return Outgoing{}, fmt.Errorf("render %s: no date", r.Template)
	}
	to, err := recipient(r.To)
	if err != nil {
		return Outgoing{}, fmt.Errorf("render %s: %w", r.Template, err)
	}
	purpose := r.Purpose
	if purpose == "" {
		purpose = r.Template
	}
	if len(c.idKey) == 0 {
		return Outgoing{}, fmt.Errorf("render %s: no Message-ID secret (WithSecret)", r.Template)
	}
	msgID := MessageID(c.idKey, r.InboundKey, purpose, c.domain)

	data := c.mailData(r, lang, l)
	c.addLinks(&data, r.Template, msgID)
	subject, err := l.subject(r.Template, data)
	if err != nil {
		return Outgoing{}, err
	}
	if data.Ref != "" {
		subject = cleanHeader("["+data.Ref+"] "+subject, maxSubjectRunes)
	}
	// An AnyDesk ID never goes into a Subject, from a template or a quoted
	// customer subject: subjects are what mail clients, servers and
	// notifications show and log everywhere, long after the body is gone.
	subject = maskIDs(subject)
	data.Subject = subject
	text, err := l.text(r.Template, data)
	if err != nil {
		return Outgoing{}, err
	}
	html, err := l.html(r.Template, data)
	if err != nil {
		return Outgoing{}, err
	}
	var ics []byte
	if r.Invite != nil {
		if ics, err = c.calendar(r, to.Address, data, l); err != nil {
			return Outgoing{}, fmt.Errorf("render %s: calendar: %w", r.Template, err)
		}
	}
	icsName := calendarFileName
	if ics == nil {
		// A technician's notice and agenda carry their sessions to
		// import, as an attachment only: nobody is invited to anything.
		if sessions := c.sessionsOf(r, lang); len(sessions) > 0 {
			if ics, err = SessionCalendar(c.loc, MethodPublish, sessions); err != nil {
				return Outgoing{}, fmt.Errorf("render %s: sessions: %w", r.Template, err)
			}
			icsName = sessionsFileName
		}
	}

	m, from := c.newMsg(msgID, to, subject, r.Date)
	inReplyTo, refs := threading(r.InReplyTo, r.References)
	if inReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, inReplyTo)
	}
	if len(refs) > 0 {
		// One value: go-mail joins several with commas, References wants spaces.
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	// RFC 3834 plus the Microsoft and legacy equivalents: every auto-responder
	// we know of stays silent on these, which is what keeps two robots from
	// answering each other forever.
	autoSubmitted := "auto-replied"
	if r.Generated {
		autoSubmitted = "auto-generated"
	}
	m.SetGenHeader(gomail.Header("Auto-Submitted"), autoSubmitted)
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	m.SetGenHeader(gomail.HeaderPrecedence, "bulk")
	m.SetGenHeader(gomail.HeaderContentLang, lang)
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	if ics != nil && r.Invite != nil {
		// The method parameter must repeat the calendar's METHOD: Outlook
		// decides from the header whether this is an invitation at all.
		// Quoted-printable like the other parts: the calendar's CRLFs are
		// hard line breaks to it and come back unchanged, and the calendar
		// stays readable (and searchable) in the stored mail.
		m.AddAlternativeString(gomail.ContentType(ical.MIMEType+"; method="+r.Invite.Method), string(ics))
	}

	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return Outgoing{}, fmt.Errorf("render %s: write mail: %w", r.Template, err)
	}
	raw := buf.Bytes()
	if ics != nil {
		if raw, err = withCalendarAttachment(raw, boundary("mixed\x00"+msgID), icsName, ics); err != nil {
			return Outgoing{}, fmt.Errorf("render %s: %w", r.Template, err)
		}
	}
	return Outgoing{
		MessageID: msgID,
		From:      from.Address,
		To:        to.Address,
		Subject:   subject,
		Raw:       raw,
	}, nil
}

// newMsg starts a mail of ours: From, To, Subject, Date and Message-ID.
// A fixed boundary is what makes the bytes repeatable; deriving it from the
// Message-ID keeps it unique per mail.
func (c *Composer) newMsg(msgID string, to mail.Address, subject string, date time.Time) (*gomail.Msg, mail.Address) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.SetBoundary(boundary(msgID))
	from := c.from
	m.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, &from)
	m.SetAddrHeaderFromMailAddress(gomail.HeaderTo, &to)
	m.Subject(subject)
	m.SetDateWithValue(date.In(c.loc))
	m.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(msgID, "<"), ">"))
	return m, from
}

// language picks the template language for a reply: the customer's when we
// have templates for it, else the desk's default.
func (c *Composer) language(want string) string {
	want = strings.ToLower(strings.TrimSpace(want))
	if _, ok := c.langs[want]; ok {
		return want
	}
	return c.defaultLang
}

// recipient checks the address we are about to write to. The address comes
// from an incoming mail, so anything that is not exactly one plain address
// is refused rather than repaired: a repaired address could be someone else's.
func recipient(a mail.Address) (mail.Address, error) {
	addr := strings.TrimSpace(a.Address)
	if addr == "" {
		return mail.Address{}, errors.New("no recipient address")
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil {
		return mail.Address{}, fmt.Errorf("recipient %q: %w", addr, err)
	}
	if parsed.Address != addr {
		return mail.Address{}, fmt.Errorf("recipient %q is not one plain mail address", addr)
	}
	return mail.Address{Name: customerText(a.Name, maxNameRunes), Address: parsed.Address}, nil
}

func boundary(msgID string) string {
	sum := sha256.Sum256([]byte("boundary\x00" + msgID))
	return "mailflow-" + hex.EncodeToString(sum[:16])
}
