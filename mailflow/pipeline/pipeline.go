// Package pipeline decides what happens to one stored incoming mail: parse,
// understand, apply the rules, book or propose, render the reply, and commit
// the outcome, the appointment change, the outbox row and the audit row in
// one transaction keyed by that mail. Deciding a mail twice is a no-op.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// Outcomes recorded for incoming mail (DESIGN §2, invariant 3).
const (
	OutcomeReplied     = "replied"
	OutcomeBooked      = "booked"
	OutcomeProposed    = "proposed"
	OutcomeIDLinked    = "id-linked"
	OutcomeHuman       = "forwarded-to-human"
	OutcomeIgnoreAuto  = "ignored-auto"
	OutcomeIgnoreBulk  = "ignored-bulk"
	OutcomeTooLarge    = "too-large"
	OutcomeUnparsable  = "unparseable"
	OutcomeDuplicate   = store.OutcomeDuplicate
	OutcomeRateLimited = "rate-limited"
	OutcomeCancelled   = "cancelled"
	OutcomeRescheduled = "rescheduled"
)

// bookingRef finds our booking reference ("FW-1001") in a subject.
var bookingRef = regexp.MustCompile(`\bFW-[0-9]{1,9}\b`)

// Pipeline holds what deciding needs. Safe for concurrent use, but the
// daemon runs one decision at a time (SQLite has one writer anyway).
type Pipeline struct {
	cfg      *config.Config
	st       *store.Store
	desk     *booking.Desk
	rules    *rules.Set
	composer *compose.Composer
	log      *slog.Logger
	limits   message.Limits
	own      map[string]bool // our own addresses: never answered
	// ourMessageID matches the Message-IDs compose gives our mail, so a
	// reply of ours that comes back is recognised whatever its From says.
	ourMessageID *regexp.Regexp
}

// New builds a pipeline.
func New(cfg *config.Config, st *store.Store, desk *booking.Desk, rs *rules.Set, c *compose.Composer, log *slog.Logger) *Pipeline {
	own := map[string]bool{}
	for _, a := range []string{cfg.SMTP.From, cfg.IMAP.Username, cfg.Desk.SupportAddress} {
		if a != "" {
			own[strings.ToLower(a)] = true
		}
	}
	return &Pipeline{
		cfg: cfg, st: st, desk: desk, rules: rs, composer: c, log: log, own: own,
		ourMessageID: regexp.MustCompile(`^<?[0-9a-f]{24}@` + regexp.QuoteMeta(cfg.Desk.MessageIDDomain) + `>?$`),
		limits: message.Limits{
			MaxMIMEDepth:   cfg.Limits.MaxMIMEDepth,
			MaxParts:       cfg.Limits.MaxParts,
			MaxTextBytes:   cfg.Limits.MaxTextBytes,
			MaxHeaderBytes: cfg.Limits.MaxHeaderSize,
		},
	}
}

// Result is the decision for one mail, as `mailflow try` shows it.
type Result struct {
	IncomingID  int64
	Message     *message.Message // nil when the mail could not be parsed
	Reading     understand.Reading
	NoReply     string // why this mail must never be answered ("" if it may be)
	Rule        string
	Action      rules.Action
	Outcome     string
	Appointment *store.Appointment
	Proposals   []booking.Slot
	Why         booking.Why
	Replies     []compose.Outgoing
	Templates   []string
	// Notices go to technicians; they never count as replies to the sender.
	Notices    []compose.Outgoing
	DestFolder string
	Detail     string
}

