package compose

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/config"
)

// testConfig is the desk every test renders for; it never reads a file so
// the golden files do not move when config.example.yaml does.
func testConfig() *config.Config {
	cfg := config.Default()
	cfg.SMTP.From = "support@example.com"
	cfg.Desk.SupportAddress = "support@example.com"
	cfg.Desk.MessageIDDomain = "mail.example.com"
	cfg.Desk.Company = "Beispiel Software GmbH"
	cfg.Technicians = []config.Technician{{Name: "Toni Technik", Email: "toni@example.com"}}
	cfg.HTTP.PublicURL = "https://desk.example.com"
	return cfg
}

// testSecret stands in for an installation's secret, so golden files keep
// their Message-IDs.
var testSecret = []byte("golden-files-secret")

func newTestComposer(t *testing.T, overrideDir string) *Composer {
	t.Helper()
	c, err := New(testConfig(), overrideDir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c.WithSecret(testSecret)
}

// writeOverrides creates an override folder holding files (relative path →
// content).
func writeOverrides(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parsedMail is a rendered mail read back the way a receiving client would.
type parsedMail struct {
	header    mail.Header
	rawHeader string // the header block exactly as written
	text      string // decoded text/plain part
	html      string // decoded text/html part
	// calendar is the decoded text/calendar alternative, calendarType its
	// Content-Type header; both empty without an invitation.
	calendar, calendarType string
	// attachment is the decoded attachment, attachmentType and
	// attachmentDisposition its headers.
	attachment, attachmentType, attachmentDisposition string
	// layout lists every part's media type in order, nested ones after
	// their container: "multipart/mixed", "multipart/alternative", ...
	layout []string
}

// parseMail reads a rendered mail: multipart/alternative with a text and an
// HTML part, or (with an invitation) multipart/mixed holding that
// alternative, now with a calendar part, and the .ics attachment.
func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no header/body separator in:\n%s", raw)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	pm := parsedMail{header: msg.Header, rawHeader: string(head) + "\r\n"}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || (mt != "multipart/alternative" && mt != "multipart/mixed") {
		t.Fatalf("content type %q (%v), want multipart/alternative or multipart/mixed", msg.Header.Get("Content-Type"), err)
	}
	pm.layout = append(pm.layout, mt)
	pm.readMultipart(t, mt, msg.Body, params["boundary"])
	if pm.text == "" || pm.html == "" {
		t.Fatalf("want a text and an HTML part, got text=%d html=%d bytes", len(pm.text), len(pm.html))
	}
	return pm
}

func (pm *parsedMail) readMultipart(t *testing.T, container string, body io.Reader, boundary string) {
	t.Helper()
	mr := multipart.NewReader(body, boundary)
	for {
		// NextPart undoes the quoted-printable encoding for us, not base64.
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		ct, params, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part content type %q: %v", p.Header.Get("Content-Type"), err)
		}
		pm.layout = append(pm.layout, ct)
		if ct == "multipart/alternative" && container == "multipart/mixed" {
			pm.readMultipart(t, ct, p, params["boundary"])
			continue
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read %s part: %v", ct, err)
		}
		switch {
		case ct == "text/plain" && container == "multipart/alternative":
			pm.text = string(b)
		case ct == "text/html" && container == "multipart/alternative":
			pm.html = string(b)
		case ct == "text/calendar" && container == "multipart/alternative":
			pm.calendar, pm.calendarType = string(b), p.Header.Get("Content-Type")
		case container == "multipart/mixed":
			pm.attachment, pm.attachmentType = string(b), p.Header.Get("Content-Type")
			pm.attachmentDisposition = p.Header.Get("Content-Disposition")
		default:
			t.Fatalf("unexpected %s part in %s", ct, container)
		}
	}
}

// flat collapses whitespace so a phrase is found even where a line was
// wrapped in the text part or the HTML source.
func flat(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func decodeSubject(t *testing.T, h mail.Header) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject %q: %v", h.Get("Subject"), err)
	}
	return s
}
