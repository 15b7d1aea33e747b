package message

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"

	gomessage "github.com/emersion/go-message"
	// Registers the charset decoders (ISO-8859-x, Windows-125x, ...) with
	// go-message; without it non-UTF-8 mail would stay undecoded.
	_ "github.com/emersion/go-message/charset"
)

// withDefaults fills every zero or negative field from DefaultLimits, so a
// caller can override one bound without restating the others.
func (l Limits) withDefaults() Limits {
	if l.MaxMIMEDepth <= 0 {
		l.MaxMIMEDepth = DefaultLimits.MaxMIMEDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultLimits.MaxParts
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = DefaultLimits.MaxTextBytes
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultLimits.MaxHeaderBytes
	}
	return l
}

// Parse reads one raw RFC 5322 mail. It returns an error wrapping
// ErrUnparseable only when there is no readable header (empty input,
// garbage, a header block over lim.MaxHeaderBytes). Anything wrong after a
// readable header (a broken MIME structure, bad transfer encoding, unknown
// charsets) still yields a Message with what could be read, the problem
// recorded in Defects, so the caller can keep the mail and hand it to a human.
// Zero fields of lim fall back to DefaultLimits.
func Parse(raw []byte, lim Limits) (msg *Message, err error) {
	var m *Message
	// A panic here is a bug, but one strange mail must not take the daemon
	// down or be lost: once the header is read the caller still gets the
	// Message (with the panic as a defect), before that an error.
	defer func() {
		if r := recover(); r != nil {
			if m == nil {
				msg, err = nil, fmt.Errorf("parse header: internal error (%v): %w", r, ErrUnparseable)
				return
			}
			m.Defects = append(m.Defects, fmt.Sprintf("panic while parsing: %v", r))
			msg, err = m, nil
		}
	}()

	lim = lim.withDefaults()
	raw, crOnly := fixLineEnds(raw)
	hb, body, skipped, err := splitHeader(raw, lim.MaxHeaderBytes)
	if err != nil {
		return nil, err
	}
	th, err := readMailHeader(hb)
	if err != nil {
		return nil, fmt.Errorf("read header block: %w: %w", ErrUnparseable, err)
	}

	m = &Message{}
	if crOnly {
		m.Defects = append(m.Defects, "bare CR line ends read as line breaks")
	}
	if skipped > 0 {
		m.Defects = append(m.Defects, fmt.Sprintf("%d line(s) before the header skipped", skipped))
	}
	dec := &mime.WordDecoder{CharsetReader: headerCharsetReader}
	readHeaders(m, &th, dec)
	if m.From.Address == "" {
		senderFallback(m, &th, raw, dec)
	}

	w := bodyWalker{lim: lim, budget: lim.MaxTextBytes}
	text := w.run(&th, body)
	m.Truncated = w.truncated
	m.Damaged = w.damaged
	m.Calendar = w.calendar
	m.Defects = append(m.Defects, w.defects...)
	// Signals before the text work: they are what keeps us from answering a
	// robot, so they must be set even if anything later went wrong.
	detectSignals(m, &th, w.reports)

	full, cut := capText(normalizeText(text), lim.MaxTextBytes)
	if cut {
		m.Truncated = true
	}
	m.FullText = full
	parts := cutReply(full)
	m.Text, m.Quoted, m.Signature = parts.text, parts.quoted, parts.signature
	// Content signals read the decoded text; a robot that forgot its
	// headers still writes like one.
	classifyContent(m, &th, &w)
	return m, nil
}

// charsetReader hands RFC 2047 words and addresses to the same charset
// decoders go-message uses for bodies. The charset package installs them in
// gomessage.CharsetReader at init; utf-8 and us-ascii need no decoder.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "latin1", "iso8859-1":
		// Senders label Windows-1252 text as Latin-1 all the time (the euro
		// sign, curly quotes); the Windows table is a superset, so use it.
		cs = "windows-1252"
	}
	if gomessage.CharsetReader == nil {
		return nil, fmt.Errorf("no decoder for charset %q", charset)
	}
	return gomessage.CharsetReader(cs, input)
}