// Process decides the stored mail id and commits its outcome. A mail that
// is already decided is left alone (ok, nil). A panic while deciding is
// recovered: the mail is recorded as unparseable and routed to a human.
func (p *Pipeline) Process(ctx context.Context, id int64, now time.Time) (res *Result, err error) {
	in, err := p.st.Incoming(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.State != "new" {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			supervise.Recovered(p.log.With("incoming", id), "deciding a mail (routed to a human)", r)
			res, err = p.routeAfterFailure(ctx, in, fmt.Sprintf("internal error: %v", r))
		}
	}()
	msg, reading, perr := p.read(in)
	err = p.st.InTx(ctx, func(tx *store.Tx) error {
		var derr error
		res, derr = p.decide(ctx, tx, in, msg, reading, perr, now)
		if derr != nil {
			return derr
		}
		return p.commit(ctx, tx, in, res, now)
	})
	if errors.Is(err, store.ErrAlreadyDecided) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("decide mail %d: %w", id, err)
	}
	if res.Outcome == OutcomeDone {
		// An erased AnyDesk ID must not live on in the -wal file.
		if err := p.st.Checkpoint(ctx); err != nil {
			p.log.Warn("checkpoint after done failed; the hourly purge retries", "err", err)
		}
	}
	p.log.Info("mail decided", "incoming", id, "outcome", res.Outcome, "rule", res.Rule,
		"intent", string(res.Reading.Intent), "ref", refOf(res), "sender", store.HashAddress(in.Sender))
	return res, nil
}

// Try shows what would happen to raw if it arrived at now, without sending
// or changing anything: the whole decision runs in a transaction that is
// rolled back.
func (p *Pipeline) Try(ctx context.Context, raw []byte, now time.Time) (*Result, error) {
	var res *Result
	err := p.st.DryRun(ctx, func(tx *store.Tx) error {
		mid, hash := message.Fingerprint(raw)
		in, err := tx.InsertIncoming(ctx, store.Cursor{Mailbox: "try", UIDValidity: 1},
			store.Fetched{UID: 1, MessageID: mid, BodyHash: hash, Size: int64(len(raw)), Raw: raw})
		if err != nil {
			return err
		}
		in.ReceivedAt = now // read relative times as if the mail came in now
		msg, reading, perr := p.read(in)
		res, err = p.decide(ctx, tx, in, msg, reading, perr, now)
		if err != nil {
			return err
		}
		return p.commit(ctx, tx, in, res, now)
	})
	return res, err
}

// read parses and understands a stored mail; both are pure and run outside
// the write transaction.
func (p *Pipeline) read(in *store.Incoming) (*message.Message, understand.Reading, error) {
	if in.Raw == nil {
		return nil, understand.Reading{}, nil
	}
	msg, err := message.Parse(in.Raw, p.limits)
	if err != nil {
		return nil, understand.Reading{}, err
	}
	return msg, understand.Read(msg, p.reference(msg, in)), nil
}

// reference is the "now" a mail's relative times ("morgen") are read
// against: its Date header, unless that is missing or implausible.
func (p *Pipeline) reference(msg *message.Message, in *store.Incoming) time.Time {
	received := in.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	ref := received
	if d := msg.Date; !d.IsZero() && d.After(received.AddDate(0, 0, -14)) && d.Before(received.Add(time.Hour)) {
		ref = d
	}
	return ref.In(p.desk.Location())
}

