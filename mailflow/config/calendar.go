package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TechnicianCalendar is a technician's own calendar (technicians[].calendar):
// at most one of CalDAV, Microsoft and Google, which mailflow reads busy
// times from and writes each booking into, and/or an ICS feed that any
// calendar app can subscribe to.
type TechnicianCalendar struct {
	CalDAV    *CalDAV    `yaml:"caldav"`
	Microsoft *Microsoft `yaml:"microsoft"`
	Google    *Google    `yaml:"google"`
	// ICSFeed publishes the technician's sessions at http.public_url plus
	// a secret path (see `mailflow calendar feeds`).
	ICSFeed bool `yaml:"ics_feed"`
}

// Provider names the calendar service configured ("" when only a feed).
func (t *TechnicianCalendar) Provider() string {
	switch {
	case t == nil:
		return ""
	case t.CalDAV != nil:
		return "caldav"
	case t.Microsoft != nil:
		return "microsoft"
	case t.Google != nil:
		return "google"
	}
	return ""
}

// CalDAV is a calendar on a CalDAV server (Nextcloud, Radicale, iCloud …).
// URL is the calendar collection itself or any URL of the account (the
// server root, the principal): then the first calendar that holds events
// is used.
type CalDAV struct {
	URL      string `yaml:"url"`
	Username string `yaml:"username"`
	Secret   `yaml:",inline"`
}

// Microsoft is a technician's Microsoft 365 calendar through Microsoft
// Graph, with an app registration's client credentials (application
// permission Calendars.ReadWrite).
type Microsoft struct {
	Tenant           string `yaml:"tenant"`
	ClientID         string `yaml:"client_id"`
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretEnv  string `yaml:"client_secret_env"`
	ClientSecretFile string `yaml:"client_secret_file"`
	// User is the mailbox whose calendar is used; default the technician's email.
	User string `yaml:"user"`
	// GraphURL and TokenURL default to Microsoft's; set only for a national cloud.
	GraphURL string `yaml:"graph_url"`
	TokenURL string `yaml:"token_url"`
}

// Google is a technician's Google calendar: a service account (with
// domain-wide delegation to Subject, or with the calendar shared to it),
// or an OAuth client with a refresh token.
type Google struct {
	// CalendarID defaults to the technician's email (their primary calendar).
	CalendarID string `yaml:"calendar_id"`
	// CredentialsFile is a service account's JSON key.
	CredentialsFile string `yaml:"credentials_file"`
	// Subject is the user a service account acts as (domain-wide delegation).
	Subject string `yaml:"subject"`
	// Or an OAuth client and the file holding its refresh token.
	ClientID         string `yaml:"client_id"`
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretEnv  string `yaml:"client_secret_env"`
	ClientSecretFile string `yaml:"client_secret_file"`
	RefreshTokenFile string `yaml:"refresh_token_file"`
	// APIURL and TokenURL default to Google's.
	APIURL   string `yaml:"api_url"`
	TokenURL string `yaml:"token_url"`
}

// Calendars tunes how technicians' calendars are used (top-level calendars:).
type Calendars struct {
	// Refresh is how often busy times are read again in the background;
	// a decision uses what was read last.
	Refresh time.Duration `yaml:"refresh"`
	// Timeout bounds one call to a calendar service, and how long a
	// decision waits for busy times never read yet.
	Timeout time.Duration `yaml:"timeout"`
	// Stale: busy times older than this are not trusted; the desk falls
	// back to the config (hours, absences) for that technician and says so
	// in `mailflow status` and /healthz.
	Stale time.Duration `yaml:"stale"`
	// RetryBackoff is the first wait before a failed calendar write is
	// tried again; it doubles up to an hour. Writes are never dropped.
	RetryBackoff time.Duration `yaml:"retry_backoff"`
}

// CalendarSettings is the calendars section with defaults for every key
// left unset (a Config built in code has none).
func (c *Config) CalendarSettings() Calendars {
	d := c.Calendars
	fillCalendarDefaults(&d)
	return d
}

// effectiveCalendars fills the defaults of the calendars section.
func (c *Config) effectiveCalendars() { fillCalendarDefaults(&c.Calendars) }

func fillCalendarDefaults(d *Calendars) {
	if d.Refresh == 0 {
		d.Refresh = 2 * time.Minute
	}
	if d.Timeout == 0 {
		d.Timeout = 2 * time.Second
	}
	if d.Stale == 0 {
		d.Stale = 15 * time.Minute
	}
	if d.RetryBackoff == 0 {
		d.RetryBackoff = 30 * time.Second
	}
}

// HasCalendarWriters reports whether any technician has a calendar service
// that bookings are written into.
func (c *Config) HasCalendarWriters() bool {
	for _, t := range c.Technicians {
		if t.Calendar.Provider() != "" {
			return true
		}
	}
	return false
}

// resolveCalendarPaths makes the calendar secrets' file paths relative to
// the config's folder, like every other path.
func (c *Config) resolveCalendarPaths(base string) {
	for i := range c.Technicians {
		tc := c.Technicians[i].Calendar
		if tc == nil {
			continue
		}
		var ps []*string
		if tc.CalDAV != nil {
			ps = append(ps, &tc.CalDAV.PasswordFile)
		}
		if tc.Microsoft != nil {
			ps = append(ps, &tc.Microsoft.ClientSecretFile)
		}
		if tc.Google != nil {
			ps = append(ps, &tc.Google.CredentialsFile, &tc.Google.ClientSecretFile, &tc.Google.RefreshTokenFile)
		}
		for _, p := range ps {
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(base, *p)
			}
		}
	}
}

