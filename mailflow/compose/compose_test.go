package compose

import (
	"bytes"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The close-other-programs rule as the built-in templates word it. Every
// mail that prepares or starts a session must carry it.
const (
	closeRuleDE = "alle Programme außer unserer Software"
	closeRuleEN = "close every program except our software"
)

// privacyPhrases are one distinctive phrase per point of PRODUCT.md's desk
// facts, so deleting any point from the statement fails the test.
func privacyPhrases(lang string) []string {
	if lang == "de" {
		return []string{
			"Datenschutz bei der Fernwartung",
			"Schulung",
			"nur unsere eigene Software",
			"keine Verantwortung",
			"nur mit vereinbartem Termin",
			"während der ganzen Sitzung dabei",
			"Verbindungsanfrage annehmen",
			"nur mit Ihrer Zustimmung",
			"so weit und so lange",
			"löschen wir, sobald die Aufgabe erledigt ist",
			"dokumentiert und protokolliert",
			"Verschwiegenheit",
			"wann und wie lange Sitzungen gedauert haben",
			"Datenschutzerklärung von AnyDesk",
			"https://anydesk.com/privacy",
			"AnyDesk jederzeit schließen",
		}
	}
	return []string{
		"Privacy during remote maintenance",
		"training",
		"only maintain our own software",
		"cannot take responsibility",
		"only takes place at a booked appointment",
		"present for the whole session",
		"accept the connection request",
		"only with your consent",
		"only as far and as long as the task strictly needs",
		"deleted as soon as the task is done",
		"documented and logged",
		"confidential",
		"when and for how long sessions ran",
		"AnyDesk's own privacy policy",
		"https://anydesk.com/privacy",
		"close AnyDesk at any time",
	}
}

func closeRule(lang string) string {
	if lang == "de" {
		return closeRuleDE
	}
	return closeRuleEN
}

func TestSessionMailsCarryPrivacyAndCloseRule(t *testing.T) {
	c := newTestComposer(t, "")
	for _, name := range []string{TemplateConfirmation, TemplateProposal, TemplateRescheduled} {
		for _, lang := range []string{"de", "en"} {
			samples := map[string]Reply{
				sampleKind(true):  c.sampleReply(name, lang, true),
				sampleKind(false): c.sampleReply(name, lang, false),
				"invitation":      c.sampleInvite(c.sampleReply(name, lang, true)),
			}
			for kind, r := range samples {
				out, err := c.Render(r)
				if err != nil {
					t.Fatalf("%s.%s: %v", name, lang, err)
				}
				pm := parseMail(t, out.Raw)
				for part, body := range map[string]string{"text": pm.text, "html": pm.html} {
					got := flat(body)
					for _, phrase := range append(privacyPhrases(lang), closeRule(lang)) {
						if !strings.Contains(got, flat(phrase)) {
							t.Errorf("%s.%s %s part (%s sample) lacks %q", name, lang, part, kind, phrase)
						}
					}
				}
			}
		}
	}
}

func TestConfirmationCarriesInstructions(t *testing.T) {
	c := newTestComposer(t, "")
	want := map[string][]string{
		"de": {"https://anydesk.com/download", "9-stellige", "Antworten Sie zum Termin auf diese E-Mail", "nehmen Sie sie an", "Lassen Sie AnyDesk geöffnet", "Donnerstag, 26. November 2026, 10:00 Uhr", "FW-1234", "Montag bis Donnerstag"},
		"en": {"https://anydesk.com/download", "9-digit", "reply to this email with your AnyDesk ID", "please accept it", "Keep AnyDesk open", "Thursday, 26 November 2026, 10:00", "FW-1234", "Monday to Thursday"},
	}
	for lang, phrases := range want {
		out, err := c.Render(c.sampleReply(TemplateConfirmation, lang, true))
		if err != nil {
			t.Fatal(err)
		}
		pm := parseMail(t, out.Raw)
		for _, body := range []string{pm.text, pm.html} {
			for _, p := range phrases {
				if !strings.Contains(flat(body), flat(p)) {
					t.Errorf("confirmation.%s lacks %q", lang, p)
				}
			}
		}
	}
}

func TestRescheduledAndCancelled(t *testing.T) {
	c := newTestComposer(t, "")
	want := map[string]map[string][]string{
		TemplateRescheduled: {
			"de": {"ist verschoben", "Donnerstag, 26. November 2026, 10:00 Uhr", "Der bisherige Termin am Mittwoch, 25. November 2026, 14:00 Uhr entfällt", "FW-1234", "https://anydesk.com/download", "Lassen Sie AnyDesk geöffnet"},
			"en": {"has moved", "Thursday, 26 November 2026, 10:00", "The previous time, Wednesday, 25 November 2026, 14:00, no longer applies", "FW-1234", "https://anydesk.com/download", "Keep AnyDesk open"},
		},
		TemplateCancelled: {
			"de": {"ist abgesagt", "Donnerstag, 26. November 2026, 10:00 Uhr", "FW-1234", "neuen Termin", "antworten Sie einfach auf diese E-Mail", "Montag bis Donnerstag"},
			"en": {"is cancelled", "Thursday, 26 November 2026, 10:00", "FW-1234", "new appointment", "reply to this email", "Monday to Thursday"},
		},
	}
	for name, langs := range want {
		for lang, phrases := range langs {
			out, err := c.Render(c.sampleReply(name, lang, true))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.Subject, "[FW-1234]") || !strings.Contains(out.Subject, phrases[1]) {
				t.Errorf("%s.%s subject %q", name, lang, out.Subject)
			}
			pm := parseMail(t, out.Raw)
			for part, body := range map[string]string{"text": pm.text, "html": pm.html} {
				for _, p := range phrases {
					if !strings.Contains(flat(body), flat(p)) {
						t.Errorf("%s.%s %s part lacks %q", name, lang, part, p)
					}
				}
			}
		}
	}
}

