package message

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return raw
}

func mustParse(t testing.TB, raw []byte, lim Limits) *Message {
	t.Helper()
	m, err := Parse(raw, lim)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// TestParseFixtures checks what a person at the desk would notice for each
// kind of mail: who wrote, about what, when, what they asked for now, and
// whether it is a robot.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file        string
		fromAddr    string
		fromName    string
		subject     string
		date        string // RFC 3339, "" for zero
		text        string // exact Text, checked when set
		textHas     []string
		textHasNot  []string
		quotedHas   []string
		signature   string // prefix of Signature, "-" for none
		auto, bulk  bool
		bounce      bool
		truncated   bool
		wantDefects bool
	}{
		{
			file:     "plain_de.eml",
			fromAddr: "maria.huber@huber-installationen.at", fromName: "Maria Huber",
			subject: "Fernwartung wegen Rechnungsdruck",
			date:    "2026-03-09T08:41:07+01:00",
			text: "Sehr geehrte Damen und Herren,\n\n" +
				"seit dem letzten Update druckt unser Programm die Rechnungen ohne Logo.\n" +
				"Hätten Sie am Donnerstag um 10 Uhr Zeit für eine Fernwartung?",
			signature: "Mit freundlichen Grüßen\n\nMaria Huber",
			quotedHas: []string{"Firmenbuch: FN 123456a, LG Linz", "UID: ATU12345678"},
		},
		{
			file:     "html_only.eml",
			fromAddr: "t.gruber@gruber-bau.at", fromName: "Gruber, Thomas",
			subject: "Schulung für neue Mitarbeiterin",
			date:    "2026-03-10T14:05:33+01:00",
			text: "Hallo liebes Support-Team,\n\n" +
				"wir haben eine neue Mitarbeiterin, die eine kurze Schulung für das Mahnwesen bräuchte.\n" +
				"Folgende Termine wären möglich:\n\n" +
				"- Mittwoch, 18. März, Vormittag\n" +
				"- Freitag ab 13 Uhr",
			textHasNot: []string{"alert", "margin", "<"},
			signature:  "Danke & schöne Grüße\nThomas Gruber",
		},
		{
			file:     "alternative.eml",
			fromAddr: "s.wimmer@wimmer-tischlerei.at",
			subject:  "Termin Fernwartung",
			date:     "2026-03-11T09:12:45+01:00",
			text:     "Guten Morgen,\n\nkönnten wir die Fernwartung auf nächsten Dienstag 14:30 verlegen?",
			// The HTML rendering carries a marker; plain must have won.
			textHasNot: []string{"HTML-VERSION"},
			signature:  "LG Stefan",
		},
		{
			file:     "qp_latin1.eml",
			fromAddr: "office@strasser-kfz.at", fromName: "Josef Straßer",
			subject: "Überweisungen werden nicht exportiert",
			date:    "2026-03-12T07:58:02+01:00",
			text: "Grüß Gott,\n\nbitte um Rückruf bzw. Fernwartung am Freitag Vormittag, die Überweisungen\n" +
				"werden nicht mehr exportiert. Größe der Datei: 0 Byte.",
			signature: "MfG\nJosef Strasser",
		},
		{
			file:     "base64_utf8.eml",
			fromAddr: "juergen.poelzl@gmx.at", fromName: "Jürgen Pölzl",
			subject: "AnyDesk-ID für heute – Pölzl",
			date:    "2026-03-12T14:52:10+01:00",
			textHas: []string{
				"anbei meine AnyDesk-ID für den heutigen Termin um 15 Uhr: 123 456 789",
				"Alle anderen Programme sind geschlossen.",
			},
			textHasNot: []string{"Viele Grüße"},
			signature:  "Viele Grüße",
		},
		{
			file:     "cp1252.eml",
			fromAddr: "s.koller@koller-handel.at",
			subject:  "Rechnung bleibt im Entwurf, Rückfrage", // B-encoded Latin-1
			date:     "2026-03-13T11:20:00+01:00",
			text: "Hallo,\n\ndie Rechnung über 1.250,00 € wird als „Entwurf“ angezeigt und lässt sich nicht buchen.\n" +
				"Wäre eine Fernwartung am Montag, 16.03. um 9:30 möglich?",
			signature: "Danke und LG",
		},
		{
			file:     "outlook_reply.eml",
			fromAddr: "f.berger@berger-steuerberatung.at",
			subject:  "AW: Terminvorschlag Fernwartung [FW-1042]",
			date:     "2026-03-16T10:03:41Z",
			text:     "Hallo,\n\nder zweite Termin passt uns gut.",
			// Our own proposal must not leak into Text.
			textHasNot: []string{"09:00", "14:00", "Dienstag"},
			quotedHas:  []string{"Von: Support | Example Software", "2) Mittwoch, 18. März 2026, 14:00"},
			signature:  "Mit freundlichen Grüßen / Best regards",
		},
		{
			file:       "gmail_reply.eml",
			fromAddr:   "andrea.leitner.office@gmail.com",
			subject:    "Re: Terminvorschlag Fernwartung [FW-1050]",
			date:       "2026-03-17T08:15:02+01:00",
			text:       "Guten Morgen,\nMittwoch passt leider nicht, ginge auch Donnerstag Nachmittag?",
			textHasNot: []string{"schrieb", "10:00", "15:00"},
			quotedHas:  []string{"Am Mo., 16. März 2026 um 16:20 Uhr schrieb", "> 1) Mittwoch, 18. März 2026, 10:00"},
			signature:  "Liebe Grüße\nAndrea",
		},
		{
			file:     "apple_reply.eml",
			fromAddr: "peter@novak-consulting.co.uk",
			subject:  "Re: Remote session confirmation [FW-1061]",
			date:     "2026-03-18T17:44:09Z",
			// format=flowed with DelSp=yes is joined back into one line.
			text: "Hi,\n\nthanks for the confirmation. Unfortunately something came up - " +
				"could we move the session to Friday at 11:00 instead?",
			quotedHas: []string{"On 18 Mar 2026, at 15:02, Example Software Support <support@example-software.at> wrote:"},
			signature: "Best regards,\nPeter",
		},
		{
			file:     "forwarded.eml",
			fromAddr: "buchhaltung@eder-transporte.at",
			subject:  "WG: Fehlermeldung beim Jahresabschluss",
			date:     "2026-03-19T13:37:00+01:00",
			text: "Hallo Support,\n\nsiehe unten, meine Kollegin bekommt diese Fehlermeldung. Bitte um einen\n" +
				"Termin für eine Fernwartung, am besten morgen zwischen 9 und 11 Uhr.\n\nMarkus",
			// The colleague's "Montag um 8 Uhr" is forwarded, not requested.
			textHasNot: []string{"Montag", "Fehler 4711"},
			quotedHas:  []string{"---------- Weitergeleitete Nachricht ---------", "Montag um 8 Uhr"},
			signature:  "-",
		},
		{
			file:     "outlook_html_reply.eml",
			fromAddr: "birgit.hofer@hofer-apotheke.at",
			subject:  "AW: Ihr Termin am Donnerstag [FW-1090]",
			date:     "2026-03-24T11:02:17Z",
			text: "Guten Tag,\n\nleider muss ich den Termin absagen, wir haben Inventur. " +
				"Können wir das auf nächste Woche verschieben?",
			textHasNot: []string{"10:00", "Von:"},
			quotedHas:  []string{"Gesendet: Montag, 23. März 2026 17:00", "26. März 2026 um 10:00"},
			signature:  "Schöne Grüße",
		},
		{
			file:     "english_plain.eml",
			fromAddr: "oliver.smith@smith-imports.com", fromName: "Oliver Smith",
			subject: "Training session for the new invoicing module",
			date:    "2026-03-25T16:40:00Z",
			text: "Hello,\n\ncould we book a training session for our accountant next Tuesday at 2pm?\n" +
				"She needs an introduction to the dunning process.",
			signature: "Kind regards,\nOliver Smith",
			quotedHas: []string{"Sent from my iPhone", "Phone: +44 20 7946 0123"},
		},
		{
			file:     "nested.eml",
			fromAddr: "anna@wallner-design.at",
			subject:  "Screenshot Fehlermeldung",
			date:     "2026-03-26T10:10:10+01:00",
			text: "Hallo,\n\nim Anhang ein Screenshot der Fehlermeldung. Passt Ihnen Freitag 13:30\n" +
				"für eine Fernwartung?\n\nAnna Wallner",
			// log.txt is an attachment, the HTML an alternative rendering.
			textHasNot: []string{"ERROR", "HTML"},
		},
		{
			file:     "deep_nested.eml",
			fromAddr: "g.pichler@pichler-agrar.at",
			subject:  "Weitergeleitet aus dem Ticketsystem",
			date:     "2026-03-28T12:00:00+01:00",
			// 14 levels exceed MaxMIMEDepth: the header still counts, the
			// text is out of reach and the caller is told so.
			text:      "",
			truncated: true,
		},
		{
			file:     "broken_from.eml",
			fromAddr: "maria.huber@example.at", fromName: "Huber, Maria",
			subject: "Termin für Fernwartung nächste Woche",
			// "Di, 24 Mär 2026 09:05 CET": German names, no seconds, zone name.
			date:      "2026-03-24T09:05:00+01:00",
			text:      "Hallo,\n\nnächste Woche Mittwoch um 9 Uhr wäre ideal.",
			signature: "Danke!\nMaria",
		},
		{
			file:     "out_of_office.eml",
			fromAddr: "c.reiter@reiter-immobilien.at",
			subject:  "Automatische Antwort: Ihr Termin am Donnerstag [FW-1070]",
			date:     "2026-03-19T09:00:12Z",
			textHas:  []string{"nicht im Büro"},
			auto:     true,
		},
		{
			file:     "dsn_bounce.eml",
			fromAddr: "MAILER-DAEMON@mail.example-software.at", fromName: "Mail Delivery System",
			subject: "Undelivered Mail Returned to Sender",
			date:    "2026-03-20T10:15:03+01:00",
			textHas: []string{"could not\nbe delivered"},
			// The returned mail is an attachment, not text.
			textHasNot: []string{"Ihr Termin ist bestätigt"},
			auto:       true, bounce: true,
		},
		{
			file:     "mailing_list.eml",
			fromAddr: "newsletter@buchhaltung-forum.at",
			subject:  "[BH-Forum] Neue Beiträge diese Woche",
			date:     "2026-03-21T06:00:00+01:00",
			bulk:     true,
		},
		{
			file:     "header_only.eml",
			fromAddr: "k.lang@lang-gastro.at", fromName: "Karin Lang",
			subject: "Bitte um Rückruf",
			date:    "2026-03-22T19:30:00+01:00",
			text:    "",
		},
		{
			file:     "broken_body.eml",
			fromAddr: "h.bauer@bauer-elektro.at",
			subject:  "Fernwartung Montag",
			date:     "2026-03-23T07:45:00+01:00",
			// The closing boundary is missing; the text before it survives.
			text:        "Hallo,\n\ngeht eine Fernwartung am Montag um 10 Uhr?\n\nHelmut Bauer",
			wantDefects: true,
		},
		{
			file:        "bad_base64.eml",
			fromAddr:    "h.bauer@bauer-elektro.at",
			subject:     "Fernwartung Dienstag",
			date:        "2026-03-23T07:50:00+01:00",
			text:        "Hallo,\n\ngeht eine Fernwartung am Dienstag um 10 Uhr?",
			wantDefects: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m := mustParse(t, readFixture(t, tc.file), Limits{})
			if m.From.Address != tc.fromAddr {
				t.Errorf("From.Address = %q, want %q", m.From.Address, tc.fromAddr)
			}
			if tc.fromName != "" && m.From.Name != tc.fromName {
				t.Errorf("From.Name = %q, want %q", m.From.Name, tc.fromName)
			}
			if m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			if got := formatDate(m.Date); got != tc.date {
				t.Errorf("Date = %s, want %s", got, tc.date)
			}
			if tc.text != "" || tc.file == "header_only.eml" || tc.file == "deep_nested.eml" {
				if m.Text != tc.text {
					t.Errorf("Text =\n%s\n--- want\n%s", m.Text, tc.text)
				}
			}
			for _, s := range tc.textHas {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tc.textHasNot {
				if strings.Contains(m.Text, s) {
					t.Errorf("Text contains %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tc.quotedHas {
				if !strings.Contains(m.Quoted, s) {
					t.Errorf("Quoted lacks %q:\n%s", s, m.Quoted)
				}
			}
			switch {
			case tc.signature == "-" && m.Signature != "":
				t.Errorf("Signature = %q, want none", m.Signature)
			case tc.signature != "" && tc.signature != "-" && !strings.HasPrefix(m.Signature, tc.signature):
				t.Errorf("Signature =\n%s\n--- want prefix\n%s", m.Signature, tc.signature)
			}
			if m.Auto != tc.auto || m.Bulk != tc.bulk || m.Bounce != tc.bounce {
				t.Errorf("Auto/Bulk/Bounce = %v/%v/%v, want %v/%v/%v (reasons %q)",
					m.Auto, m.Bulk, m.Bounce, tc.auto, tc.bulk, tc.bounce, m.SignalReasons)
			}
			if m.Truncated != tc.truncated {
				t.Errorf("Truncated = %v, want %v", m.Truncated, tc.truncated)
			}
			if got := len(m.Defects) > 0; got != tc.wantDefects {
				t.Errorf("Defects = %q, want some: %v", m.Defects, tc.wantDefects)
			}
			if !strings.Contains(m.FullText, m.Text) {
				t.Errorf("Text is not part of FullText")
			}
		})
	}
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func TestParseThreadingHeaders(t *testing.T) {
	m := mustParse(t, readFixture(t, "outlook_reply.eml"), Limits{})
	if want := "<VI1PR08MB5678A1B2C3D4E5F6@VI1PR08MB5678.eurprd08.prod.outlook.com>"; m.MessageID != want {
		t.Errorf("MessageID = %q, want %q", m.MessageID, want)
	}
	if want := "<fw-1042.proposal.3f9a@example-software.at>"; m.InReplyTo != want {
		t.Errorf("InReplyTo = %q, want %q", m.InReplyTo, want)
	}
	wantRefs := []string{"<20260313084107.1234@berger-steuerberatung.at>", "<fw-1042.proposal.3f9a@example-software.at>"}
	if !slices.Equal(m.References, wantRefs) {
		t.Errorf("References = %q, want %q", m.References, wantRefs)
	}
	if !m.HasReturnPath || m.ReturnPath != "f.berger@berger-steuerberatung.at" {
		t.Errorf("ReturnPath = %q (%v)", m.ReturnPath, m.HasReturnPath)
	}
	if got := m.Header["Thread-Topic"]; len(got) != 1 || got[0] != "Terminvorschlag Fernwartung [FW-1042]" {
		t.Errorf(`Header["Thread-Topic"] = %q`, got)
	}
	if len(m.To) != 1 || m.To[0].Address != "support@example-software.at" || m.To[0].Name != "Support | Example Software" {
		t.Errorf("To = %v", m.To)
	}

	b := mustParse(t, readFixture(t, "broken_from.eml"), Limits{})
	if b.MessageID != "<ohne-klammern-4711@example.at>" {
		t.Errorf("MessageID without brackets = %q", b.MessageID)
	}
	if b.InReplyTo != "<b2@example.at>" {
		t.Errorf("InReplyTo with comment = %q", b.InReplyTo)
	}
	if want := []string{"<a1@example.at>", "<b2@example.at>"}; !slices.Equal(b.References, want) {
		t.Errorf("References (repeats, comments) = %q, want %q", b.References, want)
	}
	if len(b.ReplyTo) != 1 || b.ReplyTo[0].Address != "buchhaltung@example.at" {
		t.Errorf("ReplyTo with trailing comma = %v", b.ReplyTo)
	}
	if len(b.Cc) != 2 || b.Cc[0].Address != "k.mayer@example.at" || b.Cc[1].Name != "Leitner, Eva" {
		t.Errorf("Cc separated by ';' = %v", b.Cc)
	}
	if got := b.Header["Subject"]; len(got) != 1 || got[0] != "Termin für Fernwartung nächste Woche" {
		t.Errorf(`Header["Subject"] = %q, want decoded`, got)
	}
}

func TestParseUnparseable(t *testing.T) {
	big := "From: a@example.at\r\nX-Filler: " + strings.Repeat("x", 70<<10) + "\r\n\r\nbody\r\n"
	tests := []struct {
		name string
		raw  string
		lim  Limits
	}{
		{"empty", "", Limits{}},
		{"blank lines", "\r\n\r\n\r\n", Limits{}},
		{"garbage bytes", string(readFixture(t, "garbage.bin")), Limits{}},
		{"text without header", "Hallo, bitte um einen Termin am Montag.\n", Limits{}},
		{"no mail header field", "foo: bar\nbaz: qux\n\nbody\n", Limits{}},
		{"starts with continuation", "  folded: x\nFrom: a@b.at\n\n", Limits{}},
		{"header over default limit", big, Limits{}},
		{"header over set limit", "From: a@example.at\nSubject: " + strings.Repeat("y", 600) + "\n\nbody", Limits{MaxHeaderBytes: 512}},
		{"binary NUL", "\x00\x01\x02From: a@b.at\n\n", Limits{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(tc.raw), tc.lim)
			if !errors.Is(err, ErrUnparseable) {
				t.Fatalf("err = %v, want ErrUnparseable", err)
			}
			if m != nil {
				t.Errorf("got a Message with the error")
			}
		})
	}
}

// TestParseLenientHeader covers mail with a readable header whose shape is
// off: it must come back as a Message, never as an error.
func TestParseLenientHeader(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		from    string
		subject string
		text    string
	}{
		{
			name:    "LF only and no blank line before body",
			raw:     "From: kunde@example.at\nSubject: Termin\nHallo, geht Montag 10 Uhr?\n",
			from:    "kunde@example.at",
			subject: "Termin",
			text:    "Hallo, geht Montag 10 Uhr?",
		},
		{
			name:    "mbox From_ line and BOM",
			raw:     "\xef\xbb\xbfFrom kunde@example.at Mon Mar  9 08:00:00 2026\nFrom: kunde@example.at\nSubject: Hallo\n\nText\n",
			from:    "kunde@example.at",
			subject: "Hallo",
			text:    "Text",
		},
		{
			name:    "unfolded subject continuation",
			raw:     "Subject: Bitte um Termin\nfür Fernwartung\nFrom: kunde@example.at\n\nDanke\n",
			from:    "kunde@example.at",
			subject: "Bitte um Termin für Fernwartung",
			text:    "Danke",
		},
		{
			name:    "raw Latin-1 subject and name",
			raw:     "From: J\xfcrgen M\xfcller <jm@example.at>\nSubject: R\xfcckruf\n\nText\n",
			from:    "jm@example.at",
			subject: "Rückruf",
			text:    "Text",
		},
		{
			name:    "B-encoded Latin-1 and Q-encoded UTF-8 words in one subject",
			raw:     "From: kunde@example.at\nSubject: =?ISO-8859-1?B?R3L832U=?= =?UTF-8?Q?_aus_M=C3=B6dling?=\n\nText\n",
			from:    "kunde@example.at",
			subject: "Grüße aus Mödling",
			text:    "Text",
		},
		{
			name:    "raw UTF-8 subject",
			raw:     "From: kunde@example.at\nSubject: Rückruf wegen Überweisung\n\nText\n",
			from:    "kunde@example.at",
			subject: "Rückruf wegen Überweisung",
			text:    "Text",
		},
		{
			name:    "subject with control characters",
			raw:     "From: kunde@example.at\nSubject: =?utf-8?q?Termin=0D=0ABcc:_evil@example.com=00?=\n\nText\n",
			from:    "kunde@example.at",
			subject: "Termin Bcc: evil@example.com",
			text:    "Text",
		},
		{
			name:    "From without display name quoting",
			raw:     "From: Dr. Huber, Maria (Buchhaltung) <maria@example.at>>\nSubject: x\n\nText\n",
			from:    "maria@example.at",
			subject: "x",
			text:    "Text",
		},
		{
			name:    "From bare address with junk",
			raw:     "From: \"kaputt <kunde@example.at\nSubject: x\n\nText\n",
			from:    "kunde@example.at",
			subject: "x",
			text:    "Text",
		},
		{
			name:    "unknown charset falls back to Latin-1",
			raw:     "From: kunde@example.at\nSubject: x\nContent-Type: text/plain; charset=x-unknown\n\nGr\xfc\xdfe\n",
			from:    "kunde@example.at",
			subject: "x",
			text:    "Grüße",
		},
		{
			name:    "charset says utf-8 but bytes are Latin-1",
			raw:     "From: kunde@example.at\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\nM\xe4rz\n",
			from:    "kunde@example.at",
			subject: "x",
			text:    "März",
		},
		{
			name:    "unparsable Content-Type parameters",
			raw:     "From: kunde@example.at\nSubject: x\nContent-Type: text/plain; charset=iso-8859-1; format=flowed;;; broken\n\nGr\xfc\xdf Gott\n",
			from:    "kunde@example.at",
			subject: "x",
			text:    "Grüß Gott",
		},
		{
			name:    "odd transfer encoding spelling",
			raw:     "From: kunde@example.at\nSubject: x\nContent-Transfer-Encoding: Base64;\n\nSGFsbG8=\n",
			from:    "kunde@example.at",
			subject: "x",
			text:    "Hallo",
		},
		{
			name:    "multipart without boundary",
			raw:     "From: kunde@example.at\nSubject: x\nContent-Type: multipart/mixed\n\n--abc\n\nText\n--abc--\n",
			from:    "kunde@example.at",
			subject: "x",
			text:    "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, []byte(tc.raw), Limits{})
			if m.From.Address != tc.from {
				t.Errorf("From = %q, want %q", m.From.Address, tc.from)
			}
			if m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			if m.Text != tc.text {
				t.Errorf("Text = %q, want %q", m.Text, tc.text)
			}
		})
	}
}

