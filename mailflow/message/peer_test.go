package message

import (
	"strings"
	"testing"
)

// TestForgivingHeaders: broken headers real servers deliver still give the
// sender (or say why not), never a silent loss.
func TestForgivingHeaders(t *testing.T) {
	tests := []struct {
		name, raw   string
		from, subj  string
		defect      string // a defect that must be recorded ("" for none required)
		wantMessage string // a Message-ID, when the test is about it
	}{
		{
			name: "CR-only line ends",
			raw:  "From: Maria <maria@kunde.at>\rSubject: Termin\rDate: Tue, 24 Nov 2026 09:00:00 +0100\r\rHallo\r",
			from: "maria@kunde.at", subj: "Termin", defect: "bare CR",
		},
		{
			name: "mixed line ends",
			raw:  "From: maria@kunde.at\r\nSubject: Termin\rTo: support@example.com\n\r\nHallo\r\n",
			from: "maria@kunde.at", subj: "Termin",
		},
		{
			name: "junk line above the header",
			raw:  "---- Original email message ----\nReturn-Path: relay@mail.kunde.at\nFrom: maria@kunde.at\nSubject: Kontakt\n\nHallo\n",
			from: "maria@kunde.at", subj: "Kontakt", defect: "before the header skipped",
		},
		{
			name: "base64 value wrapped without indentation above From",
			raw: "Delivered-To: support@example.com\nX-Tracker: H4sIAAAAAAAAA+NgFlrIKsWRWlGSWpSXmKPExsWi75nTrTtrwZM\n" +
				"Ig5drOCwmrVzP5sDoseXbDeYAxijWzLyk/IoE1owFz6ezFkxKrWjafpWpgfFOchcjF4eQwDZG\n" +
				"iZbLL1ggnEOMEg3T97FCOIcZJX7/WsDcxcgJ5GxmlDg5wwvEZhPwkPhx6DUbiC0iYChxfOFUd\n" +
				"From: \"Huber, Maria\" <maria@kunde.at>\nSubject: AW: Termin\n\nPasst.\n",
			from: "maria@kunde.at", subj: "AW: Termin",
		},
		{
			name: "Received trace wrapped without indentation",
			raw: "Received: from mail.kunde.at ([192.0.2.1])\nby mx.example.com with ESMTP\nfor support@example.com;\n" +
				"Thu, 2 Aug 2018 16:58:16 +0200\nFrom: maria@kunde.at\nSubject: Kontakt\n\nHallo\n",
			from: "maria@kunde.at", subj: "Kontakt",
		},
		{
			name: "comments in the address",
			raw:  "From: Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>\nSubject: Hi\n\nx\n",
			from: "pete@silly.test", subj: "Hi",
		},
		{
			name: "obsolete blanks before the colon and inside the address",
			raw:  "From  : John Doe <jdoe@machine(comment).  example>\nSubject     : Saying Hello\nMessage-ID  : <1234   @   local(blah)  .machine .example>\n\nHello\n",
			from: "jdoe@machine.example", subj: "Saying Hello", wantMessage: "<1234@local.machine.example>",
		},
		{
			name: "no From: Reply-To, said so",
			raw:  "Reply-To: <kunde@example.at>\nSubject: Frage\n\nHallo\n",
			from: "kunde@example.at", subj: "Frage", defect: "taken from Reply-To",
		},
		{
			name: "unreadable first From, readable second",
			raw:  "From: [??????]\nFrom: Kunde <kunde@example.at>\nSubject: Frage\n\nHallo\n",
			from: "kunde@example.at", subj: "Frage", defect: "second From",
		},
		{
			name: "stray bracket after a bare address",
			raw:  "From: kunde@example.at>\nSubject: Frage\n\nHallo\n",
			from: "kunde@example.at", subj: "Frage",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.raw), Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if m.From.Address != tt.from {
				t.Errorf("sender %q, want %q (defects %v)", m.From.Address, tt.from, m.Defects)
			}
			if m.Subject != tt.subj {
				t.Errorf("subject %q, want %q", m.Subject, tt.subj)
			}
			if tt.defect != "" && !strings.Contains(strings.Join(m.Defects, "; "), tt.defect) {
				t.Errorf("defects %v lack %q", m.Defects, tt.defect)
			}
			if tt.wantMessage != "" && m.MessageID != tt.wantMessage {
				t.Errorf("Message-ID %q, want %q", m.MessageID, tt.wantMessage)
			}
		})
	}
}

