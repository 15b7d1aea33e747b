// Package desk owns every change to a booking: book, accept, cancel,
// reschedule, record or change the AnyDesk ID, done, no-show and note.
// Each is one function that takes who asks (an Actor) and what proves it
// (a Proof), decides whether that actor may, makes the change through the
// caller's transaction and returns what to send and audit (a Result,
// which Record writes). It does not know whether the request came by
// mail, from the command line or from a web page: those are thin callers,
// and none of them holds a second copy of an action. The rules of who may
// do what are in allow and in docs/trust.md.
package desk

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// Outcomes of a request, as recorded for the mail that asked.
const (
	OutcomeBooked      = "booked"
	OutcomeProposed    = "proposed"
	OutcomeIDLinked    = "id-linked"
	OutcomeCancelled   = "cancelled"
	OutcomeRescheduled = "rescheduled"
	OutcomeDone        = "done"
	OutcomeNoShow      = "no-show"
	OutcomeNoted       = "noted"
	OutcomeHuman       = "forwarded-to-human"
)

// Role is who asks, as far as the desk is concerned.
type Role string

// Roles. A customer acts on their own bookings, a technician on the
// sessions assigned to them, the team lead on all sessions, the operator
// (the command line on the server) on everything.
const (
	RoleCustomer   Role = "customer"
	RoleTechnician Role = "technician"
	RoleTeamLead   Role = "team-lead"
	RoleOperator   Role = "operator"
)

// Actor is who asks. Address is the mail address they claim (for the
// operator: none).
type Actor struct {
	Role    Role
	Address string
	Name    string
}

// Proof is what shows that the actor is who they claim. No single field
// is believed on its own: allow weighs them against trust.require.
type Proof struct {
	// Answers are the Message-IDs the request answers (In-Reply-To and
	// References). One of ours that went to the actor's address about the
	// booking is a capability: our Message-IDs cannot be guessed.
	Answers []string
	// Authenticated: a trusted server reported DMARC pass for the From
	// domain, or our own DKIM check passed (see pipeline/trust.go).
	Authenticated bool
	// Failed: authentication failed (dmarc=fail from a trusted server, or
	// a From domain out of alignment). Such a request never changes anything.
	Failed bool
	// Operator: the request comes from the command line on the server.
	Operator bool
	// Session: a desk member signed in to the web pages with a one-time
	// link mailed to their configured address (mailflow/web). Only the
	// desk's people have sessions; a customer's web link is a capability
	// (Answers holds the Message-ID of the mail the link was in).
	Session bool
	// Via says, for the audit, what was seen ("dmarc=pass mx.example.com").
	Via string
}

// Origin is the mail a request came in, so the answer joins its thread.
// Zero for the command line and the web.
type Origin struct {
	MessageID  string
	References []string
	Subject    string
}

// Request is one request to the desk.
type Request struct {
	Actor Actor
	Proof Proof
	// Ref is the booking reference the request names, if any. It only
	// says which booking is meant; it never authorises anything.
	Ref string
	// Key makes the mails of this request deterministic, so a replay
	// after a crash is recognised: the inbound mail's key, "cli/…", "web/…".
	Key string
	// IncomingID is the stored mail that asked (0: none).
	IncomingID int64
	Origin     Origin
	// Language is the language to answer the actor in ("" = desk default).
	Language string
	Now      time.Time

	// Wishes are the times asked for (book, reschedule, accept).
	Wishes []understand.Wish
	// Choice is the number of the proposed slot picked (accept), 0 if none.
	Choice int
	// AnyDeskID is the nine-digit ID (record ID; or with a booking request).
	AnyDeskID string
	// Text is the protocol (done) or the note.
	Text string
	// Reason is what the session is about (book).
	Reason string
	// Quiet: do not mail the customer (operator cancel -notify=false).
	Quiet bool
	// Unsure: the wishes are our uncertain reading of the mail (a
	// corrected word, a time beside a negation, a feast day, a move
	// relative to the booking …). Such a wish is never booked: the
	// customer is asked "did you mean …?" with it as the first option.
	Unsure bool
}

// Mail is one mail a request sends.
type Mail struct {
	compose.Outgoing
	// Purpose is the outbox purpose ("cancelled", "technician-notice", …).
	Purpose  string
	Template string
	// Notice marks mail to a technician (never counted as a reply).
	Notice bool
	// AppointmentID links the mail to the booking, so a reply in its
	// thread finds it and, from the recipient, proves who replies.
	AppointmentID int64
	// ConfirmChange marks the neutral mail to the address on file; a reply
	// to it carries out the request of IncomingID.
	ConfirmChange bool
}

