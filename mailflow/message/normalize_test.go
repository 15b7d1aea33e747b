package message

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// normalizeTextRef is normalizeText as it was before the copying fast
// paths: one character at a time. FuzzNormalizeText holds the two equal.
func normalizeTextRef(s string) string {
	n := textNormalizer{out: make([]byte, 0, len(s))}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\n':
				n.newline()
			case c == '\r':
				if i < len(s) && s[i] == '\n' {
					i++
				}
				n.newline()
			case c == ' ' || c == '\t' || c == '\v' || c == '\f':
				n.space()
			case c < 0x20 || c == 0x7f:
				// control character: dropped
			default:
				n.begin()
				n.out = append(n.out, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == 0x2028, r == 0x2029, r == 0x0085:
			n.newline()
		case r == utf8.RuneError && size <= 1:
			n.begin()
			n.out = utf8.AppendRune(n.out, utf8.RuneError)
		case unicode.IsControl(r), invisibleRune(r):
			// dropped
		case unicode.IsSpace(r):
			n.space() // NBSP, figure and narrow spaces, ...
		default:
			n.begin()
			n.out = utf8.AppendRune(n.out, r)
		}
	}
	n.newline()
	return string(n.out)
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"", "a  b \t\r\n\r\n\nc", "Grüße ÄÖÜ\u00ad\u200b x\u00a0y", "Ł Ő ſ \u0085 end", "\xc3", "\xc3(", "\xc4\x80\xc5\xbf", " \v lead\f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalizeText(s), normalizeTextRef(s); got != want {
			t.Errorf("normalizeText(%q) = %q, one rune at a time %q", s, got, want)
		}
	})
}
