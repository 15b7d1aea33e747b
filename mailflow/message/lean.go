package message

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	nettextproto "net/textproto"
	"strings"
	"unsafe"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// The lean body path. go-message reads every part through a 4 KB buffered
// reader, a header map and, for quoted-printable, another 4 KB reader: on a
// typical two-part mail that is most of the parse cost. The mail is already
// in memory, so the lean path splits multipart bodies, reads part headers and
// undoes quoted-printable and base64 on the bytes in place.
//
// It copies go-message's (and mime/quotedprintable's) rules for the input it
// accepts, and gives up (bail) on anything else: a part or line go-message
// would report as broken, an unknown charset, a calendar part. The walker
// then reads the whole body again through go-message, so the lean path can
// only ever make a mail faster, never read differently. FuzzLeanBody and
// TestLeanBodyMatchesGoMessage hold the two paths equal.

// leanBail is the panic value that abandons the lean walk.
type leanBail struct{}

func bail() { panic(leanBail{}) }

// leanField is one header field as go-message's textproto.ReadHeader
// returns it: the key as written, the value unfolded and trimmed.
type leanField struct {
	key, value string
}

// leanHeader is a part header; Get returns the first field of that name,
// as textproto.Header.Get does.
type leanHeader []leanField

func (h leanHeader) Get(key string) string {
	for _, f := range h {
		if len(f.key) == len(key) && strings.EqualFold(f.key, key) { // keys are ASCII
			return f.value
		}
	}
	return ""
}

// bufSize is go-message's (and bufio's default) read buffer: a line longer
// than this between parts, or in quoted-printable, is an error there.
const bufSize = 4096

// readLeanHeader reads a part header at the start of b the way
// textproto.ReadHeader does and returns it with the offset of the body. It
// bails on every case ReadHeader reports as an error and on a header that
// runs into the end of b.
//
// With own set, b is a buffer nobody changes afterwards, and keys and
// values point into it instead of being copied.
func readLeanHeader(b []byte, own bool) (leanHeader, int) {
	if len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		bail()
	}
	var h leanHeader
	pos := 0
	for {
		line, n := leanLine(b, pos)
		if n == 0 {
			// A header that ends with the input: go-message reads it, but
			// the part then has no body and no boundary; not worth copying.
			bail()
		}
		pos += n
		if len(line) == 0 {
			return h, pos
		}
		// Continuation lines (starting with a space or tab) belong to this
		// field.
		first := line
		start := pos
		for pos < len(b) && (b[pos] == ' ' || b[pos] == '\t') {
			_, n := leanLine(b, pos)
			if n == 0 {
				bail()
			}
			pos += n
		}
		colon := bytes.IndexByte(first, ':')
		if colon < 0 {
			bail()
		}
		key := trimLWSP(first[:colon])
		for _, c := range key {
			if c < 33 || c > 126 || c == ':' {
				bail()
			}
		}
		if len(key) == 0 {
			continue // go-message skips a field without a name
		}
		h = append(h, leanField{key: bytesString(key, own), value: unfoldValue(first[colon+1:], b[start:pos], own)})
	}
}

