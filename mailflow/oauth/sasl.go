package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"

	"github.com/mailflow/mailflow/mailflow/config"
)

// SASL mechanism names.
const (
	XOAUTH2     = "XOAUTH2"
	OAuthBearer = sasl.OAuthBearer
)

// Client is a SASL client that presents an access token. When the server
// refuses the token it first sends an error challenge (JSON), which the
// client answers as its mechanism demands so the server can end the
// exchange with a plain failure; ServerError returns that JSON afterwards.
type Client interface {
	sasl.Client
	// ServerError is the error challenge the server sent, if any. It says
	// why the token was refused (status, scope), never the token itself.
	ServerError() string
}

// NewClient returns the SASL client for an imap.auth or smtp.auth value
// (xoauth2 or oauthbearer). host and port go into OAUTHBEARER's message.
func NewClient(auth, username, token, host string, port int) (Client, error) {
	switch strings.ToLower(auth) {
	case config.AuthXOAUTH2:
		return NewXOAUTH2Client(username, token), nil
	case config.AuthOAuthBearer:
		return NewOAuthBearerClient(username, token, host, port), nil
	}
	return nil, fmt.Errorf("%q is not an OAuth2 SASL mechanism", auth)
}

// XOAUTH2Client is Google's and Microsoft's XOAUTH2 mechanism, which
// go-sasl does not have. The initial response is
//
//	user=USER ^A auth=Bearer TOKEN ^A ^A
//
// A refused token is answered with a base64 JSON challenge, to which the
// client must send an empty response; the server then fails the command.
type XOAUTH2Client struct {
	username, token string
	serverErr       string
	answered        bool
}

// NewXOAUTH2Client returns an XOAUTH2 client for username and access token.
func NewXOAUTH2Client(username, token string) *XOAUTH2Client {
	return &XOAUTH2Client{username: username, token: token}
}

// Start implements sasl.Client.
func (c *XOAUTH2Client) Start() (mech string, ir []byte, err error) {
	if strings.ContainsRune(c.username, '\x01') || strings.ContainsRune(c.token, '\x01') {
		return "", nil, errors.New("xoauth2: user name or token contains ^A")
	}
	return XOAUTH2, []byte("user=" + c.username + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next implements sasl.Client: the only challenge XOAUTH2 knows is the
// error, answered with an empty response.
func (c *XOAUTH2Client) Next(challenge []byte) ([]byte, error) {
	if c.answered {
		return nil, errors.New("xoauth2: unexpected second challenge")
	}
	c.answered = true
	c.serverErr = string(challenge)
	return []byte{}, nil
}

// ServerError implements Client.
func (c *XOAUTH2Client) ServerError() string { return c.serverErr }

// OAuthBearerClient is RFC 7628's OAUTHBEARER. The initial response comes
// from go-sasl's client:
//
//	n,a=USER, ^A host=HOST ^A port=PORT ^A auth=Bearer TOKEN ^A ^A
//
// go-sasl's Next returns an error on the server's error challenge, which
// leaves an IMAP AUTHENTICATE command waiting; RFC 7628 (3.2.3) wants the
// client to answer with a single ^A instead, which this client does.
type OAuthBearerClient struct {
	sasl.Client
	bad       bool // a field contains ^A, the separator
	serverErr string
	answered  bool
}

// NewOAuthBearerClient returns an OAUTHBEARER client. host and port are
// the server's as the client sees them (port 0 leaves it out).
func NewOAuthBearerClient(username, token, host string, port int) *OAuthBearerClient {
	// The authzid is a GS2 saslname: ',' and '=' are escaped (RFC 5801).
	authzid := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(username)
	return &OAuthBearerClient{
		Client: sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: authzid, Token: token, Host: host, Port: port}),
		bad:    strings.ContainsRune(username+token+host, '\x01'),
	}
}

// Start implements sasl.Client.
func (c *OAuthBearerClient) Start() (mech string, ir []byte, err error) {
	if c.bad {
		return "", nil, errors.New("oauthbearer: user name, host or token contains ^A")
	}
	return c.Client.Start()
}

// Next implements sasl.Client: the error challenge is kept and answered
// with ^A.
func (c *OAuthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.answered {
		return nil, errors.New("oauthbearer: unexpected second challenge")
	}
	c.answered = true
	c.serverErr = string(challenge)
	var e sasl.OAuthBearerError
	if json.Unmarshal(challenge, &e) != nil {
		c.serverErr = fmt.Sprintf("%q", challenge)
	}
	return []byte{0x01}, nil
}

// ServerError implements Client.
func (c *OAuthBearerClient) ServerError() string { return c.serverErr }