// splitHeader finds the header block of raw and returns it (re-terminated so
// textproto.ReadHeader reads every field) and the body that follows. It is
// deliberately more lenient than RFC 5322: a missing blank line before the
// body, a stray unfolded line inside the header, a leading mbox "From " line
// or BOM are all tolerated, because a mail we refuse is a mail a human has to
// dig out of the raw store. What it does refuse (wrapping ErrUnparseable):
// input with no header field at all, a first line that is not a field, no
// field a mail would carry, or a header block over max bytes.
func splitHeader(raw []byte, max int) (header, body []byte, skipped int, err error) {
	rest := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	// Some tools that save .eml files put empty lines before the header.
	for i := 0; i < 4; i++ {
		line, n := nextLine(rest, 0)
		if n == 0 || len(bytes.TrimSpace(line)) != 0 {
			break
		}
		rest = rest[n:]
	}
	if bytes.HasPrefix(rest, []byte("From ")) {
		// The mbox separator, unless it is an obsolete "From  : x" field.
		line, n := nextLine(rest, 0)
		if _, field := fieldKey(bytes.TrimRight(line, "\r\n")); !field {
			rest = rest[n:]
		}
	}
	// A line of junk above the header ("---- Original email message ----"
	// from a tool that saved the mail) hides a whole header block; skip a
	// few such lines when real header fields follow them.
	if skip := junkLead(rest); skip > 0 {
		for i := 0; i < skip; i++ {
			_, n := nextLine(rest, 0)
			rest = rest[n:]
		}
		skipped = skip
	}

	hb := make([]byte, 0, min(len(rest), 8<<10))
	fields, known := 0, false
	pos := 0
	contUntil := 0 // lines before this offset are unindented continuations
	body = rest[len(rest):]
	for pos < len(rest) {
		line, n := nextLine(rest, pos)
		if pos+n > max {
			return nil, nil, 0, fmt.Errorf("header block larger than %d bytes: %w", max, ErrUnparseable)
		}
		content := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(content)) == 0 {
			body = rest[pos+n:]
			break
		}
		switch key, ok := fieldKey(content); {
		case content[0] == ' ' || content[0] == '\t':
			if fields == 0 {
				return nil, nil, 0, fmt.Errorf("header starts with a continuation line: %w", ErrUnparseable)
			}
			hb = appendLine(hb, content)
		case ok:
			fields++
			known = known || knownHeaderKey(key)
			hb = appendField(hb, content)
		case fields == 0:
			return nil, nil, 0, fmt.Errorf("first line is not a header field: %w", ErrUnparseable)
		case pos+n < contUntil || strayLine(rest, pos+n):
			// An unfolded continuation (a long subject broken by a careless
			// encoder) followed by more fields: keep it as a continuation so
			// From or Date after it are not lost to the body.
			hb = append(hb, ' ')
			hb = appendLine(hb, content)
		case foldedAhead(rest, pos+n, max, &contUntil):
			// A long value (a base64 tracker, a Received line) wrapped by
			// a careless relay without indentation, several lines deep,
			// with From or Date still below it.
			hb = append(hb, ' ')
			hb = appendLine(hb, content)
		default:
			// The header ended without the blank line; what follows is body.
			body = rest[pos:]
			pos = len(rest)
			continue
		}
		pos += n
	}
	if fields == 0 {
		return nil, nil, 0, fmt.Errorf("no header fields: %w", ErrUnparseable)
	}
	if !known {
		return nil, nil, 0, fmt.Errorf("no mail header fields (From, Date, Subject, ...): %w", ErrUnparseable)
	}
	hb = append(hb, '\n')
	return hb, body, skipped, nil
}

// nextLine returns the line starting at pos in b (with its terminator) and
// its length in bytes; 0 at the end of b.
func nextLine(b []byte, pos int) ([]byte, int) {
	if pos >= len(b) {
		return nil, 0
	}
	i := bytes.IndexByte(b[pos:], '\n')
	if i < 0 {
		return b[pos:], len(b) - pos
	}
	return b[pos : pos+i+1], i + 1
}

func appendLine(dst, line []byte) []byte {
	dst = append(dst, line...)
	return append(dst, '\n')
}

// fieldKey returns the field name when line looks like "Name: value" with
// a name of printable ASCII (RFC 5322 ftext).
func fieldKey(line []byte) ([]byte, bool) {
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] < 0x7f && line[i] != ':' {
		i++
	}
	if i == 0 {
		return nil, false
	}
	j := i
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	if j >= len(line) || line[j] != ':' {
		return nil, false
	}
	return line[:i], true
}

// strayLine reports whether the line at pos is a header field a mail would
// carry, which makes the line before it a broken continuation rather than
// the start of the body.
func strayLine(b []byte, pos int) bool {
	line, n := nextLine(b, pos)
	if n == 0 {
		return false
	}
	key, ok := fieldKey(bytes.TrimRight(line, "\r\n"))
	return ok && knownHeaderKey(key)
}

// knownHeaderKey reports fields that real mail carries, in any case.
// Requiring at least one of them is what tells a mail from garbage that
// happens to start with "word:".
func knownHeaderKey(key []byte) bool {
	var buf [16]byte
	if len(key) > len(buf) {
		return false
	}
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(key)]) {
	case "from", "sender", "to", "cc", "reply-to", "date", "subject", "message-id",
		"received", "return-path", "delivered-to", "mime-version", "content-type",
		"in-reply-to", "references", "x-mailer", "user-agent":
		return true
	}
	return false
}
