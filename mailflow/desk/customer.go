package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// find is the booking req is about. A customer finds only their own: by
// the reference named, else by one of our Message-IDs answered, else their
// next booked session. The desk's people find any by reference or thread;
// the operator by reference. With booked set, only a session still booked
// and not over counts.
func (d *Desk) find(ctx context.Context, tx *store.Tx, req Request, booked bool) (*store.Appointment, error) {
	var a *store.Appointment
	var err error
	switch req.Actor.Role {
	case RoleCustomer:
		a, err = tx.FindAppointment(ctx, strings.ToLower(req.Actor.Address), req.Ref, req.Proof.Answers, req.Now)
	case RoleOperator:
		a, err = tx.AppointmentByRef(ctx, req.Ref)
	default:
		a, err = tx.AppointmentAbout(ctx, req.Ref, req.Proof.Answers)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if booked && req.Actor.Role == RoleCustomer && (a.Status != store.StatusBooked || !a.End.After(req.Now)) {
		// An old reference or thread (a reply to last month's
		// confirmation) means their next session, if they have one.
		a, err = tx.NextAppointmentOf(ctx, strings.ToLower(req.Actor.Address), req.Now)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// human is the result of a request a person must look at.
func human(detail string, refusal error) *Result {
	return &Result{Outcome: OutcomeHuman, Human: true, Detail: detail, refusal: refusal}
}

// Book books the first wish that fits, or proposes free slots. A new
// booking needs no proof: anyone may ask for a session. An AnyDesk ID in
// the same mail is linked to the new booking; from a customer who has a
// booked session already, the time with the ID names that session, so
// the ID is linked to it (RecordID, with its proof rules) and nothing is
// booked twice.
func (d *Desk) Book(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	if req.AnyDeskID != "" && req.Actor.Role == RoleCustomer {
		_, err := tx.NextAppointmentOf(ctx, strings.ToLower(req.Actor.Address), req.Now)
		switch {
		case err == nil:
			return d.RecordID(ctx, tx, req)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	return d.book(ctx, tx, req)
}

// book is Book once it is clear that a new session is asked for.
func (d *Desk) book(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	res := &Result{}
	if slices.ContainsFunc(req.Wishes, func(w understand.Wish) bool { return w.NoDay }) && len(req.Proof.Answers) > 0 {
		prop, err := tx.OpenProposal(ctx, strings.ToLower(req.Actor.Address), req.Proof.Answers, req.Now)
		switch {
		case err == nil:
			req = onOfferedDay(req, prop.Slots)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	if err := d.offer(ctx, tx, req, req.Wishes, nil, res); err != nil {
		return nil, err
	}
	if a := res.Appointment; res.Outcome == OutcomeBooked && req.AnyDeskID != "" {
		if err := tx.SetAnyDeskID(ctx, a.ID, req.AnyDeskID); err != nil {
			return nil, err
		}
		a.AnyDeskID.String, a.AnyDeskID.Valid = req.AnyDeskID, true
	}
	return res, nil
}

// Accept books the proposed slot the customer picked ("der zweite passt",
// "Option 2", "Mittwoch um 13 Uhr passt"). A proposal that would move an
// existing booking needs proof like any change; one for a new booking
// does not. A slot taken meanwhile leads to a fresh proposal around it.
func (d *Desk) Accept(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	if req.Actor.Role != RoleCustomer {
		return human("only a customer accepts a proposal", ErrDenied), nil
	}
	prop, err := tx.OpenProposal(ctx, strings.ToLower(req.Actor.Address), req.Proof.Answers, req.Now)
	if errors.Is(err, store.ErrNotFound) {
		if len(req.Wishes) > 0 {
			return d.Book(ctx, tx, req)
		}
		return human("accepts a proposal, but none is open", ErrNotFound), nil
	}
	if err != nil {
		return nil, err
	}
	moving, err := d.movingOf(ctx, tx, prop)
	if err != nil {
		return nil, err
	}
	if moving != nil {
		v, how, err := d.allow(ctx, tx, req, moving, true)
		if err != nil {
			return nil, err
		}
		if v != allowed {
			return d.refuse(req, moving, "accept", v, how)
		}
	}
	res := &Result{}
	req = onOfferedDay(req, prop.Slots)
	chosen, ok := pickSlot(prop.Slots, req.Choice, req.Wishes)
	if !ok {
		if len(req.Wishes) > 0 {
			// A time that is none of the offered slots: a counter-proposal
			// or a misread pick, so it is asked back, never booked unasked.
			req.Unsure = true
			return res, d.offer(ctx, tx, req, req.Wishes, moving, res)
		}
		return human("could not tell which proposed slot was chosen", nil), nil
	}
	wish := understand.Wish{Start: chosen.Start, Precision: understand.PrecisionMinute}
	if req.Choice > 0 && !namedBy(chosen.Start, req.Wishes) {
		// "Option 2, also Mittwoch" when option 2 is a Thursday: the
		// number and the time said disagree, so which one is meant is
		// asked back ("did you mean …?" with that option first), never
		// booked on the number alone.
		req.Unsure = true
		return res, d.offer(ctx, tx, req, []understand.Wish{wish}, moving, res)
	}
	if err := tx.CloseProposal(ctx, prop.ID); err != nil {
		return nil, err
	}
	return res, d.offer(ctx, tx, req, []understand.Wish{wish}, moving, res)
}

// namedBy reports whether the days a mail names leave room for the slot
// at start: no day named, or one of the wishes names the slot. A time
// said without a day is no check ("die 2 passt, ab 13 Uhr bin ich im
// Büro": the number is the pick).
func namedBy(start time.Time, wishes []understand.Wish) bool {
	dayed := false
	for _, w := range wishes {
		if w.NoDay {
			continue
		}
		if w.Names(start) {
			return true
		}
		dayed = true
	}
	return !dayed
}

// onOfferedDay reads a time said without a day ("lieber um 13 Uhr", "am
// Nachmittag") in answer to the slots we offered: on their day when they
// all lie on one (the customer named only the day and picks the hour),
// else at the one offered slot with that clock time. With none, or
// several, which day is meant is asked back, never booked on today.
func onOfferedDay(req Request, slots []store.ProposedSlot) Request {
	if len(slots) == 0 || req.Choice > 0 || !slices.ContainsFunc(req.Wishes, func(w understand.Wish) bool { return w.NoDay }) {
		return req // (an option named by its number is the pick, whatever hour is said beside it)
	}
	loc := slots[0].Start.Location()
	oneDay := !slices.ContainsFunc(slots, func(s store.ProposedSlot) bool { return !sameDay(s.Start, slots[0].Start, loc) })
	wishes := slices.Clone(req.Wishes)
	for k, w := range wishes {
		if !w.NoDay {
			continue
		}
		if oneDay {
			wishes[k] = w.OnDay(slots[0].Start.In(loc))
			continue
		}
		var at []store.ProposedSlot
		for _, s := range slots {
			if w.Precision == understand.PrecisionMinute && s.Start.In(loc).Format("15:04") == w.Start.In(loc).Format("15:04") {
				at = append(at, s)
			}
		}
		if len(at) == 1 {
			wishes[k] = understand.Wish{Start: at[0].Start, Precision: understand.PrecisionMinute}
		} else {
			req.Unsure = true
		}
	}
	req.Wishes = wishes
	return req
}

// movingOf returns the booked appointment a reschedule proposal would move.
func (d *Desk) movingOf(ctx context.Context, tx *store.Tx, prop *store.Proposal) (*store.Appointment, error) {
	if !prop.AppointmentID.Valid {
		return nil, nil
	}
	a, err := tx.AppointmentByID(ctx, prop.AppointmentID.Int64)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if a.Status != store.StatusBooked {
		return nil, nil
	}
	return a, nil
}

// pickSlot finds the proposed slot a reply chose: by number, else by a
// named time that matches exactly one proposed slot.
func pickSlot(slots []store.ProposedSlot, choice int, wishes []understand.Wish) (store.ProposedSlot, bool) {
	if choice >= 1 && choice <= len(slots) {
		return slots[choice-1], true
	}
	for _, w := range wishes {
		var match []store.ProposedSlot
		for _, s := range slots {
			switch {
			case w.End == nil && s.Start.Equal(w.Start):
				match = append(match, s)
			case w.End != nil && !s.Start.Before(w.Start) && !s.End.After(*w.End):
				match = append(match, s)
			}
		}
		if len(match) == 1 {
			return match[0], true
		}
	}
	return store.ProposedSlot{}, false
}

// Reschedule moves a booking. Asked by its customer: to the wished time,
// or slots are proposed; the old time stays booked until a new one is.
// Asked by the desk's people: the customer gets slots near the wish (or
// the next free ones) and chooses.
func (d *Desk) Reschedule(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	a, err := d.find(ctx, tx, req, true)
	if errors.Is(err, ErrNotFound) {
		if req.Actor.Role == RoleCustomer && len(req.Wishes) > 0 {
			return d.Book(ctx, tx, req)
		}
		return human("reschedule without a booked appointment of this sender", ErrNotFound), nil
	}
	if err != nil {
		return nil, err
	}
	v, how, err := d.allow(ctx, tx, req, a, true)
	if err != nil {
		return nil, err
	}
	if v != allowed {
		return d.refuse(req, a, "reschedule", v, how)
	}
	if a.Status != store.StatusBooked {
		return human(fmt.Sprintf("%s is %s already", a.Ref, a.Status), nil), nil
	}
	res := &Result{Appointment: a}
	res.Audit = append(res.Audit, d.audit(req, "appointment.reschedule", a.Ref, how))
	if req.Actor.Role == RoleCustomer {
		var wishes []understand.Wish
		for _, w := range req.Wishes {
			if w.End == nil && w.Start.Equal(a.Start) {
				continue // the time being moved away from
			}
			wishes = append(wishes, w)
		}
		return res, d.offer(ctx, tx, req, wishes, a, res)
	}
	var around time.Time
	if len(req.Wishes) > 0 {
		around = req.Wishes[0].Start
	}
	booked, err := d.busy(ctx, tx, req.Now, a)
	if err != nil {
		return nil, err
	}
	dec := booking.Decision{Proposals: d.slots.Propose(req.Now, around, booked), Why: booking.WhyNone, Wish: around}
	if err := d.propose(ctx, tx, req, dec, a, res, true, false); err != nil {
		return nil, err
	}
	res.Appointment = a
	return res, d.ack(res, req, a, fmt.Sprintf("%s: %d Vorschläge an den Kunden / proposals sent to the customer", a.Ref, len(res.Proposals)))
}

// RecordID links the customer's AnyDesk ID to their booking, thanks them
// and tells the technician. The first ID of a booking needs no proof (the
// customer sends it at the appointment, often as a new mail); replacing
// one does, and the technician is then told that it changed.
func (d *Desk) RecordID(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	if req.AnyDeskID == "" {
		// An ID mail without the nine digits: the alias form ("name@ad"),
		// a screenshot, "the ID follows" — nothing we can link, so a person does.
		return human("an AnyDesk ID mail without the 9 digits (alias, screenshot or still to come)", nil), nil
	}
	a, err := d.find(ctx, tx, req, true)
	if errors.Is(err, ErrNotFound) {
		// (A first mail that asks for a time and gives the ID is read as
		// a request and booked with its ID. Here the customer names a
		// session they think they have — "for today's session" — that we
		// cannot find: booking that day's first free slot would be a
		// guess, so a person sorts it out.)
		return human("AnyDesk ID without a booked appointment", ErrNotFound), nil
	}
	if err != nil {
		return nil, err
	}
	if a.AnyDeskID.Valid && a.AnyDeskID.String == req.AnyDeskID {
		// The same ID again: the customer and the technician know it already.
		return &Result{Outcome: OutcomeIDLinked, Appointment: a, Detail: "the same AnyDesk ID again; no new mail"}, nil
	}
	changed := a.AnyDeskID.Valid && a.AnyDeskID.String != ""
	v, how, err := d.allow(ctx, tx, req, a, changed)
	if err != nil {
		return nil, err
	}
	if v != allowed {
		return d.refuse(req, a, "change-id", v, how)
	}
	if err := tx.SetAnyDeskID(ctx, a.ID, req.AnyDeskID); err != nil {
		return nil, err
	}
	a.AnyDeskID.String, a.AnyDeskID.Valid = req.AnyDeskID, true
	res := &Result{Outcome: OutcomeIDLinked, Appointment: a}
	action := "appointment.id"
	if changed {
		action = "appointment.id-changed"
	}
	res.Audit = append(res.Audit, d.audit(req, action, a.Ref, how))
	err = d.toActor(res, req, compose.Reply{
		Template: compose.TemplateIDReceived, Purpose: "id_received", Ref: a.Ref,
		Appointment: d.slot(a.Start, a.End), AnyDeskIDMasked: MaskID(req.AnyDeskID),
	}, "", a)
	if err != nil {
		return nil, err
	}
	// The technician needs the ID now when the session is today or within
	// the hour; for later sessions the morning agenda says it has arrived.
	// A changed ID is always told at once: they may have the old one.
	kind := compose.NoticeID
	if changed {
		kind = compose.NoticeIDChanged
	} else if !sameDay(a.Start, req.Now, d.slots.Location()) && a.Start.Sub(req.Now) > time.Hour {
		return res, nil
	}
	return res, d.Notify(res, req, a.Technician, a, compose.Notice{
		Kind: kind, CustomerName: req.Actor.Name, CustomerAddress: a.Customer, AnyDeskID: req.AnyDeskID,
	})
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// offer books the first of wishes that fits, or proposes free slots. With
// moving set it moves that appointment instead of booking a new one; the
// old time stays booked until the new one is (a proposal keeps it).
func (d *Desk) offer(ctx context.Context, tx *store.Tx, req Request, wishes []understand.Wish, moving *store.Appointment, res *Result) error {
	booked, err := d.busy(ctx, tx, req.Now, moving)
	if err != nil {
		return err
	}
	dec := d.slots.Decide(req.Now, wishes, booked)
	if dec.Why == booking.WhyPickHour && req.Unsure {
		// A day we are not sure we read right: "did you mean …?" with
		// that day's times.
		return d.propose(ctx, tx, req, dec, moving, res, false, true)
	}
	if dec.Book != nil && (req.Unsure || !withinWish(dec.Book.Start, wishes)) {
		// Never book a guess: ask "did you mean …?" with it as option 1.
		return d.propose(ctx, tx, req, d.guess(req.Now, *dec.Book, booked), moving, res, false, true)
	}
	if dec.Book != nil && moving != nil {
		previous := d.slot(moving.Start, moving.End)
		if err := tx.Move(ctx, moving, dec.Book.Start, dec.Book.End, dec.Technician); err != nil {
			return err
		}
		if err := d.queueCalendar(ctx, tx, moving); err != nil {
			return err
		}
		res.Appointment, res.Outcome = moving, OutcomeRescheduled
		res.Audit = append(res.Audit, d.audit(req, "appointment.rescheduled", moving.Ref, ""))
		return d.toActor(res, req, compose.Reply{
			Template: compose.TemplateRescheduled, Purpose: fmt.Sprintf("rescheduled-%d", moving.Sequence), Ref: moving.Ref,
			Appointment: d.slot(moving.Start, moving.End), Previous: previous, Invite: d.invite(moving, compose.MethodRequest),
		}, "", moving)
	}
	if dec.Book != nil {
		a := &store.Appointment{
			Customer: strings.ToLower(req.Actor.Address), CustomerName: req.Actor.Name,
			Technician: dec.Technician, Start: dec.Book.Start, End: dec.Book.End,
			Language: d.language(req.Language), Reason: req.Reason,
		}
		a.IncomingID.Int64, a.IncomingID.Valid = req.IncomingID, req.IncomingID != 0
		if err := tx.Book(ctx, a); err != nil {
			return err
		}
		if err := d.queueCalendar(ctx, tx, a); err != nil {
			return err
		}
		res.Appointment, res.Outcome = a, OutcomeBooked
		res.Audit = append(res.Audit, d.audit(req, "appointment.booked", a.Ref, ""))
		return d.toActor(res, req, compose.Reply{
			Template: compose.TemplateConfirmation, Purpose: "confirmation", Ref: a.Ref,
			Appointment: d.slot(a.Start, a.End), Invite: d.invite(a, compose.MethodRequest),
		}, "", a)
	}
	return d.propose(ctx, tx, req, dec, moving, res, false, false)
}

// withinWish is the last check before a booking: the slot must be the
// very minute a wish names, or lie inside the window of a part-of-day,
// day or range wish. Whatever else the calendar came up with is only
// proposed, so a reading gone wrong never books a time nobody asked for.
func withinWish(start time.Time, wishes []understand.Wish) bool {
	for _, w := range wishes {
		switch {
		case w.End != nil && w.End.After(w.Start):
			if !start.Before(w.Start) && start.Before(*w.End) {
				return true
			}
		case w.Precision == understand.PrecisionDay:
			if sameDay(start, w.Start, w.Start.Location()) {
				return true
			}
		default:
			if start.Equal(w.Start) {
				return true
			}
		}
	}
	return false
}

// guess turns a booking we are unsure of into a proposal: that slot first,
// then the next free ones.
func (d *Desk) guess(now time.Time, best booking.Slot, booked []booking.Booked) booking.Decision {
	dec := d.slots.Decide(now, nil, booked)
	slots := []booking.Slot{best}
	for _, s := range dec.Proposals {
		if len(slots) >= max(d.cfg.Desk.Proposals, 1) {
			break
		}
		if !s.Start.Equal(best.Start) {
			slots = append(slots, s)
		}
	}
	return booking.Decision{Proposals: slots}
}

// busy lists the booked sessions that matter for deciding at now; the
// session being moved (if any) does not block its own new time.
func (d *Desk) busy(ctx context.Context, tx *store.Tx, now time.Time, moving *store.Appointment) ([]booking.Booked, error) {
	from, to := now.AddDate(0, 0, -1), now.AddDate(0, 0, d.cfg.Desk.HorizonDays+2)
	taken, err := tx.Booked(ctx, from, to)
	if err != nil {
		return nil, err
	}
	booked := make([]booking.Booked, 0, len(taken))
	for _, b := range taken {
		if moving != nil && b.Technician == moving.Technician && b.Start.Equal(moving.Start) {
			continue
		}
		booked = append(booked, booking.Booked{Slot: booking.Slot{Start: b.Start, End: b.End}, Technician: b.Technician})
	}
	return d.withCalendarBusy(ctx, booked, taken, from, to), nil
}

// propose offers dec.Proposals to the customer and stores them, so a reply
// picking one books it; moving is the appointment they would move, if any
// (the proposal mail is linked to it, so the reply proves who answers).
// byDesk: the desk's people asked, so the mail goes to the customer on
// file, outside the asker's thread. guess: the first slot is our unsure
// reading of their wish, and the mail asks whether we read it right.
func (d *Desk) propose(ctx context.Context, tx *store.Tx, req Request, dec booking.Decision, moving *store.Appointment, res *Result, byDesk, guess bool) error {
	res.Proposals, res.Why, res.Outcome = dec.Proposals, dec.Why, OutcomeProposed
	if len(dec.Proposals) == 0 {
		// Fully booked for the whole horizon: a person must help.
		res.Outcome, res.Human, res.Detail = OutcomeHuman, true, "no free slot within the booking horizon"
		return nil
	}
	lang := d.language(req.Language)
	if byDesk {
		lang = d.language(moving.Language)
	}
	slots := make([]compose.Slot, len(dec.Proposals))
	stored := make([]store.ProposedSlot, len(dec.Proposals))
	for i, s := range dec.Proposals {
		slots[i] = d.slot(s.Start, s.End)
		stored[i] = store.ProposedSlot{Start: s.Start, End: s.End}
	}
	r := compose.Reply{Template: compose.TemplateProposal, Purpose: "proposal", Proposals: slots,
		Why: d.composer.WhyText(lang, string(dec.Why), dec.WhyDetail, dec.Wish)}
	r.PickHour = dec.Why == booking.WhyPickHour
	if guess {
		r.Guess, r.PickHour, r.Why = true, false, ""
	}
	if dec.Why == booking.WhyNoTime {
		// No time in the mail at all: ask for one, offering the next slots.
		r.Template, r.Why = compose.TemplateNeedTime, ""
	}
	var movingID int64
	customer := strings.ToLower(req.Actor.Address)
	if moving != nil {
		movingID, r.Ref = moving.ID, moving.Ref
		customer = moving.Customer
	}
	var err error
	if byDesk {
		err = d.toCustomer(res, req, r, "", moving)
	} else {
		err = d.toActor(res, req, r, "", moving)
	}
	if err != nil {
		return err
	}
	// Proposals hold for three working days; later answers are read afresh.
	expires := d.slots.AfterWorkingDays(req.Now, 3)
	return tx.Propose(ctx, req.IncomingID, customer, res.Mails[len(res.Mails)-1].MessageID, stored, expires, movingID)
}

// FreeSlots are up to n free slots from around (now if zero) on, for a
// picker: the same calendar and bookings the desk decides with. moving, if
// set, does not block its own time. It changes nothing.
func (d *Desk) FreeSlots(ctx context.Context, tx *store.Tx, now, around time.Time, moving *store.Appointment, n int) ([]booking.Slot, error) {
	booked, err := d.busy(ctx, tx, now, moving)
	if err != nil {
		return nil, err
	}
	from := now.Add(d.cfg.Desk.MinNotice)
	if around.After(from) {
		from = around
	}
	loc := d.slots.Location()
	y, m, dd := from.In(loc).Date()
	var out []booking.Slot
	for i := 0; i < d.cfg.Desk.HorizonDays && len(out) < n; i++ {
		day := time.Date(y, m, dd+i, 0, 0, 0, 0, loc)
		for _, s := range d.slots.FreeSlots(day, from, "", booked) {
			if len(out) == n {
				break
			}
			out = append(out, s)
		}
	}
	return out, nil
}
