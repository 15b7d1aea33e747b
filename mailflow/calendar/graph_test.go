package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
)

// fakeGraph stands in for Microsoft's token endpoint and Graph (there is
// no internet here): it follows the documented shapes of the client
// credentials grant, calendar/getSchedule and the events resource, and
// refuses what Graph would refuse (no token, a wrong path).
type fakeGraph struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	events map[string]graphEvent
	tokens int
	made   int
	busy   string // the scheduleItems JSON getSchedule answers with
	down   bool
}

func newFakeGraph(t *testing.T) *fakeGraph {
	f := &fakeGraph{t: t, events: map[string]graphEvent{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tenant/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "app" || r.Form.Get("client_secret") != "s3cret" ||
			r.Form.Get("scope") != "https://graph.microsoft.com/.default" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.tokens++
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"token_type":"Bearer","expires_in":3599,"access_token":"graph-token"}`)
	})
	api := http.NewServeMux()
	api.HandleFunc("POST /v1.0/users/anna@example.com/calendar/getSchedule", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Schedules []string  `json:"schedules"`
			StartTime graphTime `json:"startTime"`
			EndTime   graphTime `json:"endTime"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Schedules) != 1 || req.StartTime.TimeZone == "" {
			http.Error(w, `{"error":{"code":"BadRequest"}}`, http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
			"value":[{"scheduleId":"`+req.Schedules[0]+`","availabilityView":"0020","scheduleItems":`+f.busy+`,
			"workingHours":{"daysOfWeek":["monday"],"startTime":"08:00:00.0000000","endTime":"17:00:00.0000000","timeZone":{"name":"W. Europe Standard Time"}}}]}`)
	})
	api.HandleFunc("POST /v1.0/users/anna@example.com/events", func(w http.ResponseWriter, r *http.Request) {
		var ev graphEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev.Subject == "" || ev.Start.DateTime == "" {
			http.Error(w, `{"error":{"code":"BadRequest"}}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		// transactionId: a retried POST returns the event made before.
		for _, e := range f.events {
			if e.TransactionID != "" && e.TransactionID == ev.TransactionID {
				w.WriteHeader(http.StatusCreated)
				json.NewEncoder(w).Encode(e)
				return
			}
		}
		f.made++
		ev.ID = "AAMk" + strings.Repeat("x", f.made)
		f.events[ev.ID] = ev
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(ev)
	})
	api.HandleFunc("PATCH /v1.0/users/anna@example.com/events/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		old, ok := f.events[r.PathValue("id")]
		if !ok {
			http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, http.StatusNotFound)
			return
		}
		var ev graphEvent
		json.NewDecoder(r.Body).Decode(&ev)
		ev.ID, ev.TransactionID = old.ID, old.TransactionID
		f.events[old.ID] = ev
		json.NewEncoder(w).Encode(ev)
	})
	api.HandleFunc("DELETE /v1.0/users/anna@example.com/events/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.events[r.PathValue("id")]; !ok {
			http.Error(w, `{"error":{"code":"ErrorItemNotFound"}}`, http.StatusNotFound)
			return
		}
		delete(f.events, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/v1.0/", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		down := f.down
		f.mu.Unlock()
		if down {
			http.Error(w, `{"error":{"code":"ServiceNotAvailable"}}`, http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("Authorization") != "Bearer graph-token" {
			http.Error(w, `{"error":{"code":"InvalidAuthenticationToken"}}`, http.StatusUnauthorized)
			return
		}
		api.ServeHTTP(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) service(t *testing.T) *Graph {
	g, err := NewGraph(config.Microsoft{Tenant: "tenant", ClientID: "app", ClientSecret: "s3cret",
		GraphURL: f.srv.URL + "/v1.0", TokenURL: f.srv.URL + "/tenant/oauth2/v2.0/token"}, "anna@example.com", &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGraphBusy(t *testing.T) {
	f := newFakeGraph(t)
	f.busy = `[{"isPrivate":false,"status":"busy","subject":"Zahnarzt","start":{"dateTime":"2026-11-26T09:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-11-26T10:00:00.0000000","timeZone":"UTC"}},
		{"status":"Tentative","start":{"dateTime":"2026-11-27T13:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-11-27T13:30:00.0000000","timeZone":"UTC"}},
		{"status":"free","start":{"dateTime":"2026-11-27T08:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-11-27T09:00:00.0000000","timeZone":"UTC"}},
		{"status":"workingElsewhere","start":{"dateTime":"2026-11-30T08:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-11-30T16:00:00.0000000","timeZone":"UTC"}}]`
	got, err := f.service(t).Busy(context.Background(), at(23, 0, 0), at(30, 23, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []Period{{at(26, 10, 0), at(26, 11, 0)}, {at(27, 14, 0), at(27, 14, 30)}}
	if !samePeriods(got, want) {
		t.Errorf("busy %v, want %v", got, want)
	}
	f.down = true
	if _, err := f.service(t).Busy(context.Background(), at(23, 0, 0), at(30, 23, 0)); err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("503: %v, want a temporary error", err)
	}
}

func TestGraphWriteMoveCancel(t *testing.T) {
	f := newFakeGraph(t)
	g := f.service(t)
	ctx := context.Background()
	ev := Event{UID: "FW-1234@mail.example.com", Start: at(26, 10, 0), End: at(26, 10, 30), Summary: "Fernwartung FW-1234", Stamp: at(23, 9, 0)}
	id, err := g.Put(ctx, ev, "")
	if err != nil {
		t.Fatal(err)
	}
	if e := f.events[id]; e.Start != (graphTime{"2026-11-26T09:00:00", "UTC"}) || e.ShowAs != "busy" {
		t.Fatalf("created %+v", e)
	}
	ev.Start, ev.End, ev.Sequence = at(27, 14, 0), at(27, 14, 30), 1
	if id2, err := g.Put(ctx, ev, id); err != nil || id2 != id {
		t.Fatalf("move: %q %v", id2, err)
	}
	if e := f.events[id]; e.Start.DateTime != "2026-11-27T13:00:00" || len(f.events) != 1 {
		t.Fatalf("moved %+v (%d events)", e, len(f.events))
	}
	if err := g.Delete(ctx, ev.UID, id); err != nil {
		t.Fatal(err)
	}
	if len(f.events) != 0 {
		t.Fatalf("after cancel %v", f.events)
	}
	if err := g.Delete(ctx, ev.UID, id); err != nil {
		t.Errorf("second delete: %v", err)
	}
	// Deleted by hand in Outlook, then moved: made again.
	id3, err := g.Put(ctx, ev, id)
	if err != nil || id3 == id || len(f.events) != 1 {
		t.Errorf("put after a manual delete: %q %v %d", id3, err, len(f.events))
	}
	if f.tokens != 1 {
		t.Errorf("%d tokens fetched, want 1 reused", f.tokens)
	}
}

func TestGraphWrongSecretIsPermanent(t *testing.T) {
	f := newFakeGraph(t)
	g, _ := NewGraph(config.Microsoft{Tenant: "tenant", ClientID: "app", ClientSecret: "wrong",
		GraphURL: f.srv.URL + "/v1.0", TokenURL: f.srv.URL + "/tenant/oauth2/v2.0/token"}, "anna@example.com", &http.Client{Timeout: 5 * time.Second})
	if _, err := g.Busy(context.Background(), at(23, 0, 0), at(24, 0, 0)); err == nil {
		t.Fatal("no error with a wrong secret")
	}
}