// checkCalendars validates the calendars section and every technician's
// calendar.
func (c *Config) checkCalendars(bad func(key, format string, args ...any)) {
	c.effectiveCalendars()
	cs := c.Calendars
	if cs.Refresh < 10*time.Second {
		bad("calendars.refresh", "%s is below 10s", cs.Refresh)
	}
	if cs.Timeout < 100*time.Millisecond || cs.Timeout > time.Minute {
		bad("calendars.timeout", "%s is not between 100ms and 1m", cs.Timeout)
	}
	if cs.Stale < cs.Refresh {
		bad("calendars.stale", "%s is below calendars.refresh (%s)", cs.Stale, cs.Refresh)
	}
	if cs.RetryBackoff < time.Second || cs.RetryBackoff > time.Hour {
		bad("calendars.retry_backoff", "%s must be between 1s and 1h", cs.RetryBackoff)
	}
	httpURL := func(key, u string, required bool) {
		if u == "" {
			if required {
				bad(key, "required")
			}
			return
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			bad(key, "%q is not an http(s) URL", u)
		}
	}
	for i, t := range c.Technicians {
		tc := t.Calendar
		if tc == nil {
			continue
		}
		key := fmt.Sprintf("technicians[%d].calendar", i)
		n := 0
		for _, set := range []bool{tc.CalDAV != nil, tc.Microsoft != nil, tc.Google != nil} {
			if set {
				n++
			}
		}
		if n > 1 {
			bad(key, "set one of caldav, microsoft and google, not %d", n)
		}
		if n == 0 && !tc.ICSFeed {
			bad(key, "empty: set caldav, microsoft or google, or ics_feed: true")
		}
		if tc.ICSFeed && c.HTTP.PublicURL == "" {
			bad(key+".ics_feed", "needs http.public_url: the feed's address is built from it")
		}
		if d := tc.CalDAV; d != nil {
			httpURL(key+".caldav.url", d.URL, true)
			if d.Username == "" && (d.Password != "" || d.PasswordEnv != "" || d.PasswordFile != "") {
				bad(key+".caldav.username", "required with a password")
			}
		}
		if m := tc.Microsoft; m != nil {
			if m.Tenant == "" {
				bad(key+".microsoft.tenant", "required (the directory (tenant) ID or domain of the app registration)")
			}
			if m.ClientID == "" {
				bad(key+".microsoft.client_id", "required")
			}
			if m.ClientSecret == "" && m.ClientSecretEnv == "" && m.ClientSecretFile == "" {
				bad(key+".microsoft.client_secret", "required: set client_secret_file, client_secret_env or client_secret")
			}
			httpURL(key+".microsoft.graph_url", m.GraphURL, false)
			httpURL(key+".microsoft.token_url", m.TokenURL, false)
		}
		if g := tc.Google; g != nil {
			switch {
			case g.CredentialsFile != "" && g.RefreshTokenFile != "":
				bad(key+".google", "set credentials_file (service account) or client_id and refresh_token_file (OAuth), not both")
			case g.CredentialsFile == "" && (g.ClientID == "" || g.RefreshTokenFile == ""):
				bad(key+".google", "set credentials_file (service account), or client_id and refresh_token_file (OAuth)")
			}
			httpURL(key+".google.api_url", g.APIURL, false)
			httpURL(key+".google.token_url", g.TokenURL, false)
		}
	}
}

// checkCalendarSecrets reads every calendar secret, like CheckSecrets.
func (c *Config) checkCalendarSecrets() error {
	var errs []error
	for i, t := range c.Technicians {
		tc := t.Calendar
		if tc == nil {
			continue
		}
		key := fmt.Sprintf("%s: technicians[%d].calendar", c.Path, i)
		if d := tc.CalDAV; d != nil && d.Username != "" {
			if err := d.Secret.required(); err != nil {
				errs = append(errs, fmt.Errorf("%s.caldav: %w", key, err))
			}
		}
		if m := tc.Microsoft; m != nil {
			if s, err := m.ResolveClientSecret(); err != nil || s == "" {
				errs = append(errs, fmt.Errorf("%s.microsoft: client secret: %w", key, orEmpty(err)))
			}
		}
		if g := tc.Google; g != nil {
			for _, f := range []string{g.CredentialsFile, g.RefreshTokenFile} {
				if f == "" {
					continue
				}
				if b, err := os.ReadFile(f); err != nil {
					errs = append(errs, fmt.Errorf("%s.google: %w", key, err))
				} else if strings.TrimSpace(string(b)) == "" {
					errs = append(errs, fmt.Errorf("%s.google: %s is empty", key, f))
				}
			}
			if _, err := g.ResolveClientSecret(); err != nil {
				errs = append(errs, fmt.Errorf("%s.google: client secret: %w", key, err))
			}
		}
	}
	return errors.Join(errs...)
}

func orEmpty(err error) error {
	if err != nil {
		return err
	}
	return errors.New("empty")
}

// ResolveClientSecret returns the Graph app's client secret.
func (m Microsoft) ResolveClientSecret() (string, error) {
	return resolveClientSecret(m.ClientSecret, m.ClientSecretEnv, m.ClientSecretFile)
}

// ResolveClientSecret returns the OAuth client's secret ("" for none).
func (g Google) ResolveClientSecret() (string, error) {
	return resolveClientSecret(g.ClientSecret, g.ClientSecretEnv, g.ClientSecretFile)
}

func resolveClientSecret(inline, env, file string) (string, error) {
	return OAuth2{ClientSecret: inline, ClientSecretEnv: env, ClientSecretFile: file}.ResolveClientSecret()
}
