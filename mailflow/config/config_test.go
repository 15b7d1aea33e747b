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
		{base + "imap: {host: mail.example.com, username: s@example.com, password_env: MAILFLOW_TEST_UNSET}\nsmtp: {host: mail.example.com, from: s@example.com}\n", "MAILFLOW_TEST_UNSET is not set"},
		{"sandbox: {enabled: true}\n" + base + "imap: {idle_restart: 29m}\n", "imap.idle_restart"},
	}
	for _, c := range cases {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to mention %q", c.yaml, err, c.want)
		}
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
