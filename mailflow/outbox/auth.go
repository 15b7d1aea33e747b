package outbox

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// newTokens returns the token source for smtp.auth xoauth2 and
// oauthbearer (nil for password logins). Refresh failures land in the
// status table under oauth.StatusKey.
func (s *Sender) newTokens(cfg *config.Config) *oauth.Source {
	if !config.UsesOAuth2(cfg.SMTP.Auth) {
		return nil
	}
	return oauth.New(cfg.OAuth2, oauth.Options{
		Log: s.log.With("oauth2", "smtp"),
		Report: func(err error) {
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			// Best effort, like every status write.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = s.st.SetStatus(ctx, oauth.StatusKey, msg)
		},
	})
}

// tokenLogin is the token and SASL client of one token login.
type tokenLogin struct {
	token  string
	client oauth.Client // its ServerError explains a refusal
}

// authOptions returns the go-mail options for the configured SMTP AUTH,
// and for token logins what was presented (nil for passwords).
func (s *Sender) authOptions(ctx context.Context) ([]gomail.Option, *tokenLogin, error) {
	if s.tokens != nil {
		tok, err := s.tokens.Token(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("smtp auth: %w", err)
		}
		sc, err := oauth.NewClient(s.cfg.Auth, s.cfg.Username, tok, s.cfg.Host, s.cfg.Port)
		if err != nil {
			return nil, nil, fmt.Errorf("smtp auth: %w", err)
		}
		return []gomail.Option{gomail.WithSMTPAuthCustom(&saslAuth{c: sc})}, &tokenLogin{token: tok, client: sc}, nil
	}
	if s.cfg.Username == "" {
		return nil, nil, nil
	}
	pw, err := s.cfg.Resolve()
	if err != nil {
		return nil, nil, err
	}
	// tls: none is the operator's explicit choice; go-mail would refuse
	// PLAIN and LOGIN over it except to localhost.
	plain, login := gomail.SMTPAuthPlain, gomail.SMTPAuthLogin
	if s.cfg.TLS == config.TLSNone {
		plain, login = gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc
	}
	mech := gomail.SMTPAuthAutoDiscover
	switch s.cfg.Auth {
	case config.AuthPlain:
		mech = plain
	case config.AuthLogin:
		mech = login
	}
	return []gomail.Option{gomail.WithSMTPAuth(mech), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(pw)}, nil, nil
}

// authFailed explains a failed dial of a token login, and forgets a token
// the server refused (it may have been revoked before it expired).
//
// A refusal is an SMTP 5xx reply, which the outbox would take for a
// permanent failure of every mail in the batch and dead-letter them all.
// But a refused token says nothing about the mails (it was revoked,
// consent has not reached the mail server yet, ...), so the reply is kept
// as text, not as a wrapped *textproto.Error: the mails stay queued and are
// retried on their backoff with a fresh token.
func (s *Sender) authFailed(err error, tl *tokenLogin) error {
	if tl == nil || s.tokens == nil {
		return err
	}
	refusal := tl.client.ServerError()
	var reply *textproto.Error
	if refusal == "" && !errors.As(err, &reply) {
		return err // not a refusal: network trouble and such keep their type
	}
	s.tokens.Invalidate(tl.token)
	if refusal == "" {
		return fmt.Errorf("smtp auth %s: the server refused the token: %v", s.cfg.Auth, err)
	}
	return fmt.Errorf("smtp auth %s: the server refused the token (%s): %v", s.cfg.Auth, refusal, err)
}

// saslAuth runs a SASL client as go-mail's smtp.Auth.
type saslAuth struct{ c oauth.Client }

func (a *saslAuth) Start(info *smtp.ServerInfo) (string, []byte, error) {
	mech, ir, err := a.c.Start()
	if err != nil {
		return "", nil, err
	}
	if !slices.ContainsFunc(info.Auth, func(m string) bool { return strings.EqualFold(m, mech) }) {
		return "", nil, fmt.Errorf("the server does not offer AUTH %s (it offers: %s)", mech, strings.Join(info.Auth, " "))
	}
	return mech, ir, nil
}

func (a *saslAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil // 235: done
	}
	return a.c.Next(challenge)
}
