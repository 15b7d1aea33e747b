package desk

import (
	"context"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// TestStrangersMail: what a customer's mail asks of the desk when it is
// read with doubt, carries an ID with its time, or names an alias.
func TestStrangersMail(t *testing.T) {
	f := newFixture(t, "capability")
	loc := f.now.Location()
	wish := time.Date(2026, 11, 27, 11, 0, 0, 0, loc)
	cases := []struct {
		name     string
		action   func(*Desk, context.Context, *store.Tx, Request) (*Result, error)
		from     string
		unsure   bool
		id       string
		outcome  string
		detail   string
		bookings int // booked sessions on the desk afterwards (Maria's is one)
		linked   string
	}{
		{"a guess is proposed, first", (*Desk).Book, hans, true, "", OutcomeProposed, "", 1, ""},
		{"time and ID book and link", (*Desk).Book, hans, false, "318552907", OutcomeBooked, "", 2, "318552907"},
		{"time and ID of a booked customer link", (*Desk).Book, maria, false, "111222333", OutcomeIDLinked, "the same AnyDesk ID again; no new mail", 1, "111222333"},
		{"alias goes to a person", (*Desk).RecordID, maria, false, "", OutcomeHuman, "an AnyDesk ID mail without the 9 digits (alias, screenshot or still to come)", 1, "111222333"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			var res *Result
			var sessions []store.Busy
			var next *store.Appointment
			err := f.st.DryRun(ctx, func(tx *store.Tx) error {
				req := Request{Actor: Actor{Role: RoleCustomer, Address: c.from}, Key: "read/" + c.name, IncomingID: f.in, Now: f.now,
					Wishes: []understand.Wish{{Start: wish, Precision: understand.PrecisionMinute}}, AnyDeskID: c.id, Unsure: c.unsure}
				var err error
				if res, err = c.action(f.d, ctx, tx, req); err != nil {
					return err
				}
				if sessions, err = tx.Booked(ctx, f.now, f.now.AddDate(0, 1, 0)); err != nil {
					return err
				}
				if c.linked != "" {
					next, err = tx.NextAppointmentOf(ctx, c.from, f.now)
				}
				return err
			})
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			if res.Outcome != c.outcome || c.detail != "" && res.Detail != c.detail {
				t.Fatalf("outcome %s (%s), want %s (%s)", res.Outcome, res.Detail, c.outcome, c.detail)
			}
			if c.outcome == OutcomeProposed && (len(res.Proposals) == 0 || !res.Proposals[0].Start.Equal(wish)) {
				t.Errorf("proposals %v, want %s first", res.Proposals, wish)
			}
			if len(sessions) != c.bookings {
				t.Fatalf("%d sessions booked, want %d", len(sessions), c.bookings)
			}
			if c.linked != "" && next.AnyDeskID.String != c.linked {
				t.Errorf("ID %q linked to %s's session, want %q", next.AnyDeskID.String, c.from, c.linked)
			}
		})
	}
}
