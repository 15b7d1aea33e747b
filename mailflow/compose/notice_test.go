package compose

import (
	"mime"
	"strings"
	"testing"
)

// TestTechnicianNoticeID: the ID is in a technician's notice only in its
// body (technician_notice.id mail) or not at all (link: the session page
// instead), and never in a Subject, not even when a technician's command
// text that the acknowledgement repeats carries it.
func TestTechnicianNoticeID(t *testing.T) {
	c := newTestComposer(t, "")
	for _, tc := range []struct {
		name   string
		notice Notice
		body   []string // in the text and HTML parts
		never  []string // nowhere in the raw mail
	}{
		{"mail", Notice{Kind: NoticeID, CustomerAddress: "kundin@example.com", AnyDeskID: "555123987"},
			[]string{"555 123 987"}, nil},
		{"link", Notice{Kind: NoticeID, CustomerAddress: "kundin@example.com", AnyDeskID: "555123987", Link: "https://desk.example.com/s/FW-1042"},
			[]string{"https://desk.example.com/s/FW-1042"}, []string{"555", "987"}},
		{"changed, link", Notice{Kind: NoticeIDChanged, CustomerAddress: "kundin@example.com", AnyDeskID: "555123987", Link: "https://desk.example.com/s/FW-1042"},
			[]string{"https://desk.example.com/s/FW-1042"}, []string{"555"}},
		{"ack quoting the ID", Notice{Kind: NoticeDone, CustomerAddress: "kundin@example.com", Text: "erledigt 555 123 987"},
			nil, nil},
	} {
		for _, lang := range []string{"de", "en"} {
			t.Run(tc.name+"."+lang, func(t *testing.T) {
				r := c.sampleReply(TemplateTechnicianNotice, lang, true)
				n := tc.notice
				r.Notice = &n
				out, err := c.Render(r)
				if err != nil {
					t.Fatal(err)
				}
				m := parseMail(t, out.Raw)
				subject, _ := new(mime.WordDecoder).DecodeHeader(m.header.Get("Subject"))
				if digits := strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, subject); strings.Contains(digits, "555123") || strings.Contains(digits, "123987") {
					t.Errorf("subject %q carries the ID", subject)
				}
				for _, w := range tc.body {
					if !strings.Contains(m.text, w) || !strings.Contains(m.html, w) {
						t.Errorf("body lacks %q:\n%s\n%s", w, m.text, m.html)
					}
				}
				for _, w := range tc.never {
					if strings.Contains(m.text+m.html+subject, w) {
						t.Errorf("the mail carries %q:\n%s", w, m.text)
					}
				}
			})
		}
	}
}
