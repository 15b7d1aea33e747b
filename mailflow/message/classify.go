package message

import (
	"math/bits"
	"strings"
)

// The content signals decide whether a mail is a person writing to the
// desk at all, for mail whose headers do not say so: bounces and complaint
// reports by what they say, newsletters and spam by their footers and
// markup, machine reports (cron, monitoring, version control, fax, form
// posts) by their shape. They scan the text once, word by word and line by
// line, with no regular expressions, so they cost little next to the MIME
// work. Every signal says why in SignalReasons.

// classifyScanBytes bounds the text the content signals read: the head of
// the text (where a bounce explains itself) and its tail (where a
// newsletter puts its footer).
const (
	classifyHead = 6 << 10
	classifyTail = 3 << 10
)

// htmlStats describe the HTML source of a mail's text parts.
type htmlStats struct {
	links int  // href attributes
	pixel bool // an image of 1x1 pixels: a tracking pixel
}

func (a htmlStats) add(b htmlStats) htmlStats {
	return htmlStats{links: a.links + b.links, pixel: a.pixel || b.pixel}
}

// scanHTMLSource counts links and finds tracking pixels in HTML source.
func scanHTMLSource(src string) htmlStats {
	var st htmlStats
	for i := 0; i+5 < len(src); i++ {
		if src[i] != '<' && src[i] != 'h' && src[i] != 'H' {
			continue
		}
		switch {
		case hasPrefixFold(src[i:], "href="):
			st.links++
			i += 4
		case src[i] == '<' && hasPrefixFold(src[i+1:], "img"):
			end := strings.IndexByte(src[i:], '>')
			if end < 0 {
				end = len(src) - i
			}
			tag := src[i:min(i+end, i+600)]
			if onePixel(tag, "width") && onePixel(tag, "height") {
				st.pixel = true
			}
			i += end - 1
		}
	}
	return st
}