func TestIDReceived(t *testing.T) {
	c := newTestComposer(t, "")
	for _, lang := range []string{"de", "en"} {
		r := c.sampleReply(TemplateIDReceived, lang, true)
		r.Date = r.Appointment.Start.Add(-5 * time.Minute)
		out, err := c.Render(r)
		if err != nil {
			t.Fatal(err)
		}
		pm := parseMail(t, out.Raw)
		now := map[string]string{"de": "verbindet sich jetzt", "en": "connecting to you now"}[lang]
		for _, body := range []string{pm.text, pm.html} {
			for _, p := range []string{"*** *** 789", closeRule(lang), now} {
				if !strings.Contains(flat(body), flat(p)) {
					t.Errorf("id_received.%s lacks %q", lang, p)
				}
			}
			if strings.Contains(body, "123 456 789") {
				t.Errorf("id_received.%s shows an unmasked ID", lang)
			}
		}
	}
}

func TestHeaderInjection(t *testing.T) {
	// An override that does put the customer's subject and name in the
	// subject line: the built-in templates leave them out, an operator may not.
	dir := writeOverrides(t, map[string]string{
		"de/confirmation.subject.tmpl": "Re: {{.CustomerSubject}} für {{.Name}}\n",
	})
	for _, overrides := range []string{"", dir} {
		c := newTestComposer(t, overrides)
		r := c.sampleReply(TemplateConfirmation, "de", true)
		r.To = mail.Address{Name: "Eve\r\nBcc: x@y", Address: "eve@example.com"}
		r.Subject = "Termin\r\nBcc: x@y\r\n\r\nbody"
		r.Ref = "FW-1\nBcc: x@y"
		r.InReplyTo = "<a@example.com>\r\nBcc: x@y"
		r.References = []string{"<b@example.com>\r\nBcc: x@y", "<c@example.com>"}
		out, err := c.Render(r)
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		pm := parseMail(t, out.Raw)
		for _, h := range []string{"Bcc", "Cc"} {
			if v, ok := pm.header[h]; ok {
				t.Errorf("%s header appeared: %q", h, v)
			}
		}
		to, err := pm.header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "eve@example.com" {
			t.Errorf("To = %v (%v), want only eve@example.com", to, err)
		}
		if out.To != "eve@example.com" {
			t.Errorf("Outgoing.To = %q", out.To)
		}
		// Every header line starts a known field or continues one.
		want := map[string]bool{"Auto-Submitted": true, "Content-Language": true, "Date": true,
			"In-Reply-To": true, "MIME-Version": true, "Message-ID": true, "Precedence": true,
			"References": true, "Subject": true, "X-Auto-Response-Suppress": true, "From": true,
			"To": true, "Content-Type": true}
		fieldStart := regexp.MustCompile(`^([A-Za-z-]+):`)
		for _, line := range strings.Split(strings.TrimSuffix(pm.rawHeader, "\r\n"), "\r\n") {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				continue
			}
			m := fieldStart.FindStringSubmatch(line)
			if m == nil || !want[m[1]] {
				t.Errorf("unexpected header line %q", line)
			}
		}
		if n := strings.Count(pm.rawHeader, "\r\n"); n > 40 {
			t.Errorf("%d header lines, something was split into many", n)
		}
		subject := decodeSubject(t, pm.header)
		if strings.ContainsAny(subject, "\r\n") || strings.ContainsAny(out.Subject, "\r\n") {
			t.Errorf("subject keeps a line break: %q", subject)
		}
		if pm.header.Get("In-Reply-To") != "" {
			t.Errorf("malformed In-Reply-To kept: %q", pm.header.Get("In-Reply-To"))
		}
		if refs := pm.header.Get("References"); refs != "<c@example.com>" {
			t.Errorf("References = %q, want only the well-formed one", refs)
		}
	}
}

