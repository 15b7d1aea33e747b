// Package config loads, defaults and validates mailflow's YAML configuration.
//
// A Config value is built once at start and handed to every constructor;
// nothing reads configuration from a global. Secrets come from the
// environment or a file so the YAML itself can be committed.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config is the whole configuration of one mailflow instance.
type Config struct {
	IMAP        IMAP         `yaml:"imap"`
	SMTP        SMTP         `yaml:"smtp"`
	OAuth2      OAuth2       `yaml:"oauth2"`
	Database    Database     `yaml:"database"`
	Sandbox     Sandbox      `yaml:"sandbox"`
	Desk        Desk         `yaml:"desk"`
	Technicians []Technician `yaml:"technicians"`
	Limits      Limits       `yaml:"limits"`
	HTTP        HTTP         `yaml:"http"`
	Log         Log          `yaml:"log"`
	Rules       Dir          `yaml:"rules"`
	Templates   Dir          `yaml:"templates"`
	Jobs        Jobs         `yaml:"jobs"`
	Retention   Retention    `yaml:"retention"`
	Trust       Trust        `yaml:"trust"`
	// TechnicianNotice: how the instant notice carries the AnyDesk ID.
	TechnicianNotice TechnicianNotice `yaml:"technician_notice"`
	// Calendars tunes the technicians' own calendars (calendar.go).
	Calendars Calendars `yaml:"calendars"`

	// Path is the file the config was read from ("" for Default()).
	Path string `yaml:"-"`

	// Name and Slug name the desk (desks.go): the slug is its key in
	// paths, metrics, health and the -desk flag.
	Name string `yaml:"name"`
	Slug string `yaml:"slug"`
	// DeskList is the desks: list of a file that serves several desks
	// (desks.go); the top-level keys are then every desk's defaults.
	DeskList []DeskSpec `yaml:"desks"`
	// desks are the resolved desks (Desks); ofSeveral marks one of them
	// when there are several.
	desks     []*Config
	ofSeveral bool
}

// TLS modes for IMAP and SMTP.
const (
	TLSImplicit = "implicit"
	TLSStartTLS = "starttls"
	TLSNone     = "none"
)

// IMAP is the support mailbox mailflow watches.
type IMAP struct {
	Host            string `yaml:"host"`
	Port            int    `yaml:"port"`
	TLS             string `yaml:"tls"`
	InsecureSkipTLS bool   `yaml:"insecure_skip_verify"`
	Username        string `yaml:"username"`
	// Auth is the login mechanism: login (default), plain, or xoauth2 or
	// oauthbearer with a token from the oauth2 section.
	Auth    string `yaml:"auth"`
	Secret  `yaml:",inline"`
	Mailbox string `yaml:"mailbox"`
	// ProcessedFolder, when set, receives every mail once its outcome is stored.
	ProcessedFolder string `yaml:"processed_folder"`
	// HumanFolder receives mail that mailflow will not answer itself.
	HumanFolder string `yaml:"human_folder"`
	// PollInterval is the safety-net UID SEARCH interval beside IDLE.
	PollInterval time.Duration `yaml:"poll_interval"`
	// IdleRestart re-issues IDLE at least this often (at most 10 minutes).
	IdleRestart time.Duration `yaml:"idle_restart"`
	// IdleCheck is the liveness watchdog: this often IDLE is ended and the
	// server must answer within LivenessTimeout, so a connection that died
	// silently (a frozen NAT or proxy) is noticed in well under a minute.
	IdleCheck time.Duration `yaml:"idle_check"`
	// CommandTimeout bounds every single IMAP command.
	CommandTimeout time.Duration `yaml:"command_timeout"`
	// FetchBatch is how many mails one FETCH asks for.
	FetchBatch int `yaml:"fetch_batch"`
	// MaxMessageBytes: larger mail is not fetched and gets a too-large outcome.
	MaxMessageBytes int64 `yaml:"max_message_bytes"`
}

// SMTP is the submission server replies go out through.
type SMTP struct {
	Host            string `yaml:"host"`
	Port            int    `yaml:"port"`
	TLS             string `yaml:"tls"`
	InsecureSkipTLS bool   `yaml:"insecure_skip_verify"`
	Username        string `yaml:"username"`
	// Auth is the SMTP AUTH mechanism: auto (default: the strongest the
	// server offers for a password), plain, login, or xoauth2 or
	// oauthbearer with a token from the oauth2 section.
	Auth   string `yaml:"auth"`
	Secret `yaml:",inline"`
	// From is the support address replies come from.
	From string `yaml:"from"`
	// Timeout bounds one delivery attempt.
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttempts before a temporarily failing mail is dead-lettered.
	MaxAttempts int `yaml:"max_attempts"`
	// RetryBackoff is the wait before the first retry; it doubles per
	// attempt up to an hour (±20 % jitter).
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	// IdleTimeout closes the SMTP session after this long without mail
	// (it stays open between mails and passes until then).
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// Connections is how many SMTP sessions deliver the outbox side by
	// side (1 to 10). Each mail is still sent once; the mails to one
	// recipient go over the same session, in order.
	Connections int `yaml:"connections"`
}

// MaxSMTPConnections bounds smtp.connections: providers refuse more
// parallel sessions of one account long before that.
const MaxSMTPConnections = 10

