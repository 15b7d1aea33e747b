package calendar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
)

// CalDAV is a technician's calendar on a CalDAV server (RFC 4791), through
// emersion/go-webdav. Busy time is a calendar-query REPORT with a time
// range (recurrences expanded here, so servers without free-busy reports
// work too); each booking is one calendar object resource named after a
// hash of its UID, written with PUT and removed with DELETE.
type CalDAV struct {
	base      *url.URL
	http      webdav.HTTPClient
	client    *caldav.Client
	loc       *time.Location
	ourDomain string

	mu         sync.Mutex
	collection string // the calendar's path, found on first use
}

// NewCalDAV builds the client; nothing is sent before the first call.
func NewCalDAV(c config.CalDAV, loc *time.Location, ourDomain string, httpClient *http.Client) (*CalDAV, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("caldav url %q: not a URL", c.URL)
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	var hc webdav.HTTPClient = httpClient
	if c.Username != "" {
		pw, err := c.Resolve()
		if err != nil {
			return nil, fmt.Errorf("caldav: %w", err)
		}
		hc = webdav.HTTPClientWithBasicAuth(httpClient, c.Username, pw)
	}
	cl, err := caldav.NewClient(hc, c.URL)
	if err != nil {
		return nil, fmt.Errorf("caldav: %w", err)
	}
	return &CalDAV{base: u, http: hc, client: cl, loc: loc, ourDomain: ourDomain}, nil
}

// calendarPath finds the calendar once: the configured URL when it is a
// calendar collection, else the first calendar for events in the account's
// calendar home (the URL being the server root or the principal).
func (d *CalDAV) calendarPath(ctx context.Context) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.collection != "" {
		return d.collection, nil
	}
	path := d.base.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	// Is the URL itself a calendar? Its parent lists it with its type.
	if parent := parentPath(path); parent != "" {
		if cals, err := d.client.FindCalendars(ctx, parent); err == nil {
			for _, c := range cals {
				if strings.TrimSuffix(c.Path, "/") == strings.TrimSuffix(path, "/") {
					d.collection = path
					return path, nil
				}
			}
		}
	}
	principal, err := d.client.FindCurrentUserPrincipal(ctx)
	if err != nil {
		return "", fmt.Errorf("caldav: find principal: %w", err)
	}
	home, err := d.client.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		return "", fmt.Errorf("caldav: find calendar home: %w", err)
	}
	cals, err := d.client.FindCalendars(ctx, home)
	if err != nil {
		return "", fmt.Errorf("caldav: list calendars: %w", err)
	}
	for _, c := range cals {
		if len(c.SupportedComponentSet) == 0 || slices.Contains(c.SupportedComponentSet, ical.CompEvent) {
			d.collection = c.Path
			if !strings.HasSuffix(d.collection, "/") {
				d.collection += "/"
			}
			return d.collection, nil
		}
	}
	return "", fmt.Errorf("caldav: no calendar for events under %s (%w)", home, ErrPermanent)
}

func parentPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return ""
	}
	return p[:i+1]
}

// Busy implements Service.
func (d *CalDAV) Busy(ctx context.Context, from, to time.Time) ([]Period, error) {
	path, err := d.calendarPath(ctx)
	if err != nil {
		return nil, err
	}
	q := &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{Name: ical.CompCalendar, AllProps: true, AllComps: true},
		CompFilter: caldav.CompFilter{Name: ical.CompCalendar, Comps: []caldav.CompFilter{
			{Name: ical.CompEvent, Start: from.UTC(), End: to.UTC()},
		}},
	}
	objs, err := d.client.QueryCalendar(ctx, path, q)
	if err != nil {
		return nil, fmt.Errorf("caldav: query %s: %w", path, err)
	}
	cals := make([]*ical.Calendar, 0, len(objs))
	for _, o := range objs {
		cals = append(cals, o.Data)
	}
	return busyOf(cals, d.loc, from, to, d.ours), nil
}

// ours tells the events mailflow wrote by their UID's domain.
func (d *CalDAV) ours(uid string) bool {
	return d.ourDomain != "" && strings.HasSuffix(strings.ToLower(uid), "@"+strings.ToLower(d.ourDomain))
}

// objectName is the resource name of ev's UID: a hash, so no character of
// a UID needs escaping in a URL and the name stays the same for a UID.
func objectName(uid string) string {
	h := sha256.Sum256([]byte(uid))
	return "mailflow-" + hex.EncodeToString(h[:12]) + ".ics"
}

// Put implements Service.
func (d *CalDAV) Put(ctx context.Context, ev Event, remote string) (string, error) {
	path, err := d.calendarPath(ctx)
	if err != nil {
		return "", err
	}
	target := remote
	if target == "" {
		target = path + objectName(ev.UID)
	}
	body, err := compose.SessionCalendar(d.loc, "", []Event{ev})
	if err != nil {
		return "", fmt.Errorf("caldav: %w", ErrPermanent)
	}
	if err := d.do(ctx, http.MethodPut, target, body); err != nil {
		return "", err
	}
	return target, nil
}

// Delete implements Service.
func (d *CalDAV) Delete(ctx context.Context, uid, remote string) error {
	target := remote
	if target == "" {
		path, err := d.calendarPath(ctx)
		if err != nil {
			return err
		}
		target = path + objectName(uid)
	}
	err := d.do(ctx, http.MethodDelete, target, nil)
	if err != nil && strings.Contains(err.Error(), "404 Not Found") {
		return nil
	}
	return err
}

func (d *CalDAV) do(ctx context.Context, method, path string, body []byte) error {
	// A server may name the calendar with a full URL on another host
	// (iCloud's partitions do): resolved like a link.
	ref, err := url.Parse(path)
	if err != nil {
		return fmt.Errorf("caldav %s %q: %w", method, path, err)
	}
	u := d.base.ResolveReference(ref)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("caldav %s: %w", method, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
		req.ContentLength = int64(len(body))
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("caldav %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return statusError("caldav "+method+" "+path, resp, msg)
	}
	return nil
}
