package compose

import (
	"mime"
	"regexp"
	"strings"
	"unicode"

	"github.com/emersion/go-message/charset"
)

// cleanHeader makes a string safe to place in a header: every kind of line
// break and other whitespace becomes one space, control and direction
// override characters are dropped, and the result is cut to max runes.
// Dropping (rather than encoding) CR and LF is the point: a customer's
// "Subject\r\nBcc: x@y" must end up as one harmless line, never as a second
// header.
func cleanHeader(s string, max int) string {
	s = strings.ToValidUTF8(plainWords(s), "\uFFFD")
	var b strings.Builder
	n := 0
	pendingSpace := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case unicode.IsControl(r), invisible(r):
			continue
		}
		if pendingSpace && b.Len() > 0 {
			if n+1 >= max {
				break
			}
			b.WriteByte(' ')
			n++
		}
		pendingSpace = false
		if n >= max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// wordDecoder reads encoded words in any charset go-message knows, so that
// only words in an unheard-of charset are left for plainWords to break.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// encodedWord is the shape of an RFC 2047 encoded word.
var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// maxWordRounds bounds the decoding of words inside words. Real mail never
// nests them; three rounds show that we tried, and the rest is broken.
const maxWordRounds = 3

// plainWords decodes RFC 2047 encoded words and breaks those it cannot
// decode. The message package decodes a customer's header once, but a word
// that decodes to another word, or one in an unknown charset, still reaches
// us encoded: being plain ASCII it would go out unchanged and be decoded by
// the recipient's mail client into whatever it hides, CR, LF and "Bcc:"
// included. Cleaning only protects what the reader will actually see, so
// that is what it must work on. A space after "=" is enough to make a
// leftover word plain text for every client.
func plainWords(s string) string {
	for i := 0; i < maxWordRounds && strings.Contains(s, "=?"); i++ {
		d, err := wordDecoder.DecodeHeader(s)
		if err != nil {
			// One word in an unknown charset fails the whole header; the
			// others still read as their writer meant them.
			d = encodedWord.ReplaceAllStringFunc(s, func(w string) string {
				if plain, err := wordDecoder.Decode(w); err == nil {
					return plain
				}
				return w
			})
		}
		if d == s {
			break
		}
		s = d
	}
	if !strings.Contains(s, "=?") {
		return s
	}
	return encodedWord.ReplaceAllStringFunc(s, func(w string) string { return "= " + w[1:] })
}

// maxCustomerRunes bounds what customerText reads before cutting: far more
// than any name or subject, so masking sees whole IDs.
const maxCustomerRunes = 4000

// customerText prepares text from the customer's own headers (display name,
// subject) for our mail: cleaned like any header, and with whatever looks
// like an AnyDesk ID masked before the cut, so that cutting cannot split an
// ID into a part too short to be masked.
func customerText(s string, max int) string {
	return cleanHeader(maskIDs(cleanHeader(s, maxCustomerRunes)), max)
}

// maskIDs hides all but the last three digits of every run of nine or more
// digits, single spaces, dots, dashes or slashes between them allowed. In a
// customer's name or subject such a run is most likely their AnyDesk ID,
// the key to their computer, and a mail we send must never carry it whole;
// hiding an invoice or phone number now and then is the cheaper mistake.
func maskIDs(s string) string {
	rs := []rune(s)
	masked := false
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			i++
			continue
		}
		var digits []int
		j := i
		for ; j < len(rs); j++ {
			if unicode.IsDigit(rs[j]) {
				digits = append(digits, j)
			} else if !idSeparator(rs[j]) || j+1 == len(rs) || !unicode.IsDigit(rs[j+1]) {
				break
			}
		}
		if len(digits) >= 9 {
			for _, k := range digits[:len(digits)-3] {
				rs[k] = '*'
			}
			masked = true
		}
		i = j
	}
	if !masked {
		return s
	}
	return string(rs)
}

func idSeparator(r rune) bool {
	return r == ' ' || r == '.' || r == '-' || r == '/'
}

// maskedID returns the AnyDesk ID as a customer may see it: "*** *** "
// and the last three digits. Callers mask it already; doing it again here
// means a caller that forgets cannot put a customer's full ID into a mail.
// Anything but digits, stars and separators is no ID at all and shows as
// "*** *** ***" rather than as whatever text it is.
func maskedID(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	var digits []rune
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits = append(digits, r)
		case r == '*' || idSeparator(r) || unicode.IsSpace(r):
		default:
			return "*** *** ***"
		}
	}
	if len(digits) < 3 {
		return "*** *** ***"
	}
	return "*** *** " + string(digits[len(digits)-3:])
}

// cleanText is cleanHeader for text that goes into a body: line breaks are
// kept, other controls are dropped.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= max {
			break
		}
		if r == '\r' {
			r = '\n'
		}
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || invisible(r) {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// invisible reports the formatting characters that can make a line read
// differently from what it contains (bidi overrides, byte order mark).
func invisible(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF, r == 0x200E, r == 0x200F:
		return true
	}
	return false
}

// cleanMessageID returns id in angle brackets, or "" when it is not a
// plausible Message-ID. A bad ID is dropped, not repaired: threading works
// without it, and a repaired one would point at a different mail.
func cleanMessageID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	if id == "" || len(id)+2 > maxMessageIDBytes || !strings.Contains(id, "@") {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == '(' || c == ')' || c == '\\' {
			return ""
		}
	}
	return "<" + id + ">"
}

// threading returns the In-Reply-To and References values of our answer:
// the customer's chain with their own mail appended, unusable IDs dropped,
// duplicates removed and the length capped. The cap keeps the thread's root
// and its newest entries, which is what clients use to place a mail.
func threading(inReplyTo string, references []string) (string, []string) {
	parent := cleanMessageID(inReplyTo)
	seen := map[string]bool{}
	var refs []string
	add := func(id string) {
		if id = cleanMessageID(id); id != "" && !seen[id] {
			seen[id] = true
			refs = append(refs, id)
		}
	}
	// Each entry must be one ID. Splitting an entry at spaces would turn
	// "<a@b>\r\nBcc: x@y" into the IDs <a@b> and <x@y>.
	for _, r := range references {
		add(r)
	}
	if parent != "" {
		// The parent goes last even when the customer's client listed it
		// earlier, so the newest-last order holds.
		if seen[parent] {
			kept := refs[:0]
			for _, r := range refs {
				if r != parent {
					kept = append(kept, r)
				}
			}
			refs = kept
		}
		refs = append(refs, parent)
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1:1], refs[len(refs)-(maxReferences-1):]...)
	}
	return parent, refs
}
