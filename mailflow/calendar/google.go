package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"

	"github.com/mailflow/mailflow/mailflow/config"
)

// Google is a technician's Google calendar through the Calendar API v3:
// busy time from freeBusy, bookings as events whose id mailflow chooses
// (derived from the UID), so a retried insert finds its own event.
type Google struct {
	api      string // …/calendar/v3
	calendar string
	http     *http.Client
}

const (
	googleDefaultAPI   = "https://www.googleapis.com/calendar/v3"
	googleDefaultToken = "https://oauth2.googleapis.com/token"
	googleScope        = "https://www.googleapis.com/auth/calendar"
)

// serviceAccount is the part of a service account key file used here.
type serviceAccount struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
	PrivateKey  string `json:"private_key"`
	TokenURI    string `json:"token_uri"`
}

// NewGoogle builds the client of a technician's Google calendar.
func NewGoogle(g config.Google, email string, base *http.Client) (*Google, error) {
	tokenURL := g.TokenURL
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	var src oauth2.TokenSource
	switch {
	case g.CredentialsFile != "":
		b, err := os.ReadFile(g.CredentialsFile)
		if err != nil {
			return nil, fmt.Errorf("google: %w", err)
		}
		var sa serviceAccount
		if err := json.Unmarshal(b, &sa); err != nil || sa.ClientEmail == "" || sa.PrivateKey == "" {
			return nil, fmt.Errorf("google: %s is not a service account key (JSON with client_email and private_key)", g.CredentialsFile)
		}
		if tokenURL == "" {
			tokenURL = sa.TokenURI
		}
		if tokenURL == "" {
			tokenURL = googleDefaultToken
		}
		jc := &jwt.Config{Email: sa.ClientEmail, PrivateKey: []byte(sa.PrivateKey), TokenURL: tokenURL, Scopes: []string{googleScope}, Subject: g.Subject}
		src = jc.TokenSource(ctx)
	default:
		secret, err := g.ResolveClientSecret()
		if err != nil {
			return nil, fmt.Errorf("google: %w", err)
		}
		b, err := os.ReadFile(g.RefreshTokenFile)
		if err != nil {
			return nil, fmt.Errorf("google: %w", err)
		}
		if tokenURL == "" {
			tokenURL = googleDefaultToken
		}
		oc := &oauth2.Config{ClientID: g.ClientID, ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: tokenURL}, Scopes: []string{googleScope}}
		src = oc.TokenSource(ctx, &oauth2.Token{RefreshToken: strings.TrimSpace(string(b))})
	}
	api := strings.TrimRight(g.APIURL, "/")
	if api == "" {
		api = googleDefaultAPI
	}
	cal := g.CalendarID
	if cal == "" {
		cal = email
	}
	hc := &http.Client{Timeout: base.Timeout, Transport: &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, src), Base: transportOf(base)}}
	return &Google{api: api, calendar: cal, http: hc}, nil
}

// freeBusyResponse is the freeBusy answer.
type freeBusyResponse struct {
	Calendars map[string]struct {
		Busy []struct {
			Start string `json:"start"`
			End   string `json:"end"`
		} `json:"busy"`
		Errors []struct {
			Domain string `json:"domain"`
			Reason string `json:"reason"`
		} `json:"errors"`
	} `json:"calendars"`
}

// ParseFreeBusy reads calendar's busy periods out of a freeBusy answer.
func ParseFreeBusy(body []byte, calendar string) ([]Period, error) {
	var r freeBusyResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("google: freeBusy response: %w", err)
	}
	c, ok := r.Calendars[calendar]
	if !ok {
		return nil, fmt.Errorf("google: freeBusy: no answer for calendar %s", calendar)
	}
	if len(c.Errors) > 0 {
		// notFound: the calendar is not shared with the account.
		return nil, fmt.Errorf("google: freeBusy %s: %s/%s", calendar, c.Errors[0].Domain, c.Errors[0].Reason)
	}
	var out []Period
	for _, b := range c.Busy {
		s, err1 := time.Parse(time.RFC3339, b.Start)
		e, err2 := time.Parse(time.RFC3339, b.End)
		if err1 != nil || err2 != nil || !e.After(s) {
			continue
		}
		out = append(out, Period{s, capEnd(s, e)})
	}
	return mergePeriods(out), nil
}

// Busy implements Service.
func (g *Google) Busy(ctx context.Context, from, to time.Time) ([]Period, error) {
	req := map[string]any{
		"timeMin": from.UTC().Format(time.RFC3339),
		"timeMax": to.UTC().Format(time.RFC3339),
		"items":   []map[string]string{{"id": g.calendar}},
	}
	body, err := callJSON(ctx, g.http, "google", http.MethodPost, g.api+"/freeBusy", req)
	if err != nil {
		return nil, err
	}
	return ParseFreeBusy(body, g.calendar)
}

type googleTime struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone,omitempty"`
}

type googleEvent struct {
	ID           string     `json:"id"`
	Summary      string     `json:"summary"`
	Description  string     `json:"description,omitempty"`
	Location     string     `json:"location,omitempty"`
	Start        googleTime `json:"start"`
	End          googleTime `json:"end"`
	Status       string     `json:"status"`
	Transparency string     `json:"transparency"`
	Sequence     int        `json:"sequence"`
}

// googleEventID is the event id for a UID: base32hex (the letters a-v and
// digits Google allows), from a hash so any UID fits.
func googleEventID(uid string) string {
	h := sha256.Sum256([]byte(uid))
	return strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:20]))
}

func (g *Google) eventsURL() string {
	return g.api + "/calendars/" + url.PathEscape(g.calendar) + "/events"
}

// Put implements Service: update in place (PUT), or insert with our id
// when there is none yet.
func (g *Google) Put(ctx context.Context, ev Event, remote string) (string, error) {
	id := remote
	if id == "" {
		id = googleEventID(ev.UID)
	}
	zone := ev.Start.Location().String()
	if zone == "Local" || zone == "" {
		zone = "UTC"
	}
	ge := googleEvent{ID: id, Summary: ev.Summary, Description: ev.Description, Location: "AnyDesk",
		Start:  googleTime{DateTime: ev.Start.Format(time.RFC3339), TimeZone: zone},
		End:    googleTime{DateTime: ev.End.Format(time.RFC3339), TimeZone: zone},
		Status: "confirmed", Transparency: "opaque", Sequence: ev.Sequence}
	_, err := callJSON(ctx, g.http, "google", http.MethodPut, g.eventsURL()+"/"+url.PathEscape(id), ge)
	if !errors.Is(err, errNotFound) {
		return id, err
	}
	_, err = callJSON(ctx, g.http, "google", http.MethodPost, g.eventsURL(), ge)
	if err != nil && strings.Contains(err.Error(), "409") {
		// Inserted by an earlier attempt whose answer was lost.
		_, err = callJSON(ctx, g.http, "google", http.MethodPut, g.eventsURL()+"/"+url.PathEscape(id), ge)
	}
	if err != nil {
		return "", err
	}
	return id, nil
}

// Delete implements Service.
func (g *Google) Delete(ctx context.Context, uid, remote string) error {
	id := remote
	if id == "" {
		id = googleEventID(uid)
	}
	_, err := callJSON(ctx, g.http, "google", http.MethodDelete, g.eventsURL()+"/"+url.PathEscape(id), nil)
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}
