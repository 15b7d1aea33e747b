// Package redact owns keeping secrets and customer data out of mailflow's
// debug logs. Its Writer takes a raw IMAP or SMTP conversation (go-imap's
// DebugWriter, go-mail's debug log) and passes it on line by line with
// credentials, tokens, message contents, addresses and AnyDesk IDs masked.
//
// Masking is by protocol shape, not by knowing the secrets: LOGIN
// arguments, AUTHENTICATE/AUTH payloads and the SASL lines that follow them,
// Bearer tokens, password=/token= pairs, every literal ({n} and the n bytes
// after it: mail bodies, literal passwords), the quoted strings of FETCH
// responses (envelope subjects, names, addresses), mail addresses and
// 9-digit IDs ("123456789", "123 456 789"). It errs towards hiding too
// much: a UID of nine digits is masked as well.
//
// go-imap writes both directions of one connection into one DebugWriter.
// mailflow never pipelines commands, so a client line never lands inside a
// server literal; if one did, the literal's byte count would still drop the
// same number of bytes.
package redact

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// MaxLine is the longest line passed on; longer ones are replaced by a note
// of their length, so one unexpected blob never reaches the log whole.
const MaxLine = 16 << 10

// Writer is a redacting io.Writer. It is safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	emit func(line string)
	buf  []byte
	// overlong counts the dropped bytes of a line beyond MaxLine.
	overlong int

	skip      int  // bytes of the current literal still to drop
	literal   int  // size of the current literal
	await     int  // a client literal waits for the server's "+" (size)
	cont      bool // the next line continues a command or response after a literal
	server    bool // the current command or response is the server's
	secretCmd bool // the current client command carries credentials (LOGIN)
	auth      bool // a SASL exchange is running: client lines are credentials
}

// NewWriter returns a Writer that writes each redacted line, with "\n", to dst.
func NewWriter(dst io.Writer) *Writer {
	return &Writer{emit: func(line string) { io.WriteString(dst, line+"\n") }}
}

// NewLogWriter returns a Writer that logs each redacted line at debug level
// as msg with the line in attribute "line".
func NewLogWriter(log *slog.Logger, msg string) *Writer {
	return &Writer{emit: func(line string) { log.Debug(msg, "line", line) }}
}

// Write consumes p; it never fails, so the connection it watches never does
// because of it.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		if w.skip > 0 {
			k := min(len(p), w.skip)
			w.skip -= k
			p = p[k:]
			if w.skip == 0 {
				w.emit(fmt.Sprintf("[literal of %d bytes not shown]", w.literal))
				w.cont = true
			}
			continue
		}
		i := indexNL(p)
		if i < 0 {
			w.keep(p)
			break
		}
		w.keep(p[:i])
		p = p[i+1:]
		if w.overlong > 0 {
			w.emit(fmt.Sprintf("[line of %d bytes not shown]", len(w.buf)+w.overlong))
			w.overlong, w.cont = 0, false
		} else {
			w.line(strings.TrimSuffix(string(w.buf), "\r"))
		}
		w.buf = w.buf[:0]
	}
	return n, nil
}

// Flush passes on a last unterminated line.
func (w *Writer) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 || w.overlong > 0 {
		if w.overlong > 0 {
			w.emit(fmt.Sprintf("[line of %d bytes not shown]", len(w.buf)+w.overlong))
		} else {
			w.emit(Line(string(w.buf)))
		}
		w.buf, w.overlong = w.buf[:0], 0
	}
}

