package oauth

import (
	"bytes"
	"testing"

	"github.com/emersion/go-sasl"
)

var _ sasl.Client = (*XOAUTH2Client)(nil)
var _ sasl.Client = (*OAuthBearerClient)(nil)

func TestXOAUTH2Bytes(t *testing.T) {
	c := NewXOAUTH2Client("support@example.com", "ya29.token")
	mech, ir, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	if mech != "XOAUTH2" {
		t.Errorf("mech %q", mech)
	}
	want := "user=support@example.com\x01auth=Bearer ya29.token\x01\x01"
	if string(ir) != want {
		t.Errorf("initial response\n got %q\nwant %q", ir, want)
	}
	// The error challenge is answered with an empty (not a missing) response.
	challenge := []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`)
	resp, err := c.Next(challenge)
	if err != nil || resp == nil || len(resp) != 0 {
		t.Errorf("answer to the error challenge = %q, %v; want empty, nil", resp, err)
	}
	if c.ServerError() != string(challenge) {
		t.Errorf("ServerError %q", c.ServerError())
	}
	if _, err := c.Next(challenge); err == nil {
		t.Error("a second challenge was answered")
	}
	if _, _, err := NewXOAUTH2Client("a\x01b", "t").Start(); err == nil {
		t.Error("^A in the user name accepted")
	}
	if _, _, err := NewXOAUTH2Client("a", "t\x01auth=Bearer x").Start(); err == nil {
		t.Error("^A in the token accepted")
	}
}

func TestOAuthBearerBytes(t *testing.T) {
	for _, tc := range []struct {
		user, host string
		port       int
		want       string
	}{
		{"support@example.com", "outlook.office365.com", 993,
			"n,a=support@example.com,\x01host=outlook.office365.com\x01port=993\x01auth=Bearer tok=\x01\x01"},
		{"support@example.com", "", 0, "n,a=support@example.com,\x01auth=Bearer tok=\x01\x01"},
		// ',' and '=' in the authzid are escaped as GS2 demands.
		{"a=b,c@example.com", "h", 587, "n,a=a=3Db=2Cc@example.com,\x01host=h\x01port=587\x01auth=Bearer tok=\x01\x01"},
	} {
		c := NewOAuthBearerClient(tc.user, "tok=", tc.host, tc.port)
		mech, ir, err := c.Start()
		if err != nil {
			t.Fatal(err)
		}
		if mech != "OAUTHBEARER" || string(ir) != tc.want {
			t.Errorf("%s %q\nwant OAUTHBEARER %q", mech, ir, tc.want)
		}
	}
	c := NewOAuthBearerClient("u", "t", "h", 1)
	resp, err := c.Next([]byte(`{"status":"invalid_token","scope":"mail"}`))
	if err != nil || !bytes.Equal(resp, []byte{1}) {
		t.Errorf("answer to the error challenge = %q, %v; want ^A (RFC 7628 3.2.3)", resp, err)
	}
	if c.ServerError() == "" {
		t.Error("ServerError empty")
	}
	if _, err := c.Next(nil); err == nil {
		t.Error("a second challenge was answered")
	}
	if _, _, err := NewOAuthBearerClient("u", "t\x01", "h", 1).Start(); err == nil {
		t.Error("^A in the token accepted")
	}
}

func TestNewClientByAuth(t *testing.T) {
	for auth, mech := range map[string]string{"xoauth2": "XOAUTH2", "XOAUTH2": "XOAUTH2", "oauthbearer": "OAUTHBEARER"} {
		c, err := NewClient(auth, "u", "t", "h", 1)
		if err != nil {
			t.Fatal(err)
		}
		if m, _, _ := c.Start(); m != mech {
			t.Errorf("%s: %s", auth, m)
		}
	}
	if _, err := NewClient("plain", "u", "t", "h", 1); err == nil {
		t.Error("plain is not a token mechanism")
	}
}
