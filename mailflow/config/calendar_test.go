package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const calendarBase = "sandbox: {enabled: true}\nhttp: {addr: \"127.0.0.1:9464\", public_url: \"https://desk.example.com\"}\n"

func TestCalendarKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dav.secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := calendarBase + `technicians:
  - name: Anna
    email: anna@example.com
    calendar:
      caldav: {url: "https://cloud.example.com/remote.php/dav/calendars/anna/personal/", username: anna, password_file: dav.secret}
      ics_feed: true
  - name: Ben
    email: ben@example.com
    calendar:
      microsoft: {tenant: contoso.onmicrosoft.com, client_id: abc, client_secret_env: MF_TEST_GRAPH}
  - name: Cleo
    email: cleo@example.com
    calendar:
      google: {credentials_file: sa.json, subject: cleo@example.com}
  - name: Dora
    email: dora@example.com
calendars: {refresh: 1m, timeout: 500ms}
`
	cfg, err := Parse(filepath.Join(dir, "config.yaml"), []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	techs := cfg.Technicians
	if got := []string{techs[0].Calendar.Provider(), techs[1].Calendar.Provider(), techs[2].Calendar.Provider(), techs[3].Calendar.Provider()}; strings.Join(got, ",") != "caldav,microsoft,google," {
		t.Errorf("providers %v", got)
	}
	if !techs[0].Calendar.ICSFeed || techs[0].Calendar.CalDAV.PasswordFile != filepath.Join(dir, "dav.secret") {
		t.Errorf("caldav %+v (password_file must be relative to the config)", techs[0].Calendar.CalDAV)
	}
	if techs[2].Calendar.Google.CredentialsFile != filepath.Join(dir, "sa.json") {
		t.Errorf("google credentials_file %q", techs[2].Calendar.Google.CredentialsFile)
	}
	if pw, err := techs[0].Calendar.CalDAV.Resolve(); err != nil || pw != "s3cret" {
		t.Errorf("caldav password %q, %v", pw, err)
	}
	if cs := cfg.Calendars; cs.Refresh != time.Minute || cs.Timeout != 500*time.Millisecond || cs.Stale != 15*time.Minute || cs.RetryBackoff != 30*time.Second {
		t.Errorf("calendars %+v", cs)
	}
	if !cfg.HasCalendarWriters() {
		t.Error("HasCalendarWriters false")
	}
	// The secrets are read only when asked: the env variable and the
	// service account file are missing, and both are named.
	err = cfg.CheckSecrets()
	if err == nil || !strings.Contains(err.Error(), "MF_TEST_GRAPH") || !strings.Contains(err.Error(), "sa.json") {
		t.Errorf("CheckSecrets: %v, want the missing env variable and file named", err)
	}
}

func TestCalendarKeyErrors(t *testing.T) {
	tech := func(cal string) string {
		return "technicians:\n  - name: A\n    email: a@example.com\n    calendar: " + cal + "\n"
	}
	for _, c := range []struct{ yaml, want string }{
		{calendarBase + tech("{}"), "technicians[0].calendar: empty"},
		{calendarBase + tech("{caldav: {url: x}}"), "technicians[0].calendar.caldav.url"},
		{calendarBase + tech("{caldav: {password: x, url: \"https://dav.example.com/\"}}"), "caldav.username"},
		{calendarBase + tech("{caldav: {url: \"https://a.example.com/\"}, google: {credentials_file: x}}"), "not 2"},
		{calendarBase + tech("{microsoft: {client_id: x, client_secret: y}}"), "microsoft.tenant"},
		{calendarBase + tech("{microsoft: {tenant: t, client_id: x}}"), "microsoft.client_secret"},
		{calendarBase + tech("{google: {calendar_id: x}}"), "technicians[0].calendar.google"},
		{calendarBase + tech("{google: {credentials_file: a, client_id: b, refresh_token_file: c}}"), "not both"},
		{"sandbox: {enabled: true}\n" + tech("{ics_feed: true}"), "http.public_url"},
		{calendarBase + tech("{ics_feed: true}") + "calendars: {refresh: 1s}\n", "calendars.refresh"},
		{calendarBase + tech("{ics_feed: true}") + "calendars: {timeout: 5m}\n", "calendars.timeout"},
		{calendarBase + tech("{caldav: {url: \"https://a.example.com/\", passwort: x}}"), "passwort"},
	} {
		_, err := Parse("test.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\nerror %v, want it to mention %q", c.yaml, err, c.want)
		}
	}
}

func TestCalendarSettingsDefaultsInCode(t *testing.T) {
	cs := Default().CalendarSettings()
	if cs.Refresh <= 0 || cs.Timeout <= 0 || cs.Stale < cs.Refresh || cs.RetryBackoff <= 0 {
		t.Errorf("defaults %+v", cs)
	}
}