func TestHTMLEscapesCustomerText(t *testing.T) {
	dir := writeOverrides(t, map[string]string{
		// An operator template that shows every customer-derived field.
		"en/_signature.html.tmpl": "<p>{{.Name}} {{.CustomerSubject}} {{.Why}} {{.Ref}} {{.AnyDeskIDMasked}}</p>\n",
	})
	c := newTestComposer(t, dir)
	script := `<script>alert("x")</script>`
	r := c.sampleReply(TemplateProposal, "en", true)
	r.To.Name = script
	r.Subject = script
	r.Why = script
	r.Ref = script
	r.AnyDeskIDMasked = script
	out, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	pm := parseMail(t, out.Raw)
	if strings.Contains(strings.ToLower(pm.html), "<script") {
		t.Errorf("HTML part contains a raw <script>:\n%s", pm.html)
	}
	if n := strings.Count(pm.html, "&lt;script&gt;"); n < 6 {
		t.Errorf("want every field escaped (title, Why, signature fields), found %d escaped tags", n)
	}
}

func TestOverrideReplacesDefault(t *testing.T) {
	dir := writeOverrides(t, map[string]string{
		"de/confirmation.subject.tmpl":  "Geänderter Betreff {{with .Appointment}}{{.Time}}{{end}}\n",
		"de/_privacy.txt.tmpl":          "Unser eigener Datenschutztext.\n",
		"README.md":                     "not a template\n",
		"de/.confirmation.txt.tmpl.swp": "{{ broken",
	})
	c := newTestComposer(t, dir)
	out, err := c.Render(c.sampleReply(TemplateConfirmation, "de", true))
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != "[FW-1234] Geänderter Betreff 10:00" {
		t.Errorf("subject = %q", out.Subject)
	}
	pm := parseMail(t, out.Raw)
	if !strings.Contains(pm.text, "Unser eigener Datenschutztext.") || strings.Contains(pm.text, "Datenschutz bei der Fernwartung") {
		t.Errorf("text part does not use the override privacy partial:\n%s", pm.text)
	}
	if !strings.Contains(pm.html, "Datenschutz bei der Fernwartung") {
		t.Errorf("HTML part lost the built-in privacy partial")
	}
	en, err := c.Render(c.sampleReply(TemplateConfirmation, "en", true))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.Subject, "[FW-1234] Your remote maintenance appointment") {
		t.Errorf("English subject changed: %q", en.Subject)
	}

	// A folder that does not exist yet is no error: nothing is customised.
	if _, err := New(testConfig(), dir+"/missing"); err != nil {
		t.Errorf("missing override folder: %v", err)
	}
}