// leanLine returns the line at pos without its line end, as
// bufio.Reader.ReadLine does, and the bytes it spans including the line
// end; a last line without a line end bails (an error in go-message).
func leanLine(b []byte, pos int) ([]byte, int) {
	if pos >= len(b) {
		return nil, 0
	}
	i := bytes.IndexByte(b[pos:], '\n')
	if i < 0 {
		bail()
	}
	line := b[pos : pos+i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, i + 1
}

// unfoldValue joins a field's value lines the way go-message does: each
// line loses one more trailing CR and its surrounding blanks, empty lines
// vanish, the rest are joined by single spaces.
func unfoldValue(first, cont []byte, own bool) string {
	seg := valueSegment(first)
	if len(cont) == 0 {
		return bytesString(seg, own)
	}
	var sb strings.Builder
	sb.Grow(len(first) + len(cont))
	sb.Write(seg)
	for pos := 0; pos < len(cont); {
		line, n := leanLine(cont, pos)
		pos += n
		if s := valueSegment(line); len(s) > 0 {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.Write(s)
		}
	}
	return sb.String()
}

// bytesString is string(b), without the copy when b's buffer is owned and
// never written again.
func bytesString(b []byte, own bool) string {
	if own {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return string(b)
}

func valueSegment(l []byte) []byte {
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	return trimLWSP(l)
}

func trimLWSP(s []byte) []byte {
	i, n := 0, len(s)
	for i < n && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for n > i && (s[n-1] == ' ' || s[n-1] == '\t') {
		n--
	}
	return s[i:n]
}

// leanParts walks one multipart body the way textproto.MultipartReader
// does: the same delimiter and close-delimiter lines, the same choice of
// CRLF or LF from the first delimiter, the same end of a part's data.
type leanParts struct {
	b            []byte
	pos          int // where NextPart reads its next line
	partEnd      int // end of the current part's data; -1 before the first
	partsRead    int
	nl           []byte
	dashBoundary []byte // "--boundary"
}

func newLeanParts(b []byte, boundary string) *leanParts {
	db := []byte("--" + boundary)
	return &leanParts{b: b, partEnd: -1, nl: []byte("\r\n"), dashBoundary: db}
}

func (p *leanParts) next() (partHeader, entityBody, error) {
	if p.partEnd >= 0 {
		p.pos = p.partEnd
	}
	expectNewPart := false
	for {
		if p.pos >= len(p.b) {
			bail() // go-message: "NextPart: EOF"
		}
		i := bytes.IndexByte(p.b[p.pos:], '\n')
		var line []byte
		if i < 0 {
			line = p.b[p.pos:]
			if len(line) > bufSize || !p.isFinalBoundary(line) {
				bail()
			}
			return nil, entityBody{}, io.EOF
		}
		line = p.b[p.pos : p.pos+i+1]
		if len(line) > bufSize {
			bail() // bufio: buffer full
		}
		p.pos += len(line)
		if p.isDelimiter(line) {
			p.partsRead++
			h, n := readLeanHeader(p.b[p.pos:], false)
			start := p.pos + n
			p.partEnd = p.dataEnd(start)
			return h, entityBody{raw: p.b[start:p.partEnd]}, nil
		}
		if p.isFinalBoundary(line) {
			return nil, entityBody{}, io.EOF
		}
		if expectNewPart {
			bail()
		}
		if p.partsRead == 0 {
			continue // preamble
		}
		if bytes.Equal(line, p.nl) {
			expectNewPart = true
			continue
		}
		bail()
	}
}

func (p *leanParts) isFinalBoundary(line []byte) bool {
	if !bytes.HasPrefix(line, p.dashBoundary) {
		return false
	}
	rest := line[len(p.dashBoundary):]
	if len(rest) < 2 || rest[0] != '-' || rest[1] != '-' {
		return false
	}
	rest = skipLWSP(rest[2:])
	return len(rest) == 0 || bytes.Equal(rest, p.nl)
}

func (p *leanParts) isDelimiter(line []byte) bool {
	if !bytes.HasPrefix(line, p.dashBoundary) {
		return false
	}
	rest := skipLWSP(line[len(p.dashBoundary):])
	if p.partsRead == 0 && len(rest) == 1 && rest[0] == '\n' {
		p.nl = p.nl[1:]
	}
	return bytes.Equal(rest, p.nl)
}

func skipLWSP(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// dataEnd finds where the part data starting at start ends: before the
// line end that precedes the next delimiter, or at a delimiter right at the
// start. A delimiter is "--boundary" followed by a blank, a line end, a
// dash or the end of the input. No delimiter at all is an unexpected EOF in
// go-message: bail.
func (p *leanParts) dataEnd(start int) int {
	b := p.b[start:]
	if bytes.HasPrefix(b, p.dashBoundary) {
		if delimiterFollows(b, len(p.dashBoundary)) {
			return start
		}
	} else if bytes.HasPrefix(p.dashBoundary, b) {
		bail()
	}
	nlDash := make([]byte, 0, len(p.nl)+len(p.dashBoundary))
	nlDash = append(append(nlDash, p.nl...), p.dashBoundary...)
	from := 0
	if bytes.HasPrefix(b, p.dashBoundary) {
		from = len(p.dashBoundary) // go-message passes it on as data
	}
	for {
		i := bytes.Index(b[from:], nlDash)
		if i < 0 {
			bail()
		}
		i += from
		if delimiterFollows(b[i:], len(nlDash)) {
			return start + i
		}
		from = i + len(nlDash)
	}
}

func delimiterFollows(b []byte, n int) bool {
	if len(b) == n {
		return true
	}
	switch b[n] {
	case ' ', '\t', '\r', '\n', '-':
		return true
	}
	return false
}

// leanDecode returns up to max bytes of a text part's body with its
// transfer encoding and charset undone, as go-message's decoder (set up by
// bodyWalker.decoder) would return them.
func leanDecode(h partHeader, raw []byte, params map[string]string, max int) []byte {
	cs := params["charset"]
	switch strings.ToLower(cs) {
	case "iso-8859-1", "latin1", "iso8859-1":
		cs = "windows-1252" // see charsetReader
	}
	cs = strings.ToLower(cs)
	convert := false
	switch cs {
	case "", "utf-8", "us-ascii":
	case "windows-1252", "windows-1250", "windows-1251", "windows-1257",
		"iso-8859-2", "iso-8859-15", "iso-8859-9", "iso-8859-4":
		// Single-byte charsets: every byte becomes at least one byte of
		// UTF-8, so max decoded bytes are enough for max converted ones.
		convert = true
	default:
		bail()
	}
	limit := max
	var dec []byte
	switch transferEncoding(h.Get("Content-Transfer-Encoding")) {
	case "":
		dec = raw[:min(len(raw), limit)]
	case "quoted-printable":
		dec = decodeQP(raw, limit)
	case "base64":
		dec = decodeBase64(raw)
		dec = dec[:min(len(dec), limit)]
	default:
		bail() // an unknown encoding is a defect on the full path
	}
	if !convert {
		return dec // may share raw: the walker copies it into a string
	}
	if gomessage.CharsetReader == nil {
		bail()
	}
	r, err := gomessage.CharsetReader(cs, bytes.NewReader(dec))
	if err != nil {
		bail()
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(max)))
	if err != nil {
		bail()
	}
	return out
}

// decodeQP undoes quoted-printable with the rules of mime/quotedprintable's
// Reader (soft breaks with "=\n" too, trailing blanks dropped, a stray "="
// kept), stopping after max bytes. Everything that Reader reports as an
// error bails.
func decodeQP(src []byte, max int) []byte {
	out := make([]byte, 0, min(len(src), max))
	for len(src) > 0 && len(out) < max {
		var whole []byte
		eof := false
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			whole, src = src[:i+1], src[i+1:]
		} else {
			whole, src, eof = src, nil, true
		}
		if len(whole) > bufSize {
			bail()
		}
		hasLF := whole[len(whole)-1] == '\n'
		hasCR := hasLF && len(whole) > 1 && whole[len(whole)-2] == '\r'
		n := len(whole)
		for n > 0 {
			switch whole[n-1] {
			case '\n', '\r', ' ', '\t':
				n--
				continue
			}
			break
		}
		line := whole[:n]
		var end string
		if len(line) > 0 && line[len(line)-1] == '=' {
			right := trimLeftLWSP(whole[len(line):])
			line = line[:len(line)-1]
			if !bytes.HasPrefix(right, []byte("\n")) && !bytes.HasPrefix(right, []byte("\r\n")) &&
				!(len(right) == 0 && len(line) > 0 && eof) {
				bail()
			}
		} else if hasLF {
			end = "\n"
			if hasCR {
				end = "\r\n"
			}
		}
		for i := 0; i < len(line) && len(out) < max; i++ {
			// Runs of bytes that stand for themselves go in one append.
			j := i
			for j < len(line) && qpLiteral(line[j]) {
				j++
			}
			if j > i {
				j = min(j, i+max-len(out))
				out = append(out, line[i:j]...)
				i = j - 1
				continue
			}
			c := line[i]
			switch {
			case c == '=':
				if hi, ok := unhex(at(line, end, i+1)); ok {
					if lo, ok := unhex(at(line, end, i+2)); ok {
						out = append(out, hi<<4|lo)
						i += 2
						continue
					}
				}
				// Not two hex digits: a literal "=", unless a line end
				// (or nothing) follows, which the Reader reports.
				if nx := at(line, end, i+1); len(line)+len(end)-i < 2 || nx == '\r' || nx == '\n' {
					bail()
				}
			case c == '\t' || c == '\r' || c == '\n' || c >= 0x80:
			case c < ' ' || c > '~':
				bail()
			}
			out = append(out, c)
		}
		for i := 0; i < len(end) && len(out) < max; i++ {
			out = append(out, end[i])
		}
	}
	return out
}

// qpLiteral reports bytes the quoted-printable Reader passes on as they are
// (besides CR and LF, which only occur at a line end here).
func qpLiteral(c byte) bool {
	return c >= ' ' && c <= '~' && c != '=' || c == '\t' || c >= 0x80
}

// at returns byte i of line followed by end, 0 past both.
func at(line []byte, end string, i int) byte {
	if i < len(line) {
		return line[i]
	}
	if i-len(line) < len(end) {
		return end[i-len(line)]
	}
	return 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func trimLeftLWSP(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// decodeBase64 decodes a base64 body with blanks and line ends in it;
// anything the streaming decoder go-message uses would reject bails.
func decodeBase64(src []byte) []byte {
	compact := make([]byte, 0, len(src))
	for _, c := range src {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		compact = append(compact, c)
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(compact)))
	n, err := base64.StdEncoding.Decode(out, compact)
	if err != nil {
		bail()
	}
	return out[:n]
}

// mailHeader is a mail's top-level header: its fields in order, keys in
// canonical form, values unfolded, exactly what go-message's
// textproto.ReadHeader would hold, without its map and line buffers.
type mailHeader struct {
	fields []leanField
}

// readMailHeader reads the header block hb (as splitHeader returns it: a
// buffer of its own that nothing writes to afterwards, so the field values
// point into it).
// Anything the lean reader bails on goes through textproto.ReadHeader,
// which also gives the error for a header that cannot be read.
func readMailHeader(hb []byte) (mailHeader, error) {
	if h, ok := readMailHeaderLean(hb); ok {
		return h, nil
	}
	th, err := textproto.ReadHeader(bufio.NewReaderSize(bytes.NewReader(hb), min(len(hb)+1, bufSize)))
	if err != nil {
		return mailHeader{}, err
	}
	h := mailHeader{fields: make([]leanField, 0, th.Len())}
	for f := th.Fields(); f.Next(); {
		h.fields = append(h.fields, leanField{key: f.Key(), value: f.Value()})
	}
	return h, nil
}

func readMailHeaderLean(hb []byte) (h mailHeader, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, bailed := r.(leanBail); !bailed {
				panic(r)
			}
			ok = false
		}
	}()
	fields, n := readLeanHeader(hb, true)
	if n != len(hb) {
		return mailHeader{}, false // splitHeader ends hb with the blank line
	}
	for i := range fields {
		fields[i].key = nettextproto.CanonicalMIMEHeaderKey(fields[i].key)
	}
	return mailHeader{fields: fields}, true
}

// Get returns the first value of the field named key.
func (h *mailHeader) Get(key string) string {
	for _, f := range h.fields {
		if len(f.key) == len(key) && strings.EqualFold(f.key, key) { // keys are ASCII
			return f.value
		}
	}
	return ""
}

// Has reports whether a field named key is present.
func (h *mailHeader) Has(key string) bool {
	for _, f := range h.fields {
		if len(f.key) == len(key) && strings.EqualFold(f.key, key) { // keys are ASCII
			return true
		}
	}
	return false
}

// Values returns every value of the field named key, in order.
func (h *mailHeader) Values(key string) []string {
	var vs []string
	for _, f := range h.fields {
		if len(f.key) == len(key) && strings.EqualFold(f.key, key) { // keys are ASCII
			vs = append(vs, f.value)
		}
	}
	return vs
}
