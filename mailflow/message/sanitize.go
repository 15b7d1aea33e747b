package message

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
)

// SanitizeHeader makes text that came from a customer safe to put into a
// header field of an outgoing mail: CR and LF (which would let a customer
// inject header lines), NUL and every other control character are removed,
// runs of whitespace become one space, and the result is capped at max runes
// without splitting a rune. max <= 0 means no cap. Invalid UTF-8 is dropped
// rather than replaced, so the result is always valid UTF-8.
func SanitizeHeader(s string, max int) string {
	if cleanASCIIHeader(s, max) {
		return s // most header values: nothing to do, nothing to allocate
	}
	return sanitizeHeaderSlow(s, max)
}

func sanitizeHeaderSlow(s string, max int) string {
	var b strings.Builder
	b.Grow(len(s))
	runes := 0
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			continue
		}
		switch {
		case unicode.IsSpace(r):
			// Tabs, CR, LF and exotic spaces all fold into one space, so
			// "Termin\r\nBcc: x" becomes harmless one-line text.
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), invisibleRune(r):
			continue
		}
		if max > 0 && runes+1+boolInt(space) > max {
			break
		}
		if space {
			b.WriteByte(' ')
			runes++
			space = false
		}
		b.WriteRune(r)
		runes++
	}
	return b.String()
}

// cleanASCIIHeader reports s that SanitizeHeader would return unchanged:
// printable ASCII with single spaces inside, within max.
func cleanASCIIHeader(s string, max int) bool {
	if max > 0 && len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
			continue
		}
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// invisibleRune reports characters that render as nothing but can reorder
// or hide text (bidi overrides, zero-width spaces, BOM, soft hyphen). They are
// a spoofing risk in headers and break word matching in bodies.
func invisibleRune(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x200B, r == 0x200C, r == 0x200D, r == 0x200E, r == 0x200F,
		r == 0x2060, r == 0xFEFF:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// toUTF8 returns s unchanged when it is valid UTF-8. Otherwise the bytes are
// read as Windows-1252: mail that lies about (or omits) its charset is almost
// always Latin-1 or its Windows superset in this desk's region, and decoding
// it that way keeps the umlauts instead of turning them into U+FFFD.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	d, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil || !utf8.ValidString(d) {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return d
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b, as left
// by a byte limit that cut a rune in half, so that a valid UTF-8 text is not
// mistaken for Latin-1 just because the cap split its last character.
func trimPartialRune(b []byte) []byte {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return b // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return b[:len(b)-k]
			}
			return b
		}
	}
	return b
}

// normalizeText turns decoded body text into the form the cutter and the
// understand package expect: LF line ends, no control or invisible
// characters, non-breaking and other exotic spaces as plain spaces, no
// trailing blanks on a line, at most one empty line in a row, and no empty
// lines at the start or end. ASCII takes a fast path: it is nearly all of
// the text and this runs over every byte of every mail.
func normalizeText(s string) string {
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
				// A visible character and the plain ASCII run after it
				// (spaces included: inside a line space() writes ' ').
				n.begin()
				j := plainRun(s, i)
				n.out = append(n.out, s[i-1:j]...)
				i = j
			}
			continue
		}
		if j := plainRun(s, i); j > i {
			n.begin()
			n.out = append(n.out, s[i:j]...)
			i = j
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
	// n.out is not touched again: hand it over without a copy.
	return unsafe.String(unsafe.SliceData(n.out), len(n.out))
}

// plainRun returns the end of the run at i of printable ASCII (spaces
// included: inside a line space() writes ' ' too) and of letters U+00C0 to
// U+017F (umlauts, accents): bytes normalizeText copies as they are.
func plainRun(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= ' ' && c < 0x7f:
			i++
		case c >= 0xC3 && c <= 0xC5 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0xBF:
			i += 2
		default:
			return i
		}
	}
	return i
}

// textNormalizer writes lines lazily: separators and leading spaces are
// only written once a line turns out to have content, so empty lines and
// trailing blanks never need to be taken back.
type textNormalizer struct {
	out     []byte
	started bool // a line with content was written
	inLine  bool // the current line has content
	blank   int  // empty lines since the last line with content
	lead    int  // leading spaces of the current line not yet written
}

func (n *textNormalizer) space() {
	if n.inLine {
		n.out = append(n.out, ' ')
	} else {
		n.lead++
	}
}

// begin is called before each visible character.
func (n *textNormalizer) begin() {
	if n.inLine {
		return
	}
	if n.started {
		n.out = append(n.out, '\n')
		if n.blank > 0 {
			n.out = append(n.out, '\n')
		}
	}
	for ; n.lead > 0; n.lead-- {
		n.out = append(n.out, ' ')
	}
	n.started, n.inLine, n.blank = true, true, 0
}

func (n *textNormalizer) newline() {
	if n.inLine {
		end := len(n.out)
		for end > 0 && n.out[end-1] == ' ' {
			end--
		}
		n.out = n.out[:end]
	} else if n.started {
		n.blank++
	}
	n.inLine, n.lead = false, 0
}

// capText cuts s to at most max bytes at a rune boundary and reports whether
// anything was cut.
func capText(s string, max int) (string, bool) {
	if max <= 0 || len(s) <= max {
		return s, false
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}