func TestParseSignals(t *testing.T) {
	const body = "\n\nHallo\n"
	tests := []struct {
		name               string
		header             string
		auto, bulk, bounce bool
		reason             string // one reason that must be listed
	}{
		{"plain customer", "From: kunde@example.at\nReturn-Path: <kunde@example.at>\n", false, false, false, ""},
		{"Auto-Submitted no", "From: kunde@example.at\nAuto-Submitted: no\n", false, false, false, ""},
		{"Auto-Submitted auto-generated", "From: kunde@example.at\nAuto-Submitted: auto-generated; owner=x\n", true, false, false, "Auto-Submitted: auto-generated"},
		{"X-Autoreply", "From: kunde@example.at\nX-Autoreply: yes\n", true, false, false, "X-Autoreply"},
		{"X-Autorespond", "From: kunde@example.at\nX-Autorespond: ja\n", true, false, false, "X-Autorespond"},
		{"X-Auto-Response-Suppress OOF", "From: kunde@example.at\nX-Auto-Response-Suppress: DR, OOF\n", true, false, false, "X-Auto-Response-Suppress: OOF"},
		{"X-Auto-Response-Suppress DR only", "From: kunde@example.at\nX-Auto-Response-Suppress: DR, RN\n", false, false, false, ""},
		{"Exchange rules loop", "From: kunde@example.at\nX-MS-Exchange-Inbox-Rules-Loop: kunde@example.at\n", true, false, false, "X-Ms-Exchange-Inbox-Rules-Loop"},
		{"Abwesenheitsnotiz", "From: kunde@example.at\nSubject: Abwesenheitsnotiz: Termin\n", true, false, false, "Subject: Abwesenheitsnotiz"},
		{"Out of Office", "From: kunde@example.at\nSubject: Out of Office: Ihr Termin\n", true, false, false, "Subject: Out of Office"},
		{"Auto:", "From: kunde@example.at\nSubject: AUTO: Bin nicht da\n", true, false, false, "Subject: AUTO:"},
		{"Automatic reply", "From: kunde@example.at\nSubject: Automatic reply: Appointment\n", true, false, false, "Subject: Automatic reply"},
		{"Autoreply", "From: kunde@example.at\nSubject: Autoreply: Termin\n", true, false, false, "Subject: Autoreply"},
		{"reply about an auto reply is human", "From: kunde@example.at\nSubject: AW: Automatische Antwort\n", false, false, false, ""},
		{"Precedence bulk", "From: kunde@example.at\nPrecedence: bulk\n", false, true, false, "Precedence: bulk"},
		{"Precedence junk", "From: kunde@example.at\nPrecedence: Junk\n", false, true, false, "Precedence: junk"},
		{"List-Unsubscribe only", "From: kunde@example.at\nList-Unsubscribe: <mailto:u@example.at>\n", false, true, false, "List-Unsubscribe"},
		{"owner- sender", "From: owner-liste@example.at\n", false, true, false, "From: owner-liste"},
		{"noreply sender", "From: No-Reply <no-reply@shop.example.at>\n", true, false, false, "From: no-reply"},
		{"postmaster", "From: postmaster@example.at\n", false, false, true, "From: postmaster"},
		{"empty Return-Path alone is automatic", "From: kunde@example.at\nReturn-Path: <>\n", true, false, false, "Return-Path: <>"},
		{"empty Return-Path with daemon is a bounce", "From: MAILER-DAEMON@example.at\nReturn-Path: <>\n", false, false, true, "Return-Path: <>"},
		{"multipart/report", "From: kunde@example.at\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n", false, false, true, "Content-Type: multipart/report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, []byte(tc.header+"Date: Mon, 9 Mar 2026 08:00:00 +0100"+body), Limits{})
			if m.Auto != tc.auto || m.Bulk != tc.bulk || m.Bounce != tc.bounce {
				t.Errorf("Auto/Bulk/Bounce = %v/%v/%v, want %v/%v/%v (reasons %q)",
					m.Auto, m.Bulk, m.Bounce, tc.auto, tc.bulk, tc.bounce, m.SignalReasons)
			}
			if tc.reason != "" && !slices.Contains(m.SignalReasons, tc.reason) {
				t.Errorf("SignalReasons = %q, want %q among them", m.SignalReasons, tc.reason)
			}
			if tc.reason == "" && len(m.SignalReasons) > 0 {
				t.Errorf("SignalReasons = %q, want none", m.SignalReasons)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mon, 9 Mar 2026 08:41:07 +0100", "2026-03-09T08:41:07+01:00"},
		{"Mon, 09 Mar 2026 08:41:07 +0100 (CET)", "2026-03-09T08:41:07+01:00"},
		{"Mon, 9 Mar 2026 08:41:07 CET", "2026-03-09T08:41:07+01:00"},
		{"Mon, 29 Jun 2026 08:41:07 CEST", "2026-06-29T08:41:07+02:00"},
		{"Mon, 9 Mar 2026 08:41:07 +0100 MEZ", "2026-03-09T08:41:07+01:00"},
		{"9 Mar 2026 08:41 +0100", "2026-03-09T08:41:00+01:00"},
		{"Mon, 9 Mar 26 08:41:07 +0100", "2026-03-09T08:41:07+01:00"},
		{"Mon, 9 Mar 2026 07:41:07 GMT", "2026-03-09T07:41:07Z"},
		{"Di, 10 Mär 2026 10:00:00 +0100", "2026-03-10T10:00:00+01:00"},
		{"Donnerstag, 12. März 2026 10:15:00 +0100", "2026-03-12T10:15:00+01:00"},
		{"2026-03-09T08:41:07+01:00", "2026-03-09T08:41:07+01:00"},
		{"2026-03-09 08:41:07", "2026-03-09T08:41:07Z"},
		{"Mon Mar  9 08:41:07 2026", "2026-03-09T08:41:07Z"},
		{"09.03.2026 08:41", "2026-03-09T08:41:00Z"},
		{"irgendwann nächste Woche", ""},
		{"", ""},
		{"Mon, 9 Mar 1066 08:41:07 +0100", ""},
	}
	for _, tc := range tests {
		if got := formatDate(parseDate(tc.in)); got != tc.want {
			t.Errorf("parseDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSanitizeHeader(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Termin am Montag", 0, "Termin am Montag"},
		{"Termin\r\nBcc: evil@example.com", 0, "Termin Bcc: evil@example.com"},
		{"a\x00b\x07c\x1bd\x7fe", 0, "abcde"},
		{"  viel \t\t  Platz  ", 0, "viel Platz"},
		{"nbsp\u00a0und\u2028Zeilen", 0, "nbsp und Zeilen"},
		{"bidi\u202etxet.exe", 0, "biditxet.exe"},
		{"Grüße aus Wien", 5, "Grüße"},
		{"Grüße aus Wien", 6, "Grüße"},
		{"Grüße aus Wien", 7, "Grüße a"},
		{"€€€", 2, "€€"},
		{"invalid \xff\xfe utf8", 0, "invalid utf8"},
		{"\r\n\t", 10, ""},
	}
	for _, tc := range tests {
		if got := SanitizeHeader(tc.in, tc.max); got != tc.want {
			t.Errorf("SanitizeHeader(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a\r\nb\rc\n", "a\nb\nc"},
		{"\n\n  \nText\n\n\n\nmehr  \n\n", "Text\n\nmehr"},
		{"  eingerückt\n\tTab", "  eingerückt\n Tab"},
		{"10\u00a0Uhr\u200b und\u00adso\x00\x1b", "10 Uhr undso"},
		{"Zeile\u2028neu", "Zeile\nneu"},
		{"kaputt \xff", "kaputt \ufffd"},
	}
	for _, tc := range tests {
		if got := normalizeText(tc.in); got != tc.want {
			t.Errorf("normalizeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"ein langer \nSatz.\nNeu.", false, "ein langer Satz.\nNeu."},
		{"ein lang  \ner Satz.", true, "ein lang er Satz."},
		{"> zitiert \n> weiter\nneu", false, "> zitiert weiter\nneu"},
		{"> zitiert \nnicht zitiert", false, "> zitiert \nnicht zitiert"},
		{"Text\n-- \nSignatur", false, "Text\n-- \nSignatur"},
		{" From stuffed", false, "From stuffed"},
	}
	for _, tc := range tests {
		if got := unflow(tc.in, tc.delsp); got != tc.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tc.in, tc.delsp, got, tc.want)
		}
	}
}

// TestBase64Label: a text part labelled base64 that is plain text is read
// as it is; base64 with a broken byte stays base64 and marks the mail
// damaged, so nothing is done on what was read of it.
func TestBase64Label(t *testing.T) {
	for _, c := range []struct {
		name, body, text string
		damaged          bool
	}{
		{"plain text labelled base64", "Griaß Gott,\r\n\r\ni hätt gern morgen um 10 an Termin.\r\n", "Griaß Gott,\n\ni hätt gern morgen um 10 an Termin.", false},
		{"a greeting alone on the first line", "Hallo\r\n\r\nkönnen Sie übermorgen nachmittags schauen?\r\n", "Hallo\n\nkönnen Sie übermorgen nachmittags schauen?", false},
		{"real base64", "R3LDvMOfIEdvdHQsIGJpdHRlIHVtIDEwLg==\r\n", "Grüß Gott, bitte um 10.", false},
		{"base64 with a stray byte", "R3LDvMOfIEdv!dHQsIGJpdHRlIHVtIDEwLg==\r\n", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: a@kunde.at\r\nTo: support@example.com\r\nSubject: Termin\r\nMessage-ID: <b64@kunde.at>\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + c.body
			m, err := Parse([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Damaged != c.damaged {
				t.Errorf("Damaged %v, want %v (defects %v)", m.Damaged, c.damaged, m.Defects)
			}
			if c.text != "" && strings.TrimSpace(m.Text) != c.text {
				t.Errorf("text %q, want %q", m.Text, c.text)
			}
		})
	}
}
