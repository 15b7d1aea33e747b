// Package pipeline is the mail door to the desk: it decides what happens to
// one stored incoming mail (parse, understand, weigh what proves its
// sender, apply the rules, hand booking changes to the desk core) and
// commits the outcome, the change, the outbox rows and the audit rows in
// one transaction keyed by that mail. Deciding a mail twice is a no-op.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/internal/failpoint"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// Outcomes recorded for incoming mail (DESIGN §2, invariant 3); those of
// booking changes are the desk's.
const (
	OutcomeReplied     = "replied"
	OutcomeBooked      = desk.OutcomeBooked
	OutcomeProposed    = desk.OutcomeProposed
	OutcomeIDLinked    = desk.OutcomeIDLinked
	OutcomeHuman       = desk.OutcomeHuman
	OutcomeIgnoreAuto  = "ignored-auto"
	OutcomeIgnoreBulk  = "ignored-bulk"
	OutcomeTooLarge    = "too-large"
	OutcomeUnparsable  = "unparseable"
	OutcomeDuplicate   = store.OutcomeDuplicate
	OutcomeRateLimited = "rate-limited"
	OutcomeCancelled   = desk.OutcomeCancelled
	OutcomeRescheduled = desk.OutcomeRescheduled
	OutcomeDone        = desk.OutcomeDone
	OutcomeNoShow      = desk.OutcomeNoShow
	OutcomeNoted       = desk.OutcomeNoted
)

// bookingRef finds our booking reference ("FW-1001") in a subject.
var bookingRef = regexp.MustCompile(`\bFW-[0-9]{1,9}\b`)

// Pipeline holds what deciding needs. Safe for concurrent use, but the
// daemon runs one decision at a time (SQLite has one writer anyway).
type Pipeline struct {
	cfg      *config.Config
	st       *store.Store
	slots    *booking.Desk
	core     *desk.Desk
	rules    *rules.Set
	composer *compose.Composer // keyed with the installation secret
	log      *slog.Logger
	limits   message.Limits
	own      map[string]bool // our own addresses: never answered
	// ourMessageID matches the Message-IDs compose gives our mail, so a
	// reply of ours that comes back is recognised whatever its From says
	// (24 hex digits: before they were keyed; 32: since).
	ourMessageID *regexp.Regexp
	// beforeDecide, when set (tests only), runs where a bug while deciding
	// would strike: inside the per-mail recover, before the transaction.
	beforeDecide func(*store.Incoming)
	// lookupTXT resolves DKIM keys (nil: the system resolver); tests set it.
	lookupTXT func(ctx context.Context, name string) ([]string, error)
}

// New builds a pipeline.
func New(cfg *config.Config, st *store.Store, slots *booking.Desk, rs *rules.Set, c *compose.Composer, log *slog.Logger) *Pipeline {
	own := map[string]bool{}
	for _, a := range []string{cfg.SMTP.From, cfg.IMAP.Username, cfg.Desk.SupportAddress} {
		if a != "" {
			own[strings.ToLower(a)] = true
		}
	}
	core := desk.New(cfg, st, slots, c)
	return &Pipeline{
		cfg: cfg, st: st, slots: slots, core: core, rules: rs, composer: core.Composer(), log: log, own: own,
		ourMessageID: regexp.MustCompile(`^<?([0-9a-f]{24}|[0-9a-f]{32})@` + regexp.QuoteMeta(cfg.Desk.MessageIDDomain) + `>?$`),
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
	// rec is everything to send and audit, the desk's and our own.
	rec desk.Result
	// checkpoint: an AnyDesk ID was erased; fold the WAL after the commit.
	checkpoint bool
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
	if p.beforeDecide != nil {
		p.beforeDecide(in)
	}
	msg, reading, perr := p.read(in)
	var au auth
	if perr == nil && msg != nil {
		au = p.authenticate(ctx, in.Raw, msg) // DNS for DKIM: outside the write transaction
	}
	err = p.st.InTx(ctx, func(tx *store.Tx) error {
		// Several instances may list the same mail: one claims it, the
		// others move on.
		if ok, err := tx.ClaimUndecided(ctx, in.ID); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("mail %d: %w", in.ID, store.ErrAlreadyDecided)
		}
		var derr error
		res, derr = p.decide(ctx, tx, in, msg, reading, perr, au, now)
		if derr != nil {
			return derr
		}
		if err := p.commit(ctx, tx, in, res, now); err != nil {
			return err
		}
		failpoint.Hit(failpoint.InDecide)
		return nil
	})
	if errors.Is(err, store.ErrAlreadyDecided) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("decide mail %d: %w", id, err)
	}
	if res.checkpoint {
		// An erased AnyDesk ID must not live on in the -wal file.
		if err := p.st.Checkpoint(ctx); err != nil {
			p.log.Warn("checkpoint after done failed; the hourly purge retries", "err", err)
		}
	}
	p.log.Info("mail decided", "incoming", id, "outcome", res.Outcome, "rule", res.Rule,
		"intent", string(res.Reading.Intent), "ref", refOf(res), "sender", p.st.HashAddress(in.Sender))
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
		var au auth
		if perr == nil && msg != nil {
			au = p.authenticate(ctx, in.Raw, msg)
		}
		res, err = p.decide(ctx, tx, in, msg, reading, perr, au, now)
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
	return ref.In(p.slots.Location())
}

