package oauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
)

func TestDeviceLoginStoresRefreshToken(t *testing.T) {
	f := newFixture(t)
	f.cfg.RefreshTokenFile = filepath.Join(t.TempDir(), "state", "refresh-token") // folder made on the way
	var shown DeviceCode
	start := time.Now()
	_, err := DeviceLogin(ctx(t), f.cfg, nil, func(dc DeviceCode) { shown = dc })
	if err != nil {
		t.Fatal(err)
	}
	if shown.Code != "WDJB-MJHT" || !strings.HasSuffix(shown.URL, "/device") || shown.Expiry.IsZero() {
		t.Errorf("shown %+v", shown)
	}
	// One authorization_pending answer first: the flow polled twice, 1 s apart.
	if d := time.Since(start); d < time.Second {
		t.Errorf("done after %s: did not wait for the pending sign-in", d)
	}
	rt, err := ReadRefreshToken(f.cfg.RefreshTokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !f.p.RefreshTokenValid(rt) {
		t.Errorf("stored %q, not a token the provider issued", rt)
	}
	if fi, _ := os.Stat(f.cfg.RefreshTokenFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	// The token works for the daemon's source.
	if _, err := New(f.cfg, Options{}).Token(ctx(t)); err != nil {
		t.Error(err)
	}
}

func TestDeviceLoginNeedsItsEndpoints(t *testing.T) {
	f := newFixture(t)
	for name, mod := range map[string]func(*config.OAuth2){
		"client_id":          func(o *config.OAuth2) { o.ClientID = "" },
		"device_auth_url":    func(o *config.OAuth2) { o.DeviceAuthURL = "" },
		"refresh_token_file": func(o *config.OAuth2) { o.RefreshTokenFile = "" },
	} {
		o := f.cfg
		mod(&o)
		if _, err := DeviceLogin(ctx(t), o, nil, func(DeviceCode) {}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: %v", name, err)
		}
	}
	o := f.cfg
	o.ClientID = "someone-else"
	if _, err := DeviceLogin(ctx(t), o, nil, func(DeviceCode) { t.Error("code shown for a refused client") }); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("refused client: %v", err)
	}
}

func TestProviderDefaults(t *testing.T) {
	ms := config.OAuth2{Provider: "Microsoft"}.Effective()
	if ms.Provider != "microsoft" || ms.Tenant != "organizations" ||
		ms.TokenURL != "https://login.microsoftonline.com/organizations/oauth2/v2.0/token" ||
		ms.DeviceAuthURL != "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode" ||
		strings.Join(ms.Scopes, " ") != "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access" {
		t.Errorf("microsoft: %+v", ms)
	}
	tenant := config.OAuth2{Provider: "microsoft", Tenant: "contoso.onmicrosoft.com", Scopes: []string{"x"}}.Effective()
	if tenant.TokenURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" || len(tenant.Scopes) != 1 {
		t.Errorf("tenant: %+v", tenant)
	}
	g := config.OAuth2{Provider: "google"}.Effective()
	if g.TokenURL != "https://oauth2.googleapis.com/token" || strings.Join(g.Scopes, " ") != "https://mail.google.com/" {
		t.Errorf("google: %+v", g)
	}
	if p := (config.OAuth2{TokenURL: "https://idp.example/token"}).Effective().Provider; p != "generic" {
		t.Errorf("token_url alone: provider %q", p)
	}
}

func TestConfigValidation(t *testing.T) {
	base := "smtp: {host: 127.0.0.1, port: 2525, from: support@example.com}\n" +
		"technicians: [{name: Anna, email: anna@example.com}]\n"
	imap := func(auth string) string {
		return "imap: {host: 127.0.0.1, port: 1143, username: support@example.com, auth: " + auth + "}\n"
	}
	for _, tc := range []struct {
		name, yaml string
		wants      []string // substrings of the error; none: valid
	}{
		{"xoauth2 without oauth2", imap("xoauth2") + base, []string{"oauth2.provider", "oauth2.client_id", "oauth2.refresh_token_file"}},
		{"xoauth2 complete", imap("xoauth2") + base + "oauth2: {provider: microsoft, client_id: abc, refresh_token_file: rt}\n", nil},
		{"xoauth2 before oauth login", imap("xoauth2") + base + "oauth2: {provider: microsoft, client_id: abc, refresh_token_file: missing}\n", []string{"oauth2.refresh_token_file", "mailflow oauth login"}},
		{"oauthbearer generic without token_url", imap("oauthbearer") + base + "oauth2: {provider: generic, client_id: abc, refresh_token_file: rt}\n", []string{"oauth2.token_url"}},
		{"unknown provider", imap("login") + base + "oauth2: {provider: yahoo}\n", []string{"oauth2.provider"}},
		{"bad imap.auth", imap("cram-md5") + base, []string{"imap.auth"}},
		{"bad smtp.auth", imap("login") + "smtp: {host: h, port: 25, from: a@b.c, auth: ntlm}\ntechnicians: [{name: A, email: a@b.c}]\n", []string{"smtp.auth"}},
		{"smtp xoauth2", imap("login") + "smtp: {host: h, port: 25, from: a@b.c, auth: xoauth2}\ntechnicians: [{name: A, email: a@b.c}]\n" +
			"oauth2: {provider: google, client_id: abc, client_secret_env: MAILFLOW_TEST_UNSET_SECRET, refresh_token_file: rt}\n", []string{"MAILFLOW_TEST_UNSET_SECRET"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "rt"), []byte("a-refresh-token\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse(filepath.Join(dir, "config.yaml"), []byte(tc.yaml))
			if err == nil {
				// Secrets are read when the daemon or check starts, not on load.
				err = cfg.CheckSecrets()
			}
			if len(tc.wants) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.OAuth2.RefreshTokenFile != filepath.Join(dir, "rt") {
					t.Errorf("refresh_token_file %q not resolved against the config's folder", cfg.OAuth2.RefreshTokenFile)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// smtp.auth xoauth2 logs in as the mailbox unless told otherwise.
	cfg, err := config.Parse("c.yaml", []byte(imap("xoauth2")+"smtp: {host: h, port: 25, from: support@example.com, auth: xoauth2}\n"+
		"technicians: [{name: A, email: a@b.c}]\noauth2: {provider: google, client_id: abc, refresh_token_file: rt}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTP.Username != "support@example.com" {
		t.Errorf("smtp.username %q", cfg.SMTP.Username)
	}
}