// TestContentSignals: robots that forget their headers are known by what
// they write; people who mention such things are not robots.
func TestContentSignals(t *testing.T) {
	const head = "From: %s\nSubject: %s\nDate: Tue, 24 Nov 2026 09:00:00 +0100\n"
	type want struct{ bounce, bulk, machine bool }
	tests := []struct {
		name, from, subject, extraHeaders, body string
		want                                    want
		reason                                  string
	}{
		{
			name: "postfix DSN text from an unusual sender", from: "relay@mx.example.net", subject: "Hinweis",
			body: "This is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<kunde@example.at>: host mx.example.at[192.0.2.1] said: 550 5.1.1\n    <kunde@example.at>: Recipient address rejected: User unknown\n",
			want: want{bounce: true}, reason: "SMTP error",
		},
		{
			name: "post_master sender with an invalid user", from: "post_master@vtext.example.com", subject: "Test message",
			body: "Error: Invalid user address\n\nError message below:\n550 - Requested action not taken: no such user here\n",
			want: want{bounce: true}, reason: "post_master",
		},
		{
			name: "DSN fields in plain text", from: "gateway@example.net", subject: "Report",
			body: "Reporting-MTA: dns; mx.example.net\nFinal-Recipient: rfc822; kunde@example.at\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 user unknown\n",
			want: want{bounce: true}, reason: "delivery status fields",
		},
		{
			name: "ARF in plain text", from: "reports@isp.example", subject: "Report",
			body: "This is an email abuse report for an email message received.\n\nFeedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n",
			want: want{bounce: true}, reason: "feedback report",
		},
		{
			name: "complaint by subject", from: "staff@hotmail.example", subject: "complaint about message from 192.0.2.222",
			body: "", want: want{bounce: true}, reason: "complaint",
		},
		{
			name: "loop alert", from: "list-admin@example.co.jp", subject: "Loop Alert: Duplicated Message-ID (neko ML)",
			body: "Duplicated Message-ID in <neko@example.co.jp>.\n", want: want{bounce: true}, reason: "loop alert",
		},
		{
			name: "newsletter footer", from: "shop@shop.example", subject: "Unsere Angebote",
			body: "Neue Drucker im Angebot!\n\nTo unsubscribe click here <https://shop.example/u?id=1>\n",
			want: want{bulk: true}, reason: "unsubscribe",
		},
		{
			name: "campaign header", from: "info@shop.example", subject: "Angebote", extraHeaders: "Feedback-ID: 1:2:3:esp\n",
			body: "Hallo", want: want{bulk: true}, reason: "Feedback-Id",
		},
		{
			name: "mass mailer", from: "info@shop.example", subject: "Angebote", extraHeaders: "X-Mailer: MailChimp Mailer\n",
			body: "Hallo", want: want{bulk: true}, reason: "mailchimp",
		},
		{
			name: "marked as spam", from: "x@spam.example", subject: "[SPAM] (19.9) Your Winning Notification!!!",
			body: "test spam", want: want{bulk: true}, reason: "spam",
		},
		{
			name: "stock spam", from: "x@spam.example", subject: "Get in asap",
			body: "Investor Alert\nTicker: IGTS\nThis st0ck is going to explode. Forward-looking statements within the meaning of the Securities Act.\n",
			want: want{bulk: true}, reason: "spam wording",
		},
		{
			name: "cron report", from: "root@server.example", subject: "Cron <root@server> /usr/local/bin/backup",
			body: "backup done at 03:00", want: want{machine: true}, reason: "cron",
		},
		{
			name: "svn commit", from: "tim@dev.example", subject: "/home/svn/public/minebox revision 214",
			body: "Modified:\ntrunk/README\n===\n--- trunk/README\t2007-10-22\n+++ trunk/README\t2007-10-22 23:45:23 UTC (rev 214)\n@@ -1,5 +1,5 @@\n",
			want: want{machine: true}, reason: "version control",
		},
		{
			name: "fax notice", from: "fax@office.example", subject: "testing",
			body: "A fax has arrived from remote ID ''.\nTime: 3/9/2006 3:50:52 PM\nPage record: 1 - 1\n",
			want: want{machine: true}, reason: "fax",
		},
		{
			name: "form post", from: "web@dealer.example", subject: "Online Lead #1",
			body: "<?xml version=\"1.0\"?>\n<adf><prospect><requestdate>2010-10-13T07:53:04</requestdate></prospect></adf>\n",
			want: want{machine: true}, reason: "form post",
		},
		// People, not robots:
		{
			name: "customer forwards a bounce and asks for remote help", from: "maria@kunde.at", subject: "WG: Undeliverable: Rechnung",
			body: "Hallo, seit gestern kommen alle Rechnungen zurück. Können Sie per Fernwartung schauen?\n\n---------- Forwarded message ---------\n550 5.1.1 <x@example.at>: Recipient address rejected: User unknown\nFinal-Recipient: rfc822; x@example.at\nAction: failed\n",
		},
		{
			name: "customer asks how to unsubscribe a user", from: "tom@kunde.example", subject: "Users",
			body: "Hello, how do I unsubscribe a user from the payroll module? Could someone call me tomorrow?",
		},
		{
			name: "customer cannot log off the newsletter module", from: "eva@kunde.at", subject: "Newsletter-Modul",
			body: "Hallo, im Newsletter-Modul kann ich Empfänger nicht abmelden. Geht morgen um 10?",
		},
		{
			name: "customer pastes a diff and asks for remote help", from: "dev@kunde.at", subject: "Update-Fehler",
			body: "Nach dem Update sieht die Konfiguration so aus, können Sie per Fernwartung schauen?\n--- config/old.ini\n+++ config/new.ini\n@@ -1 +1 @@\n-a=1\n+a=2\n",
		},
		{
			name: "customer writes about a failed delivery", from: "eva@kunde.at", subject: "Versand",
			body: "Hallo, der Versand der Mahnungen ist fehlgeschlagen, die Zustellung an zwei Empfänger ging nicht. Morgen 10 Uhr?",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.Replace(strings.Replace(head, "%s", tt.from, 1), "%s", tt.subject, 1) + tt.extraHeaders + "\n" + tt.body
			m, err := Parse([]byte(raw), Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := want{m.Bounce, m.Bulk, m.Machine}
			if got != tt.want {
				t.Errorf("bounce/bulk/machine = %+v, want %+v (reasons %v)", got, tt.want, m.SignalReasons)
			}
			if tt.reason != "" && !strings.Contains(strings.ToLower(strings.Join(m.SignalReasons, "; ")), strings.ToLower(tt.reason)) {
				t.Errorf("reasons %v lack %q", m.SignalReasons, tt.reason)
			}
		})
	}
}

