package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const base = "technicians: [{name: A, email: a@example.com}]\n"

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Sandbox.Enabled || cfg.IMAP.Port != 1143 || cfg.SMTP.Port != 1025 || cfg.IMAP.Username != "support@example.com" {
		t.Fatalf("the example must run on the sandbox: %+v %+v", cfg.IMAP, cfg.SMTP)
	}
	if cfg.Desk.Timezone != "Europe/Vienna" || cfg.Desk.SlotMinutes != 30 || len(cfg.Desk.Hours["fri"]) != 2 {
		t.Fatalf("desk %+v", cfg.Desk)
	}
	if !filepath.IsAbs(cfg.Rules.Dir) && !strings.HasPrefix(cfg.Rules.Dir, "..") {
		t.Fatalf("rules.dir %q is not relative to the config file", cfg.Rules.Dir)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"sandbox: {enabled: true}\n" + base + "imap: {tls: ssl}\n", `imap.tls: "ssl" is not one of implicit, starttls, none`},
		{"sandbox: {enabled: true}\n" + base + "bogus: 1\n", "bogus"},
		{"sandbox: {enabled: true}\n" + base + "desk: {timezone: Mars/Olympus}\n", "desk.timezone"},
		{"sandbox: {enabled: true}\n" + base + "desk: {hours: {mon: [\"12:00-09:00\"]}}\n", "ends before it starts"},
		{"sandbox: {enabled: true}\n" + base + "desk: {hours: {moon: [\"09:00-12:00\"]}}\n", "not a weekday"},
		{"sandbox: {enabled: true}\n", "at least one technician"},
		{"sandbox: {enabled: true}\n" + base + "imap: {idle_restart: 29m}\n", "imap.idle_restart"},
		{"sandbox: {enabled: true}\n" + base + "database: {driver: mysql}\n", `database.driver: "mysql"`},
		{"sandbox: {enabled: true}\n" + base + "database: {driver: postgres}\n", "exactly one of dsn, dsn_env, dsn_file"},
		{"sandbox: {enabled: true}\n" + base + "database: {driver: postgres, dsn: x, dsn_env: Y}\n", "exactly one of dsn, dsn_env, dsn_file"},
		{"sandbox: {enabled: true}\n" + base + "database: {path: m.db, dsn: host=db}\n", "are for driver postgres"},
		{"sandbox: {enabled: true}\n" + base + "smtp: {connections: 0}\n", "smtp.connections: 0 must be between 1 and 10"},
		{"sandbox: {enabled: true}\n" + base + "smtp: {connections: 11}\n", "smtp.connections: 11 must be between 1 and 10"},
	}
	for _, c := range cases {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to mention %q", c.yaml, err, c.want)
		}
	}
}

func TestSecretsAreReadOnlyWhenAsked(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte(base+"imap: {host: mail.example.com, username: s@example.com, password_env: MAILFLOW_TEST_UNSET}\nsmtp: {host: mail.example.com, from: s@example.com}\n"))
	if err != nil {
		t.Fatalf("loading must not need the secret (status, appointments run without it): %v", err)
	}
	if err := cfg.CheckSecrets(); err == nil || !strings.Contains(err.Error(), "MAILFLOW_TEST_UNSET is not set") {
		t.Fatalf("CheckSecrets: %v", err)
	}
}

