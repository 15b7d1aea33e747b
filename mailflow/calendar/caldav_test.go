package calendar

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

var vienna = mustZone("Europe/Vienna")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.November, day, hour, minute, 0, 0, vienna)
}

// dentist is an event a technician put in their own calendar with their
// calendar app: Thursday 26 November 10:00-11:00 Vienna time, in UTC.
const dentist = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:dentist-1@anna.example\r\n" +
	"DTSTAMP:20261120T080000Z\r\nDTSTART:20261126T090000Z\r\nDTEND:20261126T100000Z\r\nSUMMARY:Zahnarzt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// weekly is a recurring team meeting, Mondays 13:00-14:00 in Vienna time
// with its own VTIMEZONE-less TZID, one week left out.
const weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:team@anna.example\r\n" +
	"DTSTAMP:20261101T080000Z\r\nDTSTART;TZID=Europe/Vienna:20261102T130000\r\nDTEND;TZID=Europe/Vienna:20261102T140000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEXDATE;TZID=Europe/Vienna:20261123T130000\r\nSUMMARY:Team\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func startCalDAV(t *testing.T) (*mailtest.Radicale, *CalDAV, string) {
	t.Helper()
	rad := mailtest.StartRadicale(t)
	url := rad.MakeCalendar(t, "anna", "work")
	d, err := NewCalDAV(config.CalDAV{URL: url, Username: "anna", Secret: config.Secret{Password: rad.Password}},
		vienna, "mail.example.com", &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return rad, d, url
}