// decide computes the result and makes its changes to bookings and
// proposals through tx; commit then records the outcome and queues the mail.
func (p *Pipeline) decide(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, perr error, au auth, now time.Time) (*Result, error) {
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
	// A mail whose text could not be decoded takes neither shortcut
	// below: an answer to our "was this you?" mail might say no, and a
	// technician's command cannot be read. The rules path hands it to a
	// person (decideMail).
	if res.NoReply == "" && !msg.Auto && !msg.Bulk && !msg.Bounce && !msg.Damaged {
		cr, err := tx.OpenChangeRequest(ctx, thread(msg))
		switch {
		case err == nil:
			return res, p.confirmChange(ctx, tx, in, msg, au, cr, now, res)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	return res, p.decideMail(ctx, tx, in, msg, reading, au, now, res)
}

// decideMail runs the rules on a mail and carries out what they name.
func (p *Pipeline) decideMail(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, au auth, now time.Time, res *Result) error {
	if res.NoReply == "" && !msg.Auto && !msg.Bulk && !msg.Bounce && !msg.Damaged && p.core.RoleOf(msg.From.Address) != desk.RoleCustomer {
		return p.technicianCommand(ctx, tx, in, msg, reading, au, now, res)
	}
	known, open, err := tx.CustomerFacts(ctx, strings.ToLower(msg.From.Address), now)
	if err != nil {
		return err
	}
	facts := rules.Facts{
		Reading: reading, Auto: res.NoReply != "" || msg.Auto || msg.Bounce, Bulk: msg.Bulk, Bounce: msg.Bounce, Machine: msg.Machine,
		From: msg.From.Address, Subject: msg.Subject, Body: msg.Text, KnownCustomer: known, OpenAppointment: open,
	}
	rule := p.rules.Decide(facts)
	res.Rule, res.Action = rule.Name, rule.Then.Action
	if res.NoReply != "" && answers(res.Action) {
		// A rules folder may forget the auto-reply guard; the loop guard
		// does not depend on it.
		res.Action, res.Detail = rules.ActionIgnore, "never answered: "+res.NoReply
	}
	if (msg.From.Address == "" || msg.MessageID == "") && res.Action == rules.ActionIgnore && !msg.Auto && !msg.Bulk && !msg.Bounce {
		// Not to be answered, but nothing says a robot wrote it: a person
		// reads it rather than the mail vanishing into the processed folder.
		res.Action, res.Detail = rules.ActionRouteToHuman, "never answered: "+res.NoReply
	}
	if msg.Damaged && res.Action != rules.ActionIgnore && res.Action != rules.ActionRouteToHuman {
		// Part of the text could not be decoded: what was read (often
		// just the subject) is no ground to book, cancel or link on. A
		// person reads the mail as it came.
		res.Action, res.Detail = rules.ActionRouteToHuman, "text not decodable: "+strings.Join(msg.Defects, "; ")
	}
	if answers(res.Action) {
		total, _, err := tx.MailsTo(ctx, strings.ToLower(msg.From.Address), now.Add(-24*time.Hour), "", 0)
		if err != nil {
			return err
		}
		if total >= p.cfg.Limits.PerSenderPerDay {
			// A person looks at it: a customer writing this often needs one,
			// and a loop stops here.
			res.Outcome, res.DestFolder = OutcomeRateLimited, p.cfg.IMAP.HumanFolder
			res.Detail = fmt.Sprintf("%d automatic mails to this sender in 24 h (limit %d)", total, p.cfg.Limits.PerSenderPerDay)
			return nil
		}
	}
	req := p.request(in, msg, reading, au, desk.RoleCustomer, now)
	var act func(context.Context, *store.Tx, desk.Request) (*desk.Result, error)
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
			return err
		}
	case rules.ActionBook:
		act = p.core.Book
	case rules.ActionRecordID:
		act = p.core.RecordID
	case rules.ActionAccept:
		act = p.core.Accept
	case rules.ActionCancel:
		act = p.core.Cancel
	case rules.ActionReschedule:
		act = p.core.Reschedule
	default:
		return fmt.Errorf("rule %s: unknown action %q", rule.Name, rule.Then.Action)
	}
	if act != nil {
		dr, err := act(ctx, tx, req)
		if err != nil {
			return err
		}
		p.take(res, dr)
	}
	if rule.Then.NotifyTechnician && res.NoReply == "" {
		if err := p.notifyRule(ctx, tx, req, msg, reading, rule, res); err != nil {
			return err
		}
	}
	return nil
}

