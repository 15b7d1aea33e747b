package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// htmlRawFactor bounds how much HTML source is read per part relative to
// MaxTextBytes: markup usually outweighs the text it carries several times,
// and reading a little more source is cheaper than cutting a mail's text
// short.
const htmlRawFactor = 4

// maxDefects keeps a hostile mail with thousands of broken parts from
// producing a log line per part.
const maxDefects = 20

// bodyWalker streams the MIME tree of one mail and collects the best text.
// Attachments are never read: the multipart reader skips their bytes on the
// way to the next boundary without decoding or keeping them.
type bodyWalker struct {
	lim       Limits
	parts     int
	budget    int // decoded text bytes still allowed
	truncated bool
	damaged   bool // a text part's bytes could not be decoded
	defects   []string
	reports   []string // media types that make the mail a bounce report
	// plainParts and html1 describe the text parts for the bulk signals:
	// newsletters are HTML with many links and a 1x1 tracking image.
	plainParts int
	html1      htmlStats
	calendar   *CalendarAnswer
	// lean walks the body with the splitter and decoders of lean.go
	// instead of go-message's readers; see run.
	lean bool
}

// partHeader is what the walker asks of a MIME header: go-message's
// textproto.Header on the full path, a leanHeader on the lean one.
type partHeader interface {
	Get(key string) string
}

// entityBody is an entity's undecoded body: a reader on the full path, the
// bytes themselves on the lean one.
type entityBody struct {
	r   io.Reader
	raw []byte
}

func (w *bodyWalker) defect(format string, args ...any) {
	if len(w.defects) < maxDefects {
		w.defects = append(w.defects, fmt.Sprintf(format, args...))
	}
}

// run walks the body below header th. It first tries the lean walk, which
// reads the body in place; on anything the lean walk does not handle
// exactly as go-message would (a charset it does not know, a broken
// boundary, bad transfer encoding, a calendar part) it starts over on the
// full path, so the result is always the one go-message gives.
func (w *bodyWalker) run(th *mailHeader, body []byte) string {
	start := *w
	if text, ok := w.walk(th, body, true); ok {
		return text
	}
	*w = start
	text, _ := w.walk(th, body, false)
	return text
}

// walk reads the body on one path. A panic in a decoder is turned into a
// defect so that the header (and the raw mail) still reach the caller; the
// lean path's own bail-out reports ok == false instead.
func (w *bodyWalker) walk(th partHeader, body []byte, lean bool) (text string, ok bool) {
	w.lean = lean
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(leanBail); bail && lean {
				text, ok = "", false
				return
			}
			w.defect("panic while reading body: %v", r)
			text, ok = "", true
		}
	}()
	eb := entityBody{raw: body}
	if !lean {
		eb.r = bytes.NewReader(body)
	}
	text, _ = w.entity(th, eb, 0, "")
	return text, true
}

// entity returns the text of one MIME entity and whether it came from
// text/plain (which multipart/alternative prefers over HTML).
func (w *bodyWalker) entity(h partHeader, body entityBody, depth int, parent string) (string, bool) {
	mt, params := mediaType(h.Get("Content-Type"), parent)
	switch {
	case mt == "message/delivery-status" || mt == "message/global-delivery-status" || mt == "message/feedback-report":
		w.reports = append(w.reports, mt)
		return "", false
	case strings.HasPrefix(mt, "multipart/"):
		if mt == "multipart/report" {
			w.reports = append(w.reports, mt)
		}
		if depth >= w.lim.MaxMIMEDepth {
			w.truncated = true
			return "", false
		}
		return w.multipart(mt, params["boundary"], body, depth+1)
	case mt == "text/calendar" || mt == "application/ics":
		// A calendar client's answer to our invitation, inline or attached.
		if w.lean {
			bail()
		}
		if w.calendar == nil {
			w.calendar = w.readCalendar(w.decoder(h, body.r, mt, params))
		}
		return "", false
	case isAttachment(h, params):
		return "", false
	case mt == "text/plain":
		return w.plain(h, body, params), true
	case mt == "text/html":
		return w.html(h, body, params), false
	}
	// Images, PDFs, attached mails (message/rfc822): not the customer's text.
	return "", false
}

