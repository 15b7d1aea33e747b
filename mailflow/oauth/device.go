package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailflow/mailflow/mailflow/config"
)

// DeviceCode is what the operator needs to sign in: open URL, enter Code.
type DeviceCode struct {
	URL string
	// CompleteURL, when the provider sends one, has the code built in.
	CompleteURL string
	Code        string
	Expiry      time.Time // zero when the provider did not say
}

// DeviceLogin runs the OAuth2 device authorization grant (RFC 8628) once:
// it asks the provider for a user code, hands it to show, polls the token
// endpoint (at the interval the provider asks for) until the operator has
// signed in and consented, and stores the refresh token in
// cfg.RefreshTokenFile (0600). It returns the scopes granted when the
// provider lists them. client may be nil.
func DeviceLogin(ctx context.Context, cfg config.OAuth2, client *http.Client, show func(DeviceCode)) (scope string, err error) {
	cfg = cfg.Effective()
	switch {
	case cfg.ClientID == "":
		return "", errors.New("oauth2.client_id is not set")
	case cfg.DeviceAuthURL == "":
		return "", errors.New("oauth2.device_auth_url is not set (the provider has no default)")
	case cfg.TokenURL == "":
		return "", errors.New("oauth2.token_url is not set (the provider has no default)")
	case cfg.RefreshTokenFile == "":
		return "", errors.New("oauth2.refresh_token_file is not set")
	}
	secret, err := cfg.ResolveClientSecret()
	if err != nil {
		return "", fmt.Errorf("oauth2: %w", err)
	}
	if client == nil {
		client = &http.Client{Timeout: requestTimeout}
	}
	s := &Source{cfg: cfg}
	conf := s.oauth2Config(secret)
	hctx := context.WithValue(ctx, oauth2.HTTPClient, client)

	da, err := conf.DeviceAuth(hctx)
	if err != nil {
		return "", fmt.Errorf("device authorization request: %w", describe(err))
	}
	if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return "", errors.New("device authorization request: the provider's answer lacks device_code, user_code or verification_uri")
	}
	show(DeviceCode{URL: da.VerificationURI, CompleteURL: da.VerificationURIComplete, Code: da.UserCode, Expiry: da.Expiry})

	tok, err := conf.DeviceAccessToken(hctx, da)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return "", errors.New("the code expired before the sign-in was completed: run the login again")
		}
		return "", fmt.Errorf("wait for sign-in: %w", describe(err))
	}
	if tok.RefreshToken == "" {
		return "", errors.New("the provider issued no refresh token: the scopes must allow offline access (Microsoft: offline_access)")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.RefreshTokenFile), 0o700); err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	// A running daemon may be refreshing right now; wait for it.
	unlock, err := lockFile(ctx, cfg.RefreshTokenFile+".lock")
	if err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	defer unlock()
	if err := WriteRefreshToken(cfg.RefreshTokenFile, tok.RefreshToken); err != nil {
		return "", err
	}
	scope, _ = tok.Extra("scope").(string)
	return scope, nil
}