// Result is what a request did and what is to be sent and audited.
type Result struct {
	Outcome     string
	Appointment *store.Appointment
	Proposals   []booking.Slot
	Why         booking.Why
	Mails       []Mail
	Audit       []store.AuditEntry
	// Human: a person must look at the request (it goes to the human folder).
	Human  bool
	Detail string
	// Checkpoint: an AnyDesk ID was erased; fold the WAL after the commit.
	Checkpoint bool
	// refusal is why Human is set when the request was refused.
	refusal error
}

// Errors for callers that show a refusal to a person (command line, web).
var (
	ErrNotFound = errors.New("no such booking for this actor")
	ErrDenied   = errors.New("not allowed")
	ErrUnproven = errors.New("no proof of who asks")
)

// Err turns a refused result into an error for callers with a person in
// front of them; nil when the request was carried out.
func (r *Result) Err() error {
	switch {
	case r == nil || !r.Human:
		return nil
	case r.refusal != nil:
		return fmt.Errorf("%s: %w", r.Detail, r.refusal)
	}
	return errors.New(r.Detail)
}

// Desk carries out requests. Safe for concurrent use.
type Desk struct {
	cfg      *config.Config
	slots    *booking.Desk
	composer *compose.Composer
	hash     func(string) string
}

// New builds the desk. Its mails get Message-IDs keyed with the store's
// secret.
func New(cfg *config.Config, st *store.Store, slots *booking.Desk, c *compose.Composer) *Desk {
	return &Desk{cfg: cfg, slots: slots, composer: c.WithSecret(st.IDSecret()), hash: st.HashAddress}
}

// Composer is the desk's composer (keyed), for callers that render mail
// about no booking with the same Message-ID scheme.
func (d *Desk) Composer() *compose.Composer { return d.composer }

// Slots is the booking calendar the desk decides with.
func (d *Desk) Slots() *booking.Desk { return d.slots }