// onePixel reports an attribute (or CSS property) of value 1 or 0 in tag.
func onePixel(tag, attr string) bool {
	for i := 0; i+len(attr) < len(tag); i++ {
		if !hasPrefixFold(tag[i:], attr) {
			continue
		}
		j := i + len(attr)
		for j < len(tag) && (tag[j] == ' ' || tag[j] == '=' || tag[j] == ':' || tag[j] == '"' || tag[j] == '\'') {
			j++
		}
		if j < len(tag) && (tag[j] == '1' || tag[j] == '0') && (j+1 == len(tag) || tag[j+1] < '0' || tag[j+1] > '9') {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Word bits found by the content scan.
const (
	wUnsubscribe uint32 = 1 << iota
	wNewsletter
	wAbmelden // abmelden, abbestellen, austragen: with "newsletter" only
	wOptOut
	wUndeliverable
	wDelivery
	wFailed
	wRecipient
	wRejected
	wMailbox
	wUnknownUser // "unknown", "invalid", "nonexistent" next to user/recipient words
	wUser
	wSMTP
	wLoop
	wAlert
	wFax
	wArrived
	wPages
	wAbuse
	wComplaint
	wFeedback
	wSESReport // the JSON notifications of a sending service
)

// contentWordLists give each word of interest its bit: signal words in
// wordBit's bits, spam words (stock, pharmacy, lottery, advance-fee) in
// spam bits, three different ones of which are no customer's words.
var contentWordLists = []struct {
	bit   uint32
	spam  uint64
	words []string
}{
	{bit: wUnsubscribe, words: []string{"unsubscribe", "unsubscribed", "unsubscribing", "désabonner", "desinscribirse"}},
	{bit: wNewsletter, words: []string{"newsletter", "newsletters"}},
	{bit: wAbmelden, words: []string{"abmelden", "abbestellen", "austragen", "abmeldung"}},
	{bit: wOptOut, words: []string{"opt-out", "optout"}},
	{bit: wUndeliverable, words: []string{"undeliverable", "undelivered", "unzustellbar", "unzustellbare", "non-delivery", "nondelivery", "bounced"}},
	{bit: wDelivery, words: []string{"delivery", "delivered", "deliver", "zustellung", "zugestellt"}},
	{bit: wFailed, words: []string{"failed", "failure", "fehlgeschlagen", "permanent", "rejected", "refused"}},
	{bit: wRecipient, words: []string{"recipient", "recipients", "empfänger", "rcpt"}},
	{bit: wMailbox, words: []string{"mailbox", "postfach"}},
	{bit: wUnknownUser, words: []string{"unknown", "invalid", "nonexistent", "unbekannt"}},
	{bit: wUser, words: []string{"user", "address", "addressee"}},
	{bit: wSMTP, words: []string{"smtp", "esmtp", "mta", "mailer-daemon", "postmaster"}},
	{bit: wLoop, words: []string{"loop", "looping", "loops"}},
	{bit: wAlert, words: []string{"alert", "detected", "duplicated", "hops"}},
	{bit: wFax, words: []string{"fax", "telefax"}},
	{bit: wArrived, words: []string{"arrived", "received", "eingegangen", "empfangen"}},
	{bit: wPages, words: []string{"pages", "page", "seiten"}},
	{bit: wAbuse, words: []string{"abuse"}},
	{bit: wComplaint, words: []string{"complaint", "complaints"}},
	{bit: wFeedback, words: []string{"feedback-type", "feedback-report", "arf"}},
	{bit: wSESReport, words: []string{"bouncedrecipients", "complainedrecipients", "bouncetype", "complaintfeedbacktype"}},
	{spam: 1 << 0, words: []string{"viagra", "cialis", "levitra"}},
	{spam: 1 << 1, words: []string{"pharmacy", "pills", "drugs"}},
	{spam: 1 << 2, words: []string{"lottery", "winnings", "jackpot"}},
	{spam: 1 << 3, words: []string{"beneficiary", "beneficiaries"}},
	{spam: 1 << 4, words: []string{"inheritance", "next-of-kin", "deceased"}},
	{spam: 1 << 5, words: []string{"investor", "investors", "investing"}},
	{spam: 1 << 6, words: []string{"ticker", "st0ck", "otc"}},
	{spam: 1 << 7, words: []string{"casino", "gambling"}},
	{spam: 1 << 8, words: []string{"rolex", "replica", "replicas"}},
	{spam: 1 << 9, words: []string{"enlargement", "enlarge"}},
	{spam: 1 << 10, words: []string{"unclaimed", "remittance", "consignment"}},
	{spam: 1 << 11, words: []string{"barrister", "diplomat", "diplomatic"}},
	{spam: 1 << 12, words: []string{"forward-looking", "securities"}},
	{spam: 1 << 13, words: []string{"bitcoin", "crypto"}},
}

// wordSignal is what one word of interest sets.
type wordSignal struct {
	bit  uint32
	spam uint64
}

// contentWords and wordFilter are built from contentWordLists. The filter
// (one bit per word hash) answers "certainly not a word of interest" for
// almost every word of a mail, so the map is asked only a few times.
var contentWords, wordFilter = func() (map[string]wordSignal, *[64]uint64) {
	m := map[string]wordSignal{}
	var f [64]uint64
	for _, l := range contentWordLists {
		for _, w := range l.words {
			m[w] = wordSignal{bit: l.bit, spam: l.spam}
			h := wordHash(0, w)
			f[h>>6&63] |= 1 << (h & 63)
		}
	}
	return m, &f
}()

// wordHash continues an FNV-1a hash over lower-case bytes; the scan feeds
// it byte by byte, building it costs nothing extra.
func wordHash(h uint32, w string) uint32 {
	if h == 0 {
		h = 2166136261
	}
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	return h
}

// contentScan is what one pass over the text found.
type contentScan struct {
	spam    uint64
	words   uint32
	dsn     int // DSN fields at a line start (Final-Recipient:, Diagnostic-Code:, ...)
	smtp    int // lines with an SMTP reply code and an enhanced status or an address
	arf     bool
	diff    int // lines of a diff or commit listing
	xmlLead bool
}

func scanContent(text string) contentScan {
	var cs contentScan
	if len(text) > classifyHead+classifyTail {
		cs.scanPart(text[:classifyHead])
		cs.scanPart(text[len(text)-classifyTail:])
	} else {
		cs.scanPart(text)
	}
	t := strings.TrimLeft(text, " \t\n")
	cs.xmlLead = strings.HasPrefix(t, "<?xml") || strings.HasPrefix(t, "<?XML")
	return cs
}

func (cs *contentScan) scanPart(text string) {
	var buf [32]byte
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		cs.scanLine(line)
		// Words: ASCII letters, digits, '-' and '_'; a word longer than
		// the buffer matters to no signal.
		for i := 0; i < len(line); {
			c := line[i]
			if !classifyWordByte(c) {
				i++
				continue
			}
			j := i
			n := 0
			h := uint32(2166136261)
			for j < len(line) && classifyWordByte(line[j]) {
				lc := line[j] | lowerBit(line[j])
				if n < len(buf) {
					buf[n] = lc
				}
				h = (h ^ uint32(lc)) * 16777619
				n++
				j++
			}
			if n >= 3 && n <= len(buf) && wordFilter[h>>6&63]&(1<<(h&63)) != 0 {
				if sig, ok := contentWords[string(buf[:n])]; ok {
					cs.words |= sig.bit
					cs.spam |= sig.spam
				}
			}
			i = j
		}
	}
}

func classifyWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80
}

func lowerBit(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return 0x20
	}
	return 0
}

