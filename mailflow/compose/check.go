package compose

import (
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"time"
)

// Check renders every mail in every language with sample data: once with
// every field filled, once with only the required ones and once with a
// calendar invitation attached, and returns all errors. html/template finds some mistakes only when a template first runs,
// and a missing field only shows on execution, so parsing alone is not
// enough for `mailflow check`.
func (c *Composer) Check() error {
	if len(c.idKey) == 0 {
		// Samples are thrown away; any key will do for rendering them.
		c = c.WithSecret([]byte("check"))
	}
	codes := make([]string, 0, len(c.langs))
	for code := range c.langs {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var errs []error
	// A broken partial fails every mail that uses it; one report per fault
	// is what the operator needs.
	seen := map[string]bool{}
	for _, code := range codes {
		for _, name := range c.langs[code].mailNames() {
			samples := []struct {
				kind string
				r    Reply
			}{
				{sampleKind(true), c.sampleReply(name, code, true)},
				{sampleKind(false), c.sampleReply(name, code, false)},
				// Every mail, not only the three that carry one today: the
				// calendar partials run with the mail's data, and a rule may
				// one day attach an invitation to an operator's own mail.
				{"invitation", c.sampleInvite(c.sampleReply(name, code, true))},
			}
			for _, s := range samples {
				_, err := c.Render(s.r)
				if err == nil {
					continue
				}
				if !seen[err.Error()] {
					seen[err.Error()] = true
					errs = append(errs, fmt.Errorf("check %s/%s (%s sample): %w", code, name, s.kind, err))
				}
				break
			}
		}
	}
	return errors.Join(errs...)
}

func sampleKind(full bool) string {
	if full {
		return "full"
	}
	return "sparse"
}

// sampleReply is a believable reply for checks and golden files: a customer
// who wrote on a Monday morning for an appointment on Thursday.
func (c *Composer) sampleReply(name, lang string, full bool) Reply {
	r := c.sampleCustomerReply(name, lang, full)
	if name == TemplateTechnicianNotice {
		// A technician notice goes to a technician, with the customer inside.
		r.To = mail.Address{Name: "Anna Berger", Address: "anna@example.com"}
		r.Notice = &Notice{Kind: NoticeID, CustomerName: "Maria Muster", CustomerAddress: "kundin@example.com", AnyDeskID: "555123987",
			Reason: "Rechnungen lassen sich nicht drucken", Sequence: 1}
	}
	if name == TemplateConfirmChange {
		// Sent to the address on file, outside the thread of the mail
		// that asked (which may be forged).
		r.InReplyTo, r.References, r.Subject = "", nil, ""
		r.Proposals, r.Why, r.AnyDeskIDMasked = nil, "", ""
	}
	if name == TemplateAgenda && full {
		r = c.sampleAgenda(r)
	}
	if name == TemplateWebLogin {
		r.To = mail.Address{Name: "Anna Berger", Address: "anna@example.com"}
		r.InReplyTo, r.References, r.Subject, r.Ref = "", nil, "", ""
		r.SignInLink = "https://desk.example.com/login/sample-token"
	}
	return r
}

func (c *Composer) sampleCustomerReply(name, lang string, full bool) Reply {
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, time.November, day, hour, minute, 0, 0, c.loc)
	}
	slot := func(day, hour, minute int) Slot {
		start := at(day, hour, minute)
		return Slot{Start: start, End: start.Add(30 * time.Minute)}
	}
	r := Reply{
		Template:   name,
		Language:   lang,
		To:         mail.Address{Address: "kundin@example.com"},
		InboundKey: "sample:" + lang + ":" + name,
		Purpose:    name,
		Date:       at(23, 9, 12),
	}
	if !full {
		return r
	}
	r.To.Name = "Maria Muster"
	r.InReplyTo = "<kundin-1@example.com>"
	r.References = []string{"<kundin-0@example.com>"}
	r.Subject = "Fernwartung"
	r.Ref = "FW-1234"
	r.Appointment = slot(26, 10, 0)
	r.Previous = slot(25, 14, 0)
	r.Proposals = []Slot{slot(26, 13, 30), slot(27, 9, 0), slot(30, 14, 0)}
	r.AnyDeskIDMasked = "*** *** 789"
	r.Why = "On Thursday at 10:00 another customer is already booked."
	if lang == "de" {
		r.Why = "Am Donnerstag um 10:00 Uhr ist schon ein anderer Kunde eingeplant."
	}
	return r
}

// sampleInvite adds the calendar invitation the pipeline would send with r:
// a cancellation for the cancelled mail, one change for a rescheduled
// appointment, the first booking otherwise.
func (c *Composer) sampleInvite(r Reply) Reply {
	inv := &Invite{UID: "fw-1234@" + c.domain, Method: MethodRequest}
	switch r.Template {
	case TemplateRescheduled:
		inv.Sequence = 1
	case TemplateCancelled:
		inv.Sequence, inv.Method = 2, MethodCancel
	}
	r.Invite = inv
	if r.Appointment.Start.IsZero() {
		start := time.Date(2026, time.November, 26, 10, 0, 0, 0, c.loc)
		r.Appointment = Slot{Start: start, End: start.Add(30 * time.Minute)}
	}
	return r
}