// Record writes what a request sends and audits, in the transaction of its
// change: outbox rows, their links to the booking (with the recipient, for
// capabilities), the change request behind a neutral mail, audit rows.
func (d *Desk) Record(ctx context.Context, tx *store.Tx, res *Result, incomingID int64, outcome string) error {
	for _, m := range res.Mails {
		purpose := m.Purpose
		if purpose == "" {
			purpose = outcome
		}
		row := &store.OutboxMail{MessageID: m.MessageID, Purpose: purpose, Sender: m.From, Recipient: m.To, Raw: m.Raw}
		row.IncomingID.Int64, row.IncomingID.Valid = incomingID, incomingID != 0
		if _, err := tx.Enqueue(ctx, row); err != nil {
			return err
		}
		if m.AppointmentID != 0 {
			if err := tx.LinkMail(ctx, m.MessageID, m.AppointmentID, m.To); err != nil {
				return err
			}
		}
		if m.ConfirmChange && incomingID != 0 {
			if err := tx.AddChangeRequest(ctx, m.MessageID, incomingID, m.AppointmentID, time.Now()); err != nil {
				return err
			}
		}
	}
	for _, e := range res.Audit {
		if incomingID != 0 {
			id := incomingID
			e.IncomingID = &id
		}
		if err := tx.Audit(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// verdict is allow's answer.
type verdict int

const (
	allowed  verdict = iota
	unproven         // may, if proven: ask the address on file
	denied           // may not, whatever the proof
)

// allow decides whether req's actor may change a. change is false for the
// few things that need no proof (see docs/trust.md). The rules:
//   - the operator (command line on the server) may do everything;
//   - a customer only their own booking, a technician only the sessions
//     assigned to them, the team lead every session;
//   - every change needs the proof trust.require names; a failed
//     authentication is never enough.
func (d *Desk) allow(ctx context.Context, tx *store.Tx, req Request, a *store.Appointment, change bool) (verdict, string, error) {
	addr := strings.ToLower(strings.TrimSpace(req.Actor.Address))
	switch req.Actor.Role {
	case RoleOperator:
		if req.Proof.Operator {
			return allowed, "operator", nil
		}
		return denied, "operator without the command line", nil
	case RoleCustomer:
		if addr == "" || !strings.EqualFold(a.Customer, addr) {
			return denied, "not the customer of this booking", nil
		}
	case RoleTechnician:
		if !d.isTechnician(addr) || !strings.EqualFold(a.Technician, addr) {
			return denied, "not the technician of this session", nil
		}
	case RoleTeamLead:
		if addr == "" || !strings.EqualFold(d.cfg.Jobs.TeamLead, addr) {
			return denied, "not the team lead", nil
		}
	default:
		return denied, fmt.Sprintf("unknown role %q", req.Actor.Role), nil
	}
	if !change {
		return allowed, "no proof needed", nil
	}
	if req.Proof.Session && req.Actor.Role != RoleCustomer {
		// The sign-in link went to the address on file and was used once:
		// as strong as a reply to our mail to that address.
		return allowed, "web session", nil
	}
	if req.Proof.Failed {
		return unproven, "authentication failed", nil
	}
	capability, err := tx.SentTo(ctx, req.Proof.Answers, a.ID, addr)
	if err != nil {
		return denied, "", err
	}
	ok, how := proven(d.cfg.Trust.Require, capability, req.Proof.Authenticated)
	if !ok {
		return unproven, how, nil
	}
	return allowed, how, nil
}

// proven weighs a capability and an authentication against trust.require:
// capability needs the capability; authenticated takes either (a mail the
// receiving server vouches for may act without answering our mail, and a
// reply to our mail still works for senders whose domain publishes no
// DMARC); both needs both.
func proven(require string, capability, authenticated bool) (bool, string) {
	switch {
	case require == config.TrustBoth && capability && authenticated:
		return true, "capability+authenticated"
	case require == config.TrustBoth && capability:
		return false, "sender not authenticated"
	case require == config.TrustAuthenticated && authenticated:
		return true, "authenticated"
	case require == config.TrustAuthenticated && capability:
		return true, "capability"
	case require == config.TrustAuthenticated:
		return false, "neither authenticated nor a reply to our mail to this address"
	case require != config.TrustBoth && capability:
		return true, "capability"
	}
	return false, "not a reply to our mail to this address"
}

// refuse builds the result of a request the actor may not carry out. An
// unproven one asks the address on file (never the sender of the request)
// whether it was them, with a neutral mail; a reply to it is the proof.
func (d *Desk) refuse(req Request, a *store.Appointment, action string, v verdict, why string) (*Result, error) {
	res := &Result{Outcome: OutcomeHuman, Human: true, Appointment: a, refusal: ErrDenied}
	res.Detail = fmt.Sprintf("%s %s refused: %s", action, a.Ref, why)
	res.Audit = append(res.Audit, d.audit(req, "appointment.refused", a.Ref, action+": "+why))
	if v != unproven {
		return res, nil
	}
	res.refusal = ErrUnproven
	onFile, name, lang := d.addressOnFile(req, a)
	if onFile == "" || req.IncomingID == 0 {
		// Nobody to ask (or no mail whose request a reply could carry out).
		return res, nil
	}
	out, err := d.render(compose.Reply{
		Template: compose.TemplateConfirmChange, Language: lang, To: mail.Address{Name: name, Address: onFile},
		InboundKey: req.Key, Purpose: "confirm-change", Date: req.Now, Ref: a.Ref,
	})
	if err != nil {
		return nil, err
	}
	res.Mails = append(res.Mails, Mail{Outgoing: out, Purpose: "confirm-change", Template: compose.TemplateConfirmChange,
		AppointmentID: a.ID, ConfirmChange: true})
	res.Detail += "; asked " + string(req.Actor.Role) + " on file to confirm"
	return res, nil
}

// addressOnFile is where the neutral mail goes: the address we have for
// the identity the request claims, never one the request supplies.
func (d *Desk) addressOnFile(req Request, a *store.Appointment) (addr, name, lang string) {
	switch req.Actor.Role {
	case RoleCustomer:
		return a.Customer, a.CustomerName, a.Language
	case RoleTechnician:
		for _, t := range d.cfg.Technicians {
			if strings.EqualFold(t.Email, req.Actor.Address) {
				return strings.ToLower(t.Email), t.Name, d.cfg.Desk.Language
			}
		}
	case RoleTeamLead:
		return strings.ToLower(d.cfg.Jobs.TeamLead), "", d.cfg.Desk.Language
	}
	return "", "", ""
}

// audit is one audit row for req: the actor hashed (customers) or by role.
func (d *Desk) audit(req Request, action, ref, outcome string) store.AuditEntry {
	actor := string(req.Actor.Role)
	switch req.Actor.Role {
	case RoleCustomer:
		actor = d.hash(req.Actor.Address)
	case RoleOperator:
		actor = store.ActorOperator
	case RoleTechnician:
		actor = store.ActorTechnician
	case RoleTeamLead:
		actor = store.ActorTeamLead
	}
	via := req.Proof.Via
	if via != "" && outcome != "" {
		outcome += "; " + via
	} else if via != "" {
		outcome = via
	}
	return store.AuditEntry{At: req.Now, Actor: actor, Action: action, Ref: ref, Outcome: outcome}
}

func (d *Desk) isTechnician(addr string) bool {
	for _, t := range d.cfg.Technicians {
		if strings.EqualFold(t.Email, addr) {
			return true
		}
	}
	return false
}

func (d *Desk) technicianName(addr string) string {
	for _, t := range d.cfg.Technicians {
		if strings.EqualFold(t.Email, addr) {
			return t.Name
		}
	}
	return ""
}

// RoleOf is the role a mail address has at this desk.
func (d *Desk) RoleOf(addr string) Role {
	switch {
	case d.cfg.Jobs.TeamLead != "" && strings.EqualFold(d.cfg.Jobs.TeamLead, addr):
		// A team lead who also takes sessions keeps the wider right.
		return RoleTeamLead
	case d.isTechnician(addr):
		return RoleTechnician
	}
	return RoleCustomer
}

func (d *Desk) render(r compose.Reply) (compose.Outgoing, error) {
	out, err := d.composer.Render(r)
	if err != nil {
		return compose.Outgoing{}, fmt.Errorf("render %s: %w", r.Template, err)
	}
	return out, nil
}

// toActor renders r as the answer to the actor, in the thread of the
// request.
func (d *Desk) toActor(res *Result, req Request, r compose.Reply, purpose string, a *store.Appointment) error {
	r.Language = d.language(req.Language)
	r.To = mail.Address{Name: req.Actor.Name, Address: req.Actor.Address}
	r.InboundKey, r.Date = req.Key, req.Now
	r.InReplyTo, r.References, r.Subject = req.Origin.MessageID, req.Origin.References, req.Origin.Subject
	out, err := d.render(r)
	if err != nil {
		return err
	}
	m := Mail{Outgoing: out, Purpose: purpose, Template: r.Template}
	if a != nil {
		m.AppointmentID = a.ID
	}
	res.Mails = append(res.Mails, m)
	return nil
}

// toCustomer renders r to the customer of a, outside any thread (the
// request came from someone else).
func (d *Desk) toCustomer(res *Result, req Request, r compose.Reply, purpose string, a *store.Appointment) error {
	r.Language = d.language(a.Language)
	r.To = mail.Address{Name: a.CustomerName, Address: a.Customer}
	r.InboundKey, r.Date = req.Key, req.Now
	out, err := d.render(r)
	if err != nil {
		return err
	}
	res.Mails = append(res.Mails, Mail{Outgoing: out, Purpose: purpose, Template: r.Template, AppointmentID: a.ID})
	return nil
}

// Notify renders a technician notice (never counted against anyone's
// caps: it goes to our own people) and adds it to res.
func (d *Desk) Notify(res *Result, req Request, technician string, a *store.Appointment, n compose.Notice) error {
	technician = strings.ToLower(technician)
	r := compose.Reply{
		Template: compose.TemplateTechnicianNotice, Language: d.cfg.Desk.Language,
		To:         mail.Address{Name: d.technicianName(technician), Address: technician},
		InboundKey: req.Key, Purpose: "notice-" + n.Kind + "-" + technician, Date: req.Now, Notice: &n,
	}
	var link int64
	if a != nil {
		r.Ref, r.Appointment = a.Ref, d.slot(a.Start, a.End)
		link = a.ID
		// For the session's entry in the notice's sessions.ics.
		n.Reason, n.Sequence, n.Cancelled = a.Reason, a.Sequence, a.Status == store.StatusCancelled
		// technician_notice.id link: the session page shows the ID, the
		// mail does not, so no technician's mailbox keeps it.
		if n.AnyDeskID != "" && d.cfg.TechnicianNotice.ID == config.NoticeIDLink {
			n.Link, n.AnyDeskID = d.cfg.SessionLink(a.Ref), ""
		}
	}
	out, err := d.render(r)
	if err != nil {
		return err
	}
	res.Mails = append(res.Mails, Mail{Outgoing: out, Purpose: "technician-notice", Template: r.Template, Notice: true, AppointmentID: link})
	return nil
}

func (d *Desk) language(l string) string {
	if l == "de" || l == "en" {
		return l
	}
	return d.cfg.Desk.Language
}

func (d *Desk) slot(start, end time.Time) compose.Slot {
	return compose.Slot{Start: start.In(d.slots.Location()), End: end.In(d.slots.Location())}
}

// invite is the calendar invitation of an appointment: one UID for its
// whole life, SEQUENCE counting its changes.
func (d *Desk) invite(a *store.Appointment, method string) *compose.Invite {
	return &compose.Invite{UID: a.Ref + "@" + d.cfg.Desk.MessageIDDomain, Sequence: a.Sequence, Method: method}
}

// MaskID shows only the last three digits of an AnyDesk ID, as customer
// mail must (the ID is a key to their computer).
func MaskID(id string) string {
	if len(id) != 9 {
		return "*** *** ***"
	}
	return "*** *** " + id[6:]
}
