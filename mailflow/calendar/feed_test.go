package calendar

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

func TestFeed(t *testing.T) {
	cfg, err := config.Parse("config.yaml", []byte(`
sandbox: {enabled: true}
smtp: {from: support@mail.example.com}
http: {addr: "127.0.0.1:0", public_url: "https://desk.example.com"}
technicians:
  - {name: Anna, email: anna@example.com, calendar: {ics_feed: true}}
  - {name: Ben, email: ben@example.com}
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now().Add(48 * time.Hour).In(vienna).Truncate(time.Hour)
	var cancelled *store.Appointment
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for i, tech := range []string{"anna@example.com", "ben@example.com", "anna@example.com"} {
			a := &store.Appointment{Customer: "maria@example.com", CustomerName: "Maria", Technician: tech,
				Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i)*time.Hour + 30*time.Minute), Language: "de", Reason: "Mahnwesen"}
			if err := tx.Book(ctx, a); err != nil {
				return err
			}
			cancelled = a
		}
		return tx.Cancel(ctx, cancelled)
	})
	if err != nil {
		t.Fatal(err)
	}
	f := NewFeed(cfg, st, nil)
	srv := httptest.NewServer(f)
	defer srv.Close()
	u := f.URL("anna@example.com")
	if !strings.HasPrefix(u, "https://desk.example.com/calendar/") || !strings.HasSuffix(u, ".ics") || len(u) < 60 {
		t.Fatalf("feed URL %q", u)
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get(strings.TrimPrefix(u, "https://desk.example.com"))
	if code != 200 || strings.Count(body, "BEGIN:VEVENT") != 1 || !strings.Contains(body, "TZID:Europe/Vienna") || !strings.Contains(body, "Maria") {
		t.Fatalf("anna's feed (%d): one booked session, the cancelled one and Ben's left out:\n%s", code, body)
	}
	got, err := ParseBusy([]byte(body), vienna, start.Add(-time.Hour), start.Add(24*time.Hour), nil)
	if err != nil || len(got) != 1 || !got[0].Start.Equal(start) {
		t.Errorf("the feed read back: %v %v, want one session at %v", got, err, start)
	}
	for _, bad := range []string{"/calendar/" + f.Token("ben@example.com") + ".ics", "/calendar/x.ics", "/calendar/" + f.Token("anna@example.com")} {
		if code, _ := get(bad); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, code)
		}
	}
}