// request is what the desk needs to know of a mail.
func (p *Pipeline) request(in *store.Incoming, msg *message.Message, reading understand.Reading, au auth, role desk.Role, now time.Time) desk.Request {
	return desk.Request{
		Actor:      desk.Actor{Role: role, Address: strings.ToLower(msg.From.Address), Name: message.SanitizeHeader(msg.From.Name, 120)},
		Proof:      proof(msg, au),
		Ref:        mailRef(msg),
		Key:        in.Key(),
		IncomingID: in.ID,
		Origin:     desk.Origin{MessageID: msg.MessageID, References: msg.References, Subject: msg.Subject},
		Language:   p.language(reading),
		Now:        now,
		Wishes:     reading.Requested,
		Choice:     reading.Choice,
		AnyDeskID:  reading.AnyDeskID,
		Reason:     reading.Reason,
		Unsure:     reading.Unsure(),
	}
}

// mailRef is the booking reference a mail names: in its subject, else in
// the UID of the calendar answer it carries. It only says which booking is
// meant; the proof decides whether the mail may change it.
func mailRef(msg *message.Message) string {
	if ref := bookingRef.FindString(msg.Subject); ref != "" {
		return ref
	}
	return calendarRef(msg)
}

// take folds what the desk did into the mail's result.
func (p *Pipeline) take(res *Result, dr *desk.Result) {
	res.Outcome, res.Detail = dr.Outcome, dr.Detail
	if dr.Appointment != nil {
		res.Appointment = dr.Appointment
	}
	res.Proposals, res.Why = dr.Proposals, dr.Why
	res.DestFolder = p.cfg.IMAP.ProcessedFolder
	if dr.Human {
		res.DestFolder = p.cfg.IMAP.HumanFolder
	}
	res.checkpoint = res.checkpoint || dr.Checkpoint
	res.rec.Mails = append(res.rec.Mails, dr.Mails...)
	res.rec.Audit = append(res.rec.Audit, dr.Audit...)
	for _, m := range dr.Mails {
		if m.Notice {
			res.Notices = append(res.Notices, m.Outgoing)
			continue
		}
		res.Replies = append(res.Replies, m.Outgoing)
		res.Templates = append(res.Templates, m.Template)
	}
}

