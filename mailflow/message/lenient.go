package message

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
)

// Mail servers accept far worse headers than RFC 5322 allows and deliver
// them to us; refusing them would hand a person a mail we could have read.
// This file holds the repairs a forgiving MTA makes before reading.

// fixLineEnds turns bare CR line ends (old Mac tools, some exporters) into
// LF, so the header splitter sees lines at all. CRLF is left alone. The
// input is copied only when a bare CR is there.
func fixLineEnds(raw []byte) ([]byte, bool) {
	i := bytes.IndexByte(raw, '\r')
	for i >= 0 && i+1 < len(raw) && raw[i+1] == '\n' {
		j := bytes.IndexByte(raw[i+2:], '\r')
		if j < 0 {
			return raw, false
		}
		i += 2 + j
	}
	if i < 0 {
		return raw, false
	}
	out := make([]byte, 0, len(raw))
	out = append(out, raw[:i]...)
	for ; i < len(raw); i++ {
		c := raw[i]
		if c != '\r' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(raw) && raw[i+1] == '\n':
			out = append(out, '\r')
		case i+2 < len(raw) && raw[i+1] == '\r' && raw[i+2] == '\n':
			// "\r\r\n": one line end written twice by a converter.
		default:
			out = append(out, '\n')
		}
	}
	return out, true
}

// maxJunkLines is how many lines of junk above a header block are skipped.
const maxJunkLines = 3

// junkLead returns how many lines at the start of rest are junk before a
// header block: lines that are no field, followed by two lines that are
// fields, one of them a field every mail carries. 0 when the first line is
// a field already or no header follows.
func junkLead(rest []byte) int {
	line, n := nextLine(rest, 0)
	if n == 0 {
		return 0
	}
	first := bytes.TrimRight(line, "\r\n")
	if len(first) == 0 || first[0] == ' ' || first[0] == '\t' {
		return 0
	}
	if _, ok := fieldKey(first); ok {
		return 0
	}
	pos := n
	for k := 1; k <= maxJunkLines; k++ {
		line, n := nextLine(rest, pos)
		if n == 0 {
			return 0
		}
		c := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(c)) == 0 {
			return 0
		}
		if key, ok := fieldKey(c); ok {
			next, m := nextLine(rest, pos+n)
			nc := bytes.TrimRight(next, "\r\n")
			if m == 0 || len(nc) == 0 {
				return 0
			}
			key2, ok2 := fieldKey(nc)
			cont := nc[0] == ' ' || nc[0] == '\t'
			if (ok2 || cont) && (knownHeaderKey(key) || ok2 && knownHeaderKey(key2)) {
				return k
			}
			return 0
		}
		pos += n
	}
	return 0
}

// appendField appends a field line with the blanks between name and colon
// removed ("From  : x" is obsolete syntax that textproto would read as a
// field named "From  ").
func appendField(dst, line []byte) []byte {
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] != ':' {
		i++
	}
	j := i
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	if j == i {
		return appendLine(dst, line)
	}
	dst = append(dst, line[:i]...)
	return appendLine(dst, line[j:])
}

// Bounds on the lines foldedAhead looks through: wrapped tokens (base64
// trackers) run long, wrapped words (a Received trace) a few lines.
const (
	maxFoldLookahead      = 32
	maxFoldWordsLookahead = 8
)

// foldedAhead reports whether the unfolded lines from pos on are the rest
// of one wrapped header value that ends in a field every mail carries
// before any empty line. Lines with blanks count only within a few lines
// of that field: further away they are more likely a body that began
// without its blank line. On success it records in *until where that field
// starts, so the lines in between are not looked at again.
func foldedAhead(b []byte, pos, max int, until *int) bool {
	words := false
	for k := 0; k < maxFoldLookahead && pos < len(b) && pos < max; k++ {
		line, n := nextLine(b, pos)
		c := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(c)) == 0 {
			return false
		}
		if key, ok := fieldKey(c); ok {
			if knownHeaderKey(key) {
				*until = pos
				return true
			}
		} else if c[0] != ' ' && c[0] != '\t' && bytes.ContainsAny(c, " \t") {
			words = true
		}
		if words && k >= maxFoldWordsLookahead {
			return false
		}
		pos += n
	}
	return false
}

// senderFallback fills m.From when the From header gave no address: from
// a second From field, Sender, Reply-To, a non-null Return-Path or the mbox
// separator line, in that order (what a person reading the raw mail would
// answer to). It records where the address came from.
func senderFallback(m *Message, th *mailHeader, raw []byte, dec *mime.WordDecoder) {
	try := func(where, v string) bool {
		for _, a := range parseAddressList(v, dec) {
			if a.Address != "" && strings.Contains(a.Address, "@") {
				m.From = a
				m.Defects = append(m.Defects, "no readable From address; sender taken from "+where)
				return true
			}
		}
		return false
	}
	froms := th.Values("From")
	for i := 1; i < len(froms); i++ {
		if try("a second From field", froms[i]) {
			return
		}
	}
	if try("Sender", th.Get("Sender")) || try("Reply-To", strings.Join(th.Values("Reply-To"), ", ")) {
		return
	}
	if m.ReturnPath != "" && try("Return-Path", m.ReturnPath) {
		return
	}
	if bytes.HasPrefix(raw, []byte("From ")) {
		line, _ := nextLine(raw, 0)
		if f := strings.Fields(string(line[5:])); len(f) > 0 {
			try("the mbox From line", f[0])
		}
	}
}

// stripAddrComments removes RFC 5322 comments ("(his account)") outside quoted
// strings and the blanks obsolete syntax allows around "@" and "." inside
// angle brackets, so net/mail can read what remains.
func stripAddrComments(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	depth, inQuote, inAngle := 0, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && (inQuote || depth > 0) && i+1 < len(v):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(v[i+1])
			}
			i++
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '"':
			inQuote = !inQuote
			b.WriteByte(c)
		case inQuote:
			b.WriteByte(c)
		case c == '(':
			depth++
		case c == '<':
			inAngle = true
			b.WriteByte(c)
		case c == '>':
			inAngle = false
			b.WriteByte(c)
		case inAngle && (c == ' ' || c == '\t'):
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseWithoutComments is net/mail on the list with comments and obsolete
// blanks removed; nil when that fails too.
func parseWithoutComments(v string, p *mail.AddressParser) []*mail.Address {
	if !strings.ContainsAny(v, "(<") {
		return nil
	}
	list, err := p.ParseList(stripAddrComments(v))
	if err != nil {
		return nil
	}
	return list
}