// Secret is a password given inline, by environment variable or by file.
type Secret struct {
	Password     string `yaml:"password"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
}

// Resolve returns the password from whichever source is configured.
func (s Secret) Resolve() (string, error) {
	switch {
	case s.PasswordEnv != "":
		v, ok := os.LookupEnv(s.PasswordEnv)
		if !ok {
			return "", fmt.Errorf("password_env: environment variable %s is not set", s.PasswordEnv)
		}
		return v, nil
	case s.PasswordFile != "":
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("password_file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return s.Password, nil
}

// Login mechanisms of imap.auth and smtp.auth.
const (
	AuthAuto        = "auto" // smtp only: what the server offers
	AuthLogin       = "login"
	AuthPlain       = "plain"
	AuthXOAUTH2     = "xoauth2"
	AuthOAuthBearer = "oauthbearer"
)

// UsesOAuth2 reports whether an auth mechanism takes an OAuth2 access token.
func UsesOAuth2(auth string) bool {
	return strings.EqualFold(auth, AuthXOAUTH2) || strings.EqualFold(auth, AuthOAuthBearer)
}

// OAuth2 providers.
const (
	ProviderMicrosoft = "microsoft"
	ProviderGoogle    = "google"
	ProviderGeneric   = "generic"
)

// OAuth2 is the token source for imap.auth and smtp.auth xoauth2 or
// oauthbearer: an app registration (client) and the file that holds the
// refresh token `mailflow oauth login` obtained. Keys left empty take the
// provider's defaults (see Effective).
type OAuth2 struct {
	Provider         string `yaml:"provider"` // microsoft, google or generic
	ClientID         string `yaml:"client_id"`
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretEnv  string `yaml:"client_secret_env"`
	ClientSecretFile string `yaml:"client_secret_file"`
	// Tenant is the Microsoft Entra tenant (ID or domain); default organizations.
	Tenant        string   `yaml:"tenant"`
	TokenURL      string   `yaml:"token_url"`
	DeviceAuthURL string   `yaml:"device_auth_url"`
	Scopes        []string `yaml:"scopes"`
	// RefreshTokenFile holds the refresh token. mailflow rewrites it (0600)
	// whenever the provider rotates the token, so it must be writable.
	RefreshTokenFile string `yaml:"refresh_token_file"`
}

// Effective returns o with the provider's defaults filled in for every key
// left empty. Without a provider, a token_url means generic.
func (o OAuth2) Effective() OAuth2 {
	o.Provider = strings.ToLower(strings.TrimSpace(o.Provider))
	if o.Provider == "" && o.TokenURL != "" {
		o.Provider = ProviderGeneric
	}
	o.Scopes = slices.Clone(o.Scopes)
	switch o.Provider {
	case ProviderMicrosoft:
		if o.Tenant == "" {
			o.Tenant = "organizations"
		}
		base := "https://login.microsoftonline.com/" + url.PathEscape(o.Tenant) + "/oauth2/v2.0/"
		if o.TokenURL == "" {
			o.TokenURL = base + "token"
		}
		if o.DeviceAuthURL == "" {
			o.DeviceAuthURL = base + "devicecode"
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{
				"https://outlook.office.com/IMAP.AccessAsUser.All",
				"https://outlook.office.com/SMTP.Send",
				"offline_access",
			}
		}
	case ProviderGoogle:
		if o.TokenURL == "" {
			o.TokenURL = "https://oauth2.googleapis.com/token"
		}
		if o.DeviceAuthURL == "" {
			o.DeviceAuthURL = "https://oauth2.googleapis.com/device/code"
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{"https://mail.google.com/"}
		}
	}
	return o
}

// ResolveClientSecret returns the client secret from whichever source is
// configured ("" for a public client, as device-code apps usually are).
func (o OAuth2) ResolveClientSecret() (string, error) {
	switch {
	case o.ClientSecretEnv != "":
		v, ok := os.LookupEnv(o.ClientSecretEnv)
		if !ok {
			return "", fmt.Errorf("client_secret_env: environment variable %s is not set", o.ClientSecretEnv)
		}
		return v, nil
	case o.ClientSecretFile != "":
		b, err := os.ReadFile(o.ClientSecretFile)
		if err != nil {
			return "", fmt.Errorf("client_secret_file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return o.ClientSecret, nil
}

// Check reports what keeps o from fetching tokens: each problem as the
// key and what is wrong with it.
func (o OAuth2) Check(bad func(key, format string, args ...any)) {
	e := o.Effective()
	switch e.Provider {
	case ProviderMicrosoft, ProviderGoogle, ProviderGeneric:
	case "":
		bad("oauth2.provider", "required: microsoft, google or generic")
	default:
		bad("oauth2.provider", "%q is not one of microsoft, google, generic", o.Provider)
	}
	if e.ClientID == "" {
		bad("oauth2.client_id", "required")
	}
	if e.RefreshTokenFile == "" {
		bad("oauth2.refresh_token_file", "required (written by `mailflow oauth login`)")
	}
	if e.TokenURL == "" && e.Provider == ProviderGeneric {
		bad("oauth2.token_url", "required for provider generic")
	}
	for key, u := range map[string]string{"oauth2.token_url": e.TokenURL, "oauth2.device_auth_url": e.DeviceAuthURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			bad(key, "%q is not an http(s) URL", u)
		}
	}
}

// Database says where state lives: a SQLite file (driver sqlite, the
// default) or a PostgreSQL database (driver postgres), whose connection
// string comes from dsn, dsn_env or dsn_file like a password.
type Database struct {
	Driver  string `yaml:"driver"`
	Path    string `yaml:"path"`
	DSN     string `yaml:"dsn"`
	DSNEnv  string `yaml:"dsn_env"`
	DSNFile string `yaml:"dsn_file"`
	// Schema confines a PostgreSQL store to one schema of the database
	// (created if missing): how several desks share one database. A desk
	// of a desks: list that inherits the top-level dsn gets desk_<slug>.
	Schema string `yaml:"schema"`
}

// schemaPattern is what database.schema may be: one plain lower-case
// PostgreSQL identifier (the same quoted or not), not a system schema.
var schemaPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// DeskSchema is the schema a desk inheriting a shared PostgreSQL
// database keeps its tables in.
func DeskSchema(slug string) string {
	return "desk_" + strings.ReplaceAll(slug, "-", "_")
}

// Database drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// IsPostgres reports whether the database is PostgreSQL.
func (d Database) IsPostgres() bool { return d.Driver == DriverPostgres }

// Source returns the driver and what it opens: the SQLite file, or the
// PostgreSQL connection string read from its source.
func (d Database) Source() (driver, source string, err error) {
	if !d.IsPostgres() {
		return DriverSQLite, d.Path, nil
	}
	dsn, err := Secret{Password: d.DSN, PasswordEnv: d.DSNEnv, PasswordFile: d.DSNFile}.Resolve()
	if err != nil {
		// Resolve names its keys after passwords.
		msg := strings.NewReplacer("password_env", "dsn_env", "password_file", "dsn_file").Replace(err.Error())
		return "", "", fmt.Errorf("database: %s", msg)
	}
	if strings.TrimSpace(dsn) == "" {
		return "", "", errors.New("database: the postgres dsn is empty")
	}
	return DriverPostgres, withSearchPath(strings.TrimSpace(dsn), d.Schema), nil
}

// withSearchPath adds the schema to a connection string as its
// search_path parameter (the store creates and uses it), in the form the
// string is written in: a URL's query or a key=value pair.
func withSearchPath(dsn, schema string) string {
	if schema == "" {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// Name says which database this is without its secrets: the file, or
// the PostgreSQL database's host and name.
func (d Database) Name() string {
	if !d.IsPostgres() {
		return d.Path
	}
	_, dsn, err := d.Source()
	if err != nil {
		return "postgres"
	}
	if d.Schema != "" {
		return dsnName(dsn) + " schema " + d.Schema
	}
	return dsnName(dsn)
}

// dsnName is the host and database a PostgreSQL connection string names,
// without its user and password.
func dsnName(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Host != "" {
		return "postgres://" + u.Host + u.Path
	}
	var host, db string
	for _, kv := range strings.Fields(dsn) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "host":
			host = v
		case "dbname":
			db = v
		}
	}
	return "postgres://" + host + "/" + db
}

// Sandbox is the embedded mail server for trying mailflow without an account.
type Sandbox struct {
	Enabled  bool   `yaml:"enabled"`
	IMAPAddr string `yaml:"imap_addr"`
	SMTPAddr string `yaml:"smtp_addr"`
	// Users are extra sandbox accounts (customers) besides the support one.
	Users []string `yaml:"users"`
	// Password is the password of every sandbox account.
	Password string `yaml:"password"`
}

// Desk describes the support desk: when it works and how it books.
type Desk struct {
	Company  string `yaml:"company"`
	Timezone string `yaml:"timezone"`
	// Hours maps a weekday ("mon".."sun") to opening ranges ("09:00-12:00").
	Hours map[string][]string `yaml:"hours"`
	// Holidays is a country code for public holidays (AT, DE), AT-1 … AT-9
	// (Austria plus that Land's patron day, ISO 3166-2:AT) or "none".
	Holidays string `yaml:"holidays"`
	// Closed lists extra closed days on top of the public holidays: single
	// days ("2026-12-24") or inclusive ranges ("2026-12-24..2027-01-06").
	Closed      []string `yaml:"closed"`
	SlotMinutes int      `yaml:"slot_minutes"`
	// BufferMinutes is kept free after every session (for notes, overruns),
	// so a technician's next session starts at least this long after the last.
	BufferMinutes int `yaml:"buffer_minutes"`
	// MinNotice is how far ahead of now a session must start.
	MinNotice time.Duration `yaml:"min_notice"`
	// SameDay false means nothing is booked for today, whatever min_notice says.
	SameDay     bool `yaml:"same_day"`
	HorizonDays int  `yaml:"horizon_days"`
	// Proposals is how many alternative slots a proposal offers.
	Proposals int `yaml:"proposals"`
	// SupportAddress is shown to customers; defaults to smtp.from.
	SupportAddress string `yaml:"support_address"`
	// RemoteToolURL is where customers download the remote tool.
	RemoteToolURL string `yaml:"remote_tool_url"`
	// RemoteToolPrivacyURL is the remote tool vendor's privacy policy.
	RemoteToolPrivacyURL string `yaml:"remote_tool_privacy_url"`
	// MessageIDDomain is the right-hand side of our Message-IDs.
	MessageIDDomain string `yaml:"message_id_domain"`
	// Language is the reply language when the customer's cannot be told.
	Language string `yaml:"language"`
}

// Technician is a person who runs remote sessions.
type Technician struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	// Hours are the technician's own working ranges, shaped like desk.hours;
	// nil means the desk's. A session needs both the desk open and its
	// technician at work, so hours outside desk.hours are never booked.
	Hours map[string][]string `yaml:"hours"`
	// Absences are days off: single days or ranges, like desk.closed.
	Absences []string `yaml:"absences"`
	// Calendar is the technician's own calendar, if any (calendar.go).
	Calendar *TechnicianCalendar `yaml:"calendar"`
}

// Jobs configures the clock-driven mails: the technicians' daily agenda
// and the customers' reminders.
type Jobs struct {
	// AgendaTime is when ("07:30", desk time) each technician's agenda goes
	// out on their working days. A daemon that was down then sends it as
	// soon as it is back, until the desk closes that day. AgendaOff ("none")
	// sends none by itself; `mailflow agenda -send` still can.
	AgendaTime string `yaml:"agenda_time"`
	// TeamLead, when set, gets the combined agenda of all technicians.
	TeamLead string `yaml:"team_lead"`
	// Reminders say when customers are reminded of a booked session; an
	// empty list sends none.
	Reminders []Reminder `yaml:"reminders"`
}

// Reminder is one customer reminder: either DayBeforeAt, a time of day on
// the working day before the session's day ("14:00"), or Before, a time
// span before the session starts (15m). Exactly one of them is set.
type Reminder struct {
	DayBeforeAt string        `yaml:"day_before_at"`
	Before      time.Duration `yaml:"before"`
}

// Name is the reminder's stable name in job keys and logs: "day-before"
// or "before-15m". It leaves out the time of day on purpose, so moving the
// day-before reminder from 14:00 to 15:00 does not send it a second time.
func (r Reminder) Name() string {
	if r.DayBeforeAt != "" {
		return "day-before"
	}
	s := r.Before.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		s = "0s"
	}
	return "before-" + s
}

// AgendaOff as jobs.agenda_time turns the daily agenda off.
const AgendaOff = "none"

// maxReminderBefore bounds reminders.before: a reminder weeks ahead is a
// typo (15h for 15m is not, so no lower cap beyond zero).
const maxReminderBefore = 14 * 24 * time.Hour

// Limits bound the work one mail may cause.
type Limits struct {
	MaxMIMEDepth  int `yaml:"max_mime_depth"`
	MaxParts      int `yaml:"max_parts"`
	MaxTextBytes  int `yaml:"max_text_bytes"`
	MaxHeaderSize int `yaml:"max_header_bytes"`
	// PerSenderPerDay caps automatic mails to one address in 24 hours;
	// mail beyond it is recorded as rate-limited and goes to a human.
	PerSenderPerDay int `yaml:"per_sender_per_day"`
	// The breaker holds back replies to what a loop looks like, never
	// distinct customers: more than AddressPerHour replies to one address,
	// or DomainPerHour to one domain (SharedDomains, the big mail
	// providers, exempt), within an hour. Held mail stays in the outbox.
	AddressPerHour int      `yaml:"address_per_hour"`
	DomainPerHour  int      `yaml:"domain_per_hour"`
	SharedDomains  []string `yaml:"shared_domains"`
	// BreakerMails replies within BreakerWindow (or ten times the past
	// week's usual rate, whichever is higher) raise the flood alarm: logged,
	// shown in status and metrics. It holds nothing back, so a Monday
	// backlog of real customers is never delayed by it.
	BreakerMails  int           `yaml:"breaker_mails"`
	BreakerWindow time.Duration `yaml:"breaker_window"`
}

// DefaultSharedDomains are mail providers whose many users are distinct
// customers, not one correspondent: the per-domain breaker leaves them
// alone (the per-address one still applies).
var DefaultSharedDomains = []string{
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "yahoo.de",
	"icloud.com", "me.com", "gmx.at", "gmx.de", "gmx.net", "web.de", "aon.at", "chello.at", "a1.net", "drei.at",
	"t-online.de", "posteo.de", "mailbox.org", "proton.me", "protonmail.com", "freenet.de", "kabsi.at", "utanet.at",
}

// Dir names an operator folder that overrides built-in files ("" = built-in only).
type Dir struct {
	Dir string `yaml:"dir"`
}

// HTTP is the optional health and metrics listener (/healthz, /metrics).
type HTTP struct {
	// Addr is host:port to listen on; "" turns the listener off. Keep it on
	// loopback: the daemon warns about any other address.
	Addr string `yaml:"addr"`
	// PublicURL is where people reach the desk's web pages (the listener
	// behind a reverse proxy, usually https): the base of every link in
	// mail. "" leaves links out of mail; the pages still answer on Addr.
	PublicURL string `yaml:"public_url"`
	// IntakeSilence: /healthz fails when intake has gone this long without
	// a successful poll or heartbeat.
	IntakeSilence time.Duration `yaml:"intake_silence"`
	// OutboxStuck: /healthz fails when the oldest pending mail is older.
	OutboxStuck time.Duration `yaml:"outbox_stuck"`
	// ConnectGrace: /healthz fails when intake has been (re)connecting
	// this long, or SMTP delivery failing this long while mail waits.
	ConnectGrace time.Duration `yaml:"connect_grace"`
	// MinFreeDisk: /healthz fails when the filesystem of the database has
	// less free space (bytes) than this.
	MinFreeDisk int64 `yaml:"min_free_disk"`
}

// Loopback reports whether Addr only listens on the local machine.
func (h HTTP) Loopback() bool {
	host, _, err := net.SplitHostPort(h.Addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json, or "" for auto
}

// Default returns the configuration used for every key a file leaves out.
func Default() *Config {
	return &Config{
		IMAP: IMAP{
			Port:            1143,
			TLS:             TLSNone,
			Mailbox:         "INBOX",
			HumanFolder:     "Human",
			PollInterval:    2 * time.Minute,
			IdleRestart:     9 * time.Minute,
			IdleCheck:       20 * time.Second,
			CommandTimeout:  30 * time.Second,
			FetchBatch:      50,
			MaxMessageBytes: 10 << 20,
		},
		SMTP: SMTP{
			Port:         1025,
			TLS:          TLSNone,
			Timeout:      30 * time.Second,
			MaxAttempts:  8,
			RetryBackoff: 30 * time.Second,
			IdleTimeout:  time.Minute,
			Connections:  1,
		},
		Database: Database{Path: "mailflow.db"},
		HTTP:     HTTP{IntakeSilence: 15 * time.Minute, OutboxStuck: 15 * time.Minute, ConnectGrace: 30 * time.Second, MinFreeDisk: 200 << 20},
		Sandbox: Sandbox{
			IMAPAddr: "127.0.0.1:1143",
			SMTPAddr: "127.0.0.1:1025",
			Password: "sandbox",
		},
		Desk: Desk{
			Company:  "Beispiel Software GmbH",
			Timezone: "Europe/Vienna",
			Hours: map[string][]string{
				"mon": {"09:00-12:00", "13:00-17:00"},
				"tue": {"09:00-12:00", "13:00-17:00"},
				"wed": {"09:00-12:00", "13:00-17:00"},
				"thu": {"09:00-12:00", "13:00-17:00"},
				"fri": {"09:00-12:00", "13:00-15:00"},
			},
			Holidays:             "AT",
			SlotMinutes:          30,
			MinNotice:            2 * time.Hour,
			SameDay:              true,
			HorizonDays:          60,
			Proposals:            3,
			RemoteToolURL:        "https://anydesk.com/download",
			RemoteToolPrivacyURL: "https://anydesk.com/privacy",
			Language:             "de",
		},
		Limits: Limits{
			MaxMIMEDepth:  10,
			MaxParts:      100,
			MaxTextBytes:  256 << 10,
			MaxHeaderSize: 64 << 10,

			PerSenderPerDay: 5,
			AddressPerHour:  10,
			DomainPerHour:   60,
			SharedDomains:   slices.Clone(DefaultSharedDomains),
			BreakerMails:    300,
			BreakerWindow:   10 * time.Minute,
		},
		Log: Log{Level: "info"},
		Jobs: Jobs{
			AgendaTime: "07:30",
			Reminders:  []Reminder{{DayBeforeAt: "14:00"}, {Before: 15 * time.Minute}},
		},
		// IDs go the moment a session is done; raw mail stays a month
		// in case a customer disputes what was agreed.
		// The server copies end with the database's; the redacted copy
		// keeps the thread readable. A forgotten customer goes everywhere.
		Retention: Retention{AnyDeskIDDays: 0, RawMailDays: 30, Server: ServerRedact, ExpungeOnForget: true},
		// link once the web session page exists (issue 19).
		TechnicianNotice: TechnicianNotice{}, // link with http.public_url, else mail (see checkRetention)
		Trust:            Trust{Require: TrustCapability},
	}
}

// Load reads the file at path over the defaults and validates the result.
// Errors name the file and line of the offending key.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load for bytes already read; name is used in error messages.
func Parse(name string, data []byte) (*Config, error) {
	cfg := Default()
	// A file that sets desk.hours replaces the default week, not merges into it.
	cfg.Desk.Hours = nil
	if err := yaml.UnmarshalWithOptions(data, cfg, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimSpace(yaml.FormatError(err, false, true)))
	}
	if cfg.Desk.Hours == nil {
		cfg.Desk.Hours = Default().Desk.Hours
	}
	if cfg.DeskList != nil {
		return parseDesks(name, data, cfg)
	}
	cfg.Path = name
	cfg.resolvePaths(filepath.Dir(name))
	cfg.resolveCalendarPaths(filepath.Dir(name))
	if err := cfg.normalise(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

// resolvePaths makes relative paths relative to the config file's folder, so
// the daemon finds its rules, templates and database wherever it is started.
func (c *Config) resolvePaths(base string) {
	for _, p := range []*string{&c.Rules.Dir, &c.Templates.Dir, &c.Database.Path, &c.Database.DSNFile, &c.IMAP.PasswordFile, &c.SMTP.PasswordFile,
		&c.OAuth2.RefreshTokenFile, &c.OAuth2.ClientSecretFile} {
		if *p != "" && *p != ":memory:" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
}

// Find returns the config file to use: the explicit one, else ./config.yaml,
// else ./config.example.yaml.
func Find(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	for _, p := range []string{"config.yaml", "config.example.yaml"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no config: pass -config FILE or create ./config.yaml (see config.example.yaml)")
}

// normalise fills derived defaults and checks every value that would
// otherwise fail later, far from its cause.
func (c *Config) normalise() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if err := c.normaliseDesk(); err != nil {
		errs = append(errs, err)
	}
	for _, m := range []struct{ key, v string }{{"imap.tls", c.IMAP.TLS}, {"smtp.tls", c.SMTP.TLS}} {
		switch m.v {
		case TLSImplicit, TLSStartTLS, TLSNone:
		default:
			bad(m.key, "%q is not one of implicit, starttls, none", m.v)
		}
	}
	if c.Sandbox.Enabled {
		// The sandbox is the mail server: point IMAP and SMTP at it.
		c.IMAP.Host, c.IMAP.Port = splitHostPort(c.Sandbox.IMAPAddr, c.IMAP.Port)
		c.SMTP.Host, c.SMTP.Port = splitHostPort(c.Sandbox.SMTPAddr, c.SMTP.Port)
		c.IMAP.TLS, c.SMTP.TLS = TLSNone, TLSNone
		if c.IMAP.Username == "" {
			c.IMAP.Username = "support@example.com"
		}
		if c.IMAP.Password == "" && c.IMAP.PasswordEnv == "" && c.IMAP.PasswordFile == "" {
			c.IMAP.Password = c.Sandbox.Password
		}
	}
	if c.SMTP.From == "" {
		c.SMTP.From = c.IMAP.Username
	}
	if c.Desk.SupportAddress == "" {
		c.Desk.SupportAddress = c.SMTP.From
	}
	if c.Desk.MessageIDDomain == "" {
		if _, dom, ok := strings.Cut(c.SMTP.From, "@"); ok {
			c.Desk.MessageIDDomain = dom
		} else {
			c.Desk.MessageIDDomain = "mailflow.invalid"
		}
	}
	c.IMAP.Auth = strings.ToLower(c.IMAP.Auth)
	switch c.IMAP.Auth {
	case "", AuthLogin, AuthPlain, AuthXOAUTH2, AuthOAuthBearer:
	default:
		bad("imap.auth", "%q is not one of login, plain, xoauth2, oauthbearer", c.IMAP.Auth)
	}
	c.SMTP.Auth = strings.ToLower(c.SMTP.Auth)
	switch c.SMTP.Auth {
	case "", AuthAuto:
	case AuthPlain, AuthLogin, AuthXOAUTH2, AuthOAuthBearer:
		if c.SMTP.Username == "" && UsesOAuth2(c.SMTP.Auth) {
			// The token is the mailbox's: so, usually, is the SMTP login.
			c.SMTP.Username = c.IMAP.Username
		}
		if c.SMTP.Username == "" {
			bad("smtp.username", "required for smtp.auth %s", c.SMTP.Auth)
		}
	default:
		bad("smtp.auth", "%q is not one of auto, plain, login, xoauth2, oauthbearer", c.SMTP.Auth)
	}
	if UsesOAuth2(c.IMAP.Auth) || UsesOAuth2(c.SMTP.Auth) {
		c.OAuth2.Check(bad)
	} else if p := c.OAuth2.Effective().Provider; p != "" && p != ProviderMicrosoft && p != ProviderGoogle && p != ProviderGeneric {
		bad("oauth2.provider", "%q is not one of microsoft, google, generic", c.OAuth2.Provider)
	}
	if c.IMAP.Host == "" {
		bad("imap.host", "required (or enable the sandbox)")
	}
	if c.SMTP.Host == "" {
		bad("smtp.host", "required (or enable the sandbox)")
	}
	// Port 0 lets the sandbox pick free ports (tests); a real server needs one.
	minPort := 1
	if c.Sandbox.Enabled {
		minPort = 0
	}
	if c.IMAP.Port < minPort || c.IMAP.Port > 65535 {
		bad("imap.port", "%d is not a port", c.IMAP.Port)
	}
	if c.SMTP.Port < minPort || c.SMTP.Port > 65535 {
		bad("smtp.port", "%d is not a port", c.SMTP.Port)
	}
	if c.IMAP.Username == "" {
		bad("imap.username", "required")
	}
	if !strings.Contains(c.SMTP.From, "@") {
		bad("smtp.from", "%q is not a mail address", c.SMTP.From)
	}
	if c.IMAP.Mailbox == "" {
		bad("imap.mailbox", "required")
	}
	if c.IMAP.IdleRestart <= 0 || c.IMAP.IdleRestart > 10*time.Minute {
		bad("imap.idle_restart", "%s must be above 0 and at most 10m", c.IMAP.IdleRestart)
	}
	if c.IMAP.IdleCheck < time.Second {
		bad("imap.idle_check", "%s is below 1s", c.IMAP.IdleCheck)
	}
	if c.IMAP.PollInterval < time.Second {
		bad("imap.poll_interval", "%s is below 1s", c.IMAP.PollInterval)
	}
	if c.IMAP.CommandTimeout < time.Second {
		bad("imap.command_timeout", "%s is below 1s", c.IMAP.CommandTimeout)
	}
	if c.IMAP.FetchBatch < 1 {
		bad("imap.fetch_batch", "must be at least 1")
	}
	if c.IMAP.MaxMessageBytes < 1024 {
		bad("imap.max_message_bytes", "%d is below 1024", c.IMAP.MaxMessageBytes)
	}
	if c.SMTP.RetryBackoff < time.Second || c.SMTP.RetryBackoff > time.Hour {
		bad("smtp.retry_backoff", "%s must be between 1s and 1h", c.SMTP.RetryBackoff)
	}
	if c.SMTP.MaxAttempts < 1 {
		bad("smtp.max_attempts", "must be at least 1")
	}
	if c.SMTP.Connections < 1 || c.SMTP.Connections > MaxSMTPConnections {
		bad("smtp.connections", "%d must be between 1 and %d", c.SMTP.Connections, MaxSMTPConnections)
	}
	if c.Limits.PerSenderPerDay < 1 {
		bad("limits.per_sender_per_day", "must be at least 1")
	}
	if c.Limits.AddressPerHour < 1 || c.Limits.DomainPerHour < 1 {
		bad("limits.address_per_hour", "address_per_hour (%d) and domain_per_hour (%d) must be at least 1", c.Limits.AddressPerHour, c.Limits.DomainPerHour)
	}
	if c.Limits.BreakerMails < 1 || c.Limits.BreakerWindow < time.Second {
		bad("limits.breaker_mails", "breaker_mails must be at least 1 and breaker_window at least 1s")
	}
	switch c.Database.Driver {
	case "", DriverSQLite:
		c.Database.Driver = DriverSQLite
		if c.Database.Path == "" {
			bad("database.path", "required")
		}
		if c.Database.DSN != "" || c.Database.DSNEnv != "" || c.Database.DSNFile != "" {
			bad("database.dsn", "dsn, dsn_env and dsn_file are for driver postgres (driver is sqlite)")
		}
		if c.Database.Schema != "" {
			bad("database.schema", "schema is for driver postgres (driver is sqlite)")
		}
	case DriverPostgres:
		n := 0
		for _, v := range []string{c.Database.DSN, c.Database.DSNEnv, c.Database.DSNFile} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			bad("database.dsn", "driver postgres needs exactly one of dsn, dsn_env, dsn_file")
		}
		if sc := c.Database.Schema; sc != "" && (!schemaPattern.MatchString(sc) || strings.HasPrefix(sc, "pg_") || sc == "information_schema") {
			bad("database.schema", "%q: want a lower-case name of letters, digits and _ (at most 63, not pg_…)", sc)
		}
	default:
		bad("database.driver", "%q: want sqlite or postgres", c.Database.Driver)
	}
	if c.HTTP.Addr != "" {
		// Any host is allowed (the daemon warns unless it is loopback).
		if _, port, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
			bad("http.addr", "%q is not host:port: %v", c.HTTP.Addr, err)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("http.addr", "%q has no valid port", c.HTTP.Addr)
		}
	}
	if c.HTTP.PublicURL != "" {
		c.HTTP.PublicURL = strings.TrimRight(strings.TrimSpace(c.HTTP.PublicURL), "/")
		if p, err := url.Parse(c.HTTP.PublicURL); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
			bad("http.public_url", "%q is not an http(s) URL like https://desk.example.com", c.HTTP.PublicURL)
		} else if c.HTTP.Addr == "" {
			bad("http.public_url", "set, but http.addr is not: nothing would answer the links in mail")
		}
	}
	if c.HTTP.MinFreeDisk < 0 {
		bad("http.min_free_disk", "%d is below 0 (bytes; 0 turns the check off)", c.HTTP.MinFreeDisk)
	}
	if c.HTTP.IntakeSilence < time.Second || c.HTTP.OutboxStuck < time.Second || c.HTTP.ConnectGrace < time.Second {
		bad("http", "intake_silence, outbox_stuck and connect_grace must each be at least 1s")
	}
	if _, err := time.LoadLocation(c.Desk.Timezone); err != nil {
		bad("desk.timezone", "%v", err)
	}
	checkWeek("desk.hours", c.Desk.Hours, bad)
	checkDays("desk.closed", c.Desk.Closed, bad)
	if !holidayCode.MatchString(strings.ToUpper(strings.TrimSpace(c.Desk.Holidays))) {
		bad("desk.holidays", "%q is not one of AT, AT-1 … AT-9 (AT plus a Land's patron day), DE, none", c.Desk.Holidays)
	}
	if c.Desk.SlotMinutes < 5 || c.Desk.SlotMinutes > 240 {
		bad("desk.slot_minutes", "%d is not between 5 and 240", c.Desk.SlotMinutes)
	}
	if c.Desk.BufferMinutes < 0 || c.Desk.BufferMinutes > 240 {
		bad("desk.buffer_minutes", "%d is not between 0 and 240", c.Desk.BufferMinutes)
	}
	if c.Desk.MinNotice < 0 {
		bad("desk.min_notice", "%s is negative", c.Desk.MinNotice)
	}
	// The upper bound keeps a typo (600 for 60) from making every search
	// for a free slot walk years of calendar.
	if c.Desk.HorizonDays < 1 || c.Desk.HorizonDays > maxHorizonDays {
		bad("desk.horizon_days", "%d is not between 1 and %d", c.Desk.HorizonDays, maxHorizonDays)
	}
	if c.Desk.Proposals < 1 || c.Desk.Proposals > 9 {
		bad("desk.proposals", "%d is not between 1 and 9", c.Desk.Proposals)
	}
	switch c.Desk.Language {
	case "de", "en":
	default:
		bad("desk.language", "%q is not de or en", c.Desk.Language)
	}
	if len(c.Technicians) == 0 {
		bad("technicians", "at least one technician is needed")
	}
	seen := map[string]bool{}
	for i, t := range c.Technicians {
		if !strings.Contains(t.Email, "@") {
			bad(fmt.Sprintf("technicians[%d].email", i), "%q is not a mail address", t.Email)
		}
		if seen[strings.ToLower(t.Email)] {
			bad(fmt.Sprintf("technicians[%d].email", i), "%s is listed twice", t.Email)
		}
		seen[strings.ToLower(t.Email)] = true
		key := fmt.Sprintf("technicians[%d]", i)
		if t.Hours != nil {
			if len(t.Hours) == 0 {
				bad(key+".hours", "empty: the technician would never work; leave the key out to use desk.hours")
			} else if checkWeek(key+".hours", t.Hours, bad) && !weeksMeet(t.Hours, c.Desk.Hours) {
				// Bookable time is the overlap with the desk's hours; none
				// at all is surely a mistake, not a wish.
				bad(key+".hours", "never inside desk.hours, so %s could never be booked", t.Email)
			}
		}
		checkDays(key+".absences", t.Absences, bad)
	}
	c.checkJobs(bad)
	c.checkRetention(bad)
	c.checkTrust(bad)
	c.checkCalendars(bad)
	return errors.Join(errs...)
}

// CheckSecrets reads every configured password and client secret, so the
// daemon and `mailflow check` fail at start with the key at fault. Loading
// the config does not read them: under systemd's LoadCredential the files
// exist only inside the service, and the commands that only read the
// database (status, appointments, agenda, audit) must work from a shell.
func (c *Config) CheckSecrets() error {
	var errs []error
	if _, _, err := c.Database.Source(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", c.Path, err))
	}
	if !c.Sandbox.Enabled {
		// IMAP always logs in; SMTP only when a username is set (a relay on
		// the same machine may take mail without AUTH).
		if !UsesOAuth2(c.IMAP.Auth) {
			if err := c.IMAP.Secret.required(); err != nil {
				errs = append(errs, fmt.Errorf("%s: imap: %w", c.Path, err))
			}
		}
		if !UsesOAuth2(c.SMTP.Auth) && c.SMTP.Username != "" {
			if err := c.SMTP.Secret.required(); err != nil {
				errs = append(errs, fmt.Errorf("%s: smtp: %w", c.Path, err))
			}
		}
	}
	if UsesOAuth2(c.IMAP.Auth) || UsesOAuth2(c.SMTP.Auth) {
		o := c.OAuth2.Effective()
		if _, err := o.ResolveClientSecret(); err != nil {
			errs = append(errs, fmt.Errorf("%s: oauth2: %w", c.Path, err))
		}
		if o.RefreshTokenFile != "" {
			if b, err := os.ReadFile(o.RefreshTokenFile); err != nil {
				errs = append(errs, fmt.Errorf("%s: oauth2.refresh_token_file: %w (run `mailflow oauth login` first)", c.Path, err))
			} else if strings.TrimSpace(string(b)) == "" {
				errs = append(errs, fmt.Errorf("%s: oauth2.refresh_token_file %s is empty (run `mailflow oauth login`)", c.Path, o.RefreshTokenFile))
			}
		}
	}
	errs = append(errs, c.checkCalendarSecrets())
	return errors.Join(errs...)
}

// required resolves a password that must exist: its source is set, can be
// read, and gives a non-empty password.
func (s Secret) required() error {
	if s.Password == "" && s.PasswordEnv == "" && s.PasswordFile == "" {
		return errors.New("no password: set password_file, password_env or password")
	}
	v, err := s.Resolve()
	if err != nil {
		return err
	}
	if v == "" {
		switch {
		case s.PasswordEnv != "":
			return fmt.Errorf("password_env: environment variable %s is empty", s.PasswordEnv)
		case s.PasswordFile != "":
			return fmt.Errorf("password_file: %s is empty", s.PasswordFile)
		}
	}
	return nil
}

// checkJobs validates the jobs section.
func (c *Config) checkJobs(bad func(key, format string, args ...any)) {
	if _, err := ParseClock(c.Jobs.AgendaTime); err != nil && !strings.EqualFold(c.Jobs.AgendaTime, AgendaOff) {
		bad("jobs.agenda_time", "%v (or %s)", err, AgendaOff)
	}
	if c.Jobs.TeamLead != "" && !strings.Contains(c.Jobs.TeamLead, "@") {
		bad("jobs.team_lead", "%q is not a mail address", c.Jobs.TeamLead)
	}
	names := map[string]bool{}
	for i, r := range c.Jobs.Reminders {
		key := fmt.Sprintf("jobs.reminders[%d]", i)
		switch {
		case r.DayBeforeAt != "" && r.Before != 0:
			bad(key, "set either day_before_at or before, not both")
			continue
		case r.DayBeforeAt != "":
			if _, err := ParseClock(r.DayBeforeAt); err != nil {
				bad(key+".day_before_at", "%v", err)
			}
		case r.Before <= 0 || r.Before > maxReminderBefore:
			bad(key+".before", "%s is not above 0 and at most %s (or use day_before_at)", r.Before, maxReminderBefore)
			continue
		}
		if names[r.Name()] {
			// The name is the reminder's key: two with one name would
			// send only one of them, silently.
			bad(key, "a second %s reminder; each may appear once", r.Name())
		}
		names[r.Name()] = true
	}
}

// Location returns the desk's time zone (validated by Load).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Desk.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// maxHorizonDays bounds desk.horizon_days (two years).
const maxHorizonDays = 731

// checkWeek validates an hours map (weekday → ranges) and reports whether it
// was all valid. Ranges of one day must not overlap: the slot grid would
// offer the overlap twice.
func checkWeek(key string, week map[string][]string, bad func(key, format string, args ...any)) bool {
	ok := true
	for day, ranges := range week {
		if _, isDay := Weekdays[day]; !isDay {
			bad(key, "%q is not a weekday (mon..sun)", day)
			ok = false
			continue
		}
		type span struct {
			from, to int
			text     string
		}
		var spans []span
		for _, r := range ranges {
			from, to, err := ParseRange(r)
			if err != nil {
				bad(key+"."+day, "%v", err)
				ok = false
				continue
			}
			for _, o := range spans {
				if from < o.to && o.from < to {
					bad(key+"."+day, "%q overlaps %q", r, o.text)
					ok = false
				}
			}
			spans = append(spans, span{from, to, r})
		}
	}
	return ok
}

// weeksMeet reports whether two valid hours maps share any minute.
func weeksMeet(a, b map[string][]string) bool {
	for day, ra := range a {
		for _, x := range ra {
			xf, xt, _ := ParseRange(x)
			for _, y := range b[day] {
				if yf, yt, err := ParseRange(y); err == nil && xf < yt && yf < xt {
					return true
				}
			}
		}
	}
	return false
}

// checkDays validates a list of days and day ranges (desk.closed, absences).
func checkDays(key string, days []string, bad func(key, format string, args ...any)) {
	for i, d := range days {
		if _, _, err := ParseDays(d); err != nil {
			bad(fmt.Sprintf("%s[%d]", key, i), "%v", err)
		}
	}
}

// ParseDays parses a single day "2026-12-24" or an inclusive range
// "2026-12-24..2027-01-06" into its first and last day, as midnight UTC
// dates (callers compare calendar dates, not instants).
func ParseDays(s string) (first, last time.Time, err error) {
	a, b, isRange := strings.Cut(s, "..")
	bad := func() (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, fmt.Errorf("%q is not a day (YYYY-MM-DD) or a range of days (YYYY-MM-DD..YYYY-MM-DD)", s)
	}
	if first, err = time.Parse(time.DateOnly, strings.TrimSpace(a)); err != nil {
		return bad()
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = time.Parse(time.DateOnly, strings.TrimSpace(b)); err != nil {
		return bad()
	}
	if last.Before(first) {
		return time.Time{}, time.Time{}, fmt.Errorf("%q ends before it starts", s)
	}
	return first, last, nil
}

// holidayCode is what desk.holidays accepts; booking holds the days behind
// each code (AT-n: the Land numbered n in ISO 3166-2:AT).
var holidayCode = regexp.MustCompile(`^(AT|AT-[1-9]|DE|NONE|)$`)

// Weekdays maps config weekday keys to time.Weekday.
var Weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseRange parses "09:00-12:00" into minutes after midnight.
func ParseRange(s string) (from, to int, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not a range like 09:00-12:00", s)
	}
	if from, err = parseClock(strings.TrimSpace(a)); err != nil {
		return 0, 0, err
	}
	if to, err = parseClock(strings.TrimSpace(b)); err != nil {
		return 0, 0, err
	}
	if to <= from {
		return 0, 0, fmt.Errorf("%q ends before it starts", s)
	}
	return from, to, nil
}

// ParseClock parses a time of day "07:30" into minutes after midnight.
func ParseClock(s string) (int, error) { return parseClock(strings.TrimSpace(s)) }

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func splitHostPort(addr string, fallback int) (string, int) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return addr, fallback
	}
	var port int
	if _, err := fmt.Sscanf(addr[i+1:], "%d", &port); err != nil {
		return addr[:i], fallback
	}
	return strings.Trim(addr[:i], "[]"), port
}
