package compose

import (
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"time"
)

// Check renders every mail in every language with sample data, once with
// every field filled and once with only the required ones, and returns all
// errors. html/template finds some mistakes only when a template first runs,
// and a missing field only shows on execution, so parsing alone is not
// enough for `mailflow check`.
func (c *Composer) Check() error {
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
			for _, full := range []bool{true, false} {
				_, err := c.Render(c.sampleReply(name, code, full))
				if err == nil {
					continue
				}
				if !seen[err.Error()] {
					seen[err.Error()] = true
					errs = append(errs, fmt.Errorf("check %s/%s (%s sample): %w", code, name, sampleKind(full), err))
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
	r.Proposals = []Slot{slot(26, 13, 30), slot(27, 9, 0), slot(30, 14, 0)}
	r.AnyDeskIDMasked = "*** *** 789"
	r.Why = "On Thursday at 10:00 another customer is already booked."
	if lang == "de" {
		r.Why = "Am Donnerstag um 10:00 Uhr ist schon ein anderer Kunde eingeplant."
	}
	return r
}
