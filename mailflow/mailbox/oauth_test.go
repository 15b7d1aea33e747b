package mailbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/oauth"
	"github.com/mailflow/mailflow/mailflow/store"
)

// oauthSetup is a fake provider, a Dovecot whose oauth2 passdb asks it
// about tokens, and a refresh token file holding a valid refresh token.
type oauthSetup struct {
	p    *mailtest.OAuthProvider
	d    *mailtest.Dovecot
	file string
	rt   string
}

func startOAuth(t *testing.T) *oauthSetup {
	t.Helper()
	p := mailtest.StartOAuthProvider(t, support)
	s := &oauthSetup{p: p, d: mailtest.StartDovecotOAuth(t, p.IntrospectionURL), rt: p.IssueRefreshToken()}
	s.file = filepath.Join(t.TempDir(), "refresh-token")
	if err := os.WriteFile(s.file, []byte(s.rt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// config loads a config whose IMAP logs in with auth (xoauth2 or
// oauthbearer) and a token from the fake provider.
func (s *oauthSetup) config(t *testing.T, auth string) *config.Config {
	t.Helper()
	host, port, _ := net.SplitHostPort(s.d.IMAPAddr)
	y := "imap: {host: " + host + ", port: " + port + ", tls: none, username: " + support +
		", auth: " + auth + ", poll_interval: 1m, command_timeout: 5s}\n" +
		"smtp: {host: 127.0.0.1, port: 2525, from: " + support + "}\n" +
		"database: {path: mailflow.db}\n" +
		"technicians: [{name: Anna Berger, email: anna@example.com}]\n" +
		"oauth2: {provider: generic, client_id: " + s.p.ClientID + ", token_url: '" + s.p.TokenURL + "', refresh_token_file: '" + s.file + "'}\n"
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (s *oauthSetup) storedToken(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(s.file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// refreshAnswer is what the token endpoint says to a refresh with rt.
func (s *oauthSetup) refreshAnswer(t *testing.T, rt string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(s.p.TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {s.p.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// The issue's "done when": through a real oauth2 passdb, mailflow logs in
// with XOAUTH2, survives a token rotation (the new refresh token is
// persisted, the old one is rejected) and goes on after a restart.
func TestXOAUTH2ThroughDovecotSurvivesRotation(t *testing.T) {
	s := startOAuth(t)
	s.p.SetRotate(true)
	cfg := s.config(t, "xoauth2")
	st := openStore(t)

	r := startWatcher(t, cfg, st)
	deliver(t, s.d, support, customerMail("oauth-1", requestBody))
	ins := waitStored(t, st, 1, 15*time.Second)
	if ins[0].MessageID != msgID("oauth-1") {
		t.Errorf("stored %s", ins[0].MessageID)
	}
	if s.p.Introspections() == 0 {
		t.Error("Dovecot never asked the introspection endpoint: the login did not go through the oauth2 passdb")
	}

	// Rotation: the file holds the new token, 0600; the old one is dead.
	rotated := s.storedToken(t)
	if rotated == s.rt || !s.p.RefreshTokenValid(rotated) {
		t.Fatalf("refresh token file holds %q: want the rotated token", rotated)
	}
	if fi, _ := os.Stat(s.file); fi.Mode().Perm() != 0o600 {
		t.Errorf("refresh token file mode %v, want 0600", fi.Mode().Perm())
	}
	if code, e := s.refreshAnswer(t, s.rt); code != http.StatusBadRequest || e != "invalid_grant" {
		t.Errorf("the old refresh token got %d %q, want 400 invalid_grant", code, e)
	}
	if got := status(t, st, oauth.StatusKey); got != "" {
		t.Errorf("%s = %q while tokens work", oauth.StatusKey, got)
	}

	// A restart reads the rotated token from the file and carries on.
	r.stop()
	startWatcher(t, cfg, st)
	deliver(t, s.d, support, customerMail("oauth-2", requestBody))
	waitStored(t, st, 2, 15*time.Second)
	if again := s.storedToken(t); again == rotated || !s.p.RefreshTokenValid(again) {
		t.Errorf("after the restart the file holds %q: want a newer valid token", again)
	}
}

func TestOAuthBearerThroughDovecot(t *testing.T) {
	s := startOAuth(t)
	st := openStore(t)
	startWatcher(t, s.config(t, "oauthbearer"), st)
	deliver(t, s.d, support, customerMail("bearer-1", requestBody))
	waitStored(t, st, 1, 15*time.Second)
	if s.storedToken(t) != s.rt {
		t.Error("the refresh token file changed though the provider does not rotate")
	}
}

// A token the server refuses before it expires (revoked) is dropped, and
// the next login fetches a new one.
func TestRevokedAccessTokenIsReplaced(t *testing.T) {
	s := startOAuth(t)
	st := openStore(t)
	startWatcher(t, s.config(t, "xoauth2"), st)
	waitState(t, st, mailbox.StateIdle, 15*time.Second)
	before := s.p.TokenRequests()

	s.p.RevokeAccessTokens()
	s.d.Restart(t) // drops the connection; the cached token no longer works
	waitLastError(t, st, "refused the token", 15*time.Second)
	deliver(t, s.d, support, customerMail("after-revoke", requestBody))
	waitStored(t, st, 1, 20*time.Second)
	if s.p.TokenRequests() <= before {
		t.Error("no new access token was fetched after the refusal")
	}
}

// lockedBuffer collects a logger's output from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A failing token endpoint: the error shows in status, is logged once, and
// the provider is asked with backoff, not in a loop; intake recovers when
// the endpoint does.
func TestFailingTokenEndpointNoHotLoop(t *testing.T) {
	s := startOAuth(t)
	s.p.SetFailing(http.StatusInternalServerError)
	st := openStore(t)
	var logs lockedBuffer
	w := mailbox.New(s.config(t, "xoauth2"), st, slog.New(slog.NewTextHandler(&logs, nil)), func() {})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(stopTimeout):
			t.Error("Run did not stop")
		}
	})

	time.Sleep(4 * time.Second)
	n := s.p.TokenRequests()
	// Retries 2 s, then 4 s later (±20 %): at most 3 requests in 4 s.
	if n < 1 || n > 3 {
		t.Errorf("%d token requests in 4 s, want 1 to 3", n)
	}
	if got := status(t, st, oauth.StatusKey); !strings.Contains(got, "500") {
		t.Errorf("%s = %q, want the endpoint's failure", oauth.StatusKey, got)
	}
	if got := status(t, st, store.StatusIntakeState); got != mailbox.StateReconnecting && got != mailbox.StateConnecting {
		t.Errorf("intake state %q while no token can be had", got)
	}
	if c := strings.Count(logs.String(), "oauth2 token refresh failed; retrying"); c != 1 {
		t.Errorf("the refresh failure was logged %d times, want once:\n%s", c, logs.String())
	}
	if strings.Contains(logs.String(), s.rt) {
		t.Error("the refresh token appears in the log")
	}

	s.p.SetFailing(0)
	deliver(t, s.d, support, customerMail("after-outage", requestBody))
	waitStored(t, st, 1, 30*time.Second)
	waitFor(t, 5*time.Second, "oauth status cleared", func() (bool, error) {
		return status(t, st, oauth.StatusKey) == "", nil
	})
}