// TestCalDAVBusyFromRadicale: what a technician put in their calendar is
// busy time, recurring events included; what mailflow wrote is not.
func TestCalDAVBusyFromRadicale(t *testing.T) {
	rad, d, _ := startCalDAV(t)
	rad.Put(t, "anna", "work", "dentist.ics", dentist)
	rad.Put(t, "anna", "work", "team.ics", weekly)
	ctx := context.Background()
	if _, err := d.Put(ctx, Event{UID: "FW-1@mail.example.com", Start: at(27, 9, 0), End: at(27, 9, 30), Summary: "x", Stamp: at(20, 8, 0)}, ""); err != nil {
		t.Fatal(err)
	}
	got, err := d.Busy(ctx, at(23, 0, 0), at(28, 0, 0))
	if err != nil {
		t.Fatalf("busy: %v\nradicale: %s", err, rad.Log())
	}
	want := []Period{{at(26, 10, 0), at(26, 11, 0)}}
	if !samePeriods(got, want) {
		t.Errorf("busy %v, want %v (the EXDATE Monday and our own booking left out)", got, want)
	}
	got, err = d.Busy(ctx, at(30, 0, 0), at(30, 23, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Period{{at(30, 13, 0), at(30, 14, 0)}}; !samePeriods(got, want) {
		t.Errorf("Monday 30: busy %v, want the team meeting %v", got, want)
	}
}

// TestCalDAVWriteMoveCancel: a booking appears in the technician's
// calendar at the right time in Europe/Vienna, a move changes it in place
// and a cancel removes it.
func TestCalDAVWriteMoveCancel(t *testing.T) {
	rad, d, url := startCalDAV(t)
	ctx := context.Background()
	ev := Event{UID: "FW-1234@mail.example.com", Start: at(26, 10, 0), End: at(26, 10, 30), Summary: "Fernwartung FW-1234 – Maria", Stamp: at(23, 9, 0)}
	remote, err := d.Put(ctx, ev, "")
	if err != nil {
		t.Fatalf("put: %v\nradicale: %s", err, rad.Log())
	}
	events := listEvents(t, rad, url)
	if len(events) != 1 || !strings.Contains(events[0], "DTSTART;TZID=Europe/Vienna:20261126T100000") ||
		!strings.Contains(events[0], "UID:FW-1234@mail.example.com") || !strings.Contains(events[0], "TZID:Europe/Vienna") {
		t.Fatalf("after booking: %q", events)
	}
	ev.Start, ev.End, ev.Sequence = at(27, 14, 0), at(27, 14, 30), 1
	if remote, err = d.Put(ctx, ev, remote); err != nil {
		t.Fatal(err)
	}
	events = listEvents(t, rad, url)
	if len(events) != 1 || !strings.Contains(events[0], "DTSTART;TZID=Europe/Vienna:20261127T140000") || !strings.Contains(events[0], "SEQUENCE:1") {
		t.Fatalf("after the move: %q", events)
	}
	if err := d.Delete(ctx, ev.UID, remote); err != nil {
		t.Fatal(err)
	}
	if events = listEvents(t, rad, url); len(events) != 0 {
		t.Fatalf("after cancel: %q", events)
	}
	// Deleting what is gone is done, not an error to retry forever.
	if err := d.Delete(ctx, ev.UID, remote); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

// TestCalDAVDiscovery: the server root is enough; the calendar is found.
func TestCalDAVDiscovery(t *testing.T) {
	rad := mailtest.StartRadicale(t)
	url := rad.MakeCalendar(t, "ben", "kalender")
	d, err := NewCalDAV(config.CalDAV{URL: rad.URL + "/", Username: "ben", Secret: config.Secret{Password: rad.Password}},
		vienna, "mail.example.com", &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(context.Background(), Event{UID: "FW-9@mail.example.com", Start: at(26, 9, 0), End: at(26, 9, 30), Summary: "x", Stamp: at(20, 8, 0)}, ""); err != nil {
		t.Fatalf("put: %v\nradicale: %s", err, rad.Log())
	}
	if n := len(listEvents(t, rad, url)); n != 1 {
		t.Errorf("%d events in the discovered calendar, want 1", n)
	}
}

// TestCalDAVWrongPassword fails as an error (the desk falls back), never a panic.
func TestCalDAVWrongPassword(t *testing.T) {
	rad := mailtest.StartRadicale(t)
	url := rad.MakeCalendar(t, "anna", "work")
	d, err := NewCalDAV(config.CalDAV{URL: url, Username: "anna", Secret: config.Secret{Password: "wrong"}}, vienna, "mail.example.com", nil)
	if err == nil {
		_, err = d.Busy(context.Background(), at(23, 0, 0), at(28, 0, 0))
	}
	if err == nil {
		t.Fatal("busy with a wrong password: no error")
	}
}

func listEvents(t *testing.T, rad *mailtest.Radicale, url string) []string {
	t.Helper()
	cl, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(nil, "anna", rad.Password), url)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(url, "/ben/") {
		cl, _ = caldav.NewClient(webdav.HTTPClientWithBasicAuth(nil, "ben", rad.Password), url)
	}
	path := strings.TrimPrefix(url, rad.URL)
	objs, err := cl.QueryCalendar(context.Background(), path, &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true},
		CompFilter:  caldav.CompFilter{Name: "VCALENDAR", Comps: []caldav.CompFilter{{Name: "VEVENT", Start: at(1, 0, 0), End: at(1, 0, 0).AddDate(1, 0, 0)}}},
	})
	if err != nil {
		t.Fatalf("list %s: %v", url, err)
	}
	var out []string
	for _, o := range objs {
		var b strings.Builder
		if err := encodeICS(&b, o.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.String())
	}
	return out
}

func samePeriods(a, b []Period) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) {
			return false
		}
	}
	return true
}

// TestCheckAgainstRadicale: `mailflow check -connect` reads the calendar
// once and says so; a wrong password is named.
func TestCheckAgainstRadicale(t *testing.T) {
	rad := mailtest.StartRadicale(t)
	url := rad.MakeCalendar(t, "anna", "work")
	rad.Put(t, "anna", "work", "now.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:now@anna\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART:"+time.Now().Add(time.Hour).UTC().Format("20060102T150405Z")+"\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	cfg := config.Default()
	for _, pw := range []string{rad.Password, "wrong"} {
		cfg.Technicians = []config.Technician{{Name: "Anna", Email: "anna@example.com", Calendar: &config.TechnicianCalendar{
			CalDAV: &config.CalDAV{URL: url, Username: "anna", Secret: config.Secret{Password: pw}}}}}
		var out strings.Builder
		failed := Check(context.Background(), cfg, 10*time.Second, &out)
		switch {
		case pw == rad.Password && (len(failed) != 0 || !strings.Contains(out.String(), "calendar anna@example.com (caldav): ok, 1 busy period(s)")):
			t.Errorf("right password: %v\n%s", failed, out.String())
		case pw == "wrong" && (len(failed) != 1 || !strings.Contains(out.String(), "FAILED")):
			t.Errorf("wrong password: %v\n%s", failed, out.String())
		}
	}
}