// scanLine looks at the start of one line for DSN and ARF fields, diff
// markers and SMTP replies.
func (cs *contentScan) scanLine(line string) {
	t := strings.TrimLeft(line, " \t>")
	if len(t) < 4 {
		return
	}
	// Fields and markers start with one of a few letters; most lines of
	// prose skip the prefix tests after one lookup.
	switch t[0] | 0x20 {
	case 'f', 'o', 'd', 'r', 'a', 'l', 'i', 'm', '+', '-', '`': // '`' is '@' | 0x20
	default:
		if cs.smtpCandidate(t) {
			cs.smtp++
		}
		return
	}
	for _, f := range [...]string{"final-recipient:", "original-recipient:", "diagnostic-code:", "reporting-mta:", "remote-mta:", "arrival-date:", "last-attempt-date:"} {
		if hasPrefixFold(t, f) {
			cs.dsn++
			return
		}
	}
	if hasPrefixFold(t, "action:") {
		v := strings.ToLower(strings.TrimSpace(t[7:]))
		if strings.HasPrefix(v, "failed") || strings.HasPrefix(v, "delayed") {
			cs.dsn++
		}
		return
	}
	if hasPrefixFold(t, "feedback-type:") || hasPrefixFold(t, "abuse-type:") {
		cs.arf = true
		return
	}
	switch {
	case strings.HasPrefix(t, "+++ "), strings.HasPrefix(t, "--- ") && strings.ContainsAny(t, "\t/"),
		strings.HasPrefix(t, "@@ "), strings.HasPrefix(t, "Index: "), strings.HasPrefix(t, "Modified: "),
		strings.HasPrefix(t, "Added: "), strings.HasPrefix(t, "Deleted: "), strings.HasPrefix(t, "Modified:"),
		strings.HasPrefix(t, "Revision: "), strings.HasPrefix(t, "Log:"), strings.HasPrefix(t, "diff --git "):
		cs.diff++
		return
	}
	if cs.smtpCandidate(t) {
		cs.smtp++
	}
}

// smtpCandidate runs smtpReplyLine on lines that can hold a reply code.
func (cs *contentScan) smtpCandidate(t string) bool {
	// A reply code counts with an address or an enhanced status code
	// ("5.1.1") beside it; lines with neither are not looked at further.
	if strings.IndexByte(t, '@') < 0 && !strings.Contains(t, "5.") && !strings.Contains(t, "4.") {
		return false
	}
	return smtpReplyLine(t)
}

