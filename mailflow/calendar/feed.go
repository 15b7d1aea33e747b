package calendar

import (
	"bytes"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Feed serves each technician with calendar.ics_feed their sessions as a
// calendar any app can subscribe to, at http.public_url + FeedPath +
// a secret token + ".ics". The token is an HMAC of the address under the
// installation secret: unguessable, nothing stored, the same after a
// restart; knowing it only shows that technician's sessions (times,
// customer, reason, never an AnyDesk ID).
type Feed struct {
	st     *store.Store
	loc    *time.Location
	domain string
	lang   string
	public string
	back   time.Duration // how far back the feed reaches
	ahead  time.Duration
	techs  map[string]string // token → lower-case email
	log    *slog.Logger
}

// FeedPath is where the feeds live on the HTTP listener.
const FeedPath = "/calendar/"

// NewFeed builds the feeds of cfg's technicians with ics_feed: true
// (nil when there are none).
func NewFeed(cfg *config.Config, st *store.Store, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.Default()
	}
	f := &Feed{st: st, loc: cfg.Location(), domain: cfg.Desk.MessageIDDomain, lang: cfg.Desk.Language, public: cfg.HTTP.PublicURL,
		back: 30 * 24 * time.Hour, ahead: time.Duration(cfg.Desk.HorizonDays+2) * 24 * time.Hour, techs: map[string]string{}, log: log}
	for _, t := range cfg.Technicians {
		if t.Calendar != nil && t.Calendar.ICSFeed {
			email := strings.ToLower(t.Email)
			f.techs[f.Token(email)] = email
		}
	}
	if len(f.techs) == 0 {
		return nil
	}
	return f
}

// Token is technician's secret feed token.
func (f *Feed) Token(technician string) string {
	return hex.EncodeToString(f.st.Keyed("ics-feed", strings.ToLower(technician)))[:40]
}

// URL is technician's feed address ("" without http.public_url).
func (f *Feed) URL(technician string) string {
	if f.public == "" {
		return ""
	}
	return strings.TrimRight(f.public, "/") + FeedPath + f.Token(technician) + ".ics"
}

// Technicians lists the addresses with a feed.
func (f *Feed) Technicians() []string {
	var out []string
	for _, e := range f.techs {
		out = append(out, e)
	}
	return out
}

// ServeHTTP answers GET /calendar/TOKEN.ics.
func (f *Feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, FeedPath)
	token, ok := strings.CutSuffix(name, ".ics")
	email := ""
	if ok {
		for t, e := range f.techs {
			if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
				email = e
			}
		}
	}
	if email == "" {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	as, err := f.st.TechnicianAppointments(r.Context(), email, now.Add(-f.back), now.Add(f.ahead))
	if err != nil {
		f.log.Error("calendar feed", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	var events []compose.SessionEvent
	for i := range as {
		if as[i].Status == store.StatusCancelled {
			continue // gone from the feed is gone from the subscriber's calendar
		}
		events = append(events, EventOf(&as[i], f.loc, f.lang, f.domain))
	}
	body, err := feedCalendar(f.loc, events)
	if err != nil {
		f.log.Error("calendar feed", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Write(body)
}

// feedCalendar is a PUBLISH calendar of events, valid also when empty.
func feedCalendar(loc *time.Location, events []compose.SessionEvent) ([]byte, error) {
	if len(events) > 0 {
		return compose.SessionCalendar(loc, compose.MethodPublish, events)
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, "-//mailflow//mailflow//EN")
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropMethod, compose.MethodPublish)
	var buf bytes.Buffer
	// go-ical refuses a VCALENDAR without components; an empty one is
	// written by hand.
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		buf.Reset()
		buf.WriteString("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nPRODID:-//mailflow//mailflow//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
	}
	return buf.Bytes(), nil
}
