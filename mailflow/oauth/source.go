// Package oauth owns OAuth2 for the mailbox and the outbox: a token source
// that refreshes access tokens before they expire and writes a rotated
// refresh token back to its file at once, the SASL clients XOAUTH2 and
// OAUTHBEARER that present the token to IMAP and SMTP servers, and the
// device-code flow `mailflow oauth login` runs once to obtain the first
// refresh token.
//
// The refresh token file is the one source of truth. Every refresh reads it
// under an exclusive lock and writes a rotated token back before the lock
// is released, so several sources (intake and outbox, or the daemon and a
// `mailflow check`) never spend a refresh token another already replaced.
//
// Tokens and secrets are never logged, and never part of an error.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailflow/mailflow/mailflow/config"
)

// StatusKey is the status entry that holds the last token refresh failure
// ("" while refreshing works).
const StatusKey = "oauth.last_error"

// Timings of the token source.
const (
	// earlyRefresh is how long before expiry an access token is replaced, at
	// most: a token handed to a server must not expire during the login.
	earlyRefresh = 5 * time.Minute
	// assumedLifetime is used when the provider does not say (expires_in).
	assumedLifetime = 30 * time.Minute
	// firstRetry and maxRetry bound the wait after a failed refresh.
	firstRetry = 2 * time.Second
	maxRetry   = 10 * time.Minute
	// keepEvery is how often Keep refreshes, so that a refresh token that
	// expires when unused (90 days at Microsoft) stays alive even while one
	// IMAP connection lasts for weeks.
	keepEvery = 6 * time.Hour
	// requestTimeout bounds one token request.
	requestTimeout = 30 * time.Second
)

// Options are the optional parts of a Source.
type Options struct {
	// Log receives one error per failure streak and one note when it ends.
	Log *slog.Logger
	// Report, if set, is called after every refresh: with the error when it
	// failed, with nil when it worked (e.g. to keep StatusKey current). It
	// runs on the caller's goroutine and should be quick.
	Report func(err error)
	// HTTPClient talks to the token endpoint (default: 30 s timeout).
	HTTPClient *http.Client
}

// Source hands out access tokens for one oauth2 configuration. It is safe
// for concurrent use; concurrent callers share one refresh.
type Source struct {
	cfg    config.OAuth2 // effective: provider defaults filled in
	log    *slog.Logger
	report func(error)
	client *http.Client
	now    func() time.Time

	// sem is a one-slot semaphore that guards the fields below; unlike a
	// mutex, waiting for it respects the caller's context.
	sem       chan struct{}
	access    string
	refreshAt time.Time // when to replace access
	expiry    time.Time // when access stops working
	failures  int       // consecutive failed refreshes
	retryAt   time.Time // no new attempt before this while failing
	lastErr   error
}

// New returns a token source for cfg. It does no I/O: a missing refresh
// token file or an unreachable provider shows in Token's error.
func New(cfg config.OAuth2, opts Options) *Source {
	s := &Source{
		cfg:    cfg.Effective(),
		log:    opts.Log,
		report: opts.Report,
		client: opts.HTTPClient,
		now:    time.Now,
		sem:    make(chan struct{}, 1),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: requestTimeout}
	}
	return s
}

// ErrBackoff marks a Token call that did not ask the provider because the
// last refresh failed and its retry time has not come yet.
var ErrBackoff = errors.New("oauth2 token refresh backing off")

// Token returns a valid access token, refreshing it when it is about to
// expire. After a failed refresh, calls until the retry time return the
// failure (wrapped with ErrBackoff) without asking the provider again, so a
// caller that retries fast cannot turn into a flood of token requests.
func (s *Source) Token(ctx context.Context) (string, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("oauth2 token: %w", ctx.Err())
	}
	defer func() { <-s.sem }()

	now := s.now()
	if s.access != "" && now.Before(s.refreshAt) {
		return s.access, nil
	}
	// While refreshing fails, a token that still works is better than none.
	usable := s.access != "" && now.Before(s.expiry.Add(-30*time.Second))
	if s.failures > 0 && now.Before(s.retryAt) {
		if usable {
			return s.access, nil
		}
		return "", fmt.Errorf("%w until %s: %w", ErrBackoff, s.retryAt.Format(time.TimeOnly), s.lastErr)
	}
	tok, err := s.refresh(ctx)
	if err != nil {
		s.failed(err)
		if usable {
			return s.access, nil
		}
		return "", err
	}
	s.succeeded(tok)
	return s.access, nil
}

// Invalidate forgets token if it is the cached access token, so that the
// next Token call fetches a new one. Call it when a server refused the
// token: it may have been revoked before it expired. Callers retry logins
// with their own backoff, which bounds the refreshes this causes.
func (s *Source) Invalidate(token string) {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if token != "" && token == s.access {
		s.access = ""
	}
}

// Keep refreshes the token every few hours until ctx ends, so the refresh
// token is used (and, where the provider rotates it, renewed) even while
// nothing else needs a new access token. Failures are handled as in Token.
func (s *Source) Keep(ctx context.Context) {
	t := time.NewTicker(keepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = s.Token(ctx)
		}
	}
}