func TestOverrideErrorsNameTheFile(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"parse error", map[string]string{"de/confirmation.txt.tmpl": "Hallo {{.Ref"}, []string{"de/confirmation.txt.tmpl"}},
		{"unknown part", map[string]string{"de/confirmation.text.tmpl": "x"}, []string{"confirmation.text.tmpl", "unknown part"}},
		{"outside a language", map[string]string{"confirmation.txt.tmpl": "x"}, []string{"language folder"}},
		{"mail missing a part", map[string]string{"de/closed_notice.txt.tmpl": "x", "de/closed_notice.subject.tmpl": "x"}, []string{"de/closed_notice", "closed_notice.html.tmpl"}},
		{"mail in one language only", map[string]string{
			"de/closed_notice.txt.tmpl": "x", "de/closed_notice.subject.tmpl": "x", "de/closed_notice.html.tmpl": "x",
		}, []string{"en/closed_notice", "not in en"}},
		{"two errors at once", map[string]string{"de/proposal.txt.tmpl": "{{", "en/proposal.html.tmpl": "{{end}}"}, []string{"de/proposal.txt.tmpl", "en/proposal.html.tmpl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(testConfig(), writeOverrides(t, tt.files))
			if err == nil {
				t.Fatal("New accepted broken templates")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	if err := newTestComposer(t, "").Check(); err != nil {
		t.Fatalf("built-in templates fail the check: %v", err)
	}
	dir := writeOverrides(t, map[string]string{
		"en/id_received.html.tmpl": "<p>{{.NoSuchField}}</p>",
		"de/_hours.txt.tmpl":       "{{template \"_nope.txt\" .}}",
	})
	err := newTestComposer(t, dir).Check()
	if err == nil {
		t.Fatal("Check passed templates that cannot render")
	}
	for _, w := range []string{"en/id_received.html.tmpl", "NoSuchField", "_nope.txt", dir + "/de/_hours.txt.tmpl"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("check error does not mention %q:\n%v", w, err)
		}
	}
}

func TestRenderIsByteStable(t *testing.T) {
	c := newTestComposer(t, "")
	r := c.sampleReply(TemplateProposal, "de", true)
	a, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Date = r.Date.UTC() // the same instant in another zone
	b, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Raw, b.Raw) {
		t.Error("the same reply rendered twice differs")
	}
	r.Purpose = "proposal-2"
	d, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	if d.MessageID == a.MessageID || bytes.Equal(d.Raw, a.Raw) {
		t.Error("another purpose must give another Message-ID")
	}
}

// Render runs from several workers at once in the daemon; under -race this
// shows the parsed templates are only read.
func TestRenderConcurrently(t *testing.T) {
	c := newTestComposer(t, "")
	want, err := c.Render(c.sampleReply(TemplateConfirmation, "en", true))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Render(c.sampleReply(TemplateConfirmation, "en", true))
			if err != nil || !bytes.Equal(got.Raw, want.Raw) {
				t.Errorf("concurrent render differs (%v)", err)
			}
		}()
	}
	wg.Wait()
}

