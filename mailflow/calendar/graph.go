package calendar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mailflow/mailflow/mailflow/config"
)

// Graph is a technician's Microsoft 365 calendar through Microsoft Graph:
// busy time from calendar/getSchedule, bookings as events (POST, PATCH,
// DELETE on /users/{user}/events), with an app's client credentials.
// Times go out and come back in UTC, which every Outlook shows in its
// user's own zone. Graph does not let a client set an event's iCalUId, so
// the event's id is what Put returns and the sync queue keeps.
type Graph struct {
	api  string // …/v1.0
	user string
	http *http.Client
}

const (
	graphDefaultAPI = "https://graph.microsoft.com/v1.0"
	graphScope      = "https://graph.microsoft.com/.default"
)

// NewGraph builds the client for the calendar of user (default email).
func NewGraph(m config.Microsoft, email string, base *http.Client) (*Graph, error) {
	secret, err := m.ResolveClientSecret()
	if err != nil {
		return nil, fmt.Errorf("microsoft: %w", err)
	}
	tokenURL := m.TokenURL
	if tokenURL == "" {
		tokenURL = "https://login.microsoftonline.com/" + url.PathEscape(m.Tenant) + "/oauth2/v2.0/token"
	}
	api := strings.TrimRight(m.GraphURL, "/")
	if api == "" {
		api = graphDefaultAPI
	}
	user := m.User
	if user == "" {
		user = email
	}
	cc := clientcredentials.Config{ClientID: m.ClientID, ClientSecret: secret, TokenURL: tokenURL, Scopes: []string{graphScope},
		AuthStyle: oauth2.AuthStyleInParams}
	// The token source is created with a background context on purpose:
	// it outlives every call, and each call's own context bounds the
	// request that needs the token.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	hc := &http.Client{Timeout: base.Timeout, Transport: &oauth2.Transport{Source: cc.TokenSource(ctx), Base: transportOf(base)}}
	return &Graph{api: api, user: user, http: hc}, nil
}

func transportOf(c *http.Client) http.RoundTripper {
	if c != nil && c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// graphTime is Graph's dateTimeTimeZone.
type graphTime struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

func toGraphTime(t time.Time) graphTime {
	return graphTime{DateTime: t.UTC().Format("2006-01-02T15:04:05"), TimeZone: "UTC"}
}

// parse reads a dateTimeTimeZone: "2026-11-26T09:00:00.0000000" in UTC, or
// in an IANA zone; a Windows zone name it cannot know is read as UTC,
// which is what it asked for.
func (g graphTime) parse() (time.Time, error) {
	loc := time.UTC
	if z := g.TimeZone; z != "" && !strings.EqualFold(z, "UTC") {
		if l, err := time.LoadLocation(z); err == nil {
			loc = l
		}
	}
	s := strings.TrimSuffix(g.DateTime, "Z")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return time.ParseInLocation("2006-01-02T15:04:05", s, loc)
}

// scheduleResponse is getSchedule's answer.
type scheduleResponse struct {
	Value []struct {
		ScheduleID    string `json:"scheduleId"`
		ScheduleItems []struct {
			Status string    `json:"status"`
			Start  graphTime `json:"start"`
			End    graphTime `json:"end"`
		} `json:"scheduleItems"`
		Error *struct {
			Message      string `json:"message"`
			ResponseCode string `json:"responseCode"`
		} `json:"error"`
	} `json:"value"`
}

// ParseSchedule reads the busy periods out of a getSchedule response:
// busy, out of office and tentative items (a tentative meeting may well
// happen); free and working elsewhere are not busy.
func ParseSchedule(body []byte) ([]Period, error) {
	var r scheduleResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("microsoft: getSchedule response: %w", err)
	}
	var out []Period
	for _, v := range r.Value {
		if v.Error != nil {
			return nil, fmt.Errorf("microsoft: getSchedule %s: %s %s", v.ScheduleID, v.Error.ResponseCode, v.Error.Message)
		}
		for _, it := range v.ScheduleItems {
			switch strings.ToLower(it.Status) {
			case "busy", "oof", "tentative":
			default:
				continue
			}
			s, err1 := it.Start.parse()
			e, err2 := it.End.parse()
			if err1 != nil || err2 != nil || !e.After(s) {
				continue
			}
			out = append(out, Period{s, capEnd(s, e)})
		}
	}
	return mergePeriods(out), nil
}

