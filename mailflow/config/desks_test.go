package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// twoDesks is a deployment of two vendors' desks: the top level is the
// house style both inherit; each desk brings its mailbox and people.
const twoDesks = `
imap: {host: mail.example.com, port: 993, tls: implicit, password_env: MF_TEST_PW}
smtp: {host: mail.example.com, port: 587, tls: starttls}
database: {path: data/mailflow.db}
desk: {timezone: Europe/Vienna, holidays: AT, language: de, company: Hosting GmbH}
http: {addr: 127.0.0.1:8080, public_url: https://desks.example.com/}
templates: {dir: templates-house}
limits: {per_sender_per_day: 7}
desks:
  - name: Alpha Software
    imap: {username: support@alpha.example}
    technicians: [{name: Anna, email: anna@alpha.example}]
  - slug: beta
    name: Beta Kassen
    imap: {username: hilfe@beta.example, mailbox: Support}
    smtp: {from: hilfe@beta.example}
    desk:
      language: en
      holidays: DE
      hours: {mon: ["08:00-12:00"]}
    technicians: [{name: Bernd, email: bernd@beta.example}, {name: Berta, email: berta@beta.example}]
    templates: {dir: beta-templates}
    database: {path: /srv/beta/state.db}
    limits: {per_sender_per_day: 2}
`

func TestDesksResolve(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	cfg, err := Parse(path, []byte(twoDesks))
	if err != nil {
		t.Fatal(err)
	}
	desks := cfg.Desks()
	if len(desks) != 2 || !cfg.Several() {
		t.Fatalf("%d desks, want 2", len(desks))
	}
	a, b := desks[0], desks[1]
	cases := []struct {
		what      string
		got, want any
	}{
		{"a slug from its name", a.Slug, "alpha-software"},
		{"a name", a.Name, "Alpha Software"},
		{"b slug", b.Slug, "beta"},
		{"a inherits imap host", a.IMAP.Host, "mail.example.com"},
		{"a own username", a.IMAP.Username, "support@alpha.example"},
		{"a smtp.from from its username", a.SMTP.From, "support@alpha.example"},
		{"a inherits mailbox", a.IMAP.Mailbox, "INBOX"},
		{"b own mailbox", b.IMAP.Mailbox, "Support"},
		{"b inherits port", b.IMAP.Port, 993},
		{"a inherits password source", a.IMAP.PasswordEnv, "MF_TEST_PW"},
		{"a database beside the top-level one", a.Database.Path, filepath.Join(dir, "data", "alpha-software.db")},
		{"b own database", b.Database.Path, "/srv/beta/state.db"},
		{"a inherits language", a.Desk.Language, "de"},
		{"b own language", b.Desk.Language, "en"},
		{"b own holidays", b.Desk.Holidays, "DE"},
		{"b inherits the rest of desk:", b.Desk.Company, "Hosting GmbH"},
		{"a inherits the default week", len(a.Desk.Hours), 5},
		{"b's week replaces, not merges", b.Desk.Hours, map[string][]string{"mon": {"08:00-12:00"}}},
		{"a technicians", len(a.Technicians), 1},
		{"b technicians", len(b.Technicians), 2},
		{"a inherits templates", a.Templates.Dir, filepath.Join(dir, "templates-house")},
		{"b own templates, relative to the file", b.Templates.Dir, filepath.Join(dir, "beta-templates")},
		{"a inherits limits", a.Limits.PerSenderPerDay, 7},
		{"b own limits", b.Limits.PerSenderPerDay, 2},
		{"b keeps inherited limits it did not set", b.Limits.AddressPerHour, Default().Limits.AddressPerHour},
		{"a's links under its path", a.HTTP.PublicURL, "https://desks.example.com/d/alpha-software"},
		{"b's links under its path", b.HTTP.PublicURL, "https://desks.example.com/d/beta"},
		{"the listener's own url", cfg.HTTP.PublicURL, "https://desks.example.com"},
		{"support address per desk", b.Desk.SupportAddress, "hilfe@beta.example"},
		{"message ids per desk", b.Desk.MessageIDDomain, "beta.example"},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	// Nothing is shared: a change to one desk's slices never shows in another's.
	a.Limits.SharedDomains[0] = "changed.example"
	if b.Limits.SharedDomains[0] == "changed.example" {
		t.Error("desks share a slice")
	}
}

func TestSingleDeskUnchanged(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Desks(); len(d) != 1 || d[0] != cfg || cfg.Several() {
		t.Fatalf("a single-desk file is one desk, itself: %v", d)
	}
	if cfg.Slug != "" {
		t.Errorf("slug %q, want none", cfg.Slug)
	}
	if d, err := cfg.DeskBySlug(""); err != nil || d != cfg {
		t.Errorf("DeskBySlug(\"\") = %v, %v", d, err)
	}
	named, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\nname: Müller & Söhne IT\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if named.Slug != "mueller-soehne-it" {
		t.Errorf("slug %q", named.Slug)
	}
	if d, err := named.DeskBySlug("mueller-soehne-it"); err != nil || d != named {
		t.Errorf("DeskBySlug: %v, %v", d, err)
	}
}

func TestDeskBySlug(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(twoDesks))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ slug, want, err string }{
		{"beta", "beta", ""},
		{"BETA", "beta", ""},
		{"", "", "serves 2 desks: choose one with -desk alpha-software|beta"},
		{"gamma", "", `no desk "gamma"; its desks are alpha-software, beta`},
	}
	for _, c := range cases {
		d, err := cfg.DeskBySlug(c.slug)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.slug, err, c.err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.slug, err)
		case d.Slug != c.want:
			t.Errorf("%q: got %s", c.slug, d.Slug)
		}
	}
}

