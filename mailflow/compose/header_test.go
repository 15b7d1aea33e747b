package compose

import (
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