func indexNL(p []byte) int {
	for i, c := range p {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func (w *Writer) keep(p []byte) {
	if room := MaxLine - len(w.buf); len(p) > room || w.overlong > 0 {
		k := max(room, 0)
		if w.overlong > 0 {
			k = 0
		}
		w.buf = append(w.buf, p[:k]...)
		w.overlong += len(p) - k
		return
	}
	w.buf = append(w.buf, p...)
}

var (
	literalRe = regexp.MustCompile(`~?\{(\d+)(\+?)\}$`)
	// authRe finds a SASL start: IMAP "AUTHENTICATE MECH [ir]", SMTP
	// "AUTH MECH [ir]" (not "250-AUTH PLAIN LOGIN" nor "AUTH=PLAIN").
	authRe     = regexp.MustCompile(`(?i)(^|[\s>])(AUTHENTICATE|AUTH)\s+([A-Z0-9_-]+)(\s+\S.*)?$`)
	loginRe    = regexp.MustCompile(`(?i)^(\S+\s+LOGIN)\s+\S.*$`)
	imapDoneRe = regexp.MustCompile(`(?i)^[^\s*+]\S*\s+(OK|NO|BAD)\b`)
	smtpDoneRe = regexp.MustCompile(`(^|\s)(235|[45]\d\d)([ -]|$)`)
	b64Re      = regexp.MustCompile(`[A-Za-z0-9+/]{8,}={0,2}`)
	bearerRe   = regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*`)
	secretRe   = regexp.MustCompile(`(?i)("?\b(?:password|passwd|pwd|pass|secret|client_secret|access_token|refresh_token|id_token|token)"?\s*[:=]\s*"?)[^\s"&,;]+`)
	fetchRe    = regexp.MustCompile(`(?i)^\*\s+\d+\s+FETCH\b`)
	quotedRe   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	addressRe  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})`)
	digitsRe   = regexp.MustCompile(`\d+(?: \d+)*`)
)

// line handles one complete line of the conversation.
func (w *Writer) line(l string) {
	cont := w.cont
	w.cont = false
	if w.await > 0 {
		n := w.await
		w.await = 0
		if strings.HasPrefix(l, "+") {
			// The server's go-ahead; the client's literal follows.
			w.emit(Line(l))
			w.skip, w.literal = n, n
			return
		}
	}
	if !cont {
		w.server = strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "+ ") || l == "+" || imapDoneRe.MatchString(l)
		w.secretCmd = false
	}
	out := l
	switch {
	case w.secretCmd:
		out = "[credentials]"
	case !w.server && loginRe.MatchString(l):
		out = loginRe.ReplaceAllString(l, "$1 [credentials]")
		w.secretCmd = true
	case authRe.MatchString(l) && !strings.Contains(l, "AUTH="):
		out = authRe.ReplaceAllStringFunc(l, func(m string) string {
			sub := authRe.FindStringSubmatch(m)
			s := sub[1] + sub[2] + " " + sub[3]
			if sub[4] != "" {
				s += " [credentials]"
			}
			return s
		})
		w.auth = true
	case w.auth && (imapDoneRe.MatchString(l) || smtpDoneRe.MatchString(l)):
		w.auth = false
	case w.auth:
		// Mid-exchange: challenges and responses are base64 tokens.
		out = b64Re.ReplaceAllStringFunc(l, func(tok string) string {
			if looksEncoded(tok) {
				return "[credentials]"
			}
			return tok
		})
	}
	if m := literalRe.FindStringSubmatch(l); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil {
			switch {
			case n == 0:
				w.cont = true
			case w.server, m[2] == "+":
				w.skip, w.literal = n, n
			default:
				w.await = n
			}
		}
	}
	if fetchRe.MatchString(l) || (cont && w.server) {
		out = quotedRe.ReplaceAllString(out, `"…"`)
	}
	w.emit(Line(out))
}

// looksEncoded tells a base64 credential from a plain word such as
// "AUTHENTICATE": it has a digit, +, / or =, or mixes upper and lower case.
func looksEncoded(tok string) bool {
	if strings.ContainsAny(tok, "0123456789+/=") {
		return true
	}
	return strings.ToLower(tok) != tok && strings.ToUpper(tok) != tok
}

// Line masks what one line may carry by itself: Bearer tokens, key=secret
// pairs, mail addresses and 9-digit IDs. Use it for single strings that
// might hold such things (an error message from a server, say).
func Line(s string) string {
	s = bearerRe.ReplaceAllString(s, "$1 [token]")
	s = secretRe.ReplaceAllString(s, "${1}[redacted]")
	s = addressRe.ReplaceAllString(s, "[address]@$1")
	return maskIDs(s)
}

// maskIDs masks nine digits standing alone, written together or in three
// groups of three.
func maskIDs(s string) string {
	return digitsRe.ReplaceAllStringFunc(s, func(run string) string {
		groups := strings.Split(run, " ")
		for i := 0; i < len(groups); i++ {
			switch {
			case len(groups[i]) == 9:
				groups[i] = "[id]"
			case i+2 < len(groups) && len(groups[i]) == 3 && len(groups[i+1]) == 3 && len(groups[i+2]) == 3:
				groups[i] = "[id]"
				groups = append(groups[:i+1], groups[i+3:]...)
			}
		}
		return strings.Join(groups, " ")
	})
}