// smtpReplyLine reports "550 5.1.1 <x@y>: user unknown" and its kin: a
// 4xx/5xx reply code followed by an enhanced status code or an address.
func smtpReplyLine(t string) bool {
	for i := 0; i+3 <= len(t) && i < 200; i++ {
		c := t[i]
		if c != '4' && c != '5' || i > 0 && isDigitByte(t[i-1]) {
			continue
		}
		if !isDigitByte(t[i+1]) || i+2 >= len(t) || !isDigitByte(t[i+2]) || i+3 < len(t) && isDigitByte(t[i+3]) {
			continue
		}
		if i+3 < len(t) && t[i+3] != ' ' && t[i+3] != '-' {
			continue
		}
		rest := t[i+3:]
		if len(rest) > 120 {
			rest = rest[:120]
		}
		if enhancedStatus(rest) || strings.IndexByte(rest, '@') >= 0 {
			return true
		}
	}
	return false
}

// enhancedStatus finds an RFC 3463 code ("5.1.1", "4.7.26") in s.
func enhancedStatus(s string) bool {
	for i := 0; i+4 < len(s); i++ {
		if (s[i] == '4' || s[i] == '5') && s[i+1] == '.' && isDigitByte(s[i+2]) && (i == 0 || !isDigitByte(s[i-1]) && s[i-1] != '.') {
			j := i + 2
			for j < len(s) && isDigitByte(s[j]) {
				j++
			}
			if j+1 < len(s) && s[j] == '.' && isDigitByte(s[j+1]) {
				return true
			}
		}
	}
	return false
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// robotSenderName reports From values of delivery systems written in ways
// the address check misses: "MAILER-DAEMON <>", "Mail Delivery Subsystem
// <MAILER-DAEMON>", "post_master@...".
func robotSenderName(v string) (string, bool) {
	low := strings.ToLower(v)
	for _, n := range [...]string{"mailer-daemon", "mailer_daemon", "mailerdaemon", "post_master", "post-master", "postmaster", "mail delivery subsystem", "mail delivery system", "mail delivery service"} {
		if strings.Contains(low, n) {
			return n, true
		}
	}
	return "", false
}

// reportSubject is how complaint reports and loop alerts title
// themselves; s is the lower-case subject.
func reportSubject(s string) (string, bool) {
	for _, p := range [...]string{"complaint about message from", "abuse report", "email feedback report", "feedback report",
		"loop alert", "mail loop", "loop detected", "delivery status notification", "undeliverable",
		"undelivered mail", "returned mail", "mail delivery failed", "delivery failure", "failure notice",
		"nicht zustellbar", "unzustellbar", "non remis", "delivery has failed"} {
		if strings.Contains(s, p) {
			return p, true
		}
	}
	return "", false
}

// massMailers are X-Mailer values of newsletter and campaign software.
var massMailers = [...]string{"mailchimp", "sendgrid", "newsletter", "campaign", "phplist", "cleverreach", "rapidmail",
	"mailjet", "sendinblue", "brevo", "mailerlite", "mailpoet", "interspire", "getresponse", "emarsys", "inxmail",
	"optivo", "constant contact", "icontact", "lyris", "listmanager", "strongmail", "exacttarget", "responsys",
	"acymailing", "mass mail", "bulk mail", "ymlp", "mailgun"}

// bulkHeaders are headers only campaign and list software sets.
var bulkHeaders = [...]string{"Feedback-Id", "X-Campaign", "X-Campaignid", "X-Campaign-Id", "X-Mc-User", "X-Csa-Complaints",
	"X-Sfmc-Stack", "X-Newsletter", "X-Mailing-List", "Mailing-List", "X-Beenthere", "X-Ml-Name", "X-List", "X-Loop",
	"X-Report-Abuse", "X-Mailgun-Tag"}

// machineSubjects start the subjects of machine reports.
var machineSubjects = [...]struct{ prefix, kind string }{
	{"cron <", "cron"}, {"cron daemon", "cron"}, {"anacron", "cron"}, {"** problem", "monitoring"},
	{"** recovery", "monitoring"}, {"[nagios]", "monitoring"}, {"[icinga]", "monitoring"}, {"[zabbix]", "monitoring"},
	{"monit alert", "monitoring"}, {"logwatch for", "monitoring"}, {"svn commit", "version control"},
	{"[jira]", "ticket system"},
	{"[svn]", "version control"}, {"[git]", "version control"}, {"[online lead]", "form post"},
}

// classifyContent sets Bounce, Bulk and Machine from what the mail says
// and how it is made, for mail whose headers gave no such signal.
func classifyContent(m *Message, th *mailHeader, w *bodyWalker) {
	flag := func(signal *bool, reason string) {
		*signal = true
		m.SignalReasons = append(m.SignalReasons, reason)
	}
	lowSubj := strings.ToLower(strings.TrimSpace(m.Subject))
	local := localPart(m.From.Address)
	// --- delivery systems by name, however written ---
	if !m.Bounce {
		for _, v := range th.Values("From") {
			if n, ok := robotSenderName(v); ok {
				flag(&m.Bounce, "From: "+n)
				break
			}
		}
	}
	// A customer who forwards an error message asks for help with it: the
	// report then sits below their own words, and what they wrote names the
	// desk. Subject and content alone never make such a mail a bounce.
	forwarded := forwardSubject(lowSubj) || deskWords(m.Text)
	if !m.Bounce && !forwarded {
		if p, ok := reportSubject(lowSubj); ok {
			flag(&m.Bounce, "Subject: "+p)
		}
	}

	cs := scanContent(m.FullText)

	// --- bounces and complaints by content ---
	if !m.Bounce && !forwarded {
		wd := cs.words
		weak := 0
		for _, b := range [...]bool{
			wd&wUndeliverable != 0,
			wd&wDelivery != 0 && wd&wFailed != 0,
			wd&wRecipient != 0 && (wd&wFailed != 0 || wd&wUnknownUser != 0),
			wd&wMailbox != 0 && (wd&wUnknownUser != 0 || wd&wFailed != 0),
			wd&wUser != 0 && wd&wUnknownUser != 0 && wd&wSMTP != 0,
			wd&wSMTP != 0,
		} {
			if b {
				weak++
			}
		}
		switch {
		case cs.dsn >= 2:
			flag(&m.Bounce, "content: delivery status fields")
		case cs.arf || wd&wFeedback != 0 && (wd&wAbuse != 0 || wd&wComplaint != 0):
			flag(&m.Bounce, "content: feedback report")
		case wd&wSESReport != 0:
			flag(&m.Bounce, "content: bounce notification of a sending service")
		case cs.smtp > 0 && weak >= 1:
			flag(&m.Bounce, "content: SMTP error with a status code")
		case weak >= 3:
			flag(&m.Bounce, "content: delivery failure wording")
		case wd&wLoop != 0 && wd&wAlert != 0 && wd&wSMTP|wd&wUndeliverable|wd&wDelivery != 0:
			flag(&m.Bounce, "content: mail loop alert")
		}
	}

	// --- newsletters, marketing and spam ---
	if !m.Bulk && !m.Bounce {
		for _, k := range bulkHeaders {
			if th.Has(k) {
				flag(&m.Bulk, "bulk header: "+k)
				break
			}
		}
	}
	if !m.Bulk && !m.Bounce {
		if xm := strings.ToLower(th.Get("X-Mailer")); xm != "" {
			for _, n := range massMailers {
				if strings.Contains(xm, n) {
					flag(&m.Bulk, "X-Mailer: "+n)
					break
				}
			}
		}
	}
	if !m.Bulk && !m.Bounce && !forwarded {
		if n, ok := massSender(local); ok {
			flag(&m.Bulk, "From: "+n)
		}
	}
	if !m.Bulk && !m.Bounce && spamMarked(th, lowSubj) {
		flag(&m.Bulk, "marked as spam by a filter")
	}
	if !m.Bulk && !m.Bounce && !forwarded && bits.OnesCount64(cs.spam) >= 3 {
		flag(&m.Bulk, "content: spam wording")
	}
	if !m.Bulk && !m.Bounce && !forwarded {
		wd := cs.words
		// A customer may write "unsubscribe" or "Newsletter abmelden"
		// about our software; a mailing carries the word with a link.
		links := w.html1.links > 0 || hasURL(m.FullText)
		switch {
		case wd&wUnsubscribe != 0 && links:
			flag(&m.Bulk, "content: unsubscribe footer")
		case (wd&wOptOut != 0 || wd&wNewsletter != 0 && wd&wAbmelden != 0) && links:
			flag(&m.Bulk, "content: newsletter opt-out")
		case w.html1.pixel && w.html1.links >= 3:
			flag(&m.Bulk, "content: tracking pixel")
		case w.plainParts == 0 && w.html1.links >= 15:
			flag(&m.Bulk, "content: HTML only with many links")
		}
	}

	// --- machine reports ---
	if m.Bulk || m.Bounce || m.Auto {
		return
	}
	for _, s := range machineSubjects {
		if strings.HasPrefix(lowSubj, s.prefix) || s.kind != "cron" && strings.Contains(lowSubj, s.prefix) {
			flag(&m.Machine, "machine report: "+s.kind)
			return
		}
	}
	switch {
	case th.Has("X-Cron-Env"):
		flag(&m.Machine, "machine report: cron")
	case systemAccount(local):
		flag(&m.Machine, "machine report: system account")
	case th.Has("X-Svn-Commit-Revision") || th.Has("X-Git-Repo") || th.Has("X-Git-Refname"):
		flag(&m.Machine, "machine report: version control")
	case forwarded:
		// A customer pasting a log or a diff asks about it.
	case cs.diff >= 3:
		flag(&m.Machine, "machine report: version control")
	case cs.words&wFax != 0 && cs.words&(wArrived|wPages) != 0:
		flag(&m.Machine, "machine report: fax")
	case cs.xmlLead:
		flag(&m.Machine, "machine report: form post")
	}
}

// localPart is the lower-case part of an address before the "@".
func localPart(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(addr[:at])
}

// massSender reports the sender names newsletters go out under. Names a
// customer's own department might use ("info", "marketing") are left out.
// local is the sender's lower-case local part.
func massSender(local string) (string, bool) {
	for _, p := range [...]string{"newsletter", "news", "enews", "e-news", "promo", "promotions", "offers", "deals",
		"announcements", "campaign", "mailings"} {
		if local == p || strings.HasPrefix(local, p+"_") || strings.HasPrefix(local, p+"-") || strings.HasPrefix(local, p+".") {
			return p, true
		}
	}
	return "", false
}

// systemAccount reports the accounts servers send their reports from;
// local is the sender's lower-case local part.
func systemAccount(local string) bool {
	switch local {
	case "root", "cron", "daemon", "oracle", "postgres", "mysql", "www-data", "apache", "nginx", "nagios",
		"icinga", "zabbix", "monit", "jenkins", "gitlab", "logwatch", "backup":
		return true
	}
	return false
}

// spamMarked reports a spam filter's verdict in the headers or the
// lower-case subject s.
func spamMarked(th *mailHeader, s string) bool {
	if v := strings.ToLower(strings.TrimSpace(th.Get("X-Spam-Flag"))); strings.HasPrefix(v, "yes") {
		return true
	}
	if v := strings.ToLower(strings.TrimSpace(th.Get("X-Spam-Status"))); strings.HasPrefix(v, "yes") {
		return true
	}
	return strings.HasPrefix(s, "[spam]") || strings.HasPrefix(s, "***spam***") || strings.HasPrefix(s, "*****spam*****") || strings.HasPrefix(s, "{spam")
}

// hasURL reports a web address in text.
func hasURL(text string) bool {
	return strings.Contains(text, "http://") || strings.Contains(text, "https://") || strings.Contains(text, "www.")
}

// forwardSubject reports a lower-case subject that forwards a mail.
func forwardSubject(s string) bool {
	for _, p := range [...]string{"fw:", "fwd:", "wg:", "tr:", "wtr:", "[fwd"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// deskWords reports whether text names what the desk does; a mail that
// asks for remote support is never judged a robot by its content.
func deskWords(text string) bool {
	if len(text) > classifyHead {
		text = text[:classifyHead]
	}
	for i := 0; i+6 <= len(text); i++ {
		switch text[i] | 0x20 {
		case 'a':
			if hasPrefixFold(text[i:], "anydesk") {
				return true
			}
		case 'f':
			if hasPrefixFold(text[i:], "fernwartung") {
				return true
			}
		case 'r':
			if hasPrefixFold(text[i:], "remote support") || hasPrefixFold(text[i:], "remote session") {
				return true
			}
		}
	}
	return false
}
