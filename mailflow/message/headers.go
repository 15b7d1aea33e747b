package message

import (
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
)

// nextMsgID finds the first "<id>" token in v at or after from (an id is
// anything but angle brackets and blanks between them); References often
// come folded, comma separated or with comments between them, so we pick the
// ids out rather than parse the grammar. It returns start -1 when none is left.
func nextMsgID(v string, from int) (start, end int) {
	for i := from; i < len(v); i++ {
		if v[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(v) && v[j] != '<' && v[j] != '>' && !isSpaceByte(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '>' && j > i+1 {
			return i, j + 1
		}
		i = j - 1 // a '<' at j starts the next try; nothing before it can
	}
	return -1, -1
}

// Bounds on what one header may contribute, so a hostile header cannot
// blow up memory or logs downstream.
const (
	maxMsgIDLen     = 998
	maxReferences   = 100
	maxAddrsPerList = 200
	maxNameRunes    = 200
	maxAddrRunes    = 320
)

// readHeaders fills the header-derived fields of m.
func readHeaders(m *Message, th *mailHeader, dec *mime.WordDecoder) {
	m.Header = make(map[string][]string, len(th.fields))
	for _, f := range th.fields {
		m.Header[f.key] = append(m.Header[f.key], SanitizeHeader(decodeWords(dec, f.value), 0))
	}

	m.MessageID = firstMsgID(th.Get("Message-Id"))
	m.InReplyTo = firstMsgID(th.Get("In-Reply-To"))
	m.References = msgIDs(strings.Join(th.Values("References"), " "))

	if raw := th.Get("From"); raw != "" {
		if from := parseAddressList(raw, dec); len(from) > 0 {
			m.From = from[0]
		} else {
			m.Defects = append(m.Defects, "From header has no readable address")
		}
	}
	m.ReplyTo = parseAddressList(strings.Join(th.Values("Reply-To"), ", "), dec)
	m.To = parseAddressList(strings.Join(th.Values("To"), ", "), dec)
	m.Cc = parseAddressList(strings.Join(th.Values("Cc"), ", "), dec)

	// The topmost Return-Path is the one our receiving server wrote; older
	// ones further down may come from relays and say nothing about this hop.
	if rps := th.Values("Return-Path"); len(rps) > 0 {
		m.HasReturnPath = true
		m.ReturnPath = returnPathAddr(rps[0])
	}

	m.Subject = SanitizeHeader(decodeWords(dec, th.Get("Subject")), 0)

	if raw := th.Get("Date"); raw != "" {
		m.Date = parseDate(raw)
		if m.Date.IsZero() {
			m.Defects = append(m.Defects, "Date header unreadable: "+SanitizeHeader(raw, 80))
		}
	}
}

// decodeWords decodes RFC 2047 encoded words and repairs raw 8-bit header
// bytes that are not UTF-8. A word whose encoding is broken stays as written
// rather than failing the whole header.
func decodeWords(dec *mime.WordDecoder, v string) string {
	v = toUTF8(v)
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := dec.DecodeHeader(v)
	if err != nil {
		return v
	}
	return toUTF8(d)
}

// headerCharsetReader is charsetReader made forgiving for header words: an
// unknown charset passes the bytes through and toUTF8 repairs them, which
// reads better than leaving "=?x-unknown?Q?...?=" in a subject.
func headerCharsetReader(charset string, input io.Reader) (io.Reader, error) {
	r, err := charsetReader(charset, input)
	if err != nil || r == nil {
		return input, nil
	}
	return r, nil
}

// firstMsgID returns the first "<id>" in v, or v itself wrapped in angle
// brackets when a sender forgot them; "" when nothing id-like is there.
func firstMsgID(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if strings.ContainsAny(v, "( ") {
		// Obsolete syntax allows comments and blanks inside the brackets.
		v = stripAddrComments(v)
	}
	if i, j := nextMsgID(v, 0); i >= 0 {
		return capID(v[i:j])
	}
	for _, tok := range strings.FieldsFunc(v, isIDSep) {
		if strings.Contains(tok, "@") {
			return capID("<" + tok + ">")
		}
	}
	return ""
}

func isIDSep(r rune) bool {
	return r == ' ' || r == '\t' || r == ',' || r == '<' || r == '>'
}

// msgIDs returns the ids of a References header in order, without repeats.
func msgIDs(v string) []string {
	var found []string
	for i, j := nextMsgID(v, 0); i >= 0 && len(found) < maxReferences; i, j = nextMsgID(v, j) {
		found = append(found, v[i:j])
	}
	if len(found) == 0 {
		for _, tok := range strings.FieldsFunc(v, isIDSep) {
			if strings.Contains(tok, "@") {
				found = append(found, "<"+tok+">")
			}
			if len(found) >= maxReferences {
				break
			}
		}
	}
	var ids []string
	seen := make(map[string]bool, len(found))
	for _, id := range found {
		id = capID(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids
}

func capID(id string) string {
	id = SanitizeHeader(id, 0)
	if strings.ContainsAny(id, " ") || len(id) > maxMsgIDLen {
		return ""
	}
	return id
}

// returnPathAddr strips the angle brackets of a Return-Path; "<>" (the null
// sender of bounces and many auto-replies) gives "".
func returnPathAddr(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "<") {
		v = v[1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	return SanitizeHeader(strings.TrimSpace(v), maxAddrRunes)
}

// addrSpecRe finds a bare addr-spec in text that no RFC 5322 parser accepts.
var addrSpecRe = regexp.MustCompile(`[^\s<>"(),;:\[\]]+@[^\s<>"(),;:\[\]]+`)

// parseAddressList reads an address list with net/mail first and, when that
// fails (unquoted commas or dots in names, stray brackets, raw 8-bit names),
// entry by entry with a lenient fallback. Mail clients produce broken From
// lines often enough that refusing them would lose real customers.
func parseAddressList(v string, dec *mime.WordDecoder) []mail.Address {
	v = strings.TrimSpace(toUTF8(v))
	if v == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: dec}
	var out []mail.Address
	list, err := p.ParseList(v)
	if err != nil {
		// Comments and obsolete blanks ("pete(his account)@silly.test")
		// are legal but unread by net/mail.
		if l := parseWithoutComments(v, &p); l != nil {
			list, err = l, nil
		} else if t, ok := strings.CutSuffix(v, ">"); ok && !strings.Contains(t, "<") {
			// A stray closing bracket after a bare address.
			if l, e := p.ParseList(t); e == nil {
				list, err = l, nil
			}
		}
	}
	if err == nil {
		for _, a := range list {
			if a == nil {
				continue
			}
			out = append(out, cleanAddress(a.Name, a.Address))
			if len(out) >= maxAddrsPerList {
				break
			}
		}
		return out
	}
	for _, part := range splitAddressList(v) {
		if a, ok := parseAddressLenient(part, &p, dec); ok {
			out = append(out, a)
			if len(out) >= maxAddrsPerList {
				break
			}
		}
	}
	return out
}

// splitAddressList splits at commas and semicolons that are outside quotes,
// angle brackets and comments.
func splitAddressList(v string) []string {
	var parts []string
	depthParen, inAngle, inQuote := 0, false, false
	start := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depthParen++
		case c == ')' && depthParen > 0:
			depthParen--
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case (c == ',' || c == ';') && !inAngle && depthParen == 0:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	parts = append(parts, v[start:])
	// A comma inside an unquoted display name ("Huber, Maria <m@x.at>")
	// splits a name from its address; glue pieces without "@" to the next.
	var merged []string
	pending := ""
	for _, p := range parts {
		if pending != "" {
			p = pending + "," + p
			pending = ""
		}
		if !strings.Contains(p, "@") {
			pending = p
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// parseAddressLenient reads one address: net/mail when it can, otherwise
// the addr-spec in angle brackets (or the first thing with an "@") and the
// text before it as the name.
func parseAddressLenient(s string, p *mail.AddressParser, dec *mime.WordDecoder) (mail.Address, bool) {
	s = strings.TrimSpace(s)
	if a, err := p.Parse(s); err == nil && a != nil {
		return cleanAddress(a.Name, a.Address), true
	}
	var name, addr string
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		addr = s[i+1:]
		if j := strings.IndexByte(addr, '>'); j >= 0 {
			addr = addr[:j]
		}
		name = s[:i]
	}
	addr = strings.Trim(strings.TrimSpace(addr), `"'.,;`)
	if !plausibleAddr(addr) {
		addr = strings.Trim(addrSpecRe.FindString(s), `"'.,;`)
		name = ""
		if i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')'); i >= 0 && j > i {
			name = s[i+1 : j]
		}
	}
	if !plausibleAddr(addr) {
		return mail.Address{}, false
	}
	name = strings.Trim(strings.TrimSpace(name), `"' `)
	return cleanAddress(decodeWords(dec, name), addr), true
}

func plausibleAddr(a string) bool {
	at := strings.LastIndexByte(a, '@')
	return at > 0 && at < len(a)-1 && !strings.ContainsAny(a, " \t<>")
}

func cleanAddress(name, addr string) mail.Address {
	return mail.Address{
		Name:    SanitizeHeader(name, maxNameRunes),
		Address: SanitizeHeader(addr, maxAddrRunes),
	}
}
