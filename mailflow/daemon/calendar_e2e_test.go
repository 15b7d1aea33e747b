package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/mailflow/mailflow/mailflow/calendar"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

// TestRadicaleCalendarEndToEnd runs the daemon with Anna's own calendar on
// a real Radicale: a customer asking for a time Anna is busy in her
// calendar gets proposals, another one gets booked, the booking lands in
// her calendar in the desk's zone, her feed serves it, and status knows
// her calendar is read.
func TestRadicaleCalendarEndToEnd(t *testing.T) {
	rad := mailtest.StartRadicale(t)
	url := rad.MakeCalendar(t, "anna", "work")
	addr := freePort(t)
	cfg := testConfig(t, "127.0.0.1:0", "127.0.0.1:0", "sandbox", true, fmt.Sprintf(`
http: {addr: "%s", public_url: "http://%s"}
calendars: {timeout: 5s, refresh: 10s}
`, addr, addr))
	// Built in code: the URL is known only now.
	cfg.Technicians[0].Calendar = &config.TechnicianCalendar{ICSFeed: true,
		CalDAV: &config.CalDAV{URL: url, Username: "anna", Secret: config.Secret{Password: rad.Password}}}
	slots := freeSlots(t, cfg, 3)
	busy, free := slots[0], slots[2]
	rad.Put(t, "anna", "work", "meeting.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:meeting@anna\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART:"+busy.UTC().Format("20060102T150405Z")+"\r\nDTEND:"+busy.Add(time.Hour).UTC().Format("20060102T150405Z")+"\r\nSUMMARY:Kundentermin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

	r := start(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.d.Sandbox.Deliver(ctx, "kunde1@example.org", []string{support}, request("kunde1@example.org", "<c1@kunde.example.org>", busy)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 1, 20*time.Second)
	if err := r.d.Sandbox.Deliver(ctx, "kunde2@example.org", []string{support}, request("kunde2@example.org", "<c2@kunde.example.org>", free)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 2, 20*time.Second)
	counts, err := r.d.Store().OutcomeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["proposed"] != 1 || counts["booked"] != 1 {
		t.Fatalf("outcomes %v, want the busy time proposed around and the free one booked", counts)
	}

	// The booking appears in Anna's calendar (the sync worker polls).
	want := "DTSTART;TZID=Europe/Vienna:" + free.Format("20060102T150405")
	cl, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(nil, "anna", rad.Password), rad.URL)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		objs, err := cl.QueryCalendar(ctx, "/anna/work/", &caldav.CalendarQuery{
			CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true},
			CompFilter:  caldav.CompFilter{Name: "VCALENDAR", Comps: []caldav.CompFilter{{Name: "VEVENT", Start: free.Add(-time.Hour), End: free.Add(time.Hour)}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range objs {
			var b strings.Builder
			if err := ical.NewEncoder(&b).Encode(o.Data); err == nil && strings.Contains(b.String(), want) {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event %s in Anna's calendar after 30s; radicale: %s", want, rad.Log())
		}
		time.Sleep(50 * time.Millisecond) // the sync worker's poll, not a synchronisation
	}

	// Her feed serves the session; a wrong token does not.
	feed := calendar.NewFeed(cfg, r.d.Store(), nil)
	resp, err := http.Get(feed.URL("anna@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Errorf("feed: %d\n%s", resp.StatusCode, body)
	}
	if resp, err := http.Get("http://" + addr + "/calendar/0000.ics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("a wrong feed token: %v %v", resp.StatusCode, err)
	}

	kv, err := r.d.Store().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := kv[StatusCalendarPrefix+"anna@example.com"]; !ok || v.Value != "" {
		t.Errorf("status of Anna's calendar %+v (%v), want read fine", v, ok)
	}
	rep, err := r.d.Health(ctx)
	if err != nil || !rep.Healthy {
		t.Errorf("health %+v %v", rep, err)
	}
}