func TestDesksErrors(t *testing.T) {
	const top = "imap: {host: mail.example.com, password: x}\nsmtp: {host: mail.example.com}\ntechnicians: [{name: A, email: a@example.com}]\n"
	cases := []struct{ name, yaml, want string }{
		{"duplicate slugs", top + "desks:\n  - {slug: a, imap: {username: a@x.example}}\n  - {name: A, imap: {username: b@x.example}}\n",
			`desks[1] (a): slug "a" is also desks[0]'s`},
		{"same mailbox", top + "desks:\n  - {slug: a, imap: {username: s@x.example}}\n  - {slug: b, imap: {username: S@x.example}}\n",
			"desks[1] (b): imap: the same mailbox (S@x.example on mail.example.com:1143) as desks[0]"},
		{"same mailbox by inheritance", strings.Replace(top, "password: x", "password: x, username: s@x.example", 1) + "desks:\n  - {slug: a}\n  - {slug: b}\n",
			"the same mailbox"},
		{"no name nor slug", top + "desks:\n  - {imap: {username: a@x.example}}\n", "desks[0]: name or slug is required"},
		{"bad slug", top + "desks:\n  - {slug: Big Desk, imap: {username: a@x.example}}\n", `slug: "Big Desk" is not a slug`},
		{"name without letters", top + "desks:\n  - {name: '!!', imap: {username: a@x.example}}\n", "gives no slug"},
		{"missing field", "smtp: {host: mail.example.com}\ntechnicians: [{name: A, email: a@example.com}]\ndesks:\n  - {slug: a, imap: {username: a@x.example}}\n",
			"desks[0] (a): imap.host: required"},
		{"no technicians", "imap: {host: h.example, password: x}\nsmtp: {host: h.example}\ndesks:\n  - {slug: a, imap: {username: a@x.example}}\n",
			"desks[0] (a): technicians: at least one technician"},
		{"unknown key in a desk", top + "desks:\n  - {slug: a, imap: {username: a@x.example}, colour: red}\n", "colour"},
		{"process-wide key in a desk", top + "desks:\n  - slug: a\n    http: {addr: 127.0.0.1:9}\n", "desks[0]: line 6: http is set for the whole file"},
		{"same database", top + "desks:\n  - {slug: a, imap: {username: a@x.example}, database: {path: one.db}}\n  - {slug: b, imap: {username: b@x.example}, database: {path: one.db}}\n",
			"desks[1] (b): database: the same database as desks[0] (" + filepath.Join(".", "one.db") + "); every desk needs its own"},
		{"same postgres database, no schema", top + "database: {driver: postgres, dsn: 'postgres://mf:s3cret@db.example/mailflow'}\ndesks:\n  - {slug: a, imap: {username: a@x.example}, database: {dsn: 'postgres://mf:s3cret@db.example/mailflow'}}\n  - {slug: b, imap: {username: b@x.example}, database: {dsn: 'postgres://other:pw@db.example/mailflow'}}\n",
			"desks[1] (b): database: the same database as desks[0] (dsn=postgres://db.example/mailflow); every desk needs its own (on a shared PostgreSQL database: a database.schema of its own)"},
		{"same postgres schema", top + "database: {driver: postgres, dsn: 'postgres://mf:s3cret@db.example/mailflow'}\ndesks:\n  - {slug: a, imap: {username: a@x.example}, database: {schema: desk}}\n  - {slug: b, imap: {username: b@x.example}, database: {schema: desk}}\n",
			"desks[1] (b): database: the same database as desks[0] (dsn=postgres://db.example/mailflow schema=desk)"},
		{"schemas named alike", top + "database: {driver: postgres, dsn: 'postgres://mf:s3cret@db.example/mailflow'}\ndesks:\n  - {slug: a-b, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: b@x.example}, database: {schema: desk_a_b}}\n",
			"desks[1] (b): database: the same database as desks[0]"},
		{"bad schema", top + "database: {driver: postgres, dsn: 'postgres://db.example/mailflow'}\ndesks:\n  - {slug: a, imap: {username: a@x.example}, database: {schema: Desk-A}}\n",
			`database.schema: "Desk-A": want a lower-case name`},
		{"system schema", top + "database: {driver: postgres, dsn: 'postgres://db.example/mailflow'}\ndesks:\n  - {slug: a, imap: {username: a@x.example}, database: {schema: pg_catalog}}\n",
			`database.schema: "pg_catalog"`},
		{"schema on sqlite", top + "desks:\n  - {slug: a, imap: {username: a@x.example}, database: {schema: a}}\n",
			"database.schema: schema is for driver postgres"},
		{"empty list", top + "desks: []\n", "desks: the list is empty"},
		{"not a mapping", top + "desks: [a, b]\n", "a desk is a mapping"},
		{"top-level slug", top + "slug: x\ndesks:\n  - {slug: a, imap: {username: a@x.example}}\n", "name and slug belong to each entry"},
		{"sandbox with two desks", "sandbox: {enabled: true}\n" + top + "desks:\n  - {slug: a, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: b@x.example}}\n",
			"the sandbox mail server serves a single desk"},
		{"shared oauth token", strings.Replace(top, "password: x", "auth: xoauth2", 1) + "oauth2: {provider: google, client_id: c, refresh_token_file: t}\ndesks:\n  - {slug: a, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: b@x.example}}\n",
			"oauth2.refresh_token_file"},
		{"a desk's own error with its line", top + "desks:\n  - slug: a\n    imap: {username: a@x.example}\n    desk: {language: fr}\n", `desks[0] (a): desk.language: "fr" is not de or en`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("test.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v\nwant it to mention %q", err, c.want)
			}
		})
	}
}

