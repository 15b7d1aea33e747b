package compose

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/charset"
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

// tags matches an HTML tag, for reading an HTML part as text.
var tags = regexp.MustCompile(`<[^>]*>`)

func closeRule(lang string) string {
	if lang == "de" {
		return closeRuleDE
	}
	return closeRuleEN
}

func TestSessionMailsCarryPrivacyAndCloseRule(t *testing.T) {
	c := newTestComposer(t, "")
	for _, name := range []string{TemplateConfirmation, TemplateProposal, TemplateRescheduled, TemplateNeedTime, TemplateReminder} {
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

// TestSessionMailsCarryInstructions checks the mails a customer acts on at
// the appointment: each must hold every step, the time and the reference.
func TestSessionMailsCarryInstructions(t *testing.T) {
	c := newTestComposer(t, "")
	steps := map[string][]string{
		"de": {"https://anydesk.com/download", "9-stellige", "Antworten Sie zum Termin auf diese E-Mail", "nehmen Sie sie an", "Lassen Sie AnyDesk geöffnet", "Donnerstag, 26. November 2026, 10:00 Uhr", "FW-1234"},
		"en": {"https://anydesk.com/download", "9-digit", "reply to this email with your AnyDesk ID", "please accept it", "Keep AnyDesk open", "Thursday, 26 November 2026, 10:00", "FW-1234"},
	}
	extra := map[string]map[string][]string{
		TemplateConfirmation: {"de": {"Montag bis Donnerstag"}, "en": {"Monday to Thursday"}},
		TemplateReminder:     {"de": {"erinnern", "Buchungsnummer: FW-1234"}, "en": {"reminder", "Booking reference: FW-1234"}},
	}
	for _, name := range []string{TemplateConfirmation, TemplateReminder} {
		for lang, phrases := range steps {
			out, err := c.Render(c.sampleReply(name, lang, true))
			if err != nil {
				t.Fatal(err)
			}
			pm := parseMail(t, out.Raw)
			for part, body := range map[string]string{"text": pm.text, "html": pm.html} {
				for _, p := range append(phrases, extra[name][lang]...) {
					if !strings.Contains(flat(body), flat(p)) {
						t.Errorf("%s.%s %s part lacks %q", name, lang, part, p)
					}
				}
			}
		}
	}
	for lang, want := range map[string]string{"de": "[FW-1234] Erinnerung: Ihr Fernwartungstermin am Donnerstag, 26. November 2026, 10:00 Uhr", "en": "[FW-1234] Reminder: your remote maintenance appointment on Thursday, 26 November 2026, 10:00"} {
		out, err := c.Render(c.sampleReply(TemplateReminder, lang, true))
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != want {
			t.Errorf("reminder.%s subject = %q, want %q", lang, out.Subject, want)
		}
	}
}

// TestMailsWithoutBooking checks the mails that answer a request we could
// not book (yet): what each must say, and that none promises what the desk
// cannot keep.
func TestMailsWithoutBooking(t *testing.T) {
	c := newTestComposer(t, "")
	tests := []struct {
		name string
		lang string
		want []string
		// sparse is what the mail must say when the reply carries no slots.
		sparse []string
	}{
		{TemplateNeedTime, "de", []string{"nicht entnehmen", "Tag und eine Uhrzeit", "1. Donnerstag, 26. November 2026, 13:30 Uhr", "2. Freitag, 27. November 2026, 09:00 Uhr", "3. Montag, 30. November 2026, 14:00 Uhr", "Nummer des Termins", "Montag bis Donnerstag"}, []string{"Tag und eine Uhrzeit", "bestätigen wir Ihnen den Termin"}},
		{TemplateNeedTime, "en", []string{"could not tell", "a day and a time", "1. Thursday, 26 November 2026, 13:30", "2. Friday, 27 November 2026, 09:00", "3. Monday, 30 November 2026, 14:00", "number of the time", "Monday to Thursday"}, []string{"a day and a time", "we will confirm the appointment"}},
		{TemplateOutOfScope, "de", []string{"ausschließlich unsere eigene Software", "Betriebssystem", "Windows", "Drucker", "Programme anderer Hersteller", "Hardware, Server und Netzwerke", "einen Tipp", "Verantwortung dafür übernehmen wir aber nicht", "beschreiben Sie kurz", "Montag bis Donnerstag", "Ihr Support-Team"}, nil},
		{TemplateOutOfScope, "en", []string{"only our own software", "operating system", "Windows", "printers", "programs from other vendors", "hardware, servers and networks", "a tip", "cannot take responsibility", "describe briefly", "Monday to Thursday", "Your support team"}, nil},
		{TemplateReceivedHuman, "de", []string{"angekommen", "persönlich", "während unserer Supportzeiten", "Montag bis Donnerstag", "Ihr Support-Team"}, nil},
		{TemplateReceivedHuman, "en", []string{"reached us", "personally", "during our support hours", "Monday to Thursday", "Your support team"}, nil},
	}
	// Promises of a time or of a fix that a human has not made yet.
	promises := []string{"innerhalb", "within", "heute", "today", "morgen", "tomorrow", "Stunden", "hours of", "garantiert", "guarantee"}
	for _, tt := range tests {
		for _, full := range []bool{true, false} {
			out, err := c.Render(c.sampleReply(tt.name, tt.lang, full))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if !full && tt.sparse != nil {
				want = tt.sparse
			}
			pm := parseMail(t, out.Raw)
			// Without tags, the HTML table of slots reads "1. Donnerstag" too.
			for part, body := range map[string]string{"text": pm.text, "html": tags.ReplaceAllString(pm.html, " ")} {
				for _, p := range want {
					if !strings.Contains(flat(body), flat(p)) {
						t.Errorf("%s.%s %s part (%s sample) lacks %q", tt.name, tt.lang, part, sampleKind(full), p)
					}
				}
				if tt.name == TemplateNeedTime {
					continue // names free slots on purpose
				}
				for _, p := range promises {
					if strings.Contains(flat(body), flat(p)) {
						t.Errorf("%s.%s %s part promises %q", tt.name, tt.lang, part, p)
					}
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
		// A caller that forgot to mask: compose masks it all the same.
		r.AnyDeskIDMasked = "123 456 789"
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
			if strings.Contains(body, "123 456 789") || strings.Contains(body, "123456789") {
				t.Errorf("id_received.%s shows an unmasked ID", lang)
			}
		}
	}
}

// echoOverrides adds an operator's own mail, "echo", that puts every
// customer-derived field into the subject and both parts. The built-in
// mails leave the customer's name and subject out; an operator's may not,
// and safe output must not depend on what the templates choose to show.
func echoOverrides(t *testing.T) string {
	t.Helper()
	files := map[string]string{}
	for _, lang := range []string{"de", "en"} {
		files[lang+"/echo.subject.tmpl"] = "Re: {{.CustomerSubject}} ({{.Name}})\n"
		files[lang+"/echo.txt.tmpl"] = "Name: {{.Name}}\nSubject: {{.CustomerSubject}}\nWhy: {{.Why}}\nRef: {{.Ref}}\nID: {{.AnyDeskIDMasked}}\n"
		files[lang+"/echo.html.tmpl"] = `{{template "_head.html" .}}
<p>Name: {{.Name}}</p>
<p>Subject: {{.CustomerSubject}}</p>
<p>Why: {{.Why}}</p>
<p>Ref: {{.Ref}}</p>
<p>ID: {{.AnyDeskIDMasked}}</p>
{{template "_foot.html" .}}
`
	}
	return writeOverrides(t, files)
}

// hostileReply is what a stranger controls in a reply: the display name
// and subject of their mail, its Message-ID and References, the ID they
// sent. Why and Ref are ours, but are filled the same way so a template
// that shows them is tested too.
type hostileReply struct {
	name                    string
	display, subject        string
	inReplyTo               string
	references              []string
	ref, why, anyDeskMasked string
}

func (h hostileReply) apply(r Reply) Reply {
	r.To = mail.Address{Name: h.display, Address: "eve@example.com"}
	r.Subject, r.InReplyTo, r.References = h.subject, h.inReplyTo, h.references
	r.Ref, r.Why, r.AnyDeskIDMasked = h.ref, h.why, h.anyDeskMasked
	return r
}

// encodedCRLF is an RFC 2047 word that decodes to a line break and a Bcc
// header. The message package decodes a customer's subject once; this is
// what reaches us when the customer encoded it twice.
const encodedCRLF = "=?UTF-8?Q?x=0D=0ABcc:_evil@x?="

const script = `<script>alert("x")</script>`

var hostileReplies = []hostileReply{
	{
		name:       "crlf",
		display:    "Eve\r\nBcc: evil@x",
		subject:    "Termin\r\nBcc: evil@x\r\n\r\nbody",
		inReplyTo:  "<a@example.com>\r\nBcc: evil@x",
		references: []string{"<b@example.com>\r\nBcc: evil@x", "<c@example.com>"},
		ref:        "FW-1\nBcc: evil@x",
		why:        "Besetzt.\r\nBcc: evil@x",
	},
	{
		name:      "encoded-word",
		display:   encodedCRLF,
		subject:   encodedCRLF,
		inReplyTo: "<a@example.com>",
		ref:       encodedCRLF,
	},
	{
		name:    "nested-word",
		display: "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(encodedCRLF)) + "?=",
		subject: "=?x-unheard-of?Q?x=0D=0ABcc:_evil@x?= " + encodedCRLF,
	},
	{
		name:          "script",
		display:       script,
		subject:       script,
		inReplyTo:     "<" + script + "@example.com>",
		references:    []string{script},
		ref:           script,
		why:           script,
		anyDeskMasked: script,
	},
	{
		name:          "anydesk-id",
		display:       "Maria 123 456 789",
		subject:       "Meine AnyDesk-ID: 123-456-789",
		ref:           "FW-1234",
		anyDeskMasked: "123 456 789",
	},
}

// TestHeaderInjection renders every mail, built-in and an operator's own,
// in both languages with hostile input and reads each back as a receiving
// client would: only our own header fields, exactly one recipient, nothing
// that decodes to a line break. The operator's mail is also pinned byte for
// byte in testdata/golden/injection.*.eml, so any change to what reaches
// the wire shows up in review.
func TestHeaderInjection(t *testing.T) {
	c := newTestComposer(t, echoOverrides(t))
	allowed := map[string]bool{"Auto-Submitted": true, "Content-Language": true, "Date": true,
		"In-Reply-To": true, "MIME-Version": true, "Message-ID": true, "Precedence": true,
		"References": true, "Subject": true, "X-Auto-Response-Suppress": true, "From": true,
		"To": true, "Content-Type": true}
	fieldStart := regexp.MustCompile(`^([A-Za-z-]+):`)
	for _, h := range hostileReplies {
		for _, lang := range []string{"de", "en"} {
			for _, name := range c.Templates() {
				out, err := c.Render(h.apply(c.sampleReply(name, lang, true)))
				if err != nil {
					t.Fatalf("%s: render %s.%s: %v", h.name, name, lang, err)
				}
				where := h.name + ": " + name + "." + lang
				pm := parseMail(t, out.Raw)
				for _, line := range strings.Split(strings.TrimSuffix(pm.rawHeader, "\r\n"), "\r\n") {
					if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
						continue // a folded continuation of the field above
					}
					if m := fieldStart.FindStringSubmatch(line); m == nil || !allowed[m[1]] {
						t.Errorf("%s: unexpected header line %q", where, line)
					}
				}
				if n := strings.Count(pm.rawHeader, "\r\n"); n > 40 {
					t.Errorf("%s: %d header lines, something was split into many", where, n)
				}
				to, err := pm.header.AddressList("To")
				if err != nil || len(to) != 1 || to[0].Address != "eve@example.com" || out.To != "eve@example.com" {
					t.Errorf("%s: To = %v (%v), Outgoing.To = %q, want only eve@example.com", where, to, err, out.To)
				}
				if err == nil && len(to) == 1 && strings.ContainsAny(clientDecode(to[0].Name), "\r\n\x00") {
					t.Errorf("%s: display name decodes to a line break: %q", where, to[0].Name)
				}
				subject := clientDecode(pm.header.Get("Subject"))
				if strings.ContainsAny(subject, "\r\n\x00") || strings.ContainsAny(out.Subject, "\r\n") {
					t.Errorf("%s: subject decodes to a line break: %q", where, subject)
				}
				if irt := pm.header.Get("In-Reply-To"); irt != "" && irt != "<a@example.com>" {
					t.Errorf("%s: In-Reply-To = %q", where, irt)
				}
				if refs := pm.header.Get("References"); refs != "" && strings.ContainsAny(refs, "\"<>") && !wellFormedRefs.MatchString(refs) {
					t.Errorf("%s: References = %q", where, refs)
				}
				if name == "echo" && lang == "de" {
					checkGolden(t, filepath.Join("testdata", "golden", "injection."+h.name+".eml"), out.Raw)
				}
			}
		}
	}
}

// wellFormedRefs is a References value of plain IDs only.
var wellFormedRefs = regexp.MustCompile(`^<[a-z]@example\.com>( <[a-z]@example\.com>)*$`)

// clientDecode decodes RFC 2047 words the way a lenient mail client does:
// again and again while anything changes, in every charset go-message
// knows. What is left is what a person (or a ticket system) would see.
func clientDecode(s string) string {
	dec := &mime.WordDecoder{CharsetReader: charset.Reader}
	for i := 0; i < 5; i++ {
		d, err := dec.DecodeHeader(s)
		if err != nil || d == s {
			break
		}
		s = d
	}
	return s
}

// TestHTMLEscapesCustomerText puts <script> into every field a stranger
// controls (and into ours that a template may show) and checks every HTML
// part: escaped where it is shown, never raw.
func TestHTMLEscapesCustomerText(t *testing.T) {
	c := newTestComposer(t, echoOverrides(t))
	var h hostileReply
	for _, hr := range hostileReplies {
		if hr.name == "script" {
			h = hr
		}
	}
	for _, lang := range []string{"de", "en"} {
		for _, name := range c.Templates() {
			out, err := c.Render(h.apply(c.sampleReply(name, lang, true)))
			if err != nil {
				t.Fatal(err)
			}
			pm := parseMail(t, out.Raw)
			if strings.Contains(strings.ToLower(pm.html), "<script") {
				t.Errorf("%s.%s: HTML part contains a raw <script>:\n%s", name, lang, pm.html)
			}
			if name != "echo" {
				continue
			}
			// The title (subject: Ref, CustomerSubject and Name) and the
			// body's Name, CustomerSubject, Why and Ref.
			if n := strings.Count(pm.html, "&lt;script&gt;"); n < 7 {
				t.Errorf("echo.%s: want every field escaped, found %d escaped tags:\n%s", lang, n, pm.html)
			}
			// An "ID" that is no ID is not shown at all.
			if !strings.Contains(pm.html, "<p>ID: *** *** ***</p>") {
				t.Errorf("echo.%s: the ID field is not masked:\n%s", lang, pm.html)
			}
		}
	}
}

// TestAnyDeskIDOnlyMasked sends the full ID where a careless caller or a
// customer could put it, and reads every mail, headers and decoded parts,
// for it: the ID is the key to the customer's computer.
func TestAnyDeskIDOnlyMasked(t *testing.T) {
	c := newTestComposer(t, echoOverrides(t))
	var h hostileReply
	for _, hr := range hostileReplies {
		if hr.name == "anydesk-id" {
			h = hr
		}
	}
	// The nine digits in order, with up to three other characters (spaces,
	// dashes, a quoted-printable soft break) between each two.
	full := regexp.MustCompile(`1\D{0,3}2\D{0,3}3\D{0,3}4\D{0,3}5\D{0,3}6\D{0,3}7\D{0,3}8\D{0,3}9`)
	for _, lang := range []string{"de", "en"} {
		for _, name := range c.Templates() {
			out, err := c.Render(h.apply(c.sampleReply(name, lang, true)))
			if err != nil {
				t.Fatal(err)
			}
			pm := parseMail(t, out.Raw)
			to, _ := pm.header.AddressList("To")
			for where, s := range map[string]string{"raw mail": string(out.Raw), "subject": clientDecode(pm.header.Get("Subject")),
				"To": fmt.Sprint(to), "text part": pm.text, "HTML part": pm.html} {
				if loc := full.FindStringIndex(s); loc != nil {
					t.Errorf("%s.%s: the full AnyDesk ID is in the %s: %q", name, lang, where, s[loc[0]:loc[1]])
				}
			}
			if name == TemplateIDReceived || name == "echo" {
				for _, body := range []string{pm.text, pm.html} {
					if !strings.Contains(body, "*** *** 789") {
						t.Errorf("%s.%s does not show the masked ID", name, lang)
					}
				}
			}
		}
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
		"en/reminder.txt.tmpl":     "{{.Appointment.Weekdays}}",
	})
	err := newTestComposer(t, dir).Check()
	if err == nil {
		t.Fatal("Check passed templates that cannot render")
	}
	for _, w := range []string{"en/id_received.html.tmpl", "NoSuchField", "_nope.txt", dir + "/de/_hours.txt.tmpl", "en/reminder.txt.tmpl", "Weekdays"} {
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
	key := testSecret
	id := MessageID(key, "inbox:42:7", "confirmation", "mail.example.com")
	if !regexp.MustCompile(`^<[0-9a-f]{32}@mail\.example\.com>$`).MatchString(id) {
		t.Errorf("MessageID = %q, want 128 bits in hex", id)
	}
	if id != MessageID(key, "inbox:42:7", "confirmation", "mail.example.com") {
		t.Error("MessageID is not deterministic")
	}
	// The separator keeps ("ab","c") and ("a","bc") apart.
	if MessageID(key, "ab", "c", "d") == MessageID(key, "a", "bc", "d") {
		t.Error("key and purpose run together")
	}
	// Another installation (another secret) cannot predict ours.
	if MessageID([]byte("another installation"), "inbox:42:7", "confirmation", "mail.example.com") == id {
		t.Error("the Message-ID does not depend on the secret")
	}
	if _, err := New(testConfig(), ""); err != nil {
		t.Fatal(err)
	} else if c, _ := New(testConfig(), ""); c != nil {
		if _, err := c.Render(Reply{Template: TemplateIDReceived, To: mail.Address{Address: "k@example.com"}, InboundKey: "k", Date: time.Now()}); err == nil {
			t.Error("a composer without a secret rendered a mail with a guessable Message-ID")
		}
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
	de = de.WithSecret(testSecret)
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
