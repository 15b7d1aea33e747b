package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TeamAgenda selects the team lead's combined agenda where a technician's
// address is asked for (mailflow agenda -technician team).
const TeamAgenda = "team"

// ErrPastDay is returned when an agenda for a day that is over is to be
// sent: it would tell nobody anything they can still act on.
var ErrPastDay = errors.New("the day is over")

// ErrNoRecipient is returned when an agenda is asked for someone who is
// neither a technician nor the team lead.
var ErrNoRecipient = errors.New("neither a technician nor the team lead")

// recipient is who gets one agenda.
type recipient struct {
	to mail.Address
	// technician is the lower-case address whose sessions are listed;
	// "" for the team lead, who gets everybody's.
	technician string
}

func (rc recipient) name() string {
	if rc.technician == "" {
		return TeamAgenda
	}
	return rc.technician
}

// agendaKey is the job key of one recipient's agenda for day.
func (r *Runner) agendaKey(day time.Time, rc recipient) string {
	return "agenda/" + day.In(r.loc).Format(time.DateOnly) + "/" + rc.name()
}

// recipients lists who gets an agenda for day. With only == "" those who
// work that day: each technician at work, and the team lead when anybody
// is. Otherwise only the technician (or the team lead, or TeamAgenda)
// named, whether at work or not: whoever asks by hand gets what they ask.
func (r *Runner) recipients(day time.Time, only string) ([]recipient, error) {
	var out []recipient
	for _, t := range r.cfg.Technicians {
		email := strings.ToLower(strings.TrimSpace(t.Email))
		if only == "" && !r.desk.WorkingDay(day, email) || only != "" && !sameAddress(only, email) {
			continue
		}
		out = append(out, recipient{to: mail.Address{Name: t.Name, Address: email}, technician: email})
	}
	if lead := strings.TrimSpace(r.cfg.Jobs.TeamLead); lead != "" {
		wanted := only == "" && r.desk.WorkingDay(day, "") || only != "" && (sameAddress(only, lead) || strings.EqualFold(only, TeamAgenda))
		if wanted {
			out = append(out, recipient{to: mail.Address{Address: lead}})
		}
	}
	if only != "" && len(out) == 0 {
		return nil, fmt.Errorf("agenda for %s: %w", only, ErrNoRecipient)
	}
	return out, nil
}

// dueAgendas queues the agendas due at now: on a day the desk is open,
// from agenda_time until the desk closes (a daemon that was down at
// agenda_time catches up; once the desk has closed the day's agenda is of
// no use any more, and a past day is never sent). When agenda_time is set
// after closing time the agenda may still go out until midnight.
func (r *Runner) dueAgendas(ctx context.Context, now time.Time) (int, error) {
	if r.agendaAt < 0 {
		return 0, nil
	}
	now = now.In(r.loc)
	day := r.dayStart(now)
	hours := r.desk.Hours(day)
	if len(hours) == 0 {
		return 0, nil
	}
	due := r.clock(day, r.agendaAt)
	until := hours[len(hours)-1].End
	if !until.After(due) {
		until = r.addDays(day, 1)
	}
	if now.Before(due) || !now.Before(until) {
		return 0, nil
	}
	rcs, err := r.recipients(day, "")
	if err != nil {
		return 0, err
	}
	keys := make([]string, len(rcs))
	for i, rc := range rcs {
		keys[i] = r.agendaKey(day, rc)
	}
	done, err := r.st.JobsDone(ctx, keys)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for i, rc := range rcs {
		if done[keys[i]] {
			continue
		}
		queued, err := r.queueAgenda(ctx, day, rc, now)
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			r.failed(ctx, keys[i], err)
			errs = append(errs, err)
			continue
		}
		r.succeeded(keys[i])
		if queued {
			n++
			r.log.Info("agenda queued", "day", day.Format(time.DateOnly), "for", rc.name(), "late", now.Sub(due).Round(time.Second).String())
		}
	}
	return n, errors.Join(errs...)
}

// queueAgenda queues one agenda under its key; queued is false when the
// key was taken already (someone else sent it first).
func (r *Runner) queueAgenda(ctx context.Context, day time.Time, rc recipient, now time.Time) (queued bool, err error) {
	key := r.agendaKey(day, rc)
	err = r.st.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimJob(ctx, key, now)
		if err != nil || !ok {
			return err
		}
		reply, err := r.agendaReply(ctx, tx, day, rc, now)
		if err != nil {
			return err
		}
		out, err := r.composer.Render(reply)
		if err != nil {
			return fmt.Errorf("agenda %s: %w", key, err)
		}
		if _, err := tx.Enqueue(ctx, &store.OutboxMail{MessageID: out.MessageID, Purpose: compose.TemplateAgenda,
			Sender: out.From, Recipient: out.To, Raw: out.Raw}); err != nil {
			return err
		}
		queued = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return queued, nil
}

