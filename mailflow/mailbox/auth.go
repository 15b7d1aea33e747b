package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// newTokens returns the token source for imap.auth xoauth2 and
// oauthbearer (nil for password logins). Refresh failures land in the
// status table under oauth.StatusKey.
func (w *Watcher) newTokens(cfg *config.Config) *oauth.Source {
	if !config.UsesOAuth2(cfg.IMAP.Auth) {
		return nil
	}
	return oauth.New(cfg.OAuth2, oauth.Options{
		Log: w.log.With("oauth2", "imap"),
		Report: func(err error) {
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			w.setStatus(oauth.StatusKey, msg)
		},
	})
}

// keepTokens runs the token source's keeper until ctx ends and returns a
// func that stops it and waits for it.
func (w *Watcher) keepTokens(ctx context.Context) (stop func()) {
	if w.tokens == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.tokens.Keep(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// login authenticates cn with the configured mechanism: LOGIN, PLAIN, or
// an access token by XOAUTH2 or OAUTHBEARER.
func (w *Watcher) login(ctx context.Context, cn *conn) error {
	if w.tokens == nil {
		pw, err := w.cfg.Resolve()
		if err != nil {
			return fmt.Errorf("imap password: %w", err)
		}
		return waitCmd(ctx, cn, "imap login", func() error {
			if strings.EqualFold(w.cfg.Auth, config.AuthPlain) {
				return cn.c.Authenticate(sasl.NewPlainClient("", w.cfg.Username, pw))
			}
			return cn.c.Login(w.cfg.Username, pw).Wait()
		})
	}
	tok, err := w.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("imap login: %w", err)
	}
	sc, err := oauth.NewClient(w.cfg.Auth, w.cfg.Username, tok, w.cfg.Host, w.cfg.Port)
	if err != nil {
		return fmt.Errorf("imap login: %w", err)
	}
	err = waitCmd(ctx, cn, "imap authenticate "+w.cfg.Auth, func() error { return cn.c.Authenticate(sc) })
	if err == nil {
		return nil
	}
	var refused *imap.Error
	if sc.ServerError() != "" || errors.As(err, &refused) {
		// Revoked before it expired, perhaps: the next attempt (after
		// Run's backoff) gets a fresh token.
		w.tokens.Invalidate(tok)
	}
	if sc.ServerError() != "" {
		// The server's reason (JSON: status, scope) says more than the
		// failed command. go-imap beta.8 sends the empty answer XOAUTH2
		// gives it as "=", which Dovecot takes for bad base64 and hangs up
		// on (go-imap issue 760); the login fails promptly either way.
		return fmt.Errorf("%w (server refused the token: %s)", err, sc.ServerError())
	}
	return err
}