// TestMissingSecretSources: `mailflow check` (and run) refuse a config
// whose login would fail for want of a password.
func TestMissingSecretSources(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	t.Setenv("MAILFLOW_TEST_EMPTY", "")
	smtp := "smtp: {host: mail.example.com, from: s@example.com}\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"imap without any source", "imap: {host: mail.example.com, username: s@example.com}\n" + smtp, "imap: no password"},
		{"imap empty file", "imap: {host: mail.example.com, username: s@example.com, password_file: " + empty + "}\n" + smtp, "is empty"},
		{"imap empty env", "imap: {host: mail.example.com, username: s@example.com, password_env: MAILFLOW_TEST_EMPTY}\n" + smtp, "MAILFLOW_TEST_EMPTY is empty"},
		{"imap missing file", "imap: {host: mail.example.com, username: s@example.com, password_file: " + filepath.Join(dir, "nope") + "}\n" + smtp, "password_file"},
		{"smtp user without password", "imap: {host: mail.example.com, username: s@example.com, password: x}\nsmtp: {host: mail.example.com, from: s@example.com, username: s@example.com}\n", "smtp: no password"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse(filepath.Join(dir, "config.yaml"), []byte(base+c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.CheckSecrets(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("CheckSecrets = %v, want it to mention %q", err, c.want)
			}
		})
	}
	// An SMTP relay without AUTH needs no password.
	cfg, err := Parse(filepath.Join(dir, "config.yaml"), []byte(base+"imap: {host: mail.example.com, username: s@example.com, password: x}\n"+smtp))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckSecrets(); err != nil {
		t.Fatalf("relay without AUTH: %v", err)
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw"), []byte("from-file\n"), 0o600)
	t.Setenv("MAILFLOW_TEST_PW", "from-env")
	y := base + "imap: {host: h, username: s@example.com, password_file: pw}\nsmtp: {host: h, from: s@example.com, password_env: MAILFLOW_TEST_PW}\n"
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte(y), 0o600)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if pw, _ := cfg.IMAP.Resolve(); pw != "from-file" {
		t.Errorf("password_file gave %q", pw)
	}
	if pw, _ := cfg.SMTP.Resolve(); pw != "from-env" {
		t.Errorf("password_env gave %q", pw)
	}
	if cfg.IMAP.PollInterval != 2*time.Minute || cfg.IMAP.MaxMessageBytes != 10<<20 {
		t.Errorf("defaults lost: %+v", cfg.IMAP)
	}
}

func TestDeskKeys(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Desk.SameDay || cfg.Desk.BufferMinutes != 0 || cfg.Desk.MinNotice != 2*time.Hour || cfg.Desk.HorizonDays != 60 {
		t.Errorf("defaults: same_day %v buffer %d notice %s horizon %d", cfg.Desk.SameDay, cfg.Desk.BufferMinutes, cfg.Desk.MinNotice, cfg.Desk.HorizonDays)
	}
	if cfg.Technicians[0].Hours != nil || cfg.Technicians[0].Absences != nil {
		t.Errorf("a technician without hours must get nil (the desk's): %+v", cfg.Technicians[0])
	}
	y := `sandbox: {enabled: true}
desk:
  closed: ["2026-12-24", "2026-12-24..2027-01-06", " 2027-02-01 .. 2027-02-05 "]
  buffer_minutes: 10
  same_day: false
technicians:
  - name: Ben
    email: ben@example.com
    hours: {mon: ["13:00-17:00"], fri: ["09:00-12:00", "13:00-14:00"]}
    absences: ["2027-03-01..2027-03-05", "2027-04-01"]
`
	cfg, err = Parse("test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Desk.SameDay || cfg.Desk.BufferMinutes != 10 || len(cfg.Desk.Closed) != 3 {
		t.Errorf("desk %+v", cfg.Desk)
	}
	ben := cfg.Technicians[0]
	if len(ben.Hours) != 2 || len(ben.Hours["fri"]) != 2 || len(ben.Absences) != 2 {
		t.Errorf("technician %+v", ben)
	}
}

