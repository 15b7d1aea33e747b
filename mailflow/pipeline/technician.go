package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// Outcomes of technicians' commands.
const (
	OutcomeDone  = "done"
	OutcomeNoted = "noted"
)

// command is what a technician asked for by replying.
type command int

const (
	cmdNone command = iota
	cmdDone
	cmdNote
	cmdCancel
	cmdReschedule
)

// commandWords start a command line; German and English, as technicians
// write them on a phone.
var commandWords = []struct {
	words []string
	cmd   command
}{
	{[]string{"erledigt", "done", "fertig", "abgeschlossen"}, cmdDone},
	{[]string{"notiz:", "notiz ", "note:", "note "}, cmdNote},
	{[]string{"absagen", "abgesagt", "cancel", "storno", "stornieren"}, cmdCancel},
	{[]string{"verschieben", "reschedule", "move to", "verlegen"}, cmdReschedule},
}

// parseCommand reads the first non-empty line of a technician's mail. The
// rest of that line and the lines below are the command's text (a protocol
// or a note).
func parseCommand(text string) (command, string) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		first := strings.TrimSpace(l)
		if first == "" {
			continue
		}
		lower := strings.ToLower(first)
		for _, cw := range commandWords {
			for _, w := range cw.words {
				if strings.HasPrefix(lower, w) {
					rest := strings.TrimLeft(strings.TrimSpace(first[len(w):]), ":-–, ")
					more := strings.TrimSpace(strings.Join(lines[i+1:], "\n"))
					return cw.cmd, strings.TrimSpace(rest + "\n" + more)
				}
			}
		}
		return cmdNone, ""
	}
	return cmdNone, ""
}

// isTechnician reports whether addr is a configured technician.
func (p *Pipeline) isTechnician(addr string) bool {
	for _, t := range p.cfg.Technicians {
		if strings.EqualFold(t.Email, addr) {
			return true
		}
	}
	return false
}

// technicianCommand carries out a technician's reply to a notice or an
// agenda: done (with protocol), note, cancel (the customer is told), or
// reschedule (the customer gets proposals). A mail that is no command, or
// names no booking, goes to a human folder untouched.
func (p *Pipeline) technicianCommand(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, now time.Time, res *Result) error {
	res.Rule, res.Action = "technician-command", rules.ActionRouteToHuman
	cmd, text := parseCommand(msg.Text)
	if cmd == cmdNone {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "mail from a technician without a command"
		return nil
	}
	a, err := tx.AppointmentAbout(ctx, bookingRef.FindString(msg.Subject), thread(msg))
	if errors.Is(err, store.ErrNotFound) {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "technician command without a booking reference"
		return nil
	}
	if err != nil {
		return err
	}
	res.Appointment, res.DestFolder = a, p.cfg.IMAP.ProcessedFolder
	if a.Status != store.StatusBooked && cmd != cmdNote {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, fmt.Sprintf("%s is %s already", a.Ref, a.Status)
		return nil
	}
	tech := strings.ToLower(msg.From.Address)
	ack := func(what string) error {
		return p.notify(res, in, now, tech, a, compose.Notice{Kind: compose.NoticeDone, CustomerName: a.CustomerName, CustomerAddress: a.Customer, Text: what})
	}
	// The customer's side of a change is answered in their language, to
	// them, outside the technician's thread.
	customerMsg := *msg
	customerMsg.From.Name, customerMsg.From.Address = a.CustomerName, a.Customer
	customerMsg.MessageID, customerMsg.InReplyTo, customerMsg.References, customerMsg.Subject = "", "", nil, ""
	customerReading := understand.Reading{Language: a.Language, Requested: reading.Requested}

	switch cmd {
	case cmdDone:
		if err := tx.MarkDone(ctx, a, text, now, p.cfg.Retention.AnyDeskIDDays); err != nil {
			return err
		}
		if p.cfg.Retention.AnyDeskIDDays == 0 {
			// The reply quotes our notice, ID included, perhaps encoded where
			// no search finds it: the command is carried out, the bytes go.
			if err := tx.DropRaw(ctx, in.ID, now); err != nil {
				return err
			}
		}
		res.Outcome = OutcomeDone
		return ack(a.Ref + " erledigt / done")
	case cmdNote:
		if err := tx.AddNote(ctx, a, text, now); err != nil {
			return err
		}
		res.Outcome = OutcomeNoted
		return ack(a.Ref + " Notiz gespeichert / note saved")
	case cmdCancel:
		if err := tx.Cancel(ctx, a); err != nil {
			return err
		}
		res.Outcome = OutcomeCancelled
		if err := p.reply(res, in, &customerMsg, customerReading, now, compose.Reply{
			Template: compose.TemplateCancelled, Purpose: "cancelled-by-desk", Ref: a.Ref,
			Appointment: p.slot(a.Start, a.End), Invite: p.invite(a, compose.MethodCancel),
		}); err != nil {
			return err
		}
		return ack(a.Ref + " abgesagt / cancelled")
	case cmdReschedule:
		// The customer chooses: they get slots near the technician's wish
		// (or the next free ones), and the old time holds until they pick.
		var around time.Time
		if len(reading.Requested) > 0 {
			around = reading.Requested[0].Start
		}
		booked, err := p.busy(ctx, tx, now, a)
		if err != nil {
			return err
		}
		dec := booking.Decision{Proposals: p.desk.Propose(now, around, booked), Why: booking.WhyNone, Wish: around}
		if err := p.propose(ctx, tx, in, &customerMsg, customerReading, dec, a, now, res); err != nil {
			return err
		}
		return ack(fmt.Sprintf("%s: %d Vorschläge an den Kunden / proposals sent to the customer", a.Ref, len(res.Proposals)))
	}
	return nil
}
