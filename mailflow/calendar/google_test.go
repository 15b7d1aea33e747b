package calendar

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
)

// fakeGoogle stands in for Google's token endpoint (JWT bearer grant of a
// service account) and the Calendar API's freeBusy and events resources,
// following their documented request and response shapes.
type fakeGoogle struct {
	srv    *httptest.Server
	mu     sync.Mutex
	events map[string]googleEvent
	busy   string
}

func newFakeGoogle(t *testing.T) *fakeGoogle {
	f := &fakeGoogle{events: map[string]googleEvent{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		jwtOK := r.Form.Get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer" && strings.Count(r.Form.Get("assertion"), ".") == 2
		refreshOK := r.Form.Get("grant_type") == "refresh_token" && r.Form.Get("refresh_token") == "1//refresh" && r.Form.Get("client_id") == "client.apps.googleusercontent.com"
		if !jwtOK && !refreshOK {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"google-token","expires_in":3599,"token_type":"Bearer"}`)
	})
	api := http.NewServeMux()
	api.HandleFunc("POST /calendar/v3/freeBusy", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			TimeMin, TimeMax string
			Items            []struct{ ID string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Items) != 1 {
			http.Error(w, `{"error":{"code":400}}`, http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"kind":"calendar#freeBusy","timeMin":"`+req.TimeMin+`","timeMax":"`+req.TimeMax+`","calendars":{"`+req.Items[0].ID+`":{"busy":`+f.busy+`}}}`)
	})
	api.HandleFunc("POST /calendar/v3/calendars/{cal}/events", func(w http.ResponseWriter, r *http.Request) {
		var ev googleEvent
		json.NewDecoder(r.Body).Decode(&ev)
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, dup := f.events[ev.ID]; dup {
			http.Error(w, `{"error":{"code":409,"message":"The requested identifier already exists."}}`, http.StatusConflict)
			return
		}
		f.events[ev.ID] = ev
		json.NewEncoder(w).Encode(ev)
	})
	api.HandleFunc("PUT /calendar/v3/calendars/{cal}/events/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.events[r.PathValue("id")]; !ok {
			http.Error(w, `{"error":{"code":404,"message":"Not Found"}}`, http.StatusNotFound)
			return
		}
		var ev googleEvent
		json.NewDecoder(r.Body).Decode(&ev)
		f.events[r.PathValue("id")] = ev
		json.NewEncoder(w).Encode(ev)
	})
	api.HandleFunc("DELETE /calendar/v3/calendars/{cal}/events/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.events[r.PathValue("id")]; !ok {
			http.Error(w, `{"error":{"code":410,"message":"Resource has been deleted"}}`, http.StatusGone)
			return
		}
		delete(f.events, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/calendar/v3/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer google-token" {
			http.Error(w, `{"error":{"code":401}}`, http.StatusUnauthorized)
			return
		}
		api.ServeHTTP(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// serviceAccountFile writes a service account key like the one the Google
// Cloud console hands out (a fresh RSA key, the token URI of the fake).
func serviceAccountFile(t *testing.T, tokenURI string) string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	b, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "mailflow@project.iam.gserviceaccount.com",
		"private_key": string(pemKey), "token_uri": tokenURI})
	p := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fakeGoogle) service(t *testing.T) *Google {
	g, err := NewGoogle(config.Google{CredentialsFile: serviceAccountFile(t, f.srv.URL+"/token"), Subject: "cleo@example.com",
		APIURL: f.srv.URL + "/calendar/v3"}, "cleo@example.com", &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGoogleBusy(t *testing.T) {
	f := newFakeGoogle(t)
	f.busy = `[{"start":"2026-11-26T09:00:00Z","end":"2026-11-26T10:00:00Z"},{"start":"2026-11-27T14:00:00+01:00","end":"2026-11-27T14:30:00+01:00"}]`
	got, err := f.service(t).Busy(context.Background(), at(23, 0, 0), at(30, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Period{{at(26, 10, 0), at(26, 11, 0)}, {at(27, 14, 0), at(27, 14, 30)}}; !samePeriods(got, want) {
		t.Errorf("busy %v, want %v", got, want)
	}
	if _, err := ParseFreeBusy([]byte(`{"calendars":{"cleo@example.com":{"errors":[{"domain":"global","reason":"notFound"}]}}}`), "cleo@example.com"); err == nil ||
		!strings.Contains(err.Error(), "notFound") {
		t.Errorf("a calendar not shared: %v", err)
	}
}

func TestGoogleWriteMoveCancel(t *testing.T) {
	f := newFakeGoogle(t)
	g := f.service(t)
	ctx := context.Background()
	ev := Event{UID: "FW-1234@mail.example.com", Start: at(26, 10, 0), End: at(26, 10, 30), Summary: "Fernwartung FW-1234", Stamp: at(23, 9, 0)}
	id, err := g.Put(ctx, ev, "")
	if err != nil {
		t.Fatal(err)
	}
	if e := f.events[id]; e.Start.DateTime != "2026-11-26T10:00:00+01:00" || e.Start.TimeZone != "Europe/Vienna" {
		t.Fatalf("created %+v", e)
	}
	// A retry after a lost answer finds the event by its id.
	if id2, err := g.Put(ctx, ev, ""); err != nil || id2 != id || len(f.events) != 1 {
		t.Fatalf("retried insert: %q %v %d", id2, err, len(f.events))
	}
	ev.Start, ev.End, ev.Sequence = at(27, 14, 0), at(27, 14, 30), 1
	if _, err := g.Put(ctx, ev, id); err != nil {
		t.Fatal(err)
	}
	if e := f.events[id]; e.Start.DateTime != "2026-11-27T14:00:00+01:00" || e.Sequence != 1 {
		t.Fatalf("moved %+v", e)
	}
	if err := g.Delete(ctx, ev.UID, id); err != nil || len(f.events) != 0 {
		t.Fatalf("delete: %v, %d left", err, len(f.events))
	}
	if err := g.Delete(ctx, ev.UID, id); err != nil {
		t.Errorf("second delete (410 Gone): %v", err)
	}
	for _, c := range googleEventID(ev.UID) {
		if !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
			t.Fatalf("event id %q has %q, outside base32hex", googleEventID(ev.UID), c)
		}
	}
}

// TestGoogleOAuthRefreshToken: an OAuth client with a refresh token (no
// service account) reads busy times the same way.
func TestGoogleOAuthRefreshToken(t *testing.T) {
	f := newFakeGoogle(t)
	f.busy = `[{"start":"2026-11-26T09:00:00Z","end":"2026-11-26T10:00:00Z"}]`
	rt := filepath.Join(t.TempDir(), "refresh")
	if err := os.WriteFile(rt, []byte("1//refresh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := NewGoogle(config.Google{ClientID: "client.apps.googleusercontent.com", ClientSecret: "s", RefreshTokenFile: rt,
		TokenURL: f.srv.URL + "/token", APIURL: f.srv.URL + "/calendar/v3", CalendarID: "primary"}, "cleo@example.com", &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Busy(context.Background(), at(23, 0, 0), at(30, 0, 0))
	if err != nil || len(got) != 1 || !got[0].Start.Equal(at(26, 10, 0)) {
		t.Fatalf("busy %v %v", got, err)
	}
}