// TestDesksSharePostgresBySchema: desks inheriting the top-level
// PostgreSQL dsn each open it confined to a schema named after the desk
// (the dsn's search_path, in the form the dsn is written in); a desk with
// a dsn of its own, or a schema of its own, keeps what it says.
func TestDesksSharePostgresBySchema(t *testing.T) {
	const top = "imap: {host: mail.example.com, password: x}\nsmtp: {host: mail.example.com}\ntechnicians: [{name: A, email: a@example.com}]\n"
	for _, c := range []struct {
		name, dsn string
		want      []string // each desk's source
		names     []string // each desk's logged name
	}{
		{"url", "postgres://mf:s3cret@db.example:5432/mailflow?sslmode=require",
			[]string{"postgres://mf:s3cret@db.example:5432/mailflow?search_path=desk_north&sslmode=require",
				"postgres://mf:s3cret@db.example:5432/mailflow?search_path=desk_south_east&sslmode=require",
				"postgres://mf:s3cret@db.example:5432/mailflow?search_path=archive&sslmode=require",
				"host=other.example dbname=west"},
			[]string{"postgres://db.example:5432/mailflow schema desk_north", "postgres://db.example:5432/mailflow schema desk_south_east",
				"postgres://db.example:5432/mailflow schema archive", "postgres://other.example/west"}},
		{"key=value", "host=db.example dbname=mailflow user=mf password=s3cret",
			[]string{"host=db.example dbname=mailflow user=mf password=s3cret search_path=desk_north",
				"host=db.example dbname=mailflow user=mf password=s3cret search_path=desk_south_east",
				"host=db.example dbname=mailflow user=mf password=s3cret search_path=archive",
				"host=other.example dbname=west"},
			[]string{"postgres://db.example/mailflow schema desk_north", "postgres://db.example/mailflow schema desk_south_east",
				"postgres://db.example/mailflow schema archive", "postgres://other.example/west"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			yaml := top + fmt.Sprintf("database: {driver: postgres, dsn: %q}\n", c.dsn) + `desks:
  - {slug: north, imap: {username: n@x.example}}
  - {slug: south-east, imap: {username: s@x.example}}
  - {slug: old, imap: {username: o@x.example}, database: {schema: archive}}
  - {slug: west, imap: {username: w@x.example}, database: {dsn: "host=other.example dbname=west"}}
`
			cfg, err := Parse("test.yaml", []byte(yaml))
			if err != nil {
				t.Fatal(err)
			}
			desks := cfg.Desks()
			if len(desks) != len(c.want) {
				t.Fatalf("%d desks, want %d", len(desks), len(c.want))
			}
			for i, d := range desks {
				driver, source, err := d.Database.Source()
				if err != nil || driver != DriverPostgres || source != c.want[i] {
					t.Errorf("desk %s: source %s %q %v\nwant %q", d.Slug, driver, source, err, c.want[i])
				}
				if name := d.Database.Name(); name != c.names[i] {
					t.Errorf("desk %s: name %q, want %q", d.Slug, name, c.names[i])
				}
			}
		})
	}
	// The single-desk file on PostgreSQL is unchanged: no schema.
	cfg, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base+"database: {driver: postgres, dsn: 'host=db.example dbname=m'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, source, _ := cfg.Database.Source(); source != "host=db.example dbname=m" || cfg.Database.Schema != "" {
		t.Errorf("single desk: source %q schema %q, want the dsn as written", source, cfg.Database.Schema)
	}
}

