package understand

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The tokenizer's fast paths must agree with the plain code they replace.

func TestLookupWordIsLexicon(t *testing.T) {
	for w, info := range lexicon {
		for _, v := range []string{w, w + "x", w[:len(w)-1], "x" + w, w + "s", strings.Repeat(w, 3)} {
			if got := lookupWord(v); got != lexicon[v] {
				t.Fatalf("lookupWord(%q) = %p, lexicon has %p", v, got, lexicon[v])
			}
		}
		if info.c3 != strings.Contains(w, "\xc3") {
			t.Errorf("%q: c3 = %v", w, info.c3)
		}
	}
}

// TestLatin1 pins what the 0xC3 fast paths of lowerInto and wordEnd assume
// about U+00C0-U+00FF.
func TestLatin1(t *testing.T) {
	for r := rune(0xC0); r <= 0xFF; r++ {
		l := unicode.ToLower(r)
		switch {
		case r == 0xD7 || r == 0xF7:
			if unicode.IsLetter(r) || l != r {
				t.Errorf("%U", r)
			}
		case !unicode.IsLetter(r), r <= 0xDE && l != r+0x20, r >= 0xDF && l != r:
			t.Errorf("%U: letter %v, lower %U", r, unicode.IsLetter(r), l)
		}
	}
}

func TestLowerIntoMatchesRunes(t *testing.T) {
	var buf []byte
	for _, s := range []string{"", "abc", "ABCDEFGHIJKLMNOPQRSTUVWXYZ[@`{", "Hätten Sie ÄÖÜ ẞ × ÷ À Þ ÿ",
		"KELVIN \u212a İstanbul", "\xc3\x28\xff\xc3", "Sehr geehrte Damen und Herren, AM 26.11. UM 10 UHR"} {
		var want []byte
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if lr := unicode.ToLower(r); lr != r && utf8.RuneLen(lr) == size {
				want = utf8.AppendRune(want, lr)
			} else {
				want = append(want, s[i:i+size]...)
			}
			i += size
		}
		if got := lowerInto(&buf, s); got != string(want) {
			t.Errorf("lowerInto(%q) = %q, want %q", s, got, want)
		}
		if got := lowerSameLength(s); got != string(want) {
			t.Errorf("lowerSameLength(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestNextDigit(t *testing.T) {
	s := "abc/:\xb0\xb9\xff 9 héllo wörld 0 \x39\x30" + strings.Repeat("x", 20) + "7"
	for i := 0; i <= len(s); i++ {
		want := len(s)
		for k := i; k < len(s); k++ {
			if isDigit(s[k]) {
				want = k
				break
			}
		}
		if got := nextDigit(s, i); got != want {
			t.Errorf("nextDigit(%d) = %d, want %d", i, got, want)
		}
	}
}