func (w *bodyWalker) multipart(mt, boundary string, body entityBody, depth int) (string, bool) {
	if boundary == "" {
		w.defect("%s without boundary", mt)
		return "", false
	}
	var mr partReader
	if w.lean {
		mr = newLeanParts(body.raw, boundary)
	} else {
		mr = goMessageParts{textproto.NewMultipartReader(body.r, boundary)}
	}
	alternative := mt == "multipart/alternative"
	var (
		texts     []string
		allPlain  = true
		bestPlain string
		bestOther string
	)
	for {
		ph, pb, err := mr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.defect("%s: %v", mt, err)
			break
		}
		w.parts++
		if w.parts > w.lim.MaxParts {
			w.truncated = true
			break
		}
		if alternative && bestPlain != "" && !isCalendarPart(ph) {
			// The plain rendering is already in hand; the others repeat it
			// (a calendar answer does not, and is read for itself).
			continue
		}
		t, plain := w.entity(ph, pb, depth, mt)
		if strings.TrimSpace(t) == "" {
			continue
		}
		switch {
		case alternative && plain:
			bestPlain = t
		case alternative:
			if bestOther == "" {
				bestOther = t
			}
		default:
			texts = append(texts, t)
			allPlain = allPlain && plain
		}
	}
	if alternative {
		if bestPlain != "" {
			return bestPlain, true
		}
		return bestOther, false
	}
	return strings.Join(texts, "\n\n"), allPlain && len(texts) > 0
}

// partReader hands out the parts of one multipart body in order; io.EOF
// after the last.
type partReader interface {
	next() (partHeader, entityBody, error)
}

type goMessageParts struct{ mr *textproto.MultipartReader }

func (g goMessageParts) next() (partHeader, entityBody, error) {
	p, err := g.mr.NextPart()
	if err != nil {
		return nil, entityBody{}, err
	}
	return &p.Header, entityBody{r: p}, nil
}

// decoder undoes the transfer encoding and charset of a leaf part through
// go-message, after cleaning the Content-Type and Content-Transfer-Encoding
// it sees: go-message treats a Content-Type it cannot parse as having no
// charset, and real mail has plenty of those.
func (w *bodyWalker) decoder(h partHeader, body io.Reader, mt string, params map[string]string) io.Reader {
	// go-message's New reads only these two fields.
	var hc textproto.Header
	ct := mt
	if cs := params["charset"]; cs != "" {
		switch strings.ToLower(cs) {
		case "iso-8859-1", "latin1", "iso8859-1":
			cs = "windows-1252" // see charsetReader
		}
		if f := mime.FormatMediaType(mt, map[string]string{"charset": cs}); f != "" {
			ct = f
		}
	}
	hc.Set("Content-Type", ct)
	if cte := transferEncoding(h.Get("Content-Transfer-Encoding")); cte != "" {
		if cte == "base64" {
			// A mailer that labels a plain text "base64" is not rare: the
			// words are there to read, where decoding them gives garbage.
			br := bufio.NewReaderSize(body, plainPeek)
			body = br
			if head, _ := br.Peek(plainPeek); plainNotBase64(head) {
				w.defect("%s: declared base64 but holds plain text; read as it is", mt)
				cte = ""
			}
		}
		if cte != "" {
			hc.Set("Content-Transfer-Encoding", cte)
		}
	}
	e, err := gomessage.New(gomessage.Header{Header: hc}, body)
	if err != nil {
		// Unknown charset or encoding: the entity still reads the raw bytes,
		// and toUTF8 makes the best of them.
		w.defect("%s: %v", mt, err)
	}
	if e == nil {
		return body
	}
	return e.Body
}

// readLeaf reads at most limit decoded bytes of a part and reports whether
// there was more.
func (w *bodyWalker) readLeaf(h partHeader, body entityBody, mt string, params map[string]string, limit int) (string, bool) {
	var buf []byte
	if w.lean {
		buf = leanDecode(h, body.raw, params, limit+1)
	} else {
		var err error
		buf, err = io.ReadAll(io.LimitReader(w.decoder(h, body.r, mt, params), int64(limit)+1))
		if err != nil {
			w.defect("%s: reading body: %v", mt, err)
			w.damaged = true
		}
	}
	more := len(buf) > limit
	if more {
		buf = trimPartialRune(buf[:limit])
	}
	return toUTF8(string(buf)), more
}

func (w *bodyWalker) plain(h partHeader, body entityBody, params map[string]string) string {
	if w.budget <= 0 {
		w.truncated = true
		return ""
	}
	text, more := w.readLeaf(h, body, "text/plain", params, w.budget)
	w.plainParts++
	if more {
		w.truncated = true
	}
	if strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	w.budget -= len(text)
	return text
}

