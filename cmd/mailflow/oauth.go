package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// cmdOAuth is `mailflow oauth login`: the one-time sign-in that gives the
// daemon its refresh token.
func cmdOAuth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "login" {
		return &exitError{code: 2, err: errors.New("usage: mailflow oauth login [-config FILE] [-provider microsoft|google|generic]")}
	}
	fs, cfgPath := flags("oauth login", stderr)
	provider := fs.String("provider", "", "microsoft, google or generic (default: oauth2.provider of the config)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	o := cfg.OAuth2
	if *provider != "" {
		switch *provider {
		case config.ProviderMicrosoft, config.ProviderGoogle, config.ProviderGeneric:
		default:
			return &exitError{code: 2, err: fmt.Errorf("-provider %q is not one of microsoft, google, generic", *provider)}
		}
		o.Provider = *provider
	}
	var problems []error
	o.Check(func(key, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	})
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("%s: %w", cfg.Path, err)
	}
	scope, err := oauth.DeviceLogin(ctx, o, nil, func(dc oauth.DeviceCode) {
		fmt.Fprintf(stdout, "To sign in mailflow's mailbox, open\n\n    %s\n\nand enter the code\n\n    %s\n\n", dc.URL, dc.Code)
		if dc.CompleteURL != "" {
			fmt.Fprintf(stdout, "(or open %s, which has the code in it)\n", dc.CompleteURL)
		}
		if !dc.Expiry.IsZero() {
			fmt.Fprintf(stdout, "The code is valid until %s. ", dc.Expiry.Local().Format("15:04"))
		}
		fmt.Fprintln(stdout, "Waiting for the sign-in...")
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Signed in. The refresh token is stored in %s (mode 0600).\n", o.Effective().RefreshTokenFile)
	if scope != "" {
		fmt.Fprintf(stdout, "Granted scopes: %s\n", scope)
	}
	return nil
}