// confirmChange handles a reply to the neutral mail that asked the address
// on file whether a change was theirs: from that address, and not a "no",
// it carries out the change the first mail asked for, with the reply as
// its proof.
func (p *Pipeline) confirmChange(ctx context.Context, tx *store.Tx, in *store.Incoming, reply *message.Message, au auth, cr *store.ChangeRequest, now time.Time, res *Result) error {
	res.Rule, res.Action = "confirm-change", rules.ActionRouteToHuman
	human := func(detail string) error {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, detail
		return nil
	}
	if denies(reply.Text) {
		if err := tx.AnswerChangeRequest(ctx, cr.MessageID, now); err != nil {
			return err
		}
		return human("the address on file says the change request was not theirs")
	}
	first, err := tx.Incoming(ctx, cr.IncomingID)
	if err != nil {
		return err
	}
	msg, reading, perr := p.read(first)
	if perr != nil || msg == nil {
		return human("the change request to confirm can no longer be read")
	}
	if !strings.EqualFold(msg.From.Address, reply.From.Address) {
		return human("the confirmation comes from another address than the change request")
	}
	if err := tx.AnswerChangeRequest(ctx, cr.MessageID, now); err != nil {
		return err
	}
	// The first mail's request, in the reply's thread and with the reply's
	// proof (it answers our neutral mail).
	merged := *msg
	merged.MessageID, merged.InReplyTo, merged.References = reply.MessageID, reply.InReplyTo, reply.References
	res.Message, res.Reading = &merged, reading
	return p.decideMail(ctx, tx, in, &merged, reading, au, now, res)
}

// denies reports whether a reply to our neutral mail says "not me".
func denies(text string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(strings.ToLower(text)), "\n")
	for _, w := range []string{"nicht ich", "war ich nicht", "nicht von mir", "not me", "wasn't me", "was not me", "not from me"} {
		if strings.Contains(first, w) {
			return true
		}
	}
	word := strings.FieldsFunc(first, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '!' })
	return len(word) > 0 && (word[0] == "nein" || word[0] == "no" || word[0] == "nope")
}

// notifyRule tells the technician of the sender's booking, or every
// technician when there is none, that a rule wants their attention.
func (p *Pipeline) notifyRule(ctx context.Context, tx *store.Tx, req desk.Request, msg *message.Message, reading understand.Reading, rule rules.Rule, res *Result) error {
	a := res.Appointment
	if a == nil {
		if found, err := tx.FindAppointment(ctx, req.Actor.Address, req.Ref, req.Proof.Answers, req.Now); err == nil &&
			found.Status == store.StatusBooked && found.End.After(req.Now) {
			a = found
		}
	}
	n := compose.Notice{Kind: compose.NoticeRule, CustomerName: msg.From.Name, CustomerAddress: msg.From.Address, Rule: rule.Name, Intent: string(reading.Intent)}
	var dr desk.Result
	if a != nil {
		if err := p.core.Notify(&dr, req, a.Technician, a, n); err != nil {
			return err
		}
	} else {
		for _, t := range p.cfg.Technicians {
			if err := p.core.Notify(&dr, req, t.Email, nil, n); err != nil {
				return err
			}
		}
	}
	for _, m := range dr.Mails {
		res.Notices = append(res.Notices, m.Outgoing)
		res.rec.Mails = append(res.rec.Mails, m)
	}
	return nil
}

func thread(msg *message.Message) []string {
	return append([]string{msg.InReplyTo}, msg.References...)
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
	res.rec.Mails = append(res.rec.Mails, desk.Mail{Outgoing: out, Template: r.Template})
	return nil
}

// commit records the outcome, queues the mails and writes the audit rows.
func (p *Pipeline) commit(ctx context.Context, tx *store.Tx, in *store.Incoming, res *Result, now time.Time) error {
	if err := p.core.Record(ctx, tx, &res.rec, in.ID, res.Outcome); err != nil {
		return err
	}
	if err := tx.Decide(ctx, in.ID, store.Outcome{Outcome: res.Outcome, Rule: res.Rule, Detail: res.Detail, DestFolder: res.DestFolder}); err != nil {
		return err
	}
	id := in.ID
	return tx.Audit(ctx, store.AuditEntry{At: now, Actor: tx.HashAddress(in.Sender), Action: "mail." + res.Outcome, Ref: refOf(res), IncomingID: &id, Outcome: res.Rule})
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
	case msg.MessageID == "":
		// Every mail client sets one; mail without it is generated or
		// spam (Zammad treats it as an auto-response too).
		return "no Message-ID"
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

func refOf(res *Result) string {
	if res != nil && res.Appointment != nil {
		return res.Appointment.Ref
	}
	return ""
}
