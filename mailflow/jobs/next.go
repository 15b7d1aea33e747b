package jobs

import (
	"context"
	"time"
)

// Status keys that tell `mailflow status` when the clock's work comes next.
const (
	StatusNextAgenda   = "jobs.next_agenda"
	StatusNextReminder = "jobs.next_reminder"
)

// recordNextRuns writes when the next agenda and the next customer reminder
// are due, so an operator can see the clock's work is planned. Best effort:
// a failure only leaves the status stale.
func (r *Runner) recordNextRuns(ctx context.Context, now time.Time) {
	set := func(key string, t time.Time) {
		v := "none planned"
		if !t.IsZero() {
			v = t.In(r.loc).Format(time.RFC3339)
		}
		if err := r.st.SetStatus(ctx, key, v); err != nil {
			r.log.Debug("status not written", "key", key, "err", err)
		}
	}
	set(StatusNextAgenda, r.nextAgenda(now))
	set(StatusNextReminder, r.nextReminder(ctx, now))
}

// nextAgenda is the next agenda time on a day the desk works, after now.
func (r *Runner) nextAgenda(now time.Time) time.Time {
	if r.agendaAt < 0 {
		return time.Time{}
	}
	day := r.dayStart(now)
	for i := 0; i < 30; i, day = i+1, r.addDays(day, 1) {
		if at := r.clock(day, r.agendaAt); at.After(now) && len(r.desk.DaySlots(day)) > 0 {
			return at
		}
	}
	return time.Time{}
}

// nextReminder is the earliest reminder still to come for the booked
// sessions of the next two weeks.
func (r *Runner) nextReminder(ctx context.Context, now time.Time) time.Time {
	if len(r.reminders) == 0 {
		return time.Time{}
	}
	as, err := r.st.UpcomingBooked(ctx, now, now.AddDate(0, 0, 14))
	if err != nil {
		return time.Time{}
	}
	var next time.Time
	for i := range as {
		for _, rem := range r.reminders {
			due := r.reminderDue(rem, as[i].Start)
			if due.After(now) && !due.Before(bookedAt(&as[i])) && (next.IsZero() || due.Before(next)) {
				next = due
			}
		}
	}
	return next
}
