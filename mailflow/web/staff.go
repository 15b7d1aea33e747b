package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// member is a signed-in desk member.
type member struct {
	Email string
	Name  string
	Role  desk.Role
	CSRF  string
	hash  string
}

type memberKey struct{}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", s.lang(r, ""), map[string]any{"CSRF": s.formToken(w, r)})
}

// loginPost mails a one-time link to a configured technician or team
// lead. Every address gets the same page, so the form tells nobody who
// works at the desk.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(r, "")
	if !s.anonymousFormOK(r) {
		s.render(w, r, http.StatusForbidden, "message", lang, map[string]any{"Title": "expired_form", "Text": "expired_form_text"})
		return
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(r.PostFormValue("email")))
	now := s.deps.Now()
	if !s.login.allow("ip:"+clientIP(r), now) || (err == nil && !s.mails.allow(strings.ToLower(addr.Address), now)) {
		s.tooMany(w, r)
		return
	}
	if err == nil {
		if err := s.mailSignIn(r.Context(), strings.ToLower(addr.Address), lang, now); err != nil {
			s.errPage(w, r, lang, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "message", lang, map[string]any{"Title": "link_sent", "Text": "link_sent_text"})
}

func (s *Server) mailSignIn(ctx context.Context, addr, lang string, now time.Time) error {
	d := s.deps.Desk()
	role := d.RoleOf(addr)
	if role == desk.RoleCustomer {
		return nil // not one of ours: same page, no mail
	}
	token := randomToken(32)
	h := hashToken(token)
	if err := s.deps.Store.AddLogin(ctx, h, addr, now, now.Add(loginValid)); err != nil {
		return err
	}
	out, err := d.Composer().Render(compose.Reply{
		Template: compose.TemplateWebLogin, Language: lang, To: mail.Address{Name: s.name(addr), Address: addr},
		InboundKey: "web/login/" + h, Purpose: "web-login", Date: now, Generated: true,
		SignInLink: s.deps.Config().HTTP.PublicURL + "/login/" + token,
	})
	if err != nil {
		return fmt.Errorf("render sign-in mail: %w", err)
	}
	err = s.deps.Store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Enqueue(ctx, &store.OutboxMail{MessageID: out.MessageID, Purpose: "web-login", Sender: out.From, Recipient: out.To, Raw: out.Raw}); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{At: now, Actor: s.deps.Store.HashAddress(addr), Action: "web.sign-in-link", Outcome: string(role) + "; mailed"})
	})
	if err != nil {
		return err
	}
	s.deps.Wake()
	return nil
}

func (s *Server) name(addr string) string {
	for _, t := range s.deps.Config().Technicians {
		if strings.EqualFold(t.Email, addr) {
			return t.Name
		}
	}
	return ""
}

// signInPage shows a button: the link itself changes nothing, since mail
// scanners open links and would spend it.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signin", s.lang(r, ""), map[string]any{"CSRF": s.formToken(w, r), "Token": r.PathValue("token")})
}

func (s *Server) signInPost(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(r, "")
	if !s.anonymousFormOK(r) {
		s.render(w, r, http.StatusForbidden, "message", lang, map[string]any{"Title": "expired_form", "Text": "expired_form_text"})
		return
	}
	now := s.deps.Now()
	sid, csrf := randomToken(32), randomToken(24)
	email, err := s.deps.Store.UseLogin(r.Context(), hashToken(r.PathValue("token")), hashToken(sid), csrf, now, now.Add(sessionValid))
	if errors.Is(err, store.ErrLoginUsed) {
		s.render(w, r, http.StatusGone, "message", lang, map[string]any{"Title": "link_used", "Text": "link_used_text", "Login": true})
		return
	}
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	s.audit(r.Context(), store.AuditEntry{At: now, Actor: s.deps.Store.HashAddress(email), Action: "web.signed-in", Outcome: string(s.deps.Desk().RoleOf(email))})
	s.setCookie(w, r, sessionCookie, sid, sessionValid)
	http.Redirect(w, r, s.deps.Root+"/", http.StatusSeeOther)
}

func (s *Server) audit(ctx context.Context, e store.AuditEntry) {
	if err := s.deps.Store.InTx(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		s.deps.Log.Warn("web audit not written", "action", e.Action, "err", err)
	}
}

// staff lets only a signed-in technician or team lead through; a
// member's role is read afresh from the config on every request, so one
// removed from technicians is out at once.
func (s *Server) staff(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, err := s.member(r)
		if err != nil {
			if !errors.Is(err, errNoSession) {
				s.deps.Log.Warn("session not read", "err", err)
			}
			http.Redirect(w, r, s.deps.Root+"/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !checkForm(r, m.CSRF) {
			s.render(w, r, http.StatusForbidden, "message", s.lang(r, ""), map[string]any{"Title": "expired_form", "Text": "expired_form_text"})
			return
		}
		if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
			s.setCookie(w, r, langCookie, l, 365*24*time.Hour)
		}
		next(w, r.WithContext(context.WithValue(r.Context(), memberKey{}, m)))
	}
}

