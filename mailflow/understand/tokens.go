package understand

import (
	"encoding/binary"
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
	n    int32 // value of a digit run (capped), -1 for other kinds
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

// Byte classes of the lowered text for the tokenizer's dispatch.
const (
	bcOther   uint8 = iota // ASCII punctuation and the rest: the slow path
	bcSpace                // ' ', \t, \r, \f, \v
	bcNewline              // \n
	bcDigit
	bcLower // a-z
)

var byteClass = func() (t [256]uint8) {
	for _, c := range " \t\r\f\v" {
		t[c] = bcSpace
	}
	t['\n'] = bcNewline
	for c := '0'; c <= '9'; c++ {
		t[c] = bcDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = bcLower
	}
	return t
}()

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
		switch byteClass[c] {
		case bcSpace:
			sp = true
			i++
			continue
		case bcNewline:
			sp = true
			if nl < 2 {
				nl++
			}
			i++
			continue
		case bcDigit:
			a := i
			for i < len(low) && low[i] >= '0' && low[i] <= '9' {
				i++
			}
			toks = pushToken(toks, low[a:i], nil, atoiCapped(low[a:i]), tNum, sp, nl, false)
			sp, nl = false, 0
			continue
		case bcLower:
			// Plain ASCII words are most of a mail; the case of the
			// original is its byte at the same offset.
			a := i
			i = wordEnd(low, i+1, a)
			w := low[a:i]
			up := text[a] >= 'A' && text[a] <= 'Z'
			toks = pushToken(toks, w, lookupWordOrPossessive(w), -1, tWord, sp, nl, up)
			sp, nl = false, 0
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(low[i:])
		}
		if isLetter(r) {
			a := i
			up := text[a] >= 'A' && text[a] <= 'Z'
			if text[a] >= utf8.RuneSelf {
				r, _ := utf8.DecodeRuneInString(text[a:])
				up = unicode.IsUpper(r)
			}
			i = wordEnd(low, i, a)
			w := low[a:i]
			toks = pushToken(toks, w, lookupWordOrPossessive(w), -1, tWord, sp, nl, up)
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
		toks = pushToken(toks, ps, nil, -1, tPunct, sp, nl, false)
		i += size
		sp, nl = false, 0
	}
	return toks
}

// pushToken appends one token field by field. A composite literal was
// built on the stack from byte-wide stores and then copied with 16-byte
// loads, which stalls store forwarding on every token of a mail.
func pushToken(toks []token, s string, w *wordInfo, n int32, kind tokKind, sp bool, nl uint8, up bool) []token {
	k := len(toks)
	if k == cap(toks) {
		toks = append(toks, token{})
	} else {
		toks = toks[:k+1]
	}
	t := &toks[k]
	t.s, t.w, t.n = s, w, n
	t.kind, t.sp, t.nl, t.up = kind, sp, nl, up
	return toks
}

// wordEnd returns the index after the word that started at a and has been
// read up to i.
func wordEnd(low string, i, a int) int {
	for i < len(low) {
		c := low[i]
		if c >= 'a' && c <= 'z' {
			i++
			continue
		}
		if c < utf8.RuneSelf && c != '\'' {
			break
		}
		if c == 0xC3 && i+1 < len(low) {
			// U+00C0-U+00FF (ä, ö, ü, ß, é, …) are all letters but × and ÷.
			if d := low[i+1]; d >= 0x80 && d <= 0xBF && d != 0x97 && d != 0xB7 {
				i += 2
				continue
			}
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
	return i
}

// lowerSameLength lowers s without changing any byte offset. Text that is
// already lower case (most of a mail's bytes) is returned as it is.
func lowerSameLength(s string) string {
	return lowerInto(nil, s)
}

// lowerInto is lowerSameLength writing any copy into *scratch (grown as
// needed); with a nil scratch it allocates. Runs of eight ASCII bytes are
// lowered as one word (upperASCII), which is most of a mail.
func lowerInto(scratch *[]byte, s string) string {
	k := 0
	for k+8 <= len(s) {
		if x := load64(s, k); x&highBits != 0 || upperASCII(x) != 0 {
			break
		}
		k += 8
	}
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
		if i+8 <= len(s) {
			if x := load64(s, i); x&highBits == 0 {
				binary.LittleEndian.PutUint64(buf[i:], x|upperASCII(x)>>2)
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
			i++
			continue
		}
		if c == 0xC3 && i+1 < len(s) {
			// U+00C0-U+00DE lower to the same two bytes plus 0x20 (× at
			// U+00D7 stays); U+00DF-U+00FF are lower case already.
			if d := s[i+1]; d >= 0x80 && d <= 0xBF {
				if d <= 0x9E && d != 0x97 {
					d += 0x20
				}
				buf[i], buf[i+1] = c, d
				i += 2
				continue
			}
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

const highBits = 0x8080808080808080

// load64 reads s[i:i+8] little-endian (the compiler makes it one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 reads s[i:i+4] little-endian.
func load32(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// upperASCII marks (with 0x80) the bytes of x that are 'A'-'Z'; every byte
// of x must be ASCII. Adding 0x3f sets the top bit from 'A' up, adding 0x25
// from 'Z'+1 up, and no byte carries into the next.
func upperASCII(x uint64) uint64 {
	return (x + 0x3f3f3f3f3f3f3f3f) &^ (x + 0x2525252525252525) & highBits
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r)
}

// atoiCapped reads a digit run; runs too long to be a date or time part get
// a large sentinel so no parser accepts them.
func atoiCapped(s string) int32 {
	if len(s) > 6 {
		return 1 << 30
	}
	n := int32(0)
	for i := 0; i < len(s); i++ {
		n = n*10 + int32(s[i]-'0')
	}
	return n
}
