package understand

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mailflow/mailflow/mailflow/message"
)

// TestOwnWords: what a program wrote into a mail's text (headers, logs,
// diffs, blobs, URLs) is gone before times and IDs are looked for; what the
// customer wrote stays as it was.
func TestOwnWords(t *testing.T) {
	tests := []struct {
		name, in  string
		keep      []string // must stay
		drop      []string // must be gone
		unchanged bool
	}{
		{name: "customer text untouched", in: "Hallo,\nGeht es morgen um 10 Uhr?\nDanke", unchanged: true},
		{name: "a form field with the wished date stays", in: "Name: Eva Huber\nDatum: 3.12.2026, 10 Uhr\nAnliegen: Fernwartung", unchanged: true},
		{name: "a line starting with a date stays", in: "2026-12-03 10:00 wäre gut\nDanke", unchanged: true},
		{name: "long words in a long sentence stay", in: "Die Jahresabschlussbuchungsvorbereitungsliste bricht beim Exportieren ab, geht es morgen um 10 Uhr? Vielen Dank im Voraus", unchanged: true},
		{
			name: "header lines pasted into the text",
			in:   "Bitte um Rückruf.\nReceived: from mx (192.0.2.1) by mx2; Thu, 29 Apr 2017 23:34:45 +0900\nDate: Thu, 29 Apr 2017 23:34:45\nX-Spam-Score: 376293952\nGesendet: Montag, 12. März 2026 10:15",
			keep: []string{"Bitte um Rückruf."}, drop: []string{"Received", "376293952", "Gesendet"},
		},
		{
			name: "log lines and diffs",
			in:   "Fehler seit heute:\n2026-11-24 08:15:02 ERROR export failed\nJun 11 18:02:02 host cron[1]: done\n2026-11-24T08:16 WARN retry 10:30\n--- a/x\n+++ b/x\n@@ -1 +1 @@",
			keep: []string{"Fehler seit heute:"}, drop: []string{"08:15", "18:02", "10:30", "@@"},
		},
		{
			name: "URLs keep their place but lose their digits",
			in:   "Siehe https://portal.example.com/t?id=123456789&at=10:30 und cid:image001.png@01D1 bitte",
			keep: []string{"Siehe", "und", "bitte"}, drop: []string{"123456789", "10:30", "01D1"},
		},
		{
			name: "uuencoded file and base64 blob",
			in:   "Anbei:\nbegin 644 report.txt\nM5&AI<R!I<R!A('1E<W0@;V8@=75E;F-O9&EN9R!A=\"`Q,#HS,\"!O;B!-;VYD\n`\nend\nPCFET0NUWVBFIEhUTUwgUFVCTElDICItLy9XM0MvL0RURCBIVE1MIDQuMCBUcmFu\nDanke",
			keep: []string{"Anbei:", "Danke"}, drop: []string{"begin 644", "PCFET0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ownWords(tt.in)
			if tt.unchanged && got != tt.in {
				t.Errorf("customer text changed:\n%q\n%q", tt.in, got)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("lost %q: %q", k, got)
				}
			}
			for _, d := range tt.drop {
				if strings.Contains(got, d) {
					t.Errorf("kept %q: %q", d, got)
				}
			}
		})
	}
}

// TestWhereTimesAndIDsComeFrom: a booking needs a time the sender asks for
// in a mail about the desk, and a bare nine-digit number is an AnyDesk ID
// only where the mail speaks of one.
func TestWhereTimesAndIDsComeFrom(t *testing.T) {
	loc := vienna(t)
	now := time.Date(2026, 11, 24, 9, 12, 0, 0, loc)
	tests := []struct {
		name, subject, text, inReplyTo string
		intent                         Intent
		id                             string
	}{
		{name: "request about the software", subject: "Export", text: "Der Export funktioniert nicht. Geht es morgen um 10?", intent: IntentAppointment},
		{name: "subject names remote maintenance", subject: "Termin für Fernwartung", text: "Mittwoch um 9 Uhr wäre ideal.", inReplyTo: "<x@y>", intent: IntentAppointment},
		{name: "a day mentioned in passing", subject: "Sending messages", text: "I might do some digging tomorrow as well.", intent: IntentQuestion},
		{name: "spam story with a day", subject: "Best price", text: "Calm dylan for school today. Please matt on his neck.", intent: IntentQuestion},
		{name: "another desk's ticket thread", subject: "AW: Ticket Templates [Ticket#11168]", text: "Mögliche Termine: Fr 13:00-14:00", intent: IntentQuestion},
		{name: "bare number without ID wording", subject: "Frage", text: "Unsere Firmenbuchnummer ist nicht relevant, Nummer 376293952 bitte beachten.", intent: IntentQuestion},
		{name: "bare number with AnyDesk wording elsewhere", subject: "AnyDesk", text: "Hier die Nummer:\n376 293 952", intent: IntentAnyDeskID, id: "376293952"},
		{name: "bare number in a reply", subject: "AW: Ihr Termin", text: "376293952", inReplyTo: "<ours@desk>", intent: IntentAnyDeskID, id: "376293952"},
		{name: "ID in a URL", subject: "AnyDesk", text: "Link: https://x.example/?id=376293952", intent: IntentQuestion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Read(&message.Message{Subject: tt.subject, Text: tt.text, InReplyTo: tt.inReplyTo}, now)
			if r.Intent != tt.intent || r.AnyDeskID != tt.id {
				t.Errorf("intent %s id %q, want %s %q", r.Intent, r.AnyDeskID, tt.intent, tt.id)
			}
		})
	}
}

func FuzzOwnWords(f *testing.F) {
	for _, s := range []string{
		"Hallo\nReceived: x\n2026-01-01 10:00:00 log\nbegin 644 f\nM\nend\nhttps://x/1?2",
		"http://", "www.", "cid:", "begin 644 x", "a:b:c", "12:34:56", "\n\n", "\xff\xfe:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ownWords(s)
		if len(got) > len(s) {
			t.Fatalf("ownWords grew the text: %d > %d", len(got), len(s))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("ownWords broke UTF-8: %q -> %q", s, got)
		}
		_ = idContext(got, s, false)
		_ = otherDesk(s)
	})
}