// TestOneDeskList: a desks: list of one is that one desk, with its slug,
// served at the single-desk paths.
func TestOneDeskList(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\nhttp: {addr: 127.0.0.1:0, public_url: https://d.example}\n"+base+"desks:\n  - {slug: solo}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Desks()
	if len(d) != 1 || cfg.Several() || d[0].Slug != "solo" || d[0].HTTP.PublicURL != "https://d.example" {
		t.Fatalf("%d desks, several %v, %+v", len(d), cfg.Several(), d[0].HTTP)
	}
}

func TestExampleDesksSectionLoads(t *testing.T) {
	// The commented example in config.example.yaml, uncommented, is valid.
	raw, err := os.ReadFile(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "# desks:") {
			in = true
		}
		if in {
			if !strings.HasPrefix(l, "#") {
				break
			}
			lines = append(lines, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
		}
	}
	if len(lines) == 0 {
		t.Fatal("config.example.yaml has no commented desks: example")
	}
	y := "imap: {host: mail.example.com, password_env: X}\nsmtp: {host: mail.example.com}\n" + strings.Join(lines, "\n") + "\n"
	cfg, err := Parse(filepath.Join(t.TempDir(), "c.yaml"), []byte(y))
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	if len(cfg.Desks()) < 2 {
		t.Fatalf("the example lists %d desks", len(cfg.Desks()))
	}
}

// TestLoadDesk: a desk reloads its own entry even when another desk's
// entry is broken, but not when its own is, nor when it clashes with
// another desk.
func TestLoadDesk(t *testing.T) {
	const top = "imap: {host: mail.example.com, password: x}\nsmtp: {host: mail.example.com}\ntechnicians: [{name: A, email: a@example.com}]\n"
	cases := []struct {
		name, desks, slug, err string
	}{
		{"all fine", "  - {slug: a, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: b@x.example}}\n", "b", ""},
		{"the other desk broken", "  - {slug: a, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: b@x.example}, desk: {language: fr}}\n", "a", ""},
		{"its own entry broken", "  - {slug: a, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: b@x.example}, desk: {language: fr}}\n", "b", "desk.language"},
		{"a clash names both", "  - {slug: a, imap: {username: a@x.example}}\n  - {slug: b, imap: {username: a@x.example}}\n", "a", "the same mailbox"},
		{"gone", "  - {slug: a, imap: {username: a@x.example}}\n  - {slug: c, imap: {username: c@x.example}}\n", "b", `no desk "b"`},
		{"syntax error", "  - {slug: a, imap: {username: a@x.example}\n", "a", "test"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "test.yaml")
			if err := os.WriteFile(path, []byte(top+"desks:\n"+c.desks), 0o600); err != nil {
				t.Fatal(err)
			}
			d, err := LoadDesk(path, c.slug)
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("LoadDesk(%s): %v", c.slug, err)
			case c.err == "" && (d.Slug != c.slug || !d.OneOfSeveral()):
				t.Fatalf("LoadDesk(%s) gave %s (one of several: %v)", c.slug, d.Slug, d.OneOfSeveral())
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("LoadDesk(%s): error %v, want %q", c.slug, err, c.err)
			}
		})
	}
}

