package compose

import (
	"strings"
	"unicode"
)

// cleanHeader makes a string safe to place in a header: every kind of line
// break and other whitespace becomes one space, control and direction
// override characters are dropped, and the result is cut to max runes.
// Dropping (rather than encoding) CR and LF is the point: a customer's
// "Subject\r\nBcc: x@y" must end up as one harmless line, never as a second
// header.
func cleanHeader(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
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