func (s *Server) member(r *http.Request) (*member, error) {
	sid := cookieValue(r, sessionCookie)
	if sid == "" {
		return nil, errNoSession
	}
	h := hashToken(sid)
	ws, err := s.deps.Store.Session(r.Context(), h, s.deps.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	role := s.deps.Desk().RoleOf(ws.Email)
	if role == desk.RoleCustomer {
		return nil, errNoSession
	}
	return &member{Email: ws.Email, Name: s.name(ws.Email), Role: role, CSRF: ws.CSRF, hash: h}, nil
}

func memberOf(r *http.Request) *member { m, _ := r.Context().Value(memberKey{}).(*member); return m }

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	m := memberOf(r)
	if err := s.deps.Store.EndSession(r.Context(), m.hash); err != nil {
		s.errPage(w, r, s.lang(r, ""), err)
		return
	}
	s.audit(r.Context(), store.AuditEntry{At: s.deps.Now(), Actor: s.deps.Store.HashAddress(m.Email), Action: "web.signed-out", Outcome: string(m.Role)})
	s.setCookie(w, r, sessionCookie, "", -time.Second)
	http.Redirect(w, r, s.deps.Root+"/login", http.StatusSeeOther)
}

// mine reports whether m may see a: their own session, or the team lead.
func (m *member) mine(a *store.Appointment) bool {
	return m.Role == desk.RoleTeamLead || strings.EqualFold(a.Technician, m.Email)
}

// row is a session as the pages show it.
type row struct {
	Ref, Customer, CustomerAddr, Reason, Language, Status, Technician string
	Start, End                                                        time.Time
	IDArrived                                                         bool
}

func (s *Server) rowOf(a *store.Appointment) row {
	loc := s.deps.Desk().Slots().Location()
	return row{Ref: a.Ref, Customer: a.CustomerName, CustomerAddr: a.Customer, Reason: a.Reason, Language: a.Language, Status: a.Status,
		Technician: s.name(a.Technician), Start: a.Start.In(loc), End: a.End.In(loc), IDArrived: a.AnyDeskID.Valid && a.AnyDeskID.String != ""}
}

// day is one day of the agenda.
type day struct {
	Date     time.Time
	Sessions []row
}

// gridRow is one time of the week picture; Cells has one entry per day.
type gridRow struct {
	Time  string
	Cells [][]row
}

