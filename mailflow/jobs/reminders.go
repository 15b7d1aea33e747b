package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// reminderKey is the job key of one reminder of one appointment. An
// appointment that was moved (its sequence grew) gets fresh keys: the
// reminders of its old time say nothing about the new one.
func reminderKey(a *store.Appointment, rem config.Reminder) string {
	if a.Sequence == 0 {
		return "reminder/" + a.Ref + "/" + rem.Name()
	}
	return fmt.Sprintf("reminder/%s/%s/%d", a.Ref, rem.Name(), a.Sequence)
}

// reminderDue is when rem falls due for an appointment starting at start,
// on the desk's wall clock: the day-before reminder at its time of day on
// the last working day before the session's day; a span of whole days
// before the start keeps the start's time of day even across a DST change
// (24h before Monday 10:00 is Sunday 10:00), the rest is plain duration.
func (r *Runner) reminderDue(rem config.Reminder, start time.Time) time.Time {
	if rem.DayBeforeAt != "" {
		return r.clock(r.workingDayBefore(start), r.dayBefore)
	}
	days := int(rem.Before / (24 * time.Hour))
	rest := rem.Before % (24 * time.Hour)
	t := start.In(r.loc)
	if days > 0 {
		t = t.AddDate(0, 0, -days)
	}
	return t.Add(-rest)
}

// bookedAt is when the appointment got its current time: its booking, or
// its last change when it was moved since.
func bookedAt(a *store.Appointment) time.Time {
	if a.Sequence > 0 {
		return a.UpdatedAt
	}
	return a.CreatedAt
}

// dueReminder picks the reminder to send for a at now, if any. Of the
// reminders whose time has come only the latest counts: a daemon that was
// down over the day-before reminder's time sends it late, but once the
// 15-minutes reminder is due as well only that one goes out, never both
// at once. None goes out for a session booked (or moved) after that
// reminder's time, nor once the session has started.
func (r *Runner) dueReminder(a *store.Appointment, now time.Time) (config.Reminder, time.Time, bool) {
	if !now.Before(a.Start) {
		return config.Reminder{}, time.Time{}, false
	}
	var pick config.Reminder
	var pickDue time.Time
	for _, rem := range r.reminders {
		due := r.reminderDue(rem, a.Start)
		if due.After(now) || !due.Before(a.Start) {
			continue
		}
		if pickDue.IsZero() || due.After(pickDue) {
			pick, pickDue = rem, due
		}
	}
	if pickDue.IsZero() || bookedAt(a).After(pickDue) {
		return config.Reminder{}, time.Time{}, false
	}
	return pick, pickDue, true
}

// reminderHorizon is how far ahead of now a session can start and still
// have a reminder due now: up to the end of the next working day for the
// day-before reminder, the longest span (plus slack for a DST change)
// for the others.
func (r *Runner) reminderHorizon(now time.Time) time.Time {
	h := now
	for _, rem := range r.reminders {
		var t time.Time
		if rem.DayBeforeAt != "" {
			t = r.desk.AfterWorkingDays(now, 1)
		} else {
			t = now.Add(rem.Before + 2*time.Hour)
		}
		if t.After(h) {
			h = t
		}
	}
	return h
}

// dueReminders queues the reminders due at now.
func (r *Runner) dueReminders(ctx context.Context, now time.Time) (int, error) {
	if len(r.reminders) == 0 {
		return 0, nil
	}
	as, err := r.st.UpcomingBooked(ctx, now, r.reminderHorizon(now))
	if err != nil {
		return 0, err
	}
	type job struct {
		a   store.Appointment
		rem config.Reminder
		due time.Time
		key string
	}
	var jobs []job
	var keys []string
	for _, a := range as {
		if rem, due, ok := r.dueReminder(&a, now); ok {
			k := reminderKey(&a, rem)
			jobs = append(jobs, job{a, rem, due, k})
			keys = append(keys, k)
		}
	}
	done, err := r.st.JobsDone(ctx, keys)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, j := range jobs {
		if done[j.key] {
			continue
		}
		queued, err := r.queueReminder(ctx, &j.a, j.rem, j.key, now)
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			r.failed(ctx, j.key, err)
			errs = append(errs, err)
			continue
		}
		r.succeeded(j.key)
		if queued {
			n++
			r.log.Info("reminder queued", "ref", j.a.Ref, "reminder", j.rem.Name(), "late", now.Sub(j.due).Round(time.Second).String())
		}
	}
	return n, errors.Join(errs...)
}

// queueReminder queues one reminder under its key, after checking inside
// the transaction that the appointment is still booked at the time the
// pass saw: a cancellation or move committed in between wins.
func (r *Runner) queueReminder(ctx context.Context, seen *store.Appointment, rem config.Reminder, key string, now time.Time) (queued bool, err error) {
	err = r.st.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimJob(ctx, key, now)
		if err != nil || !ok {
			return err
		}
		a, err := tx.AppointmentByID(ctx, seen.ID)
		if err != nil {
			return err
		}
		if a.Status != store.StatusBooked || !a.Start.Equal(seen.Start) || a.Sequence != seen.Sequence {
			return errChanged
		}
		out, err := r.composer.Render(compose.Reply{
			Template:    compose.TemplateReminder,
			Language:    a.Language,
			To:          mail.Address{Name: a.CustomerName, Address: a.Customer},
			InboundKey:  "job/" + key,
			Purpose:     compose.TemplateReminder,
			Date:        now,
			Ref:         a.Ref,
			Appointment: compose.Slot{Start: a.Start.In(r.loc), End: a.End.In(r.loc)},
			Generated:   true,
		})
		if err != nil {
			return fmt.Errorf("reminder %s: %w", key, err)
		}
		if _, err := tx.Enqueue(ctx, &store.OutboxMail{MessageID: out.MessageID, Purpose: compose.TemplateReminder,
			Sender: out.From, Recipient: out.To, Raw: out.Raw}); err != nil {
			return err
		}
		// A reply to the reminder ("I can't make it") finds the appointment
		// and proves that the customer wrote it.
		if err := tx.LinkMail(ctx, out.MessageID, a.ID, out.To); err != nil {
			return err
		}
		if err := tx.Audit(ctx, store.AuditEntry{At: now, Actor: "system", Action: "reminder.queued", Ref: a.Ref, Outcome: rem.Name()}); err != nil {
			return err
		}
		queued = true
		return nil
	})
	if errors.Is(err, errChanged) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return queued, nil
}