func TestMessageID(t *testing.T) {
	id := MessageID("inbox:42:7", "confirmation", "mail.example.com")
	if !regexp.MustCompile(`^<[0-9a-f]{24}@mail\.example\.com>$`).MatchString(id) {
		t.Errorf("MessageID = %q", id)
	}
	if id != MessageID("inbox:42:7", "confirmation", "mail.example.com") {
		t.Error("MessageID is not deterministic")
	}
	// The separator keeps ("ab","c") and ("a","bc") apart.
	if MessageID("ab", "c", "d") == MessageID("a", "bc", "d") {
		t.Error("key and purpose run together")
	}
	out, err := newTestComposer(t, "").Render(Reply{Template: TemplateIDReceived, To: mail.Address{Address: "k@example.com"},
		InboundKey: "inbox:42:7", Purpose: "confirmation", Date: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if out.MessageID != id || !strings.Contains(string(out.Raw), "\r\nMessage-ID: "+id+"\r\n") {
		t.Errorf("rendered Message-ID %q, want %q", out.MessageID, id)
	}
}

func TestRenderRefusals(t *testing.T) {
	c := newTestComposer(t, "")
	base := c.sampleReply(TemplateConfirmation, "de", true)

	r := base
	r.Template = "no_such_mail"
	if _, err := c.Render(r); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("unknown template: %v", err)
	}
	for _, addr := range []string{"", "not an address", "a@example.com\r\nBcc: x@y", "Eve <eve@example.com>", "a@example.com, b@example.com"} {
		r = base
		r.To = mail.Address{Address: addr}
		if _, err := c.Render(r); err == nil {
			t.Errorf("recipient %q accepted", addr)
		}
	}
	r = base
	r.InboundKey = ""
	if _, err := c.Render(r); err == nil {
		t.Error("empty inbound key accepted")
	}
	r = base
	r.Date = time.Time{}
	if _, err := c.Render(r); err == nil {
		t.Error("zero date accepted")
	}
}

func TestLanguageFallback(t *testing.T) {
	c := newTestComposer(t, "")
	for lang, want := range map[string]string{"": "de", "fr": "de", "EN": "en", "en": "en"} {
		r := c.sampleReply(TemplateProposal, "de", true)
		r.Language = lang
		out, err := c.Render(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := parseMail(t, out.Raw).header.Get("Content-Language"); got != want {
			t.Errorf("language %q rendered as %q, want %q", lang, got, want)
		}
	}
}

func TestSlotText(t *testing.T) {
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Skip(err)
	}
	c := newTestComposer(t, "")
	start := time.Date(2026, time.November, 26, 9, 0, 0, 0, time.UTC) // 10:00 in Vienna
	s := c.slotText(Slot{Start: start, End: start.Add(30 * time.Minute)}, 2, "de")
	if s.Full != "Donnerstag, 26. November 2026, 10:00 Uhr" || s.EndTime != "10:30" || s.N != 2 || s.Start.Location() != c.loc {
		t.Errorf("de: %+v", s)
	}
	if got := c.slotText(Slot{Start: start}, 0, "en").Full; got != "Thursday, 26 November 2026, 10:00" {
		t.Errorf("en: %q", got)
	}
	jan := time.Date(2027, time.January, 7, 9, 0, 0, 0, vienna)
	if got := c.slotText(Slot{Start: jan}, 0, "de").Date; got != "7. Jänner 2027" {
		t.Errorf("Austrian January: %q", got)
	}
	cfg := testConfig()
	cfg.Desk.Holidays = "DE"
	cfg.Desk.Timezone = "Europe/Berlin"
	de, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := de.slotText(Slot{Start: jan}, 0, "de").Date; got != "7. Januar 2027" {
		t.Errorf("German January: %q", got)
	}
}

func TestHoursLines(t *testing.T) {
	hours := testConfig().Desk.Hours
	de := hoursLines(hours, "de")
	wantDE := []HoursLine{{"Montag bis Donnerstag", "09:00–12:00 und 13:00–17:00 Uhr"}, {"Freitag", "09:00–12:00 und 13:00–15:00 Uhr"}}
	if len(de) != len(wantDE) || de[0] != wantDE[0] || de[1] != wantDE[1] {
		t.Errorf("de = %v", de)
	}
	en := hoursLines(hours, "en")
	if len(en) != 2 || en[0].Days != "Monday to Thursday" || en[1].Times != "09:00–12:00 and 13:00–15:00" {
		t.Errorf("en = %v", en)
	}
	// A different Wednesday splits the group instead of hiding behind "bis".
	odd := map[string][]string{"mon": {"09:00-12:00"}, "tue": {"09:00-12:00"}, "wed": {"10:00-12:00"}, "thu": {"09:00-12:00"}}
	got := hoursLines(odd, "de")
	if len(got) != 3 || got[0].Days != "Montag und Dienstag" || got[1].Days != "Mittwoch" || got[2].Days != "Donnerstag" {
		t.Errorf("odd week = %v", got)
	}
}