func (w *bodyWalker) html(h partHeader, body entityBody, params map[string]string) string {
	if w.budget <= 0 {
		w.truncated = true
		return ""
	}
	src, more := w.readLeaf(h, body, "text/html", params, htmlRawFactor*w.lim.MaxTextBytes)
	w.html1 = w.html1.add(scanHTMLSource(src))
	text, cut := htmlToText(strings.NewReader(src), w.budget)
	if more || cut {
		w.truncated = true
	}
	w.budget -= len(text)
	return text
}

// mediaType parses a Content-Type leniently: when mime.ParseMediaType
// rejects the parameters (unquoted spaces, a stray semicolon) the type and
// the parameters that can be read are still used. A missing or typeless
// header means text/plain (RFC 2045), or message/rfc822 inside a digest.
func mediaType(v, parent string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		if parent == "multipart/digest" {
			return "message/rfc822", map[string]string{}
		}
		return "text/plain", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		mt, params = lenientParams(v)
	}
	mt = strings.ToLower(mt)
	if !strings.Contains(mt, "/") {
		if mt == "text" || mt == "" {
			mt = "text/plain"
		} else {
			mt = "application/octet-stream"
		}
	}
	return mt, params
}

// lenientParams splits "type; a=b; c="d"" by hand, keeping the first value
// of each parameter.
func lenientParams(v string) (string, map[string]string) {
	parts := strings.Split(v, ";")
	params := make(map[string]string, len(parts)-1)
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' {
			if end := strings.IndexByte(val[1:], '"'); end >= 0 {
				val = val[1 : end+1]
			}
		}
		val = strings.Trim(val, `"`)
		if _, seen := params[k]; k != "" && !seen {
			params[k] = val
		}
	}
	return strings.TrimSpace(parts[0]), params
}

// isAttachment reports parts the sender attached rather than wrote: an
// explicit attachment disposition or a file name. A .txt attachment is a
// file the customer sent, not the message they typed.
func isAttachment(h partHeader, ctParams map[string]string) bool {
	if ctParams["name"] != "" {
		return true
	}
	v := h.Get("Content-Disposition")
	if v == "" {
		return false
	}
	disp, params, err := mime.ParseMediaType(v)
	if err != nil {
		disp, params = lenientParams(v)
	}
	if strings.EqualFold(strings.TrimSpace(disp), "attachment") {
		return true
	}
	return params["filename"] != "" || params["filename*"] != ""
}

// transferEncoding normalises the spellings of Content-Transfer-Encoding
// seen in the wild ("Base64;", "8-bit", "quoted printable").
func transferEncoding(v string) string {
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), `";'`))
	switch v {
	case "", "7bit", "7-bit", "8bit", "8-bit", "binary":
		return ""
	case "quoted-printable", "quoted printable", "quotedprintable", "qp":
		return "quoted-printable"
	case "base64", "base-64", "b64":
		return "base64"
	}
	return v
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a line
// ending in a space continues on the next line of the same quote depth. Doing
// it before cutting keeps an attribution or a sentence that the sender's
// client wrapped in one piece.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	b.Grow(len(s))
	open := false
	openDepth := 0
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := l[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if open && depth != openDepth {
			b.WriteByte('\n')
			open = false
		}
		if !open {
			if depth > 0 {
				b.WriteString(strings.Repeat(">", depth))
				b.WriteByte(' ')
			}
			openDepth = depth
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if flowed {
			open = true
			continue
		}
		b.WriteByte('\n')
		open = false
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func isCalendarPart(h partHeader) bool {
	mt, _ := mediaType(h.Get("Content-Type"), "")
	return mt == "text/calendar" || mt == "application/ics"
}

// plainPeek is how much of a base64 body plainNotBase64 looks at.
const plainPeek = 4096

// plainNotBase64 reports a body declared base64 that is text: its first
// line is no base64 line (encoders write lines of the alphabet only, a
// multiple of four long), and blanks between words and bytes outside the
// alphabet (punctuation, umlauts) follow. Base64 that breaks off into junk
// later stays base64, and damaged.
func plainNotBase64(b []byte) bool {
	for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	first := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		first = b[:i]
	}
	first = bytes.TrimRight(first, "\r")
	b64line := len(first)%4 == 0
	for _, c := range first {
		if !base64Byte(c) {
			b64line = false
		}
	}
	if b64line {
		return false
	}
	blanks, other := 0, 0
	for i, c := range b {
		switch {
		case base64Byte(c), c == '\r', c == '\n':
		case c == ' ' || c == '\t':
			if i > 0 && i+1 < len(b) && b[i-1] > ' ' && b[i+1] > ' ' {
				blanks++
			}
		default:
			other++
		}
	}
	return blanks >= 2 && blanks+other >= 3
}

func base64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}