// BenchmarkParseFiftyDesks: what loading (and every SIGHUP) costs for a
// deployment of 50 desks.
func BenchmarkParseFiftyDesks(b *testing.B) {
	var y strings.Builder
	y.WriteString("imap: {host: mail.example.com, password: x}\nsmtp: {host: mail.example.com}\ntechnicians: [{name: A, email: a@example.com}]\ndesks:\n")
	for i := range 50 {
		fmt.Fprintf(&y, "  - {slug: desk%02d, imap: {username: support@desk%02d.example}, desk: {company: Desk %02d}}\n", i, i, i)
	}
	data := []byte(y.String())
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Parse("bench.yaml", data)
		if err != nil || len(cfg.Desks()) != 50 {
			b.Fatal(err)
		}
	}
}

// TestDeskEntryUsesAnchor: an entry may merge in a mapping anchored
// elsewhere in the file (YAML's <<: *name).
func TestDeskEntryUsesAnchor(t *testing.T) {
	y := "imap: {host: mail.example.com, password: x}\nsmtp: {host: mail.example.com}\ntechnicians: [{name: A, email: a@example.com}]\n" +
		"desk: &house {company: House GmbH, language: en}\n" +
		"desks:\n  - {slug: a, imap: {username: a@x.example}, desk: {<<: *house, timezone: Europe/Berlin}}\n  - {slug: b, imap: {username: b@x.example}}\n"
	cfg, err := Parse("t.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Desks()[0], cfg.Desks()[1]
	if a.Desk.Company != "House GmbH" || a.Desk.Language != "en" || a.Desk.Timezone != "Europe/Berlin" || b.Desk.Timezone != "Europe/Vienna" {
		t.Errorf("a: %+v, b: %+v", a.Desk, b.Desk)
	}
}

// TestDeskCalendarSecretsResolve: a technician's calendar secret file
// named relative in a desk's entry is found beside the config file, like
// the desk's other files.
func TestDeskCalendarSecretsResolve(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	data := strings.Replace(twoDesks,
		"technicians: [{name: Anna, email: anna@alpha.example}]",
		"technicians: [{name: Anna, email: anna@alpha.example, calendar: {caldav: {url: \"https://cal.example/anna/\", username: anna, password_file: secrets/anna-caldav}}}]", 1)
	if data == twoDesks {
		t.Fatal("fixture: the technician line to extend is gone")
	}
	cfg, err := Parse(path, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Desks()[0]
	c := a.Technicians[0].Calendar
	if c == nil || c.CalDAV == nil {
		t.Fatalf("alpha's technician lost the calendar: %+v", a.Technicians[0])
	}
	if want := filepath.Join(dir, "secrets", "anna-caldav"); c.CalDAV.PasswordFile != want {
		t.Errorf("password_file %q, want %q", c.CalDAV.PasswordFile, want)
	}
}