// Busy implements Service.
func (g *Graph) Busy(ctx context.Context, from, to time.Time) ([]Period, error) {
	req := map[string]any{
		"schedules":                []string{g.user},
		"startTime":                toGraphTime(from),
		"endTime":                  toGraphTime(to),
		"availabilityViewInterval": 30,
	}
	body, err := g.call(ctx, http.MethodPost, "/users/"+url.PathEscape(g.user)+"/calendar/getSchedule", req)
	if err != nil {
		return nil, err
	}
	return ParseSchedule(body)
}

type graphEvent struct {
	ID            string    `json:"id,omitempty"`
	Subject       string    `json:"subject"`
	Body          *itemBody `json:"body,omitempty"`
	Start         graphTime `json:"start"`
	End           graphTime `json:"end"`
	Location      *location `json:"location,omitempty"`
	ShowAs        string    `json:"showAs"`
	TransactionID string    `json:"transactionId,omitempty"`
}

type itemBody struct {
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

type location struct {
	DisplayName string `json:"displayName"`
}

// Put implements Service: POST the first time (transactionId keeps a
// retried POST from making a second event), PATCH after.
func (g *Graph) Put(ctx context.Context, ev Event, remote string) (string, error) {
	ge := graphEvent{Subject: ev.Summary, Body: &itemBody{ContentType: "text", Content: ev.Description},
		Start: toGraphTime(ev.Start), End: toGraphTime(ev.End), Location: &location{DisplayName: "AnyDesk"}, ShowAs: "busy"}
	if remote != "" {
		_, err := g.call(ctx, http.MethodPatch, "/users/"+url.PathEscape(g.user)+"/events/"+url.PathEscape(remote), ge)
		if !errors.Is(err, errNotFound) {
			return remote, err
		}
		// Deleted by hand in Outlook: made again.
	}
	ge.TransactionID = transactionID(ev)
	body, err := g.call(ctx, http.MethodPost, "/users/"+url.PathEscape(g.user)+"/events", ge)
	if err != nil {
		return "", err
	}
	var created graphEvent
	if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
		return "", fmt.Errorf("microsoft: create event: no id in the answer (%v)", err)
	}
	return created.ID, nil
}

// transactionID is the same for retries of one version of one event.
func transactionID(ev Event) string {
	return fmt.Sprintf("%s#%d", ev.UID, ev.Sequence)
}

// Delete implements Service.
func (g *Graph) Delete(ctx context.Context, uid, remote string) error {
	if remote == "" {
		return nil // never created
	}
	_, err := g.call(ctx, http.MethodDelete, "/users/"+url.PathEscape(g.user)+"/events/"+url.PathEscape(remote), nil)
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

var errNotFound = errors.New("not found")

func (g *Graph) call(ctx context.Context, method, path string, in any) ([]byte, error) {
	return callJSON(ctx, g.http, "microsoft", method, g.api+path, in)
}

// callJSON sends in as JSON and returns the answer's body; 404 and 410
// wrap errNotFound.
func callJSON(ctx context.Context, hc *http.Client, who, method, u string, in any) ([]byte, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", who, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", who, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", who, method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", who, method, err)
	}
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil, fmt.Errorf("%s %s: %w", who, method, errNotFound)
	}
	if resp.StatusCode/100 != 2 {
		return nil, statusError(who+" "+method, resp, body)
	}
	return body, nil
}
