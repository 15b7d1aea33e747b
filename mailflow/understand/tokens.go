package understand

import (
	"unicode"
	"unicode/utf8"
)

// maxTextBytes caps how much of a mail body the extractor looks at. A
// customer says what they want in the first screen of text; the rest of a
// very long mail is logs, pasted error output or an un-cut quote, and reading
// it would only cost time and invite false matches.
const maxTextBytes = 8 << 10

type tokKind uint8

const (
	tWord tokKind = iota + 1
	tNum
	tPunct
)

// token is one word, digit run or punctuation mark of the lowered text.
// Letters and digits are split even without a space ("15h30" is 15, h, 30),
// so the parsers see the same shape however the customer glued it together;
// sp records whether whitespace came before, which tells "3.12." from
// "3. 12".
type token struct {
	s    string // lower-cased text; dashes are "-", typographic apostrophes "'"
	w    *wordInfo
	n    int // value of a digit run (capped), -1 for other kinds
	kind tokKind
	sp   bool  // whitespace before this token
	nl   uint8 // newlines in that whitespace, capped at 2 (2 = paragraph)
	up   bool  // first letter was upper case in the original
}

// digits is the length of a digit run token.
func (t *token) digits() int {
	if t.kind != tNum {
		return 0
	}
	return len(t.s)
}

// capText cuts s to at most n bytes on a rune boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// tokenize lowers text once into a single buffer and cuts it into tokens
// that are substrings of that buffer, so a mail costs two allocations here
// however long it is.
func tokenize(text string) []token {
	text = capText(text, maxTextBytes)
	buf := make([]byte, 0, len(text))
	type span struct {
		a, b int
		kind tokKind
		sp   bool
		nl   uint8
		up   bool
	}
	spans := make([]span, 0, len(text)/4+4)
	sp, nl := true, uint8(0)
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			sp = true
			i++
			continue
		case c == '\n':
			sp = true
			if nl < 2 {
				nl++
			}
			i++
			continue
		case c >= '0' && c <= '9':
			a := len(buf)
			for i < len(text) && text[i] >= '0' && text[i] <= '9' {
				buf = append(buf, text[i])
				i++
			}
			spans = append(spans, span{a, len(buf), tNum, sp, nl, false})
			sp, nl = false, 0
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if isLetter(r) {
			a := len(buf)
			up := unicode.IsUpper(r)
			for i < len(text) {
				r, size = rune(text[i]), 1
				if text[i] >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(text[i:])
				}
				if isLetter(r) {
					buf = appendLower(buf, r)
					i += size
					continue
				}
				// An apostrophe between letters stays inside the word
				// ("can't", "o'clock"), whichever quote mark was typed.
				if (r == '\'' || r == '’') && i+size < len(text) && len(buf) > a {
					nr, _ := utf8.DecodeRuneInString(text[i+size:])
					if isLetter(nr) {
						buf = append(buf, '\'')
						i += size
						continue
					}
				}
				break
			}
			spans = append(spans, span{a, len(buf), tWord, sp, nl, up})
			sp, nl = false, 0
			continue
		}
		if unicode.IsSpace(r) { // no-break space and friends
			sp = true
			i += size
			continue
		}
		a := len(buf)
		switch r {
		case '–', '—', '‒', '−':
			buf = append(buf, '-')
		case '’', '‘':
			buf = append(buf, '\'')
		default:
			if r < utf8.RuneSelf {
				buf = append(buf, byte(r))
			} else {
				buf = utf8.AppendRune(buf, r)
			}
		}
		i += size
		spans = append(spans, span{a, len(buf), tPunct, sp, nl, false})
		sp, nl = false, 0
	}
	s := string(buf)
	toks := make([]token, len(spans))
	for k, p := range spans {
		t := &toks[k]
		t.s = s[p.a:p.b]
		t.kind, t.sp, t.nl, t.up = p.kind, p.sp, p.nl, p.up
		t.n = -1
		switch p.kind {
		case tNum:
			t.n = atoiCapped(t.s)
		case tWord:
			t.w = lexicon[t.s]
		}
	}
	return toks
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r)
}

func appendLower(buf []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(buf, byte(r))
	}
	return utf8.AppendRune(buf, unicode.ToLower(r))
}

// atoiCapped reads a digit run; runs too long to be a date or time part get
// a large sentinel so no parser accepts them.
func atoiCapped(s string) int {
	if len(s) > 6 {
		return 1 << 30
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
