package outbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/oauth"
	"github.com/mailflow/mailflow/mailflow/store"
)

const support = "support@example.com"

// tokenSMTP is an SMTP server that only takes mail after AUTH XOAUTH2 or
// OAUTHBEARER with an access token the fake provider issued for support.
type tokenSMTP struct {
	p *mailtest.OAuthProvider

	mu       sync.Mutex
	logins   []string // mechanism of each successful AUTH
	refusals int
	acks     int // XOAUTH2 error challenges answered with an empty response
	badAcks  int // ... answered otherwise
	accepted [][]byte
}

func (b *tokenSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &tokenSession{b: b}, nil }

type tokenSession struct {
	b    *tokenSMTP
	user string
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (s *tokenSession) AuthMechanisms() []string { return []string{"XOAUTH2", sasl.OAuthBearer} }

func (s *tokenSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case "XOAUTH2":
		return &xoauth2Server{s: s}, nil
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if user, ok := s.b.p.AccessTokenValid(o.Token); ok && o.Username == user {
				s.loggedIn(mech, user)
				return nil
			}
			s.b.mu.Lock()
			s.b.refusals++
			s.b.mu.Unlock()
			return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
		}), nil
	}
	return nil, errors.New("unsupported mechanism")
}

func (s *tokenSession) loggedIn(mech, user string) {
	s.user = user
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.logins = append(s.b.logins, mech)
}

// xoauth2Server checks "user=U^Aauth=Bearer T^A^A"; a bad token gets the
// JSON error challenge, which the client must answer with an empty
// response before the 535.
type xoauth2Server struct {
	s      *tokenSession
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		x.s.b.mu.Lock()
		if len(resp) == 0 {
			x.s.b.acks++
		} else {
			x.s.b.badAcks++
		}
		x.s.b.mu.Unlock()
		return nil, true, &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"}
	}
	if resp == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	f := strings.Split(string(resp), "\x01")
	if len(f) == 4 && strings.HasPrefix(f[0], "user=") && strings.HasPrefix(f[1], "auth=Bearer ") && f[2] == "" && f[3] == "" {
		user, tok := strings.TrimPrefix(f[0], "user="), strings.TrimPrefix(f[1], "auth=Bearer ")
		if owner, ok := x.s.b.p.AccessTokenValid(tok); ok && owner == user {
			x.s.loggedIn("XOAUTH2", user)
			return nil, true, nil
		}
	}
	x.failed = true
	x.s.b.mu.Lock()
	x.s.b.refusals++
	x.s.b.mu.Unlock()
	return []byte(`{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}`), false, nil
}

func (s *tokenSession) Mail(string, *smtp.MailOptions) error {
	if s.user == "" {
		return errAuthRequired
	}
	return nil
}
func (s *tokenSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *tokenSession) Reset()                               {}
func (s *tokenSession) Logout() error                        { return nil }
func (s *tokenSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.accepted = append(s.b.accepted, b)
	return nil
}

func startTokenSMTP(t *testing.T, p *mailtest.OAuthProvider) (*tokenSMTP, string, int) {
	t.Helper()
	b := &tokenSMTP{p: p}
	host, port := serveSMTP(t, b)
	return b, host, port
}

