package understand

import (
	"unicode"
	"unicode/utf8"
	"unsafe"
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

// tokenize lowers text once and cuts it into tokens that are substrings of
// the lowered copy, so a mail costs two allocations here however long it
// is. Lowering keeps byte offsets (a rune whose lower case has another
// length stays as it is), which lets the tokenizer read the case of the
// original at the same offset.
func tokenize(text string) []token {
	return tokenizeInto(nil, nil, text)
}

// tokenizeInto is tokenize reusing the scratch of one Read: toks is
// appended to from length zero, and when lowering needs a copy it goes into
// *buf. The tokens then point into *buf, so they must not outlive the
// scratch (Read keeps none of their strings in its Reading).
func tokenizeInto(toks []token, buf *[]byte, text string) []token {
	text = capText(text, maxTextBytes)
	low := lowerInto(buf, text)
	if need := len(text)/5 + 16; cap(toks) < need {
		toks = make([]token, 0, need)
	}
	toks = toks[:0]
	sp, nl := true, uint8(0)
	i := 0
	for i < len(low) {
		c := low[i]
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
			a := i
			for i < len(low) && low[i] >= '0' && low[i] <= '9' {
				i++
			}
			toks = append(toks, token{s: low[a:i], kind: tNum, sp: sp, nl: nl, n: atoiCapped(low[a:i])})
			sp, nl = false, 0
			continue
		case c >= 'a' && c <= 'z' || c == '_':
			if c == '_' {
				break
			}
			i = wordToken(&toks, text, low, i, sp, nl)
			sp, nl = false, 0
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(low[i:])
		}
		if isLetter(r) {
			i = wordToken(&toks, text, low, i, sp, nl)
			sp, nl = false, 0
			continue
		}
		if unicode.IsSpace(r) { // no-break space and friends
			sp = true
			i += size
			continue
		}
		ps := low[i : i+size]
		switch r {
		case '–', '—', '‒', '−':
			ps = "-"
		case '’', '‘':
			ps = "'"
		}
		toks = append(toks, token{s: ps, kind: tPunct, sp: sp, nl: nl, n: -1})
		i += size
		sp, nl = false, 0
	}
	return toks
}

// wordToken appends the word starting at i and returns the index after it.
func wordToken(toks *[]token, orig, low string, i int, sp bool, nl uint8) int {
	a := i
	up := orig[i] >= 'A' && orig[i] <= 'Z'
	if orig[i] >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(orig[i:])
		up = unicode.IsUpper(r)
	}
	for i < len(low) {
		c := low[i]
		if c >= 'a' && c <= 'z' {
			i++
			continue
		}
		if c < utf8.RuneSelf && c != '\'' {
			break
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(low[i:])
		}
		if isLetter(r) {
			i += size
			continue
		}
		// An apostrophe between letters stays inside the word ("can't",
		// "o'clock"), whichever quote mark was typed.
		if (r == '\'' || r == '’') && i+size < len(low) && i > a {
			nr, _ := utf8.DecodeRuneInString(low[i+size:])
			if isLetter(nr) {
				i += size
				continue
			}
		}
		break
	}
	w := low[a:i]
	*toks = append(*toks, token{s: w, w: lexicon[w], kind: tWord, sp: sp, nl: nl, up: up, n: -1})
	return i
}

// lowerSameLength lowers s without changing any byte offset. Text that is
// already lower case (most of a mail's bytes) is returned as it is.
func lowerSameLength(s string) string {
	return lowerInto(nil, s)
}

// lowerInto is lowerSameLength writing any copy into *scratch (grown as
// needed); with a nil scratch it allocates.
func lowerInto(scratch *[]byte, s string) string {
	k := 0
	for k < len(s) && s[k] < utf8.RuneSelf && (s[k] < 'A' || s[k] > 'Z') {
		k++
	}
	if k == len(s) {
		return s
	}
	var buf []byte
	if scratch != nil && cap(*scratch) >= len(s) {
		buf = (*scratch)[:len(s)]
	} else {
		buf = make([]byte, len(s))
		if scratch != nil {
			*scratch = buf
		}
	}
	copy(buf, s[:k])
	for i := k; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if lr := unicode.ToLower(r); lr != r && utf8.RuneLen(lr) == size {
			utf8.EncodeRune(buf[i:], lr)
		} else {
			copy(buf[i:], s[i:i+size])
		}
		i += size
	}
	if scratch != nil {
		// The scratch outlives this call only inside one Read, which
		// copies nothing out of it; a string view saves the copy.
		return unsafe.String(unsafe.SliceData(buf), len(buf))
	}
	return string(buf)
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r)
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
