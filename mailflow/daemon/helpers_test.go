package daemon

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
)

// decodeQP returns the decoded text of every text part of a raw body or
// whole message: what a reader of the mail sees.
func decodeQP(raw string) string {
	e, err := message.Read(strings.NewReader(raw))
	if err != nil && e == nil {
		return raw
	}
	var b strings.Builder
	var walk func(e *message.Entity)
	walk = func(e *message.Entity) {
		if mr := e.MultipartReader(); mr != nil {
			for {
				p, err := mr.NextPart()
				if err != nil {
					return
				}
				walk(p)
			}
		}
		if t, _, _ := e.Header.ContentType(); strings.HasPrefix(t, "text/") {
			body, _ := io.ReadAll(e.Body)
			b.Write(body)
			b.WriteString("\n")
		}
	}
	walk(e)
	return b.String()
}

// sandboxInbox returns the raw mails in user's INBOX on the sandbox server.
func sandboxInbox(t testing.TB, addr, user, password string) [][]byte {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	done := make(chan struct{})
	var msgs []*imapclient.FetchMessageBuffer
	go func() {
		msgs, err = c.Fetch(imap.SeqSetNum(seq(sel.NumMessages)...), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("sandbox fetch timed out")
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = m.FindBodySection(section)
	}
	return out
}

func seq(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i + 1)
	}
	return s
}
