package message

import (
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// bigAttachmentMail builds a customer mail with an n-byte PDF attached. It
// is generated rather than kept in testdata so the repository stays small.
func bigAttachmentMail(n int) []byte {
	payload := make([]byte, n)
	for i := range payload {
		payload[i] = byte(i*31 + i>>8)
	}
	enc := base64.StdEncoding.EncodeToString(payload)
	var b strings.Builder
	b.Grow(len(enc) + len(enc)/76*2 + 2048)
	b.WriteString("From: Ingrid Stadler <i.stadler@stadler-hotel.at>\r\n" +
		"To: support@example-software.at\r\n" +
		"Subject: Export-Datei im Anhang\r\n" +
		"Date: Fri, 27 Mar 2026 09:30:00 +0100\r\n" +
		"Message-ID: <big-attachment-1@stadler-hotel.at>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"=-=big=-=\"\r\n\r\n" +
		"--=-=big=-=\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Hallo,\r\n\r\nim Anhang die Export-Datei. Könnten Sie sich das am Montag um 9 Uhr ansehen?\r\n\r\n" +
		"LG Ingrid Stadler\r\n" +
		"--=-=big=-=\r\n" +
		"Content-Type: application/pdf; name=\"export.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"export.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n--=-=big=-=--\r\n")
	return []byte(b.String())
}

func TestParseLargeAttachmentIsNotBuffered(t *testing.T) {
	raw := bigAttachmentMail(3 << 20)
	// Warm up once so lazily initialised tables do not count.
	mustParse(t, raw, Limits{})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m := mustParse(t, raw, Limits{})
	runtime.ReadMemStats(&after)

	if want := "Hallo,\n\nim Anhang die Export-Datei. Könnten Sie sich das am Montag um 9 Uhr ansehen?"; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	if m.Truncated || len(m.Defects) > 0 {
		t.Errorf("Truncated = %v, Defects = %q", m.Truncated, m.Defects)
	}
	// Decoding or keeping the attachment would cost at least its 3 MB.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Parse of a %d KB mail allocated %d KB", len(raw)>>10, alloc>>10)
	if alloc > 512<<10 {
		t.Errorf("Parse allocated %d KB for a mail with a 3 MB attachment; attachments must be skipped, not read", alloc>>10)
	}
}

// nestedMail wraps a text part in depth levels of multipart/mixed.
func nestedMail(depth int) []byte {
	var b strings.Builder
	b.WriteString("From: kunde@example.at\nSubject: verschachtelt\nDate: Mon, 9 Mar 2026 08:00:00 +0100\n")
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i)
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\n\nTermin am Montag um 10 Uhr?\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	return []byte(b.String())
}

func TestParseMIMEDepth(t *testing.T) {
	tests := []struct {
		name      string
		depth     int
		lim       Limits
		text      string
		truncated bool
	}{
		{"realistic nesting", 4, Limits{}, "Termin am Montag um 10 Uhr?", false},
		{"at the default limit", 10, Limits{}, "Termin am Montag um 10 Uhr?", false},
		{"deeper than the default limit", 11, Limits{}, "", true},
		{"very deep", 500, Limits{}, "", true},
		{"custom limit", 3, Limits{MaxMIMEDepth: 2}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, nestedMail(tc.depth), tc.lim)
			if m.Text != tc.text || m.Truncated != tc.truncated {
				t.Errorf("Text = %q, Truncated = %v; want %q, %v", m.Text, m.Truncated, tc.text, tc.truncated)
			}
			if m.Subject != "verschachtelt" {
				t.Errorf("Subject = %q", m.Subject)
			}
		})
	}
}

func TestParseMaxParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: kunde@example.at\nSubject: viele Teile\nContent-Type: multipart/mixed; boundary=p\n\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "--p\nContent-Type: text/plain\n\nTeil %d\n", i)
	}
	b.WriteString("--p--\n")

	m := mustParse(t, []byte(b.String()), Limits{MaxParts: 5})
	if !m.Truncated {
		t.Error("Truncated not set")
	}
	if !strings.Contains(m.Text, "Teil 4") || strings.Contains(m.Text, "Teil 5") {
		t.Errorf("Text = %q, want parts 0..4 only", m.Text)
	}
}

func TestParseMaxTextBytes(t *testing.T) {
	line := "Bitte um Rückruf wegen der Überweisungen, es eilt. "
	body := strings.Repeat(line, 200)
	raw := "From: kunde@example.at\nSubject: lang\nContent-Type: text/plain; charset=utf-8\n\n" + body
	for _, max := range []int{1, 100, 101, 102, 1000} {
		m := mustParse(t, []byte(raw), Limits{MaxTextBytes: max})
		if !m.Truncated {
			t.Errorf("max %d: Truncated not set", max)
		}
		if len(m.Text) > max || len(m.FullText) > max {
			t.Errorf("max %d: len(Text) = %d, len(FullText) = %d", max, len(m.Text), len(m.FullText))
		}
		if !utf8.ValidString(m.FullText) {
			t.Errorf("max %d: FullText is not valid UTF-8 (a rune was split)", max)
		}
		// A cap in the middle of "ü" must not turn the text into Latin-1
		// mojibake.
		if strings.Contains(m.FullText, "Ã") {
			t.Errorf("max %d: FullText was misread as Latin-1: %q", max, m.FullText)
		}
	}
	html := "From: kunde@example.at\nSubject: lang\nContent-Type: text/html\n\n<p>" + strings.Repeat(line, 200) + "</p>"
	m := mustParse(t, []byte(html), Limits{MaxTextBytes: 300})
	if !m.Truncated || len(m.FullText) > 300 || len(m.FullText) < 200 {
		t.Errorf("HTML: Truncated = %v, len(FullText) = %d", m.Truncated, len(m.FullText))
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{MaxParts: 7}.withDefaults()
	want := DefaultLimits
	want.MaxParts = 7
	if got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
	if got := (Limits{MaxTextBytes: -1}).withDefaults(); got != DefaultLimits {
		t.Errorf("negative fields: %+v, want defaults", got)
	}
}
