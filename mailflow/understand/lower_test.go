package understand

import (
	"strings"
	"testing"
)

func TestLowerTextIsToLower(t *testing.T) {
	for _, s := range []string{"", "abc", "ABC", "Grüße ÄÖÜ", "ẞ STRASSE", "İstanbul", "KELVIN \u212a", "\xff Bad Ä", "Ω Σ", typicalMail} {
		if got, want := lowerText(s), strings.ToLower(s); got != want {
			t.Errorf("lowerText(%q) = %q, strings.ToLower %q", s, got, want)
		}
	}
}

func FuzzLowerText(f *testing.F) {
	for _, s := range []string{"Grüße ÄÖÜ", "İ", "\xff", "ABC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lowerText(s), strings.ToLower(s); got != want {
			t.Errorf("lowerText(%q) = %q, strings.ToLower %q", s, got, want)
		}
	})
}