// tokenSender is a Sender logging in with auth and a refresh token from p.
func tokenSender(t *testing.T, p *mailtest.OAuthProvider, host string, port int, auth string, logs io.Writer) (*Sender, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), store.SQLite, filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	file := filepath.Join(t.TempDir(), "refresh-token")
	if err := os.WriteFile(file, []byte(p.IssueRefreshToken()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.SMTP = config.SMTP{Host: host, Port: port, TLS: config.TLSNone, From: support, Username: support, Auth: auth, Timeout: 5 * time.Second, MaxAttempts: 3}
	cfg.OAuth2 = config.OAuth2{Provider: config.ProviderGeneric, ClientID: p.ClientID, TokenURL: p.TokenURL, RefreshTokenFile: file}
	return New(cfg, st, slog.New(slog.NewTextHandler(logs, nil))), st
}

func TestTokenLoginsDeliver(t *testing.T) {
	for _, auth := range []string{config.AuthXOAUTH2, config.AuthOAuthBearer} {
		t.Run(auth, func(t *testing.T) {
			p := mailtest.StartOAuthProvider(t, support)
			srv, host, port := startTokenSMTP(t, p)
			s, st := tokenSender(t, p, host, port, auth, io.Discard)
			enqueue(t, st, "<oauth-1@example.com>")
			n, err := s.SendDue(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("sent %d, %v", n, err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.accepted) != 1 || len(srv.logins) != 1 || srv.logins[0] != strings.ToUpper(auth) {
				t.Errorf("accepted %d mails after logins %v", len(srv.accepted), srv.logins)
			}
		})
	}
}

// A refused token (revoked before it expired) is answered as the protocol
// wants, keeps the mail queued (not dead: the mail is not at fault) and is
// replaced on the next pass.
func TestRefusedTokenKeepsMailAndIsReplaced(t *testing.T) {
	for _, auth := range []string{config.AuthXOAUTH2, config.AuthOAuthBearer} {
		t.Run(auth, func(t *testing.T) {
			p := mailtest.StartOAuthProvider(t, support)
			srv, host, port := startTokenSMTP(t, p)
			s, st := tokenSender(t, p, host, port, auth, io.Discard)
			enqueue(t, st, "<first@example.com>")
			if n, err := s.SendDue(context.Background()); n != 1 || err != nil {
				t.Fatalf("first: %d, %v", n, err)
			}

			p.RevokeAccessTokens()
			s.Close() // the session ends (idle timeout); the next one logs in again
			enqueue(t, st, "<second@example.com>")
			_, err := s.SendDue(context.Background())
			if err == nil || !strings.Contains(err.Error(), "refused the token") {
				t.Fatalf("with a revoked token: %v", err)
			}
			srv.mu.Lock()
			refusals, acks, badAcks := srv.refusals, srv.acks, srv.badAcks
			srv.mu.Unlock()
			if refusals != 1 || badAcks != 0 || (auth == config.AuthXOAUTH2 && acks != 1) {
				t.Errorf("%d refusals, %d acknowledged with an empty response, %d otherwise", refusals, acks, badAcks)
			}
			due, err := st.DueMail(context.Background(), time.Now().Add(2*time.Hour), 10)
			if err != nil || len(due) != 1 {
				t.Fatalf("after the refusal %d mails are queued (%v), want the second one kept", len(due), err)
			}

			s.now = func() time.Time { return time.Now().Add(2 * time.Hour) } // its retry is due
			if n, err := s.SendDue(context.Background()); n != 1 || err != nil {
				t.Fatalf("with a fresh token: %d, %v", n, err)
			}
		})
	}
}

// The token endpoint is down: every pass fails without a connection, the
// failure is recorded in status once per pass, and the provider is asked
// with backoff however often the outbox tries.
func TestTokenEndpointDownForSMTP(t *testing.T) {
	p := mailtest.StartOAuthProvider(t, support)
	srv, host, port := startTokenSMTP(t, p)
	p.SetFailing(503)
	var logs bytes.Buffer
	s, st := tokenSender(t, p, host, port, config.AuthXOAUTH2, &logs)
	for i := range 20 {
		enqueue(t, st, "<waiting-"+strconv.Itoa(i)+"@example.com>") // always something due
		if _, err := s.SendDue(context.Background()); err == nil {
			t.Fatal("sent without a token")
		}
	}
	if n := p.TokenRequests(); n != 1 {
		t.Errorf("%d token requests from 20 quick passes, want 1 (backoff)", n)
	}
	m, err := st.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := m[oauth.StatusKey].Value; !strings.Contains(v, "503") {
		t.Errorf("%s = %q", oauth.StatusKey, v)
	}
	if c := strings.Count(logs.String(), "oauth2 token refresh failed; retrying"); c != 1 {
		t.Errorf("logged %d times", c)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.logins)+srv.refusals != 0 {
		t.Error("the server saw an AUTH without a token")
	}
}

func TestTokenMechanismNotOffered(t *testing.T) {
	p := mailtest.StartOAuthProvider(t, support)
	_, host, port := startFake(t) // offers no AUTH at all
	s, st := tokenSender(t, p, host, port, config.AuthXOAUTH2, io.Discard)
	enqueue(t, st, "<x@example.com>")
	_, err := s.SendDue(context.Background())
	if err == nil {
		t.Fatal("sent without AUTH")
	}
	t.Log(err)
}
