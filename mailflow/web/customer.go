package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// anydeskURL opens the remote tool with the ID filled in. html/template
// refuses unknown schemes, so the URL is built from nine digits only.
func anydeskURL(id string) template.URL {
	if len(id) != 9 || strings.Trim(id, "0123456789") != "" {
		return ""
	}
	return template.URL("anydesk:" + id)
}

// link is what a self-service link stands for: the booking its mail was
// about (cancel, move) or the proposal it offered (pick).
type link struct {
	MessageID string
	Customer  string
	Appt      *store.Appointment
	Proposal  *store.Proposal
	Lang      string
}

// resolve checks a link's token and finds what it is about. A link lives
// as long as its booking is booked and ahead (or its proposal open): after
// that it shows that it has expired.
func (s *Server) resolve(ctx context.Context, r *http.Request, action string) (*link, string, error) {
	d := s.deps.Desk()
	msgID, err := d.Composer().LinkMessageID(r.PathValue("token"))
	if err != nil {
		return nil, "bad_link", nil
	}
	now := s.deps.Now()
	l := &link{MessageID: msgID}
	if action == "pick" {
		p, err := s.deps.Store.ProposalByMail(ctx, msgID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, "bad_link", nil
		}
		if err != nil {
			return nil, "", err
		}
		l.Proposal, l.Customer = p, p.Customer
		if p.AppointmentID.Valid {
			if l.Appt, err = s.deps.Store.AppointmentByID(ctx, p.AppointmentID.Int64); err != nil {
				return nil, "", err
			}
			l.Lang = l.Appt.Language
		}
		if p.ClosedAt.Valid || !p.ExpiresAt.After(now) {
			return l, "link_expired", nil
		}
		return l, "", nil
	}
	ml, err := s.deps.Store.MailAbout(ctx, msgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "bad_link", nil
	}
	if err != nil {
		return nil, "", err
	}
	a, err := s.deps.Store.AppointmentByID(ctx, ml.AppointmentID)
	if err != nil {
		return nil, "", err
	}
	l.Appt, l.Customer, l.Lang = a, ml.Recipient, a.Language
	if !strings.EqualFold(a.Customer, ml.Recipient) {
		return nil, "bad_link", nil // a mail to a technician carries no customer links
	}
	if a.Status != store.StatusBooked || !a.End.After(now) {
		return l, "link_expired", nil
	}
	return l, "", nil
}

// linkPage shows what a link would do and a form to confirm it. It
// changes nothing: mail scanners and previews open links.
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if action == "" {
		action = "overview"
	}
	s.showLink(w, r, action, http.StatusOK, "", "")
}

func (s *Server) showLink(w http.ResponseWriter, r *http.Request, action string, status int, flash, flashErr string) {
	look := action
	if look == "overview" {
		look = "cancel"
	}
	l, problem, err := s.resolve(r.Context(), r, look)
	lang := s.lang(r, "")
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	if l != nil {
		lang = s.lang(r, l.Lang)
	}
	if problem != "" && flash == "" {
		code := http.StatusNotFound
		if problem == "link_expired" {
			code = http.StatusGone
		}
		data := map[string]any{"Title": problem, "Text": problem + "_text"}
		if l != nil && l.Appt != nil {
			data["S"] = s.rowOf(l.Appt)
		}
		s.render(w, r, code, "message", lang, data)
		return
	}
	loc := s.deps.Desk().Slots().Location()
	data := map[string]any{"CSRF": s.formToken(w, r), "Action": action, "Base": s.deps.Root + "/l/" + r.PathValue("token"), "Flash": flash, "FlashErr": flashErr}
	if l.Appt != nil {
		data["S"] = s.rowOf(l.Appt)
	}
	switch action {
	case "pick":
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n < 1 || n > len(l.Proposal.Slots) {
			s.render(w, r, http.StatusNotFound, "message", lang, map[string]any{"Title": "bad_link", "Text": "bad_link_text"})
			return
		}
		sl := l.Proposal.Slots[n-1]
		data["N"], data["Start"], data["End"] = n, sl.Start.In(loc), sl.End.In(loc)
	case "move":
		var free []slotChoice
		err := s.deps.Store.DryRun(r.Context(), func(tx *store.Tx) error {
			slots, err := s.deps.Desk().FreeSlots(r.Context(), tx, s.deps.Now(), time.Time{}, l.Appt, 8)
			for _, sl := range slots {
				if sl.Start.Equal(l.Appt.Start) {
					continue // its own time is no move
				}
				free = append(free, slotChoice{Value: sl.Start.UTC().Format(time.RFC3339), Start: sl.Start.In(loc), End: sl.End.In(loc)})
			}
			return err
		})
		if err != nil {
			s.errPage(w, r, lang, err)
			return
		}
		data["Free"] = free
	case "cancel", "overview":
	default:
		s.render(w, r, http.StatusNotFound, "message", lang, map[string]any{"Title": "bad_link", "Text": "bad_link_text"})
		return
	}
	s.render(w, r, status, "link", lang, data)
}