// agendaReply gathers one recipient's agenda for day, as of now, from the
// transaction's view of the appointments.
func (r *Runner) agendaReply(ctx context.Context, tx *store.Tx, day time.Time, rc recipient, now time.Time) (compose.Reply, error) {
	day = r.dayStart(day)
	end := r.addDays(day, 1)
	next := r.workingDayAfter(day, rc.technician)
	to := end
	if !next.IsZero() {
		to = r.addDays(next, 1)
	}
	as, err := tx.BookedStarting(ctx, day, to)
	if err != nil {
		return compose.Reply{}, err
	}
	names := map[string]string{}
	for _, t := range r.cfg.Technicians {
		names[strings.ToLower(strings.TrimSpace(t.Email))] = t.Name
	}
	mine := func(a store.Appointment) bool { return rc.technician == "" || sameAddress(a.Technician, rc.technician) }
	agenda := &compose.Agenda{Day: day, Technician: rc.to.Name, Next: next}
	if rc.technician != "" && agenda.Technician == "" {
		// An empty name would make it read as the team's agenda.
		agenda.Technician = rc.technician
	}
	var booked []booking.Booked
	for _, a := range as {
		switch {
		case a.Start.Before(end):
			booked = append(booked, booking.Booked{Slot: booking.Slot{Start: a.Start, End: a.End}, Technician: a.Technician})
			if !mine(a) {
				continue
			}
			tech := names[strings.ToLower(a.Technician)]
			if tech == "" {
				tech = a.Technician
			}
			agenda.Sessions = append(agenda.Sessions, compose.AgendaSession{
				Slot:       compose.Slot{Start: a.Start.In(r.loc), End: a.End.In(r.loc)},
				Technician: tech, CustomerName: a.CustomerName, CustomerAddress: a.Customer,
				Reason: a.Reason, Ref: a.Ref, IDReceived: a.AnyDeskID.Valid && a.AnyDeskID.String != "", Sequence: a.Sequence,
			})
		case !next.IsZero() && !a.Start.Before(next) && mine(a):
			agenda.NextCount++
		}
	}
	// Free means free from now on: at 07:30 the whole day, later in the day
	// (a catch-up, or by hand) only what a customer could still get.
	from := day
	if now.After(from) {
		from = now
	}
	if src := r.desk.BusySource(); src != nil {
		// Time busy in a technician's own calendar is not free either.
		booked = r.desk.AddExternal(booked, booked, src.BusyTimes(ctx, day, end))
	}
	for _, s := range r.desk.FreeSlots(day, from, rc.technician, booked) {
		agenda.Free = append(agenda.Free, compose.Slot{Start: s.Start, End: s.End})
	}
	return compose.Reply{
		Template:   compose.TemplateAgenda,
		Language:   r.cfg.Desk.Language,
		To:         rc.to,
		InboundKey: "job/" + r.agendaKey(day, rc),
		Purpose:    compose.TemplateAgenda,
		Date:       now,
		Agenda:     agenda,
		Generated:  true,
	}, nil
}

// AgendaMail is one agenda as `mailflow agenda` shows or sends it.
type AgendaMail struct {
	// Key is the job key; To the recipient's address.
	Key, To string
	// Subject and Text are the mail's subject and text part.
	Subject, Text string
	// Sessions is how many sessions it lists.
	Sessions int
	// Done is true when the key was taken before this call: the agenda was
	// sent (or queued) already and is not sent again.
	Done bool
	// Queued is true when this call queued it.
	Queued bool
}

// Agendas renders the agendas of day as of now without sending anything:
// for only == "" everybody's who works that day, else the one named (a
// technician's address, the team lead's, or TeamAgenda).
func (r *Runner) Agendas(ctx context.Context, day time.Time, only string, now time.Time) ([]AgendaMail, error) {
	day = r.dayStart(day)
	rcs, err := r.recipients(day, only)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(rcs))
	for i, rc := range rcs {
		keys[i] = r.agendaKey(day, rc)
	}
	done, err := r.st.JobsDone(ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []AgendaMail
	err = r.st.DryRun(ctx, func(tx *store.Tx) error {
		for i, rc := range rcs {
			reply, err := r.agendaReply(ctx, tx, day, rc, now)
			if err != nil {
				return err
			}
			subject, text, err := r.composer.Preview(reply)
			if err != nil {
				return fmt.Errorf("agenda %s: %w", keys[i], err)
			}
			out = append(out, AgendaMail{Key: keys[i], To: rc.to.Address, Subject: subject, Text: text,
				Sessions: len(reply.Agenda.Sessions), Done: done[keys[i]]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SendAgendas queues the agendas Agendas would show, each under the same
// key the daemon uses, so an agenda sent by hand is not sent again at
// agenda_time and one the daemon sent is not sent again by hand. A day
// that is over is refused with ErrPastDay.
func (r *Runner) SendAgendas(ctx context.Context, day time.Time, only string, now time.Time) ([]AgendaMail, error) {
	day = r.dayStart(day)
	if day.Before(r.dayStart(now)) {
		return nil, fmt.Errorf("agenda for %s: %w", day.Format(time.DateOnly), ErrPastDay)
	}
	mails, err := r.Agendas(ctx, day, only, now)
	if err != nil {
		return nil, err
	}
	rcs, err := r.recipients(day, only)
	if err != nil {
		return nil, err
	}
	n := 0
	for i, rc := range rcs {
		queued, err := r.queueAgenda(ctx, day, rc, now)
		if err != nil {
			return mails, err
		}
		mails[i].Queued = queued
		mails[i].Done = !queued
		if queued {
			n++
			r.log.Info("agenda queued by hand", "day", day.Format(time.DateOnly), "for", rc.name())
		}
	}
	if n > 0 && r.queued != nil {
		r.queued()
	}
	return mails, nil
}
