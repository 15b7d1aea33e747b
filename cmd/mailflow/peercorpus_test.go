package main

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/message"
)

// peerCorpusDir is the real-world test mail of other mail projects (Zammad,
// mikel/mail, sisimai), beside the checkout in CI and never copied into it.
// None of it asks the desk for anything.
var peerCorpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "peer-mail")

// peerNow is a fixed "now" so the verdicts do not change with the calendar.
const peerNow = "2026-12-02T10:00:00+01:00"

// TestPeerCorpus runs every peer mail through `mailflow try -json` (the
// decision path of the daemon, on a fresh in-memory database) and holds
// the line a support address must hold against what it really receives:
// no booking, no proposal, no recorded AnyDesk ID, no reply to a bounce or
// complaint, exactly one outcome per mail.
func TestPeerCorpus(t *testing.T) {
	root, err := filepath.Abs(peerCorpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("peer corpus missing under CI: %v", err)
		}
		t.Skipf("peer corpus not beside the checkout: %v", err)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.EqualFold(d.Name(), "README.md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 1000 {
		t.Fatalf("only %d peer mails found; the corpus is incomplete", len(files))
	}

	// The temp dir has no mailflow.db, so try decides on a fresh in-memory
	// database; -now keeps relative dates stable.
	code, out, errs := run(t, t.TempDir(), append([]string{"try", "-json", "-config", repo(t, "config.example.yaml"), "-now", peerNow}, files...)...)
	if code != 0 {
		t.Fatalf("try exit %d: %s", code, errs)
	}

	type line struct {
		File      string          `json:"file"`
		From      string          `json:"from"`
		Intent    string          `json:"intent"`
		AnyDeskID *string         `json:"anydesk_id"`
		Outcome   string          `json:"outcome"`
		Reply     json.RawMessage `json:"reply"`
		Error     string          `json:"error"`
		Signals   []string        `json:"signals"`
		Detail    string          `json:"detail"`
	}
	got := map[string]line{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not one JSON object per line: %v", err)
		}
		if _, dup := got[l.File]; dup {
			t.Errorf("%s: two outcomes", l.File)
		}
		got[l.File] = l
	}

	dist := map[string]map[string]int{}
	for _, f := range files {
		l, ok := got[f]
		name, _ := filepath.Rel(root, f)
		if !ok {
			t.Errorf("%s: no outcome", name)
			continue
		}
		group := peerGroup(name)
		if dist[group] == nil {
			dist[group] = map[string]int{}
		}
		dist[group][l.Outcome]++
		replied := len(l.Reply) > 0 && string(l.Reply) != "null"
		switch {
		case l.Error != "" || l.Outcome == "":
			t.Errorf("%s: no outcome recorded (%s)", name, l.Error)
		case l.Outcome == "booked" || l.Outcome == "proposed" || l.Outcome == "rescheduled" ||
			l.Outcome == "cancelled" || l.Outcome == "id-linked":
			t.Errorf("%s: %s from mail that asks for nothing (intent %s)", name, l.Outcome, l.Intent)
		}
		if l.From == "" && l.Outcome == "ignored-auto" && l.Intent != "bounce" && l.Intent != "auto_reply" {
			t.Errorf("%s: no sender read and filed away as automatic (intent %s, %s)", name, l.Intent, l.Detail)
		}
		if l.AnyDeskID != nil {
			t.Errorf("%s: recorded AnyDesk ID %s", name, *l.AnyDeskID)
		}
		// sisimai's bsd/dos/mac folders hold one bounce, complaint or
		// auto-reply each: never answered, whatever their headers forgot.
		if robotCorpus(name) && (replied || l.Intent != "bounce" && l.Intent != "auto_reply" && l.Intent != "bulk") {
			t.Errorf("%s: bounce or complaint read as %s (outcome %s, replied %v, signals %v)", name, l.Intent, l.Outcome, replied, l.Signals)
		}
	}
	// sisimai's dos (CRLF) and mac (CR-only) folders hold copies of bsd
	// (LF) mails: line ends must not change who sent one or what it is.
	for _, f := range files {
		name, _ := filepath.Rel(root, f)
		g := peerGroup(name)
		if g != "sisimai/dos" && g != "sisimai/mac" {
			continue
		}
		bsd, ok := got[filepath.Join(root, "set-of-emails", "maildir", "bsd", filepath.Base(f))]
		if !ok {
			continue
		}
		if l := got[f]; l.From != bsd.From || l.Intent != bsd.Intent {
			t.Errorf("%s: sender %q intent %s, but with LF line ends %q %s", name, l.From, l.Intent, bsd.From, bsd.Intent)
		}
	}

	// Zammad sends no auto-response to mail with these headers or without
	// a Message-ID (its AutoResponseCheck filter); neither do we.
	zammadAuto := 0
	for _, f := range files {
		name, _ := filepath.Rel(root, f)
		if peerGroup(name) != "zammad" {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !zammadAutoResponse(raw) {
			continue
		}
		zammadAuto++
		if l := got[f]; len(l.Reply) > 0 && string(l.Reply) != "null" {
			t.Errorf("%s: Zammad sees an auto-response, we reply (signals %v)", name, l.Signals)
		}
	}
	t.Logf("zammad: %d mails Zammad would not answer, none answered", zammadAuto)
	for file, want := range zammadSenders {
		l, ok := got[filepath.Join(root, "zammad", "test", "data", "mail", file)]
		if !ok {
			t.Errorf("zammad %s: not tried", file)
			continue
		}
		if !strings.EqualFold(l.From, want) {
			t.Errorf("zammad %s: sender %q, Zammad reads %q", file, l.From, want)
		}
	}

	groups := make([]string, 0, len(dist))
	for g := range dist {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		outcomes := make([]string, 0, len(dist[g]))
		n := 0
		for o, c := range dist[g] {
			outcomes = append(outcomes, o)
			n += c
		}
		sort.Strings(outcomes)
		var b strings.Builder
		for _, o := range outcomes {
			b.WriteString(" ")
			b.WriteString(o)
			b.WriteString("=")
			b.WriteString(strconv.Itoa(dist[g][o]))
		}
		t.Logf("%-28s %4d mails:%s", g, n, b.String())
	}
}