// refresh trades the stored refresh token for an access token, and stores
// a rotated refresh token before anything else happens.
func (s *Source) refresh(ctx context.Context) (*oauth2.Token, error) {
	if s.cfg.RefreshTokenFile == "" {
		return nil, errors.New("oauth2: refresh_token_file is not set")
	}
	secret, err := s.cfg.ResolveClientSecret()
	if err != nil {
		return nil, fmt.Errorf("oauth2: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	unlock, err := lockFile(ctx, s.cfg.RefreshTokenFile+".lock")
	if err != nil {
		return nil, fmt.Errorf("oauth2: lock refresh token file: %w", err)
	}
	defer unlock()
	old, err := ReadRefreshToken(s.cfg.RefreshTokenFile)
	if err != nil {
		return nil, err
	}
	conf := s.oauth2Config(secret)
	tok, err := conf.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, s.client), &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		return nil, fmt.Errorf("oauth2 token refresh: %w", describe(err))
	}
	if tok.AccessToken == "" {
		return nil, errors.New("oauth2 token refresh: the token endpoint sent no access_token")
	}
	if tok.RefreshToken != "" && tok.RefreshToken != old {
		// The provider rotated the token and will reject the old one: the
		// new one must be on disk before it can be lost.
		if err := WriteRefreshToken(s.cfg.RefreshTokenFile, tok.RefreshToken); err != nil {
			return nil, fmt.Errorf("oauth2: store rotated refresh token: %w", err)
		}
		s.log.Info("oauth2 refresh token rotated and stored", "file", s.cfg.RefreshTokenFile)
	}
	return tok, nil
}

func (s *Source) oauth2Config(secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: secret,
		Scopes:       s.cfg.Scopes,
		Endpoint: oauth2.Endpoint{
			TokenURL:      s.cfg.TokenURL,
			DeviceAuthURL: s.cfg.DeviceAuthURL,
			// In the form body: what public clients (no secret) need, and
			// what every provider accepts. Auto-detection would double the
			// requests of every failure.
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

func (s *Source) failed(err error) {
	s.failures++
	wait := retryWait(s.failures)
	s.retryAt = s.now().Add(wait)
	s.lastErr = err
	if s.failures == 1 {
		// Once per streak: a dead token must not fill the log.
		args := []any{"err", err, "retry_in", wait.Round(time.Second)}
		if hint := Hint(err); hint != "" {
			args = append(args, "hint", hint)
		}
		s.log.Error("oauth2 token refresh failed; retrying with backoff", args...)
	} else {
		s.log.Debug("oauth2 token refresh failed again", "failures", s.failures, "err", err, "retry_in", wait.Round(time.Second))
	}
	if s.report != nil {
		s.report(err)
	}
}

func (s *Source) succeeded(tok *oauth2.Token) {
	if s.failures > 0 {
		s.log.Info("oauth2 token refresh works again", "failures", s.failures)
	}
	s.failures, s.lastErr = 0, nil
	now := s.now()
	s.access = tok.AccessToken
	s.expiry = tok.Expiry
	if s.expiry.IsZero() {
		s.expiry = now.Add(assumedLifetime)
	}
	// Replace it a little before it expires: 5 minutes, or a quarter of
	// its life when it lives shorter than 20 minutes.
	s.refreshAt = s.expiry.Add(-min(earlyRefresh, s.expiry.Sub(now)/4))
	if s.report != nil {
		s.report(nil)
	}
}

// retryWait is the pause after the nth failure in a row: 2 s doubling to
// 10 min, ±20 % so that several sources do not retry in step.
func retryWait(n int) time.Duration {
	d := min(firstRetry<<min(n-1, 20), maxRetry)
	return d + time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
}

// TokenError is a refusal from the token endpoint. Its message carries the
// status and RFC 6749 error code and description, never the response body
// (which could echo what was sent).
type TokenError struct {
	Status      int
	Code        string // e.g. invalid_grant
	Description string
	err         *oauth2.RetrieveError
}

func (e *TokenError) Error() string {
	msg := "token endpoint answered"
	if e.Status != 0 {
		msg += fmt.Sprintf(" %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

func (e *TokenError) Unwrap() error { return e.err }

// describe turns the library's RetrieveError, whose message includes the
// raw response body, into a TokenError.
func describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	te := &TokenError{Code: re.ErrorCode, err: re}
	if re.Response != nil {
		te.Status = re.Response.StatusCode
	}
	desc, _, _ := strings.Cut(re.ErrorDescription, "\n")
	desc = strings.TrimSpace(desc)
	if len(desc) > 300 {
		desc = desc[:300] + "…"
	}
	te.Description = desc
	return te
}

// Hint says what an operator can do about a refresh failure ("" when
// waiting is all there is to it).
func Hint(err error) string {
	var te *TokenError
	if errors.As(err, &te) {
		switch te.Code {
		case "invalid_grant":
			return "the refresh token was revoked or expired: run `mailflow oauth login` again"
		case "invalid_client", "unauthorized_client":
			return "check oauth2.client_id and the client secret"
		}
	}
	if errors.Is(err, ErrNoRefreshToken) {
		return "run `mailflow oauth login` to obtain a refresh token"
	}
	return ""
}