// linkPost carries out what the customer confirmed, as the customer with
// the link's mail as capability: the same desk call, and so the same
// mail, as a reply to that mail would have caused.
func (s *Server) linkPost(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	lang := s.lang(r, "")
	if !s.anonymousFormOK(r) {
		s.render(w, r, http.StatusForbidden, "message", lang, map[string]any{"Title": "expired_form", "Text": "expired_form_text"})
		return
	}
	l, problem, err := s.resolve(r.Context(), r, action)
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	if problem != "" {
		s.showLink(w, r, action, http.StatusGone, "", "")
		return
	}
	lang = s.lang(r, l.Lang)
	d := s.deps.Desk()
	req := desk.Request{
		Actor:    desk.Actor{Role: desk.RoleCustomer, Address: l.Customer},
		Proof:    desk.Proof{Answers: []string{l.MessageID}, Via: "web link"},
		Key:      "web/" + action + "/" + l.MessageID,
		Origin:   desk.Origin{MessageID: l.MessageID, References: []string{l.MessageID}},
		Language: l.Lang,
		Now:      s.deps.Now(),
	}
	if l.Appt != nil {
		req.Ref, req.Actor.Name = l.Appt.Ref, l.Appt.CustomerName
		req.Key += "/" + strconv.Itoa(l.Appt.Sequence)
	}
	var act func(context.Context, *store.Tx, desk.Request) (*desk.Result, error)
	switch action {
	case "cancel":
		act = d.Cancel
	case "move":
		act = d.Reschedule
		if v := r.PostFormValue("slot"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.showLink(w, r, action, http.StatusBadRequest, "", messages[lang]["bad_slot"])
				return
			}
			req.Wishes = []understand.Wish{{Start: t, Precision: understand.PrecisionMinute}}
			req.Key += "/" + t.UTC().Format("20060102T1504")
		}
	case "pick":
		act = d.Accept
		req.Choice, _ = strconv.Atoi(r.PathValue("n"))
		req.Key += "/" + strconv.Itoa(req.Choice)
	default:
		s.render(w, r, http.StatusNotFound, "message", lang, map[string]any{"Title": "bad_link", "Text": "bad_link_text"})
		return
	}
	res, err := s.carryOut(r.Context(), act, req)
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	if res.Human || res.Err() != nil {
		s.render(w, r, http.StatusConflict, "message", lang, map[string]any{"Title": "not_done", "Text": "not_done_text"})
		return
	}
	data := map[string]any{"Title": "ok_" + res.Outcome, "Text": "ok_mail_text"}
	if res.Appointment != nil {
		data["S"] = s.rowOf(res.Appointment)
	}
	s.render(w, r, http.StatusOK, "message", lang, data)
}