func TestParseDays(t *testing.T) {
	cases := []struct {
		in          string
		first, last string // "" = error
	}{
		{"2026-12-24", "2026-12-24", "2026-12-24"},
		{"2026-12-24..2027-01-06", "2026-12-24", "2027-01-06"},
		{"2026-12-24..2026-12-24", "2026-12-24", "2026-12-24"},
		{" 2026-12-24 .. 2026-12-26 ", "2026-12-24", "2026-12-26"},
		{"2027-01-06..2026-12-24", "", ""},
		{"24.12.2026", "", ""},
		{"2026-12-24..", "", ""},
		{"2026-02-30", "", ""},
		{"2026-12-24...2026-12-26", "", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		first, last, err := ParseDays(c.in)
		if c.first == "" {
			if err == nil {
				t.Errorf("%q: no error", c.in)
			}
			continue
		}
		if err != nil || first.Format(time.DateOnly) != c.first || last.Format(time.DateOnly) != c.last {
			t.Errorf("%q: %s..%s %v, want %s..%s", c.in, first, last, err, c.first, c.last)
		}
	}
}

func TestDeskKeyErrors(t *testing.T) {
	sb := "sandbox: {enabled: true}\n"
	cases := []struct{ yaml, want string }{
		{sb + base + `desk: {closed: ["2026-13-01"]}`, `desk.closed[0]: "2026-13-01" is not a day (YYYY-MM-DD) or a range of days`},
		{sb + base + `desk: {closed: ["2026-12-24", "2027-01-06..2026-12-24"]}`, `desk.closed[1]: "2027-01-06..2026-12-24" ends before it starts`},
		{sb + base + "desk: {buffer_minutes: -5}", "desk.buffer_minutes: -5 is not between 0 and 240"},
		{sb + base + "desk: {same_day: maybe}", "same_day"},
		{sb + base + "desk: {min_notice: -1h}", "desk.min_notice: -1h0m0s is negative"},
		{sb + base + "desk: {horizon_days: 6000}", "desk.horizon_days: 6000 is not between 1 and 731"},
		{sb + base + `desk: {hours: {mon: ["09:00-12:00", "11:00-13:00"]}}`, `desk.hours.mon: "11:00-13:00" overlaps "09:00-12:00"`},
		{sb + `technicians: [{name: A, email: a@example.com, hours: {}}]`, "technicians[0].hours: empty"},
		{sb + `technicians: [{name: A, email: a@example.com, hours: {sat: ["09:00-12:00"]}}]`, "technicians[0].hours: never inside desk.hours"},
		{sb + `technicians: [{name: A, email: a@example.com, hours: {mon: ["17:00-09:00"]}}]`, "technicians[0].hours.mon"},
		{sb + `technicians: [{name: A, email: a@example.com, hours: {monday: ["09:00-12:00"]}}]`, `technicians[0].hours: "monday" is not a weekday`},
		{sb + `technicians: [{name: A, email: a@example.com}, {name: B, email: b@example.com, absences: ["soon"]}]`, `technicians[1].absences[0]: "soon" is not a day`},
		{sb + `technicians: [{name: A, email: a@example.com, holidays: ["2026-12-24"]}]`, "holidays"},
	}
	for _, c := range cases {
		_, err := Parse("test.yaml", []byte(c.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n error %v\n want it to mention %q", c.yaml, err, c.want)
		}
	}
}

// TestDatabaseSource: the SQLite default needs nothing new; a PostgreSQL
// connection string is read like a password, from the file, the
// environment or inline, and its secret never shows in the name logged.
func TestDatabaseSource(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dsn"), []byte("postgres://mf:s3cret@db.example:5432/mailflow\n"), 0o600)
	t.Setenv("MAILFLOW_TEST_DSN", "host=db.example dbname=desk user=mf password=s3cret")
	for _, c := range []struct{ yaml, driver, source, name string }{
		{"", "sqlite", "mailflow.db", "mailflow.db"},
		{"database: {driver: sqlite, path: state/m.db}\n", "sqlite", "state/m.db", "state/m.db"},
		{"database: {driver: postgres, dsn_file: dsn}\n", "postgres", "postgres://mf:s3cret@db.example:5432/mailflow", "postgres://db.example:5432/mailflow"},
		{"database: {driver: postgres, dsn_env: MAILFLOW_TEST_DSN}\n", "postgres", "host=db.example dbname=desk user=mf password=s3cret", "postgres://db.example/desk"},
	} {
		os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("sandbox: {enabled: true}\n"+base+c.yaml), 0o600)
		cfg, err := Load(filepath.Join(dir, "c.yaml"))
		if err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		driver, source, err := cfg.Database.Source()
		if err != nil || driver != c.driver || !strings.HasSuffix(source, c.source) {
			t.Errorf("%q: source %s %s %v, want %s %s", c.yaml, driver, source, err, c.driver, c.source)
		}
		if name := cfg.Database.Name(); !strings.HasSuffix(name, c.name) || strings.Contains(name, "s3cret") {
			t.Errorf("%q: name %q, want %q", c.yaml, name, c.name)
		}
	}
	os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("sandbox: {enabled: true}\n"+base+"database: {driver: postgres, dsn_env: MAILFLOW_TEST_UNSET_DSN}\n"), 0o600)
	cfg, err := Load(filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckSecrets(); err == nil || !strings.Contains(err.Error(), "dsn_env") {
		t.Errorf("an unset dsn_env: %v", err)
	}
}
