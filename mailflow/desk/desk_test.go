package desk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

const (
	maria = "maria@kunde.at"   // the customer of the booking
	hans  = "hans@firma.at"    // another customer
	anna  = "anna@example.com" // its technician
	bernd = "bernd@example.com"
	lea   = "lea@example.com" // team lead
	// Our mails about the booking, by recipient: replying to one is a
	// capability for that recipient only.
	toMaria = "<cap-maria@example.com>"
	toAnna  = "<cap-anna@example.com>"
	oldMail = "<legacy@example.com>" // linked before recipients were kept
)

// fixture is one desk with one booking of Maria's, assigned to Anna, with
// an AnyDesk ID already on it.
type fixture struct {
	d   *Desk
	st  *store.Store
	a   *store.Appointment
	in  int64 // the incoming mail that asks
	now time.Time
}

func newFixture(t *testing.T, require string) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("test.yaml", []byte(`
sandbox: {enabled: true}
technicians: [{name: Anna, email: anna@example.com}, {name: Bernd, email: bernd@example.com}]
jobs: {team_lead: lea@example.com}
trust: {require: `+require+`, authserv_ids: [mx.example.com]}
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.SQLite, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	slots, err := booking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: New(cfg, st, slots, c), st: st, now: time.Date(2026, 11, 24, 9, 0, 0, 0, slots.Location())}
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, slots.Location())
	err = st.InTx(ctx, func(tx *store.Tx) error {
		in, err := tx.InsertIncoming(ctx, store.Cursor{Mailbox: "INBOX", UIDValidity: 1}, store.Fetched{UID: 1, MessageID: "<ask@x>", BodyHash: "h", Raw: []byte("x")})
		if err != nil {
			return err
		}
		f.in = in.ID
		f.a = &store.Appointment{Customer: maria, CustomerName: "Maria", Technician: anna, Start: start, End: start.Add(30 * time.Minute), Language: "de"}
		if err := tx.Book(ctx, f.a); err != nil {
			return err
		}
		if err := tx.SetAnyDeskID(ctx, f.a.ID, "111222333"); err != nil {
			return err
		}
		for id, to := range map[string]string{toMaria: maria, toAnna: anna} {
			if err := tx.LinkMail(ctx, id, f.a.ID, to); err != nil {
				return err
			}
		}
		// A mail linked before recipients were kept names nobody.
		return tx.LinkMail(ctx, oldMail, f.a.ID, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type effect int

const (
	changed effect = iota // carried out
	confirm               // refused; the address on file is asked to confirm
	refused               // refused; a person looks, nobody is mailed
)

func (e effect) String() string { return [...]string{"changed", "confirm", "refused"}[e] }

// TestPermissionMatrix: who may do what with which proof (docs/trust.md).
func TestPermissionMatrix(t *testing.T) {
	capability := func(ids ...string) Proof { return Proof{Answers: ids} }
	authenticated := Proof{Authenticated: true, Via: "dmarc=pass mx.example.com"}
	failed := Proof{Answers: []string{toMaria}, Failed: true, Authenticated: false}
	operator := Proof{Operator: true}
	customer := func(addr string) Actor { return Actor{Role: RoleCustomer, Address: addr} }
	tech := func(addr string) Actor { return Actor{Role: RoleTechnician, Address: addr} }
	cases := []struct {
		name    string
		require string
		action  string
		actor   Actor
		proof   Proof
		want    effect
		onFile  string // who is asked to confirm
	}{
		// Customers: their own booking, with proof.
		{"customer cancels replying to our mail", "capability", "cancel", customer(maria), capability(toMaria), changed, ""},
		{"customer cancels by a fresh mail", "capability", "cancel", customer(maria), Proof{}, confirm, maria},
		{"forged customer cancel answering the technician's mail", "capability", "cancel", customer(maria), capability(toAnna), confirm, maria},
		{"customer cancel answering a pre-upgrade mail", "capability", "cancel", customer(maria), capability(oldMail), confirm, maria},
		{"customer cancel, dmarc=fail", "capability", "cancel", customer(maria), failed, confirm, maria},
		{"authenticated customer cancel, require capability", "capability", "cancel", customer(maria), authenticated, confirm, maria},
		{"authenticated customer cancel, require authenticated", "authenticated", "cancel", customer(maria), authenticated, changed, ""},
		{"capability, require authenticated", "authenticated", "cancel", customer(maria), capability(toMaria), changed, ""},
		{"dmarc=fail, require authenticated", "authenticated", "cancel", customer(maria), Proof{Failed: true, Authenticated: true}, confirm, maria},
		{"capability alone, require both", "both", "cancel", customer(maria), capability(toMaria), confirm, maria},
		{"capability and authenticated, require both", "both", "cancel", customer(maria), Proof{Answers: []string{toMaria}, Authenticated: true}, changed, ""},
		{"customer changes the ID with proof", "capability", "id", customer(maria), capability(toMaria), changed, ""},
		{"forged customer ID change", "capability", "id", customer(maria), Proof{}, confirm, maria},
		{"customer marks done", "capability", "done", customer(maria), capability(toMaria), refused, ""},
		// Another customer never finds Maria's booking, whatever they name.
		{"other customer cancels Maria's booking", "capability", "cancel", customer(hans), capability(toMaria), refused, ""},
		// Technicians: their own sessions, with proof; the team lead all.
		{"technician done replying to the notice", "capability", "done", tech(anna), capability(toAnna), changed, ""},
		{"forged technician done", "capability", "done", tech(anna), Proof{}, confirm, anna},
		{"technician done answering the customer's mail", "capability", "done", tech(anna), capability(toMaria), confirm, anna},
		{"technician cancel with proof", "capability", "cancel", tech(anna), capability(toAnna), changed, ""},
		{"forged technician cancel", "capability", "cancel", tech(anna), Proof{}, confirm, anna},
		{"other technician cancels", "capability", "cancel", tech(bernd), authenticated, refused, ""},
		{"other technician cancels, require authenticated", "authenticated", "cancel", tech(bernd), authenticated, refused, ""},
		{"technician note with proof", "capability", "note", tech(anna), capability(toAnna), changed, ""},
		{"forged technician note", "capability", "note", tech(anna), Proof{}, confirm, anna},
		{"team lead cancels, authenticated", "authenticated", "cancel", Actor{Role: RoleTeamLead, Address: lea}, authenticated, changed, ""},
		{"forged team lead cancel", "capability", "cancel", Actor{Role: RoleTeamLead, Address: lea}, Proof{}, confirm, lea},
		{"someone claiming the team lead role", "authenticated", "cancel", Actor{Role: RoleTeamLead, Address: bernd}, authenticated, refused, ""},
		// The web pages: a session opened with a link mailed to the
		// address on file is proof for the desk's people, never for
		// customers (their links carry the mail's Message-ID instead).
		{"technician done on the web page", "both", "done", tech(anna), Proof{Session: true}, changed, ""},
		{"other technician on the web page", "capability", "cancel", tech(bernd), Proof{Session: true}, refused, ""},
		{"team lead on the web page", "both", "note", Actor{Role: RoleTeamLead, Address: lea}, Proof{Session: true}, changed, ""},
		{"customer claiming a web session", "capability", "cancel", customer(maria), Proof{Session: true}, confirm, maria},
		// The operator: the command line on the server.
		{"operator cancels", "capability", "cancel", Actor{Role: RoleOperator}, operator, changed, ""},
		{"operator done", "both", "done", Actor{Role: RoleOperator}, operator, changed, ""},
		{"operator role without the command line", "capability", "cancel", Actor{Role: RoleOperator}, Proof{}, refused, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, c.require)
			req := Request{Actor: c.actor, Proof: c.proof, Ref: f.a.Ref, Key: "test/" + c.name, IncomingID: f.in, Now: f.now, AnyDeskID: "999888777", Text: "x"}
			var res *Result
			err := f.st.InTx(ctx, func(tx *store.Tx) error {
				act := map[string]func(context.Context, *store.Tx, Request) (*Result, error){
					"cancel": f.d.Cancel, "done": f.d.Done, "note": f.d.Note, "id": f.d.RecordID,
				}[c.action]
				var err error
				if res, err = act(ctx, tx, req); err != nil {
					return err
				}
				return f.d.Record(ctx, tx, res, f.in, res.Outcome)
			})
			if err != nil {
				t.Fatal(err)
			}
			after, err := f.st.AppointmentByRef(ctx, f.a.Ref)
			if err != nil {
				t.Fatal(err)
			}
			untouched := after.Status == store.StatusBooked && after.AnyDeskID.String == "111222333" && after.Protocol == ""
			var got effect
			switch {
			case !res.Human:
				got = changed
			case len(res.Mails) > 0:
				got = confirm
			default:
				got = refused
			}
			if got != c.want {
				t.Fatalf("%s, want %s (%s)", got, c.want, res.Detail)
			}
			if (got == changed) == untouched {
				t.Fatalf("booking after %s: status %s, id %q, protocol %q", got, after.Status, after.AnyDeskID.String, after.Protocol)
			}
			if got == confirm {
				m := res.Mails[0]
				if len(res.Mails) != 1 || m.Template != compose.TemplateConfirmChange || m.To != c.onFile || !m.ConfirmChange {
					t.Fatalf("neutral mail: %d mails, %s to %s, want one confirm_change to %s", len(res.Mails), m.Template, m.To, c.onFile)
				}
				if res.Err() == nil {
					t.Fatal("a refused request reports no error")
				}
			}
			if got == refused && res.Err() == nil {
				t.Fatal("a refused request reports no error")
			}
		})
	}
}

// TestChangedIDTellsTheTechnician: a proven ID change reaches the
// technician at once, as a change, even for a session days ahead: with
// technician_notice.id mail the ID is in the body, with link only the
// session page is, and never in the subject.
func TestChangedIDTellsTheTechnician(t *testing.T) {
	for _, c := range []struct{ mode, want, never string }{
		{config.NoticeIDMail, "999 888 777", ""},
		{config.NoticeIDLink, "https://desk.example.com/s/", "999 888 777"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, "capability")
			f.d.cfg.TechnicianNotice.ID, f.d.cfg.HTTP.PublicURL = c.mode, "https://desk.example.com/"
			var res *Result
			err := f.st.InTx(ctx, func(tx *store.Tx) error {
				var err error
				res, err = f.d.RecordID(ctx, tx, Request{Actor: Actor{Role: RoleCustomer, Address: maria}, Proof: Proof{Answers: []string{toMaria}},
					Key: "k", IncomingID: f.in, Now: f.now, AnyDeskID: "999888777"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var notice *Mail
			for i := range res.Mails {
				if res.Mails[i].Notice {
					notice = &res.Mails[i]
				}
			}
			if notice == nil || notice.To != anna {
				t.Fatalf("no notice to the technician: %+v", res.Mails)
			}
			raw := string(notice.Raw)
			if !strings.Contains(raw, c.want) || strings.Contains(notice.Subject, "999") {
				t.Fatalf("the notice must show %q in its body and no ID in its subject %q:\n%s", c.want, notice.Subject, raw)
			}
			if c.never != "" && strings.Contains(raw, c.never) {
				t.Fatalf("with link the notice still carries the ID:\n%s", raw)
			}
			if c.mode == config.NoticeIDLink && !strings.Contains(raw, f.a.Ref) {
				t.Fatalf("the link does not name the booking %s:\n%s", f.a.Ref, raw)
			}
		})
	}
}

// A customer who missed their session gets the next free slots at once,
// and taking one by reply books a new session (the missed one stays ended).
func TestNoShowOffersNewSlots(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "capability")
	var res *Result
	err := f.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = f.d.NoShow(ctx, tx, Request{Actor: Actor{Role: RoleOperator}, Proof: Proof{Operator: true}, Ref: f.a.Ref, Key: "noshow", Now: f.now, Text: "nicht erreichbar"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeNoShow || len(res.Proposals) == 0 {
		t.Fatalf("no-show: outcome %s, %d proposals", res.Outcome, len(res.Proposals))
	}
	var offer *Mail
	for i := range res.Mails {
		if res.Mails[i].To == maria && res.Mails[i].Template == "proposal" {
			offer = &res.Mails[i]
		}
	}
	if offer == nil {
		t.Fatalf("no proposal to the customer: %+v", res.Mails)
	}
	if err := f.st.InTx(ctx, func(tx *store.Tx) error { return f.d.Record(ctx, tx, res, 0, res.Outcome) }); err != nil {
		t.Fatal(err)
	}
	// Maria answers the offer: "die 2 passt" (the first may be too close
	// by the time she answers).
	err = f.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = f.d.Accept(ctx, tx, Request{Actor: Actor{Role: RoleCustomer, Address: maria}, Proof: Proof{Answers: []string{offer.MessageID}},
			Key: "accept", IncomingID: f.in, Now: f.now.Add(time.Minute), Choice: 2})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeBooked || res.Appointment == nil || res.Appointment.Ref == f.a.Ref {
		t.Fatalf("accepting the offer after a no-show: %s %+v why %s %s, proposals %v", res.Outcome, res.Appointment, res.Why, res.Detail, res.Proposals)
	}
}

// An option picked by its number is booked only when the day the same
// mail names is that option's: "nehma den 2." read as the 2nd of next
// month, or "Option 2, also Mittwoch" when option 2 is a Thursday, is
// asked back ("did you mean …?" with that option first), never booked.
func TestNumberAgainstTheDayNamed(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		wish func(opt time.Time) understand.Wish
		book bool
	}{
		{"no time named", nil, true},
		{"the option's own day", func(o time.Time) understand.Wish {
			return understand.Wish{Start: time.Date(o.Year(), o.Month(), o.Day(), 0, 0, 0, 0, o.Location()), Precision: understand.PrecisionDay}
		}, true},
		{"the option's clock without a day", func(o time.Time) understand.Wish {
			return understand.Wish{Start: o.AddDate(0, 0, -1).Add(3 * time.Hour), Precision: understand.PrecisionMinute, NoDay: true}
		}, true},
		{"another day", func(o time.Time) understand.Wish {
			d := o.AddDate(0, 0, 1)
			return understand.Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, d.Location()), Precision: understand.PrecisionDay}
		}, false},
		{"the option's day at another clock", func(o time.Time) understand.Wish {
			return understand.Wish{Start: o.Add(2 * time.Hour), Precision: understand.PrecisionMinute}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, "capability")
			var res *Result
			err := f.st.InTx(ctx, func(tx *store.Tx) error {
				var err error
				res, err = f.d.NoShow(ctx, tx, Request{Actor: Actor{Role: RoleOperator}, Proof: Proof{Operator: true}, Ref: f.a.Ref, Key: "noshow", Now: f.now, Text: "nicht erreichbar"})
				if err != nil {
					return err
				}
				return f.d.Record(ctx, tx, res, 0, res.Outcome)
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Proposals) < 2 {
				t.Fatalf("the no-show offered %d slots", len(res.Proposals))
			}
			opt := res.Proposals[1].Start
			var offer string
			for _, m := range res.Mails {
				if m.To == maria && m.Template == "proposal" {
					offer = m.MessageID
				}
			}
			req := Request{Actor: Actor{Role: RoleCustomer, Address: maria}, Proof: Proof{Answers: []string{offer}},
				Key: "accept", IncomingID: f.in, Now: f.now.Add(time.Minute), Choice: 2}
			if c.wish != nil {
				req.Wishes = []understand.Wish{c.wish(opt)}
			}
			err = f.st.InTx(ctx, func(tx *store.Tx) error {
				var err error
				res, err = f.d.Accept(ctx, tx, req)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			booked := res.Outcome == OutcomeBooked && res.Appointment != nil && res.Appointment.Start.Equal(opt)
			if booked != c.book {
				t.Fatalf("option 2 (%s) with %s: outcome %s, booked %v, want booked %v", opt.Format("Mon 02.01. 15:04"), c.name, res.Outcome, booked, c.book)
			}
			if !c.book {
				if res.Outcome != OutcomeProposed || len(res.Proposals) == 0 || !res.Proposals[0].Start.Equal(opt) {
					t.Fatalf("asked back with %s, proposals %v: want option 2 offered first", res.Outcome, res.Proposals)
				}
			}
		})
	}
}
