package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Cancel cancels a booking, asked by its customer, its technician, the
// team lead or the operator. The customer is told (with the calendar
// cancellation) unless the operator asked for quiet; a technician who
// asked gets an acknowledgement.
func (d *Desk) Cancel(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	a, err := d.find(ctx, tx, req, true)
	if errors.Is(err, ErrNotFound) {
		return human("cancellation without a booked appointment of this sender", ErrNotFound), nil
	}
	if err != nil {
		return nil, err
	}
	v, how, err := d.allow(ctx, tx, req, a, true)
	if err != nil {
		return nil, err
	}
	if v != allowed {
		return d.refuse(req, a, "cancel", v, how)
	}
	if a.Status != store.StatusBooked {
		return human(fmt.Sprintf("%s is %s already", a.Ref, a.Status), store.ErrNotBooked), nil
	}
	if err := tx.Cancel(ctx, a); err != nil {
		return nil, err
	}
	if err := d.queueCalendar(ctx, tx, a); err != nil {
		return nil, err
	}
	res := &Result{Outcome: OutcomeCancelled, Appointment: a}
	res.Audit = append(res.Audit, d.audit(req, "appointment.cancelled", a.Ref, how))
	r := compose.Reply{
		Template: compose.TemplateCancelled, Purpose: "cancelled", Ref: a.Ref,
		Appointment: d.slot(a.Start, a.End), Invite: d.invite(a, compose.MethodCancel),
	}
	switch {
	case req.Actor.Role == RoleCustomer:
		err = d.toActor(res, req, r, "", a)
	case req.Quiet:
	default:
		r.Purpose = "cancelled-by-desk"
		err = d.toCustomer(res, req, r, "", a)
	}
	if err != nil {
		return nil, err
	}
	return res, d.ack(res, req, a, a.Ref+" abgesagt / cancelled")
}

// Done marks a session done with the technician's protocol. With
// retention.anydesk_id_days 0 the AnyDesk ID goes in the same transaction,
// and so do the raw bytes of the mail that asked (it quotes our notice,
// ID included, perhaps encoded where no search finds it).
func (d *Desk) Done(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	return d.end(ctx, tx, req, store.EndDone, OutcomeDone, " erledigt / done")
}

// NoShow ends a session the customer did not come to, like Done.
func (d *Desk) NoShow(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	return d.end(ctx, tx, req, store.EndNoShow, OutcomeNoShow, " nicht erschienen / no-show")
}

func (d *Desk) end(ctx context.Context, tx *store.Tx, req Request, kind, outcome, ackText string) (*Result, error) {
	a, err := d.staffFind(ctx, tx, req)
	if err != nil || a == nil {
		return d.notFound(err, "done or no-show")
	}
	v, how, err := d.allow(ctx, tx, req, a, true)
	if err != nil {
		return nil, err
	}
	if v != allowed {
		return d.refuse(req, a, outcome, v, how)
	}
	if a.Status != store.StatusBooked {
		return human(fmt.Sprintf("%s is %s already", a.Ref, a.Status), store.ErrNotBooked), nil
	}
	idFate, err := tx.MarkDone(ctx, a, kind, req.Text, req.Now, d.cfg.Retention.AnyDeskIDDays)
	if err != nil {
		return nil, err
	}
	res := &Result{Outcome: outcome, Appointment: a, Checkpoint: d.cfg.Retention.AnyDeskIDDays == 0}
	if res.Checkpoint && req.IncomingID != 0 {
		if err := tx.DropRaw(ctx, req.IncomingID, req.Now); err != nil {
			return nil, err
		}
	}
	res.Audit = append(res.Audit, d.audit(req, "appointment."+outcome, a.Ref, idFate+"; "+how))
	if kind == store.EndNoShow {
		if err := d.offerAgain(ctx, tx, req, a, res); err != nil {
			return nil, err
		}
	}
	return res, d.ack(res, req, a, a.Ref+ackText)
}

// offerAgain sends a customer who missed their session the next free
// slots, as a proposal they take by reply or link like any other (taking
// one books a new session; the missed one stays ended).
func (d *Desk) offerAgain(ctx context.Context, tx *store.Tx, req Request, a *store.Appointment, res *Result) error {
	booked, err := d.busy(ctx, tx, req.Now, nil)
	if err != nil {
		return err
	}
	props := d.slots.Propose(req.Now, time.Time{}, booked)
	if len(props) == 0 {
		res.Detail = "no free slot to offer after the no-show; call the customer"
		return nil
	}
	slots := make([]compose.Slot, len(props))
	stored := make([]store.ProposedSlot, len(props))
	for i, s := range props {
		slots[i] = d.slot(s.Start, s.End)
		stored[i] = store.ProposedSlot{Start: s.Start, End: s.End}
	}
	r := compose.Reply{Template: compose.TemplateProposal, Purpose: "proposal-after-no-show", Proposals: slots}
	if err := d.toCustomer(res, req, r, "proposal", a); err != nil {
		return err
	}
	res.Proposals = props
	expires := d.slots.AfterWorkingDays(req.Now, 3)
	return tx.Propose(ctx, req.IncomingID, a.Customer, res.Mails[len(res.Mails)-1].MessageID, stored, expires, 0)
}

// Note adds a note to a session's protocol, whatever its status: a
// technician may document a session after marking it done.
func (d *Desk) Note(ctx context.Context, tx *store.Tx, req Request) (*Result, error) {
	a, err := d.staffFind(ctx, tx, req)
	if err != nil || a == nil {
		return d.notFound(err, "note")
	}
	v, how, err := d.allow(ctx, tx, req, a, true)
	if err != nil {
		return nil, err
	}
	if v != allowed {
		return d.refuse(req, a, "note", v, how)
	}
	if err := tx.AddNote(ctx, a, req.Text, req.Now); err != nil {
		return nil, err
	}
	res := &Result{Outcome: OutcomeNoted, Appointment: a}
	// The note itself stays out of the audit log: it may name the customer.
	res.Audit = append(res.Audit, d.audit(req, "appointment.note", a.Ref, how))
	return res, d.ack(res, req, a, a.Ref+" Notiz gespeichert / note saved")
}

// staffFind finds the session a desk member's request is about; customers
// have no such commands.
func (d *Desk) staffFind(ctx context.Context, tx *store.Tx, req Request) (*store.Appointment, error) {
	if req.Actor.Role == RoleCustomer {
		return nil, ErrDenied
	}
	return d.find(ctx, tx, req, false)
}

func (d *Desk) notFound(err error, what string) (*Result, error) {
	switch {
	case errors.Is(err, ErrNotFound):
		return human(what+" without a booking reference", ErrNotFound), nil
	case errors.Is(err, ErrDenied):
		return human(what+" is for the desk's people only", ErrDenied), nil
	}
	return nil, err
}

// ack tells a technician or team lead who asked by mail that it is done.
func (d *Desk) ack(res *Result, req Request, a *store.Appointment, text string) error {
	if req.Actor.Role != RoleTechnician && req.Actor.Role != RoleTeamLead {
		return nil
	}
	return d.Notify(res, req, req.Actor.Address, a, compose.Notice{Kind: compose.NoticeDone, CustomerName: a.CustomerName, CustomerAddress: a.Customer, Text: text})
}