// decide computes the result and makes its changes to bookings and
// proposals through tx; commit then records the outcome and queues the mail.
func (p *Pipeline) decide(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, perr error, now time.Time) (*Result, error) {
	res := &Result{IncomingID: in.ID, Message: msg, Reading: reading}
	switch {
	case in.Raw == nil:
		res.Outcome, res.Rule, res.Action = OutcomeTooLarge, "size-limit", rules.ActionRouteToHuman
		res.Detail = fmt.Sprintf("%d bytes is above the %d byte limit", in.Size, p.cfg.IMAP.MaxMessageBytes)
		res.DestFolder = p.cfg.IMAP.HumanFolder
		return res, nil
	case perr != nil:
		res.Outcome, res.Rule, res.Action = OutcomeUnparsable, "parse-error", rules.ActionRouteToHuman
		res.Detail = perr.Error()
		res.DestFolder = p.cfg.IMAP.HumanFolder
		return res, nil
	}
	res.NoReply = p.noReply(msg)
	if p.calendarFiled(msg, reading, res) {
		return res, nil
	}
	if res.NoReply == "" && !msg.Auto && !msg.Bulk && !msg.Bounce && p.isTechnician(msg.From.Address) {
		return res, p.technicianCommand(ctx, tx, in, msg, reading, now, res)
	}
	known, open, err := tx.CustomerFacts(ctx, strings.ToLower(msg.From.Address), now)
	if err != nil {
		return nil, err
	}
	facts := rules.Facts{
		Reading: reading, Auto: res.NoReply != "" || msg.Auto || msg.Bounce, Bulk: msg.Bulk, Bounce: msg.Bounce,
		From: msg.From.Address, Subject: msg.Subject, Body: msg.Text, KnownCustomer: known, OpenAppointment: open,
	}
	rule := p.rules.Decide(facts)
	res.Rule, res.Action = rule.Name, rule.Then.Action
	if res.NoReply != "" && answers(res.Action) {
		// A rules folder may forget the auto-reply guard; the loop guard
		// does not depend on it.
		res.Action, res.Detail = rules.ActionIgnore, "never answered: "+res.NoReply
	}
	if answers(res.Action) {
		total, _, err := tx.MailsTo(ctx, strings.ToLower(msg.From.Address), now.Add(-24*time.Hour), "", 0)
		if err != nil {
			return nil, err
		}
		if total >= p.cfg.Limits.PerSenderPerDay {
			// A person looks at it: a customer writing this often needs one,
			// and a loop stops here.
			res.Outcome, res.DestFolder = OutcomeRateLimited, p.cfg.IMAP.HumanFolder
			res.Detail = fmt.Sprintf("%d automatic mails to this sender in 24 h (limit %d)", total, p.cfg.Limits.PerSenderPerDay)
			return res, nil
		}
	}
	switch res.Action {
	case rules.ActionIgnore:
		res.Outcome, res.DestFolder = OutcomeIgnoreAuto, p.cfg.IMAP.ProcessedFolder
		if msg.Bulk && !msg.Auto && !msg.Bounce && res.NoReply == "" {
			res.Outcome = OutcomeIgnoreBulk
		}
		if res.Detail == "" {
			res.Detail = strings.Join(append(msg.SignalReasons, res.NoReply), "; ")
		}
	case rules.ActionRouteToHuman:
		res.Outcome, res.DestFolder = OutcomeHuman, p.humanFolder(rule)
	case rules.ActionReply:
		res.Outcome, res.DestFolder = OutcomeReplied, p.cfg.IMAP.ProcessedFolder
		if rule.Then.RouteToHuman != "" {
			res.DestFolder = p.humanFolder(rule)
		}
		if err := p.reply(res, in, msg, reading, now, compose.Reply{Template: rule.Then.Reply, Purpose: "reply-" + rule.Then.Reply}); err != nil {
			return nil, err
		}
	case rules.ActionBook:
		if reading.AnyDeskID != "" && open {
			// The ID with a time from someone already booked: the time
			// names that session, so the ID is linked and nothing booked.
			if err := p.recordID(ctx, tx, in, msg, reading, now, res); err != nil {
				return nil, err
			}
			break
		}
		if err := p.offer(ctx, tx, in, msg, reading, reading.Requested, nil, now, res); err != nil {
			return nil, err
		}
	case rules.ActionRecordID:
		if err := p.recordID(ctx, tx, in, msg, reading, now, res); err != nil {
			return nil, err
		}
	case rules.ActionAccept:
		if err := p.accept(ctx, tx, in, msg, reading, now, res); err != nil {
			return nil, err
		}
	case rules.ActionCancel:
		if err := p.cancel(ctx, tx, in, msg, reading, now, res); err != nil {
			return nil, err
		}
	case rules.ActionReschedule:
		if err := p.reschedule(ctx, tx, in, msg, reading, now, res); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("rule %s: unknown action %q", rule.Name, rule.Then.Action)
	}
	if rule.Then.NotifyTechnician && res.NoReply == "" {
		if err := p.notifyRule(ctx, tx, in, msg, reading, rule, now, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// notifyRule tells the technician of the sender's booking, or every
// technician when there is none, that a rule wants their attention.
func (p *Pipeline) notifyRule(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, rule rules.Rule, now time.Time, res *Result) error {
	a := res.Appointment
	if a == nil {
		if found, err := p.appointmentOf(ctx, tx, msg, now); err == nil {
			a = found
		}
	}
	n := compose.Notice{Kind: compose.NoticeRule, CustomerName: msg.From.Name, CustomerAddress: msg.From.Address, Rule: rule.Name, Intent: string(reading.Intent)}
	if a != nil {
		return p.notify(res, in, now, a.Technician, a, n)
	}
	for _, t := range p.cfg.Technicians {
		if err := p.notify(res, in, now, strings.ToLower(t.Email), nil, n); err != nil {
			return err
		}
	}
	return nil
}

// offer books the first of wishes that fits, or proposes free slots. With
// moving set it moves that appointment instead of booking a new one; the
// old time stays booked until the new one is (a proposal keeps it).
func (p *Pipeline) offer(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading,
	wishes []understand.Wish, moving *store.Appointment, now time.Time, res *Result) error {
	booked, err := p.busy(ctx, tx, now, moving)
	if err != nil {
		return err
	}
	dec := p.desk.Decide(now, wishes, booked)
	res.DestFolder = p.cfg.IMAP.ProcessedFolder
	if dec.Book != nil && reading.Unsure() {
		// Never book a guess: ask "did you mean …?" with it as option 1.
		return p.proposeAs(ctx, tx, in, msg, reading, p.guess(now, *dec.Book, booked), true, moving, now, res)
	}
	if dec.Book != nil && moving != nil {
		previous := p.slot(moving.Start, moving.End)
		if err := tx.Move(ctx, moving, dec.Book.Start, dec.Book.End, dec.Technician); err != nil {
			return err
		}
		res.Appointment, res.Outcome = moving, OutcomeRescheduled
		return p.reply(res, in, msg, reading, now, compose.Reply{
			Template: compose.TemplateRescheduled, Purpose: fmt.Sprintf("rescheduled-%d", moving.Sequence), Ref: moving.Ref,
			Appointment: p.slot(moving.Start, moving.End), Previous: previous, Invite: p.invite(moving, compose.MethodRequest),
		})
	}
	if dec.Book != nil {
		a := &store.Appointment{
			Customer: strings.ToLower(msg.From.Address), CustomerName: message.SanitizeHeader(msg.From.Name, 120),
			Technician: dec.Technician, Start: dec.Book.Start, End: dec.Book.End,
			Language: p.language(reading), Reason: reading.Reason,
		}
		a.IncomingID.Int64, a.IncomingID.Valid = in.ID, true
		if err := tx.Book(ctx, a); err != nil {
			return err
		}
		if reading.AnyDeskID != "" {
			// "Donnerstag 10 Uhr? Meine ID ist …": one confirmation covers both.
			if err := tx.SetAnyDeskID(ctx, a.ID, reading.AnyDeskID); err != nil {
				return err
			}
			a.AnyDeskID.String, a.AnyDeskID.Valid = reading.AnyDeskID, true
		}
		res.Appointment, res.Outcome = a, OutcomeBooked
		return p.reply(res, in, msg, reading, now, compose.Reply{
			Template: compose.TemplateConfirmation, Purpose: "confirmation", Ref: a.Ref,
			Appointment: p.slot(a.Start, a.End), Invite: p.invite(a, compose.MethodRequest),
		})
	}
	return p.propose(ctx, tx, in, msg, reading, dec, moving, now, res)
}

// guess turns a booking we are unsure of into a proposal: that slot first,
// then the next free ones.
func (p *Pipeline) guess(now time.Time, best booking.Slot, booked []booking.Booked) booking.Decision {
	dec := p.desk.Decide(now, nil, booked)
	slots := []booking.Slot{best}
	for _, s := range dec.Proposals {
		if len(slots) >= max(p.cfg.Desk.Proposals, 1) {
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
func (p *Pipeline) busy(ctx context.Context, tx *store.Tx, now time.Time, moving *store.Appointment) ([]booking.Booked, error) {
	taken, err := tx.Booked(ctx, now.AddDate(0, 0, -1), now.AddDate(0, 0, p.cfg.Desk.HorizonDays+2))
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
	return booked, nil
}

// propose offers dec.Proposals to the customer and stores them, so a reply
// picking one books it; moving is the appointment they would move, if any.
func (p *Pipeline) propose(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading,
	dec booking.Decision, moving *store.Appointment, now time.Time, res *Result) error {
	return p.proposeAs(ctx, tx, in, msg, reading, dec, false, moving, now, res)
}

// proposeAs is propose; with guess the first slot is our unsure reading of
// their wish, and the mail asks whether we read it right.
func (p *Pipeline) proposeAs(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading,
	dec booking.Decision, guess bool, moving *store.Appointment, now time.Time, res *Result) error {
	res.Proposals, res.Why, res.Outcome = dec.Proposals, dec.Why, OutcomeProposed
	if len(dec.Proposals) == 0 {
		// Fully booked for the whole horizon: a person must help.
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "no free slot within the booking horizon"
		return nil
	}
	slots := make([]compose.Slot, len(dec.Proposals))
	stored := make([]store.ProposedSlot, len(dec.Proposals))
	for i, s := range dec.Proposals {
		slots[i] = p.slot(s.Start, s.End)
		stored[i] = store.ProposedSlot{Start: s.Start, End: s.End}
	}
	r := compose.Reply{Template: compose.TemplateProposal, Purpose: "proposal", Proposals: slots,
		Why: p.composer.WhyText(p.language(reading), string(dec.Why), dec.WhyDetail, dec.Wish)}
	if guess {
		r.Guess, r.Why = true, ""
	}
	if dec.Why == booking.WhyNoTime {
		// No time in the mail at all: ask for one, offering the next slots.
		r.Template, r.Why = compose.TemplateNeedTime, ""
	}
	var movingID int64
	if moving != nil {
		movingID, r.Ref = moving.ID, moving.Ref
	}
	if err := p.reply(res, in, msg, reading, now, r); err != nil {
		return err
	}
	// Proposals hold for three working days; later answers are read afresh.
	expires := p.desk.AfterWorkingDays(now, 3)
	return tx.Propose(ctx, in.ID, strings.ToLower(msg.From.Address), res.Replies[len(res.Replies)-1].MessageID, stored, expires, movingID)
}

// accept books the proposed slot the customer picked ("der zweite passt",
// "Option 2", "Mittwoch um 13 Uhr passt"). A slot taken meanwhile leads to
// a fresh proposal around it.
func (p *Pipeline) accept(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, now time.Time, res *Result) error {
	customer := strings.ToLower(msg.From.Address)
	prop, err := tx.OpenProposal(ctx, customer, thread(msg), now)
	if errors.Is(err, store.ErrNotFound) {
		if len(reading.Requested) > 0 {
			return p.offer(ctx, tx, in, msg, reading, reading.Requested, nil, now, res)
		}
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "accepts a proposal, but none is open"
		return nil
	}
	if err != nil {
		return err
	}
	chosen, ok := pickSlot(prop.Slots, reading)
	if !ok {
		if len(reading.Requested) > 0 {
			// A time that is none of the offered slots: a counter-proposal
			// or a misread pick, so it is asked back, never booked unasked.
			reading.Confidence = min(reading.Confidence, understand.UnsureBelow/2)
			return p.offer(ctx, tx, in, msg, reading, reading.Requested, p.movingOf(ctx, tx, prop), now, res)
		}
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "could not tell which proposed slot was chosen"
		return nil
	}
	if err := tx.CloseProposal(ctx, prop.ID); err != nil {
		return err
	}
	wish := understand.Wish{Start: chosen.Start, Precision: understand.PrecisionMinute}
	return p.offer(ctx, tx, in, msg, reading, []understand.Wish{wish}, p.movingOf(ctx, tx, prop), now, res)
}

// movingOf returns the appointment a reschedule proposal would move.
func (p *Pipeline) movingOf(ctx context.Context, tx *store.Tx, prop *store.Proposal) *store.Appointment {
	if !prop.AppointmentID.Valid {
		return nil
	}
	a, err := tx.AppointmentByID(ctx, prop.AppointmentID.Int64)
	if err != nil || a.Status != store.StatusBooked {
		return nil
	}
	return a
}

// pickSlot finds the proposed slot a reply chose: by number, else by a
// named time that matches exactly one proposed slot.
func pickSlot(slots []store.ProposedSlot, r understand.Reading) (store.ProposedSlot, bool) {
	if r.Choice >= 1 && r.Choice <= len(slots) {
		return slots[r.Choice-1], true
	}
	for _, w := range r.Requested {
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

// cancel cancels the customer's own appointment and confirms it.
func (p *Pipeline) cancel(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, now time.Time, res *Result) error {
	a, err := p.appointmentOf(ctx, tx, msg, now)
	if errors.Is(err, store.ErrNotFound) {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "cancellation without a booked appointment of this sender"
		return nil
	}
	if err != nil {
		return err
	}
	if err := tx.Cancel(ctx, a); err != nil {
		return err
	}
	res.Appointment, res.Outcome, res.DestFolder = a, OutcomeCancelled, p.cfg.IMAP.ProcessedFolder
	return p.reply(res, in, msg, reading, now, compose.Reply{
		Template: compose.TemplateCancelled, Purpose: "cancelled", Ref: a.Ref,
		Appointment: p.slot(a.Start, a.End), Invite: p.invite(a, compose.MethodCancel),
	})
}

// reschedule moves the customer's own appointment to the new wish, or
// proposes slots for it; the old time stays booked until a new one is.
func (p *Pipeline) reschedule(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, now time.Time, res *Result) error {
	a, err := p.appointmentOf(ctx, tx, msg, now)
	if errors.Is(err, store.ErrNotFound) {
		if len(reading.Requested) > 0 {
			return p.offer(ctx, tx, in, msg, reading, reading.Requested, nil, now, res)
		}
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "reschedule without a booked appointment of this sender"
		return nil
	}
	if err != nil {
		return err
	}
	var wishes []understand.Wish
	for _, w := range reading.Requested {
		if w.End == nil && w.Start.Equal(a.Start) {
			continue // the time being moved away from
		}
		wishes = append(wishes, w)
	}
	return p.offer(ctx, tx, in, msg, reading, wishes, a, now, res)
}

// appointmentOf finds the sender's booked appointment a mail is about.
func (p *Pipeline) appointmentOf(ctx context.Context, tx *store.Tx, msg *message.Message, now time.Time) (*store.Appointment, error) {
	ref := bookingRef.FindString(msg.Subject)
	if ref == "" {
		ref = calendarRef(msg)
	}
	a, err := tx.FindAppointment(ctx, strings.ToLower(msg.From.Address), ref, thread(msg), now)
	if err != nil {
		return nil, err
	}
	if a.Status != store.StatusBooked || !a.End.After(now) {
		return nil, store.ErrNotFound
	}
	return a, nil
}

func thread(msg *message.Message) []string {
	return append([]string{msg.InReplyTo}, msg.References...)
}

func (p *Pipeline) slot(start, end time.Time) compose.Slot {
	return compose.Slot{Start: start.In(p.desk.Location()), End: end.In(p.desk.Location())}
}

// invite is the calendar invitation of an appointment: one UID for its
// whole life, SEQUENCE counting its changes.
func (p *Pipeline) invite(a *store.Appointment, method string) *compose.Invite {
	return &compose.Invite{UID: a.Ref + "@" + p.cfg.Desk.MessageIDDomain, Sequence: a.Sequence, Method: method}
}

func (p *Pipeline) recordID(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, now time.Time, res *Result) error {
	if reading.AnyDeskID == "" {
		// The alias form ("name@ad") is no ID we can link: a person does.
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "AnyDesk alias instead of the 9-digit ID"
		return nil
	}
	a, err := tx.NextAppointmentOf(ctx, strings.ToLower(msg.From.Address), now)
	if errors.Is(err, store.ErrNotFound) {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "AnyDesk ID without a booked appointment"
		return nil
	}
	if err != nil {
		return err
	}
	res.Appointment, res.Outcome, res.DestFolder = a, OutcomeIDLinked, p.cfg.IMAP.ProcessedFolder
	if a.AnyDeskID.Valid && a.AnyDeskID.String == reading.AnyDeskID {
		// The same ID again: the customer and the technician know it already.
		res.Detail = "the same AnyDesk ID again; no new mail"
		return nil
	}
	if err := tx.SetAnyDeskID(ctx, a.ID, reading.AnyDeskID); err != nil {
		return err
	}
	a.AnyDeskID.String, a.AnyDeskID.Valid = reading.AnyDeskID, true
	err = p.reply(res, in, msg, reading, now, compose.Reply{
		Template: compose.TemplateIDReceived, Purpose: "id_received", Ref: a.Ref,
		Appointment:     p.slot(a.Start, a.End),
		AnyDeskIDMasked: MaskID(reading.AnyDeskID),
	})
	if err != nil {
		return err
	}
	// The technician needs the ID now when the session is today or within
	// the hour; for later sessions the morning agenda says it has arrived.
	if sameDay(a.Start, now, p.desk.Location()) || a.Start.Sub(now) <= time.Hour {
		return p.notify(res, in, now, a.Technician, a, compose.Notice{
			Kind: compose.NoticeID, CustomerName: msg.From.Name, CustomerAddress: msg.From.Address, AnyDeskID: reading.AnyDeskID,
		})
	}
	return nil
}

// notify renders a technician notice for res (never counted against the
// customer's caps: it goes to our own people).
func (p *Pipeline) notify(res *Result, in *store.Incoming, now time.Time, technician string, a *store.Appointment, n compose.Notice) error {
	r := compose.Reply{
		Template: compose.TemplateTechnicianNotice, Language: p.cfg.Desk.Language,
		To:         mail.Address{Name: p.technicianName(technician), Address: technician},
		InboundKey: in.Key(), Purpose: "notice-" + n.Kind + "-" + technician, Date: now, Notice: &n,
	}
	if a != nil {
		r.Ref, r.Appointment = a.Ref, p.slot(a.Start, a.End)
	}
	out, err := p.composer.Render(r)
	if err != nil {
		return fmt.Errorf("render technician notice: %w", err)
	}
	res.Notices = append(res.Notices, out)
	return nil
}

func (p *Pipeline) technicianName(addr string) string {
	for _, t := range p.cfg.Technicians {
		if strings.EqualFold(t.Email, addr) {
			return t.Name
		}
	}
	return ""
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// reply renders r as an answer to msg and adds it to the result.
func (p *Pipeline) reply(res *Result, in *store.Incoming, msg *message.Message, reading understand.Reading, now time.Time, r compose.Reply) error {
	r.Language = p.language(reading)
	r.To = msg.From
	r.InboundKey = in.Key()
	r.InReplyTo = msg.MessageID
	r.References = msg.References
	r.Subject = msg.Subject
	r.Date = now
	out, err := p.composer.Render(r)
	if err != nil {
		return fmt.Errorf("render %s: %w", r.Template, err)
	}
	res.Replies = append(res.Replies, out)
	res.Templates = append(res.Templates, r.Template)
	return nil
}

// commit records the outcome, queues the replies and writes the audit row.
func (p *Pipeline) commit(ctx context.Context, tx *store.Tx, in *store.Incoming, res *Result, now time.Time) error {
	for _, out := range res.Replies {
		m := &store.OutboxMail{MessageID: out.MessageID, Purpose: res.Outcome, Sender: out.From, Recipient: out.To, Raw: out.Raw}
		m.IncomingID.Int64, m.IncomingID.Valid = in.ID, true
		if _, err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
		if res.Appointment != nil {
			// A reply in this mail's thread finds the appointment again.
			if err := tx.LinkMail(ctx, out.MessageID, res.Appointment.ID); err != nil {
				return err
			}
		}
	}
	for _, out := range res.Notices {
		m := &store.OutboxMail{MessageID: out.MessageID, Purpose: "technician-notice", Sender: out.From, Recipient: out.To, Raw: out.Raw}
		m.IncomingID.Int64, m.IncomingID.Valid = in.ID, true
		if _, err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
		if res.Appointment != nil {
			// The technician's reply to the notice finds the booking.
			if err := tx.LinkMail(ctx, out.MessageID, res.Appointment.ID); err != nil {
				return err
			}
		}
	}
	if err := tx.Decide(ctx, in.ID, store.Outcome{Outcome: res.Outcome, Rule: res.Rule, Detail: res.Detail, DestFolder: res.DestFolder}); err != nil {
		return err
	}
	id := in.ID
	return tx.Audit(ctx, store.AuditEntry{At: now, Actor: store.HashAddress(in.Sender), Action: "mail." + res.Outcome, Ref: refOf(res), IncomingID: &id, Outcome: res.Rule})
}

// Fail records mail id, whose decision keeps failing, as unparseable and
// routes it to a human.
func (p *Pipeline) Fail(ctx context.Context, id int64, reason string) (*Result, error) {
	in, err := p.st.Incoming(ctx, id)
	if err != nil {
		return nil, err
	}
	return p.routeAfterFailure(ctx, in, reason)
}

// routeAfterFailure records a mail whose decision crashed as unparseable, so
// it reaches a human and intake goes on.
func (p *Pipeline) routeAfterFailure(ctx context.Context, in *store.Incoming, detail string) (*Result, error) {
	res := &Result{IncomingID: in.ID, Outcome: OutcomeUnparsable, Rule: "internal-error", Action: rules.ActionRouteToHuman,
		DestFolder: p.cfg.IMAP.HumanFolder, Detail: detail}
	err := p.st.InTx(ctx, func(tx *store.Tx) error { return p.commit(ctx, tx, in, res, time.Now()) })
	if errors.Is(err, store.ErrAlreadyDecided) {
		return nil, nil
	}
	return res, err
}

// answers reports whether an action may send the customer a mail.
func answers(a rules.Action) bool {
	return a != rules.ActionIgnore && a != rules.ActionRouteToHuman
}

// humanFolder is the folder a rule routes to, else the configured one.
func (p *Pipeline) humanFolder(rule rules.Rule) string {
	if f := rule.Then.RouteToHuman; f != "" && !strings.EqualFold(f, "true") {
		return f
	}
	return p.cfg.IMAP.HumanFolder
}

func (p *Pipeline) language(r understand.Reading) string {
	if r.Language == "de" || r.Language == "en" {
		return r.Language
	}
	return p.cfg.Desk.Language
}

// noReply says why msg must never get an automatic answer (DESIGN §2.4,
// sender and origin checks; header signals come from message).
func (p *Pipeline) noReply(msg *message.Message) string {
	addr := strings.ToLower(msg.From.Address)
	local, _, _ := strings.Cut(addr, "@")
	switch {
	case addr == "":
		return "no sender address"
	case p.own[addr]:
		return "sent from our own address"
	case msg.HasReturnPath && strings.Trim(msg.ReturnPath, "<> ") == "":
		return "empty Return-Path"
	case p.ourMessageID.MatchString(msg.MessageID):
		return "our own Message-ID"
	}
	for _, l := range []string{"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce", "bounces"} {
		if local == l {
			return "automated sender " + l
		}
	}
	if strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request") || strings.HasPrefix(local, "noreply") || strings.HasPrefix(local, "no-reply") {
		return "automated sender " + local
	}
	return ""
}

// MaskID shows only the last three digits of an AnyDesk ID, as customer
// mail must (the ID is a key to their computer).
func MaskID(id string) string {
	if len(id) != 9 {
		return "*** *** ***"
	}
	return "*** *** " + id[6:]
}

func refOf(res *Result) string {
	if res != nil && res.Appointment != nil {
		return res.Appointment.Ref
	}
	return ""
}
