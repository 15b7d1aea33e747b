package mailtest_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// accessToken trades a fresh refresh token at the fake provider.
func accessToken(t *testing.T, p *mailtest.OAuthProvider) string {
	t.Helper()
	resp, err := http.PostForm(p.TokenURL, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {p.IssueRefreshToken()}, "client_id": {p.ClientID},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token endpoint: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// authenticate dials d and runs one AUTHENTICATE with c.
func authenticate(t *testing.T, d *mailtest.Dovecot, c sasl.Client) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", d.IMAPAddr)
	if err != nil {
		t.Fatal(err)
	}
	cl := imapclient.New(conn, nil)
	defer cl.Close()
	stop := context.AfterFunc(ctx, func() { cl.Close() })
	defer stop()
	if err := cl.Authenticate(c); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("authenticate hung: %v", err)
		}
		return err
	}
	if _, err := cl.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("select after login: %v", err)
	}
	return cl.Logout().Wait()
}

func TestDovecotOAuthPassdb(t *testing.T) {
	p := mailtest.StartOAuthProvider(t, support)
	d := mailtest.StartDovecotOAuth(t, p.IntrospectionURL)
	at := accessToken(t, p)
	host, _, _ := net.SplitHostPort(d.IMAPAddr)

	if err := authenticate(t, d, oauth.NewXOAUTH2Client(support, at)); err != nil {
		t.Errorf("XOAUTH2 with a valid token: %v", err)
	}
	if err := authenticate(t, d, oauth.NewOAuthBearerClient(support, at, host, 143)); err != nil {
		t.Errorf("OAUTHBEARER with a valid token: %v", err)
	}
	if err := authenticate(t, d, sasl.NewPlainClient("", support, mailtest.Password)); err != nil {
		t.Errorf("PLAIN beside the oauth2 passdb: %v", err)
	}
	before := p.Introspections()

	// Refused tokens: the server's JSON error challenge must be answered,
	// or AUTHENTICATE hangs (authenticate fails the test on a hang).
	x := oauth.NewXOAUTH2Client(support, "at-forged")
	if err := authenticate(t, d, x); err == nil {
		t.Error("XOAUTH2 with a forged token logged in")
	}
	if !strings.Contains(x.ServerError(), "status") {
		t.Errorf("XOAUTH2 error challenge = %q, want Dovecot's JSON", x.ServerError())
	}
	ob := oauth.NewOAuthBearerClient(support, "at-forged", host, 143)
	if err := authenticate(t, d, ob); err == nil {
		t.Error("OAUTHBEARER with a forged token logged in")
	}
	if err := authenticate(t, d, oauth.NewXOAUTH2Client("someone.else@example.com", at)); err == nil {
		t.Error("XOAUTH2 with another user's token logged in")
	}
	if err := authenticate(t, d, sasl.NewPlainClient("", support, at)); err == nil {
		t.Error("PLAIN with the token as password logged in")
	}
	if p.Introspections() <= before {
		t.Error("Dovecot did not ask the introspection endpoint about the refused tokens")
	}
	p.RevokeAccessTokens()
	if err := authenticate(t, d, oauth.NewXOAUTH2Client(support, at)); err == nil {
		t.Error("XOAUTH2 with a revoked token logged in")
	}
}