// peerGroup names the corpus a mail belongs to, for the distribution.
func peerGroup(name string) string {
	parts := strings.Split(filepath.ToSlash(name), "/")
	switch {
	case parts[0] == "set-of-emails" && len(parts) > 2:
		return "sisimai/" + parts[2]
	case parts[0] == "mail":
		return "mikel-mail"
	}
	return parts[0]
}

func robotCorpus(name string) bool {
	g := peerGroup(name)
	return g == "sisimai/bsd" || g == "sisimai/dos" || g == "sisimai/mac"
}

// zammadSenders are the sender addresses Zammad's own parser tests expect
// (test/data/mail/*.yml, from_email) for the mails whose From is missing,
// unreadable, doubled, wrapped or written in obsolete syntax. Where Zammad
// keeps blanks inside an address we read the address without them
// (mail071); that one is left out.
var zammadSenders = map[string]string{
	"mail016.box": "vipyimin@126.com",           // no From: Reply-To
	"mail017.box": "ghgbwum@185.com.cn",         // unreadable first From, a second one
	"mail019.box": "vipyiming@126.com",          // From "<>": Reply-To
	"mail054.box": "Karoline.Smith@example.com", // base64 header wrapped without indentation above From
	"mail058.box": "bob@example.com",            // two authors
	"mail068.box": "xxxxx@xxxxx.cz",             // junk line above the header, Received wrapped without indentation
}

// TestNoSenderGoesToAPerson: a mail whose sender cannot be read, and that
// nothing marks as a robot's, is routed to a person with the reason.
func TestNoSenderGoesToAPerson(t *testing.T) {
	dir := t.TempDir()
	mail := filepath.Join(dir, "nosender.eml")
	if err := os.WriteFile(mail, []byte("Subject: Frage zur Lohnverrechnung\nDate: Tue, 24 Nov 2026 09:00:00 +0100\n\nHallo, wer kann mir helfen?\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, dir, "try", "-json", "-config", repo(t, "config.example.yaml"), "-now", peerNow, mail)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var l struct {
		Outcome string          `json:"outcome"`
		Detail  string          `json:"detail"`
		Reply   json.RawMessage `json:"reply"`
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatal(err)
	}
	if l.Outcome != "forwarded-to-human" || !strings.Contains(l.Detail, "sender") || string(l.Reply) != "null" {
		t.Errorf("outcome %s, detail %q, reply %s: want forwarded-to-human naming the sender, no reply", l.Outcome, l.Detail, l.Reply)
	}
}

// zammadAutoResponse applies the header tests of Zammad's auto-response
// check to raw: such mail gets no automatic answer there.
func zammadAutoResponse(raw []byte) bool {
	m, err := message.Parse(raw, message.Limits{})
	if err != nil {
		return true
	}
	h := func(k string) string { return strings.ToLower(strings.Join(m.Header[k], " ")) }
	return len(h("List-Unsubscribe")) >= 3 ||
		strings.Contains(h("X-Loop"), "yes") || strings.Contains(h("X-Loop"), "true") ||
		strings.Contains(h("Precedence"), "bulk") || strings.Contains(h("Precedence"), "list") || strings.Contains(h("Precedence"), "junk") ||
		strings.Contains(h("Auto-Submitted"), "auto-generated") || strings.Contains(h("Auto-Submitted"), "auto-replied") ||
		strings.Contains(h("X-Auto-Response-Suppress"), "all") ||
		m.MessageID == ""
}