func TestFixLineEndsKeepsCRLF(t *testing.T) {
	in := []byte("a\r\nb\r\n")
	out, changed := fixLineEnds(in)
	if changed || &out[0] != &in[0] {
		t.Errorf("CRLF input copied or changed: %q", out)
	}
	out, changed = fixLineEnds([]byte("a\rb\r\r\nc\r\n"))
	if !changed || string(out) != "a\nb\r\nc\r\n" {
		t.Errorf("got %q", out)
	}
}

// FuzzLenientPieces drives the forgiving header repairs and the content
// scanners with raw input directly; FuzzParse reaches them only behind a
// header that parses.
func FuzzLenientPieces(f *testing.F) {
	for _, s := range []string{
		"a\rb\r\r\nc", "Pete(A \\) chap) <pete(x)@silly.test(y)>", "<1234 @ local(blah) .machine>",
		"Final-Recipient: rfc822; a@b\nAction: failed\n550 5.1.1 <a@b> unknown", "<img width=1 height=1><a href=x>",
		"<?xml version=\"1.0\"?>", "unsubscribe http://x", "((((", "\"\\", "@@ -1 +1 @@\n+++ a\n--- b/c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, changed := fixLineEnds([]byte(s))
		if !changed && string(out) != s {
			t.Fatalf("unchanged input altered: %q -> %q", s, out)
		}
		if len(out) > len(s) {
			t.Fatalf("line ends grew the input: %d > %d", len(out), len(s))
		}
		if c := stripAddrComments(s); len(c) > len(s) {
			t.Fatalf("comments stripped made it longer: %q", c)
		}
		_ = scanContent(s)
		_ = scanHTMLSource(s)
		_ = junkLead([]byte(s))
		var until int
		_ = foldedAhead([]byte(s), 0, len(s), &until)
		if until > len(s) {
			t.Fatalf("fold end %d beyond input %d", until, len(s))
		}
	})
}