// agenda is "/": today and the next days as a list and as a week grid,
// and how the desk is doing.
func (s *Server) agenda(w http.ResponseWriter, r *http.Request) {
	m := memberOf(r)
	lang := s.lang(r, "")
	d := s.deps.Desk()
	loc := d.Slots().Location()
	now := s.deps.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	const days = 7
	as, err := s.deps.Store.Appointments(r.Context(), today, today.AddDate(0, 0, days))
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	list := make([]day, days)
	for i := range list {
		list[i].Date = today.AddDate(0, 0, i)
	}
	times := map[string]bool{}
	for i := range as {
		a := &as[i]
		if !m.mine(a) || a.Status == store.StatusCancelled {
			continue
		}
		rw := s.rowOf(a)
		i := int(rw.Start.Sub(today).Hours() / 24)
		if i >= 0 && i < days {
			list[i].Sessions = append(list[i].Sessions, rw)
		}
	}
	// The grid's rows are the desk's slot grid of these days, so an empty
	// slot shows as free time.
	for _, dd := range list {
		for _, sl := range d.Slots().DaySlots(dd.Date) {
			times[sl.Start.In(loc).Format("15:04")] = true
		}
		for _, rw := range dd.Sessions {
			times[rw.Start.Format("15:04")] = true
		}
	}
	keys := make([]string, 0, len(times))
	for k := range times {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	grid := make([]gridRow, len(keys))
	for i, k := range keys {
		grid[i] = gridRow{Time: k, Cells: make([][]row, days)}
		for j, dd := range list {
			for _, rw := range dd.Sessions {
				if rw.Start.Format("15:04") == k {
					grid[i].Cells[j] = append(grid[i].Cells[j], rw)
				}
			}
		}
	}
	data := map[string]any{"Member": m, "Days": list, "Grid": grid, "CSRF": m.CSRF, "Now": now}
	if rep, err := s.deps.Health(r.Context()); err == nil {
		data["Health"] = rep
	} else {
		data["HealthErr"] = err.Error()
	}
	if n, err := s.deps.Store.HumanSince(r.Context(), today.AddDate(0, 0, -7)); err == nil {
		data["Human"] = n
		data["HumanFolder"] = s.deps.Config().IMAP.HumanFolder
	}
	if dead, err := s.deps.Store.Outbox(r.Context(), "dead"); err == nil {
		if len(dead) > 20 {
			dead = dead[len(dead)-20:]
		}
		data["Dead"] = dead
	}
	s.render(w, r, http.StatusOK, "agenda", lang, data)
}

// sessionPage shows one session with everything a technician does to it.
func (s *Server) sessionPage(w http.ResponseWriter, r *http.Request) {
	s.showSession(w, r, http.StatusOK, "", "")
}

func (s *Server) showSession(w http.ResponseWriter, r *http.Request, status int, flash, flashErr string) {
	m := memberOf(r)
	lang := s.lang(r, "")
	a, err := s.deps.Store.AppointmentByRef(r.Context(), r.PathValue("ref"))
	if err != nil || !m.mine(a) {
		// Someone else's session looks like none at all.
		s.render(w, r, http.StatusNotFound, "message", lang, map[string]any{"Title": "not_found", "Text": "not_found_text", "Member": m, "CSRF": m.CSRF})
		return
	}
	d := s.deps.Desk()
	loc := d.Slots().Location()
	now := s.deps.Now()
	rw := s.rowOf(a)
	data := map[string]any{"Member": m, "CSRF": m.CSRF, "S": rw, "Protocol": a.Protocol, "Flash": flash, "FlashErr": flashErr}
	booked := a.Status == store.StatusBooked
	data["Booked"] = booked
	if booked && rw.IDArrived {
		if sameDay(a.Start, now, loc) {
			// The ID opens the customer's computer: in full only on the day.
			data["ID"] = a.AnyDeskID.String
			data["IDLink"] = anydeskURL(a.AnyDeskID.String)
		} else {
			data["IDMasked"] = desk.MaskID(a.AnyDeskID.String)
		}
	}
	if booked {
		var free []slotChoice
		err := s.deps.Store.DryRun(r.Context(), func(tx *store.Tx) error {
			slots, err := d.FreeSlots(r.Context(), tx, now, time.Time{}, a, 12)
			for _, sl := range slots {
				if sl.Start.Equal(a.Start) {
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
	}
	hist, err := s.deps.Store.CustomerHistory(r.Context(), a.Customer, 20)
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	var past []map[string]any
	for i := range hist {
		if hist[i].ID == a.ID {
			continue
		}
		past = append(past, map[string]any{"S": s.rowOf(&hist[i]), "Protocol": hist[i].Protocol})
	}
	data["History"] = past
	s.render(w, r, status, "session", lang, data)
}

type slotChoice struct {
	Value      string
	Start, End time.Time
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// sessionAction carries out done, no-show, note, cancel or move through
// the desk, as the signed-in member with a web-session proof.
func (s *Server) sessionAction(w http.ResponseWriter, r *http.Request) {
	m := memberOf(r)
	lang := s.lang(r, "")
	d := s.deps.Desk()
	act := map[string]func(context.Context, *store.Tx, desk.Request) (*desk.Result, error){
		"done": d.Done, "no-show": d.NoShow, "note": d.Note, "cancel": d.Cancel, "move": d.Reschedule,
	}[r.PathValue("action")]
	if act == nil {
		s.render(w, r, http.StatusNotFound, "message", lang, map[string]any{"Title": "not_found", "Text": "not_found_text", "Member": m, "CSRF": m.CSRF})
		return
	}
	now := s.deps.Now()
	req := desk.Request{
		Actor: desk.Actor{Role: m.Role, Address: m.Email, Name: m.Name},
		Proof: desk.Proof{Session: true, Via: "web session"},
		Ref:   r.PathValue("ref"), Key: "web/" + r.PathValue("action") + "/" + r.PathValue("ref") + "/" + randomToken(12),
		Now: now, Text: strings.TrimSpace(r.PostFormValue("text")),
	}
	if (req.Text == "") && r.PathValue("action") == "note" {
		s.showSession(w, r, http.StatusBadRequest, "", messages[lang]["note_empty"])
		return
	}
	if v := r.PostFormValue("slot"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.showSession(w, r, http.StatusBadRequest, "", messages[lang]["bad_slot"])
			return
		}
		req.Wishes = []understand.Wish{{Start: t, Precision: understand.PrecisionMinute}}
	}
	res, err := s.carryOut(r.Context(), act, req)
	if err != nil {
		s.errPage(w, r, lang, err)
		return
	}
	if rerr := res.Err(); rerr != nil {
		s.showSession(w, r, http.StatusConflict, "", messages[lang]["refused"]+": "+rerr.Error())
		return
	}
	s.showSession(w, r, http.StatusOK, messages[lang]["done_"+r.PathValue("action")], "")
}

// carryOut runs one desk action and records its result in one
// transaction, like a decision on a mail; a refusal is audited too.
func (s *Server) carryOut(ctx context.Context, act func(context.Context, *store.Tx, desk.Request) (*desk.Result, error), req desk.Request) (*desk.Result, error) {
	d := s.deps.Desk()
	var res *desk.Result
	err := s.deps.Store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if res, err = act(ctx, tx, req); err != nil {
			return err
		}
		return d.Record(ctx, tx, res, 0, res.Outcome)
	})
	if err != nil {
		return nil, err
	}
	if res.Checkpoint {
		// An erased AnyDesk ID must be gone from the files too.
		if err := s.deps.Store.Checkpoint(ctx); err != nil {
			return nil, err
		}
	}
	if len(res.Mails) > 0 {
		s.deps.Wake()
	}
	return res, nil
}
