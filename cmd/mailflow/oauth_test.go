package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailflow/mailflow/mailflow/oauth"
)

// fakeProvider is a device authorization and token endpoint on loopback
// (mailflow/internal/mailtest has a fuller one, out of reach from cmd).
type fakeProvider struct {
	ClientID, DeviceAuthURL, TokenURL, VerifyURL string

	mu      sync.Mutex
	polls   int
	failing bool
	issued  map[string]bool
}

func startProvider(t *testing.T) *fakeProvider {
	t.Helper()
	p := &fakeProvider{ClientID: "cli-test-client", issued: map[string]bool{}}
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /devicecode", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.failing || r.PostFormValue("client_id") != p.ClientID {
			reply(w, 400, map[string]string{"error": "invalid_client"})
			return
		}
		reply(w, 200, map[string]any{"device_code": "dev-1", "user_code": "WDJB-MJHT", "verification_uri": p.VerifyURL, "expires_in": 900, "interval": 1})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if r.PostFormValue("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" || r.PostFormValue("device_code") != "dev-1" {
			reply(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		if p.polls++; p.polls == 1 {
			reply(w, 400, map[string]string{"error": "authorization_pending"})
			return
		}
		p.issued["rt-cli-1"] = true
		reply(w, 200, map[string]any{"access_token": "at-cli-1", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-cli-1", "scope": "mail offline_access"})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.DeviceAuthURL, p.TokenURL, p.VerifyURL = srv.URL+"/devicecode", srv.URL+"/token", srv.URL+"/device"
	return p
}

func (p *fakeProvider) RefreshTokenValid(rt string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issued[rt]
}

func (p *fakeProvider) SetFailing() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failing = true
}

// oauthConfig writes a config whose oauth2 section points at p.
func oauthConfig(t *testing.T, p *fakeProvider) (cfgPath, tokenFile string) {
	t.Helper()
	dir := t.TempDir()
	tokenFile = filepath.Join(dir, "state", "refresh-token")
	y := "imap: {host: 127.0.0.1, port: 1143, username: support@example.com, auth: xoauth2}\n" +
		"smtp: {host: 127.0.0.1, port: 1025, from: support@example.com}\n" +
		"technicians: [{name: Anna Berger, email: anna@example.com}]\n" +
		"oauth2: {provider: generic, client_id: " + p.ClientID + ", token_url: '" + p.TokenURL + "', device_auth_url: '" + p.DeviceAuthURL + "', refresh_token_file: state/refresh-token}\n"
	cfgPath = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, tokenFile
}

func TestOAuthLoginDeviceFlow(t *testing.T) {
	p := startProvider(t)
	cfg, file := oauthConfig(t, p)
	code, out, errs := run(t, "", "oauth", "login", "-config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{p.VerifyURL, "mail offline_access", "WDJB-MJHT", "Signed in", file} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rt, err := oauth.ReadRefreshToken(file)
	if err != nil {
		t.Fatal(err)
	}
	if !p.RefreshTokenValid(rt) {
		t.Errorf("stored %q, not a token the provider issued", rt)
	}
	if strings.Contains(out+errs, rt) {
		t.Error("the refresh token was printed")
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestOAuthLoginUsage(t *testing.T) {
	p := startProvider(t)
	cfg, _ := oauthConfig(t, p)
	if code, _, errs := run(t, "", "oauth"); code != 2 || !strings.Contains(errs, "oauth login") {
		t.Errorf("no subcommand: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "", "oauth", "login", "-config", cfg, "-provider", "yahoo"); code != 2 || !strings.Contains(errs, "yahoo") {
		t.Errorf("bad provider: exit %d: %s", code, errs)
	}
	p.SetFailing()
	if code, _, errs := run(t, "", "oauth", "login", "-config", cfg); code != 1 || errs == "" {
		t.Errorf("refusing provider: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "", "-h"); code != 0 || !strings.Contains(errs, "oauth") {
		t.Errorf("help lacks the oauth command: %s", errs)
	}
}
