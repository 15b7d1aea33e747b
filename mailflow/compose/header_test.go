package compose

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestCleanHeader(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Termin am Donnerstag", 100, "Termin am Donnerstag"},
		{"Hallo\r\nBcc: x@y", 100, "Hallo Bcc: x@y"},
		{"a\x00b\x07c\x7fd\u0085e", 100, "abcd e"},
		{"  viel \t\t Platz  ", 100, "viel Platz"},
		{"line\u2028sep", 100, "line sep"},
		{"evil\u202Etxt.exe", 100, "eviltxt.exe"},
		{"Grüße aus Wien", 100, "Grüße aus Wien"},
		{"abcdef", 3, "abc"},
		{"ab cd", 3, "ab"},
		{"ungültig \xff", 100, "ungültig \uFFFD"},
		// Encoded words are read as the recipient's client would read
		// them, then cleaned: a CRLF hidden in one is still a CRLF.
		{"=?UTF-8?Q?x=0D=0ABcc:_evil@x?=", 100, "x Bcc: evil@x"},
		{"=?ISO-8859-1?Q?Gr=FC=DFe?= aus Wien", 100, "Grüße aus Wien"},
		{"=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("=?UTF-8?Q?x=0D=0ABcc:_evil@x?=")) + "?=", 100, "x Bcc: evil@x"},
		{"=?x-unheard-of?Q?x=0D=0ABcc:_evil@x?=", 100, "= ?x-unheard-of?Q?x=0D=0ABcc:_evil@x?="},
		{"=?UTF-8?Q?x=0?=", 100, "= ?UTF-8?Q?x=0?="},
		{"=?x-unheard-of?Q?a?= =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", 100, "= ?x-unheard-of?Q?a?= Grüße"},
		{"Was kostet das =? Preis ?=", 100, "Was kostet das =? Preis ?="},
	}
	for _, tt := range tests {
		if got := cleanHeader(tt.in, tt.max); got != tt.want {
			t.Errorf("cleanHeader(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	if got := cleanText("a\r\nb\rc\x00d\u202E", 100); got != "a\nb\ncd" {
		t.Errorf("cleanText = %q", got)
	}
	if got := cleanText(strings.Repeat("x", 10), 4); got != "xxxx" {
		t.Errorf("cleanText cap = %q", got)
	}
}

func TestThreading(t *testing.T) {
	parent, refs := threading(" <p@example.com> ", []string{"<a@example.com>", "<b@example.com>", "<a@example.com> <z@example.com>", "<p@example.com>", "c@example.com", "<bad id@example.com>", "<no-at>", "<a@example.com>"})
	if parent != "<p@example.com>" {
		t.Errorf("parent = %q", parent)
	}
	want := "<a@example.com> <b@example.com> <c@example.com> <p@example.com>"
	if got := strings.Join(refs, " "); got != want {
		t.Errorf("refs = %q, want %q", got, want)
	}

	var long []string
	for i := 0; i < 30; i++ {
		long = append(long, "<m"+strings.Repeat("x", i)+"@example.com>")
	}
	_, refs = threading("<last@example.com>", long)
	if len(refs) != maxReferences || refs[0] != long[0] || refs[len(refs)-1] != "<last@example.com>" || refs[len(refs)-2] != long[29] {
		t.Errorf("capped refs = %v", refs)
	}
	if p, r := threading("", nil); p != "" || r != nil {
		t.Errorf("no thread: %q %v", p, r)
	}
	if got := cleanMessageID("<" + strings.Repeat("a", 300) + "@example.com>"); got != "" {
		t.Errorf("overlong ID kept: %q", got)
	}
}

func TestMaskIDs(t *testing.T) {
	tests := map[string]string{
		"ID 123456789":            "ID ******789",
		"ID 123 456 789, danke":   "ID *** *** 789, danke",
		"123-456-789":             "***-***-789",
		"Tel. +43 1 234 567 890":  "Tel. +** * *** *** 890",
		"Rechnung 2026/11":        "Rechnung 2026/11",
		"12345678 und 9":          "12345678 und 9",
		"Termin am 26.11. um 10":  "Termin am 26.11. um 10",
		"Maria Muster":            "Maria Muster",
		"x123456789y":             "x******789y",
		"1 2 3 4 5 6 7 8 9 0":     "* * * * * * * 8 9 0",
		"123  456 789 (two gaps)": "123  456 789 (two gaps)",
	}
	for in, want := range tests {
		if got := maskIDs(in); got != want {
			t.Errorf("maskIDs(%q) = %q, want %q", in, got, want)
		}
	}
	// customerText collapses the gaps first, so spacing cannot hide an ID.
	if got := customerText("123  456\r\n789", 100); got != "*** *** 789" {
		t.Errorf("customerText = %q", got)
	}
	// The mask comes before the cut: a cut ID keeps no more than three digits.
	if got := customerText("Meine ID: 123 456 789", 15); strings.ContainsAny(strings.TrimPrefix(got, "Meine ID: "), "123456") {
		t.Errorf("cut ID = %q", got)
	}
}

func TestMaskedID(t *testing.T) {
	tests := map[string]string{
		"*** *** 789":     "*** *** 789",
		"123456789":       "*** *** 789",
		"123 456 789":     "*** *** 789",
		"123 456 789\r\n": "*** *** 789",
		"":                "",
		"12":              "*** *** ***",
		"<script>":        "*** *** ***",
		"789 Bcc: x@y":    "*** *** ***",
		"*** *** ***":     "*** *** ***",
	}
	for in, want := range tests {
		if got := maskedID(in); got != want {
			t.Errorf("maskedID(%q) = %q, want %q", in, got, want)
		}
	}
}
