package message

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("From: a@b.at\nContent-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/html\n\n<blockquote><li>x</blockquote>\n--x--\n"))
	f.Add([]byte("From: a@b.at\nSubject: =?utf-8?b?w7w=?= =?x?q?=FC?=\nDate: 31 Feb 2026 25:61 +9999\n\n> a\nb\n> c\n-- \n"))
	f.Add([]byte("From: a@b.at\nContent-Type: text/plain; format=flowed; delsp=yes\n\n> a \n>> b \nc \n"))
	// Shapes the forgiving header reader and the content signals handle.
	f.Add([]byte("From: a@b.at\rSubject: x\r\r550 5.1.1 <a@b.at> user unknown\r"))
	f.Add([]byte("junk line\nReturn-Path: a@b.at\nFrom: a(b\\)c)@d(e)\nX-T: AAAA\nBBBB\nDate: x\n\nunsubscribe http://x\n"))
	f.Add([]byte("From  : <a @ b . at>\nContent-Type: text/html\n\n<img src=x width=1 height=1><a href=1></a>"))

	// Small limits let the fuzzer reach the caps quickly; the defaults are
	// what production runs.
	small := Limits{MaxMIMEDepth: 4, MaxParts: 16, MaxTextBytes: 2048, MaxHeaderBytes: 4096}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, lim := range []Limits{small, {}} {
			m, err := Parse(raw, lim)
			if err != nil {
				if !errors.Is(err, ErrUnparseable) {
					t.Fatalf("error does not wrap ErrUnparseable: %v", err)
				}
				if m != nil {
					t.Fatal("Message returned together with an error")
				}
				continue
			}
			checkMessage(t, m, lim.withDefaults())
		}
	})
}

func checkMessage(t *testing.T, m *Message, lim Limits) {
	t.Helper()
	for name, s := range map[string]string{
		"Text": m.Text, "FullText": m.FullText, "Quoted": m.Quoted, "Signature": m.Signature,
		"Subject": m.Subject, "From.Name": m.From.Name, "From.Address": m.From.Address,
		"MessageID": m.MessageID, "InReplyTo": m.InReplyTo, "ReturnPath": m.ReturnPath,
	} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
	}
	if len(m.Text) > lim.MaxTextBytes || len(m.FullText) > lim.MaxTextBytes {
		t.Errorf("len(Text) = %d, len(FullText) = %d, cap %d", len(m.Text), len(m.FullText), lim.MaxTextBytes)
	}
	for name, s := range map[string]string{"Subject": m.Subject, "From.Name": m.From.Name, "From.Address": m.From.Address, "MessageID": m.MessageID} {
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Errorf("%s has control characters: %q", name, s)
		}
	}
	for _, d := range m.Defects {
		if strings.HasPrefix(d, "panic") {
			t.Errorf("recovered %s", d)
		}
	}
}

// longQuoteMail is a 50 KB reply at the end of a long thread: each earlier
// mail is quoted, Outlook style and with "> " prefixes, below the new text.
func longQuoteMail() []byte {
	var b strings.Builder
	b.WriteString("From: Franz Berger <f.berger@berger-steuerberatung.at>\r\n" +
		"To: support@example-software.at\r\n" +
		"Subject: AW: AW: AW: Terminvorschlag Fernwartung [FW-1042]\r\n" +
		"Date: Mon, 16 Mar 2026 10:03:41 +0100\r\n" +
		"Message-ID: <long-thread-1@berger-steuerberatung.at>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		"Hallo,\r\n\r\nder zweite Termin passt uns gut, bitte um Bestätigung.\r\n\r\n" +
		"Mit freundlichen Grüßen\r\nFranz Berger\r\nTel. +43 662 987654\r\n\r\n")
	for i := 0; b.Len() < 50<<10; i++ {
		prefix := strings.Repeat("> ", i%4)
		fmt.Fprintf(&b, "%sAm %d.03.2026 um 16:%02d schrieb Support <support@example-software.at>:\r\n", prefix, 1+i%28, i%60)
		for j := 0; j < 12; j++ {
			fmt.Fprintf(&b, "%s> Wir können Ihnen folgende Termine anbieten: Dienstag %d. März um 09:00 oder Mittwoch um 14:00.\r\n", prefix, j+1)
		}
		fmt.Fprintf(&b, "%s> \r\n%s> Mit freundlichen Grüßen\r\n%s> Ihr Support-Team\r\n\r\n", prefix, prefix, prefix)
		b.WriteString("________________________________\r\nVon: Support <support@example-software.at>\r\n" +
			"Gesendet: Freitag, 13. März 2026 16:20\r\nAn: Franz Berger\r\nBetreff: Terminvorschlag\r\n\r\n")
	}
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name string
		raw  []byte
	}{
		{"typical_2KB", readFixture(b, "gmail_reply.eml")},
		{"long_quotes_50KB", longQuoteMail()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			for b.Loop() {
				if _, err := Parse(c.raw, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestLongQuoteMail(t *testing.T) {
	raw := longQuoteMail()
	if len(raw) < 50<<10 || len(raw) > 52<<10 {
		t.Fatalf("benchmark mail is %d bytes, want about 50 KB", len(raw))
	}
	m := mustParse(t, raw, Limits{})
	if want := "Hallo,\n\nder zweite Termin passt uns gut, bitte um Bestätigung."; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
}
