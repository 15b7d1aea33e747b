package understand

import "strings"

// Where times and IDs may come from: only what the sender wrote in this
// mail. message cuts quotes, forwards and signatures; what can still sit in
// the text is machine output pasted or generated into it (header lines,
// log lines, diffs, encoded blobs, URLs), and a time or a nine-digit number
// there is never a wish or an AnyDesk ID. ownWords blanks such lines and
// words out before the extractors see the text. It scans byte by byte with
// no regular expressions and copies the text only when it changes it.

// ownWords returns text with machine lines removed and URLs blanked.
func ownWords(text string) string {
	var b []byte // nil until something changes
	pos := 0
	inUU := false
	for pos < len(text) {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		line := text[pos:end]
		// URLs go first: a long link must not make the customer's words
		// around it look like an encoded blob.
		masked := line
		drop := false
		switch {
		case inUU:
			drop = true
			if strings.TrimSpace(line) == "end" {
				inUU = false
			}
		case uuBegin(line):
			drop, inUU = true, true
		default:
			// Most lines have no colon: no URL, header field or clock.
			colon := strings.IndexByte(line, ':') >= 0
			if colon || strings.Contains(line, "www.") {
				masked = blankURLs(line)
			}
			drop = machineLine(masked, colon)
		}
		if (drop || masked != line) && b == nil {
			b = make([]byte, 0, len(text))
			b = append(b, text[:pos]...)
		}
		if b != nil && !drop {
			b = append(b, masked...)
		}
		if b != nil && end < len(text) {
			b = append(b, '\n')
		}
		pos = end + 1
	}
	if b == nil {
		return text
	}
	return string(b)
}

// uuBegin reports the first line of a uuencoded file ("begin 644 name").
func uuBegin(line string) bool {
	return len(line) > 10 && strings.HasPrefix(line, "begin ") && isDigit(line[6]) && isDigit(line[7]) && isDigit(line[8]) && line[9] == ' '
}

// machineLine reports a line no person wrote to ask for something: a mail
// header field, a log line (a clock with seconds, a syslog or ISO stamp at
// its start), a diff line or an encoded blob.
func machineLine(line string, colon bool) bool {
	t := strings.TrimLeft(line, " \t")
	if t == "" {
		return false
	}
	if colon && headerLine(t) {
		return true
	}
	switch {
	case strings.HasPrefix(t, "+++ "), strings.HasPrefix(t, "--- "), strings.HasPrefix(t, "@@ "), strings.HasPrefix(t, "diff "):
		return true
	}
	if len(t) >= 60 && blobLine(t) {
		return true
	}
	return colon && clockWithSeconds(t) || isoStampLead(t)
}

// headerLine reports "Received: ...", "Date: ...", "X-Spam-Score: ..." and
// the fields of quoted header blocks ("Gesendet: ...").
func headerLine(t string) bool {
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 40 {
		return false
	}
	key := t[:i]
	for k := 0; k < len(key); k++ {
		c := key[k]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c >= '0' && c <= '9') {
			return false
		}
	}
	if len(key) > 2 && (key[0] == 'X' || key[0] == 'x') && key[1] == '-' {
		return true
	}
	switch strings.ToLower(key) {
	case "date", "datum":
		// "Date: Thu, 29 Apr 2017 23:34:45 +0900" is a header; "Datum:
		// 3.12., 10 Uhr" in a form the customer filled in is a wish.
		v := t[i+1:]
		return hasYear(v) && clockWithSeconds(v)
	case "received", "message-id", "return-path", "delivered-to", "mime-version", "content-type",
		"content-transfer-encoding", "content-disposition", "dkim-signature", "authentication-results",
		"arrival-date", "last-attempt-date", "reporting-mta", "final-recipient", "original-recipient",
		"diagnostic-code", "remote-mta", "in-reply-to", "references", "list-unsubscribe", "feedback-id",
		"gesendet", "sent", "envoyé", "enviado", "verzonden", "sendt":
		return true
	}
	return false
}

// hasYear reports four digits in a row.
func hasYear(v string) bool {
	n := 0
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			n++
			if n == 4 {
				return true
			}
			continue
		}
		n = 0
	}
	return false
}

// blobLine reports a long run without spaces: base64 (76 a line),
// uuencode (61), hex dumps, tracking tokens. German compounds reach 40
// letters, never 60.
func blobLine(t string) bool {
	const run, step = 60, 30
	// A run of 60 holds two bytes 30 apart; only where both samples and
	// the bytes between them are no spaces is the run measured.
	for i := 0; i+step < len(t); i += step {
		if t[i] == ' ' || t[i+step] == ' ' || strings.IndexByte(t[i:i+step], ' ') >= 0 {
			continue
		}
		s, e := i, i+step
		for s > 0 && t[s-1] != ' ' {
			s--
		}
		for e < len(t) && t[e] != ' ' {
			e++
		}
		if e-s >= run {
			return true
		}
		i = e - step
	}
	return false
}

// clockWithSeconds finds "23:45:23": people asking for a time do not name
// seconds, logs and reports do.
func clockWithSeconds(t string) bool {
	for i := 1; i+5 < len(t); i++ {
		j := strings.IndexByte(t[i:], ':')
		if j < 0 {
			return false
		}
		i += j
		if i+5 < len(t) && isDigit(t[i-1]) && isDigit(t[i+1]) && isDigit(t[i+2]) && t[i+3] == ':' && isDigit(t[i+4]) && isDigit(t[i+5]) {
			return true
		}
	}
	return false
}

// isoStampLead reports a line that starts with a machine time stamp:
// "2024-06-11T18:02" or a bracketed "[2024-06-11 ...". A customer may well
// start a line with "2026-12-03 10:00 wäre gut", so a bare date is not one.
func isoStampLead(t string) bool {
	bracket := strings.HasPrefix(t, "[")
	t = strings.TrimLeft(t, "[")
	if len(t) < 11 || !(isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) && isDigit(t[3]) && t[4] == '-' &&
		isDigit(t[5]) && isDigit(t[6]) && t[7] == '-' && isDigit(t[8]) && isDigit(t[9])) {
		return false
	}
	return bracket || t[10] == 'T'
}

// blankURLs replaces URLs and cid:/mailto: references with blanks of the
// same length, so no digit in them reads as a time or an ID. It jumps from
// colon to colon (and to "www."), so a line without either costs two
// IndexByte calls.
func blankURLs(line string) string {
	var b []byte
	blank := func(from, to int) {
		if b == nil {
			b = []byte(line)
		}
		for k := from; k < to; k++ {
			b[k] = ' '
		}
	}
	urlEnd := func(j int) int {
		for j < len(line) && isURLByte(line[j]) {
			j++
		}
		return j
	}
	for k := 0; k < len(line); {
		c := strings.IndexByte(line[k:], ':')
		if c < 0 {
			break
		}
		c += k
		s := c
		for s > 0 && c-s < 6 && (line[s-1]|0x20) >= 'a' && (line[s-1]|0x20) <= 'z' {
			s--
		}
		k = c + 1
		if s > 0 && isURLByte(line[s-1]) && line[s-1] != '(' {
			continue // "abc.http:" is no scheme
		}
		if sch := line[s:c]; strings.EqualFold(sch, "http") || strings.EqualFold(sch, "https") || strings.EqualFold(sch, "ftp") ||
			strings.EqualFold(sch, "cid") || strings.EqualFold(sch, "mailto") {
			e := urlEnd(c + 1)
			blank(s, e)
			k = e
		}
	}
	for k := 0; k < len(line); {
		w := strings.Index(line[k:], "www.")
		if w < 0 {
			break
		}
		w += k
		if w > 0 && isURLByte(line[w-1]) && line[w-1] != '(' {
			k = w + 4
			continue
		}
		e := urlEnd(w)
		blank(w, e)
		k = e
	}
	if b == nil {
		return line
	}
	return string(b)
}

func hasFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isURLByte(c byte) bool {
	return c > ' ' && c != '<' && c != '>' && c != '"' && c != '\'' && c < 0x7f
}

// idContext reports whether a mail gives a bare nine-digit number the
// context that makes it an AnyDesk ID: the sender speaks of AnyDesk, remote
// maintenance or an ID, or answers in a thread (ours, where we asked).
func idContext(body, subject string, isReply bool) bool {
	if isReply {
		return true
	}
	for _, s := range [2]string{body, subject} {
		for i := 0; i+2 <= len(s); i++ {
			switch s[i] | 0x20 {
			case 'a':
				if hasFold(s[i:], "anydesk") {
					return true
				}
			case 'f':
				if hasFold(s[i:], "fernwartung") || hasFold(s[i:], "fernzugriff") || hasFold(s[i:], "fernsteuerung") {
					return true
				}
			case 'r':
				if hasFold(s[i:], "remote") {
					return true
				}
			case 'i':
				// "ID" as a word of its own ("meine ID", "ID:"), not "idea".
				if (s[i+1]|0x20) == 'd' && (i == 0 || !isASCIIAlnum(s[i-1])) && (i+2 == len(s) || !isASCIIAlnum(s[i+2])) {
					return true
				}
			}
		}
	}
	return false
}

// asksForTime reports whether the text asks for something: a question, or
// a polite request. A time in a sentence that asks nothing ("I might look
// at it tomorrow") is no wish.
func asksForTime(toks []token, sig signals) bool {
	if sig.question {
		return true
	}
	for i := range toks {
		// "da hätt ich Zeit", "I'm free", "bin ich frei": the customer
		// offers the time.
		switch toks[i].s {
		case "zeit", "frei", "free", "ruhe", "luft", "available", "verfügbar", "time":
			// ("da hätten wir Ruhe für das Update", "we'd be available",
			// "I have time on Monday" — but not "the time": a noun alone.)
			for k := i - 1; k >= 0 && k >= i-2; k-- {
				switch toks[k].s {
				case "hätt", "hätte", "hätten", "hab", "habe", "haben", "hamma", "bin", "sind", "wäre", "wären", "i'm", "we're", "am", "are":
					return toks[i].s != "time" || toks[k].s == "am" || toks[k].s == "are"
				case "be", "have", "got", "has", "hättn", "hättma", "hätt'", "wär":
					return true
				}
			}
		}
		switch toks[i].s {
		case "bitte", "please", "pls", "wäre", "wären", "würde", "would", "could", "könnten", "könnte", "möglich", "possible", "passt", "geht", "suits", "works",
			"wär", "wär's", "wärs", "tät", "täte", "tät's", "täts", "dad", "dadn", "daad", "ideal", "ginge", "gehts", "geht's",
			"preferred", "prefer", "preferably", "ideally", "idealerweise", "lieber", "liebsten", "fine", "ok", "okay", "gern", "gerne", "recht",
			"book", "buchen", "reservieren", "reserve", "schlage", "vorschlagen", "propose", "suggest":
			return true
		case "does", "do":
			// "Wednesday doesn't work but Thursday 1pm does."
			if i >= 2 && i+1 < len(toks) && toks[i+1].kind == tPunct && (toks[i-1].kind == tNum || toks[i-1].w != nil && (toks[i-1].w.role&(rAM|rPM|rUhr) != 0 || toks[i-1].w.wd != 0)) {
				return true
			}
		case "good", "great", "perfect", "easiest", "best", "gut", "perfekt", "optimal":
			// "After 13:00 on Tuesday is good.", "Montag wär am besten"
			if i > 0 {
				switch toks[i-1].s {
				case "is", "be", "'s", "ist", "wäre", "wär", "am":
					return true
				}
			}
		}
	}
	return false
}

// offersOwnTime: the customer says when they are free ("da hätten wir um
// 10 Uhr Zeit", "hätte ich ab 13 Uhr Zeit", "we're free Thursday"): written
// to the support desk that asks for a session, even when it names no
// problem.
func offersOwnTime(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "zeit", "frei", "free", "available", "verfügbar":
		default:
			continue
		}
		have, me := false, false
		for k := i - 1; k >= 0 && k >= i-6 && toks[k].kind != tPunct; k-- {
			switch toks[k].s {
			case "hätt", "hätte", "hätten", "hab", "habe", "haben", "hamma", "bin", "sind", "wäre", "wären", "am", "are", "be", "have", "'re", "'m":
				have = true
			case "i'm", "we're":
				have, me = true, true
			case "ich", "wir", "i", "we", "mir":
				me = true
			case "wann", "when", "ihr", "you", "sie", "keine", "kein", "no", "not", "nicht", "ned", "koa":
				have = false // asks when we are free; "keine Zeit"
				k = -1
			}
		}
		if have && me {
			return true
		}
	}
	return false
}

// togetherVerb: a verb of doing something together ("machen",
// "durchgehen", "go through", "set up") follows within the clause from k.
func togetherVerb(toks []token, k int) bool {
	for j := k; j < len(toks) && j < k+8; j++ {
		if toks[j].kind == tPunct && toks[j].s != "-" {
			return false
		}
		switch toks[j].s {
		case "machen", "durchgehen", "durchschauen", "anschauen", "ansehen", "einrichten", "besprechen", "erledigen", "umstellen", "installieren",
			"do", "go", "set", "review", "check", "install", "configure":
			return true
		}
	}
	return false
}

// proposesTime: a first mail that puts a time forward — as a question,
// "how about Friday 3 March at 11:45?", "could we do Thursday, 5 PM?",
// "wie wär's mit Dienstag um 10?", or as what suits ("tomorrow after lunch
// works for me") — asks for a slot even without naming the session.
func proposesTime(toks []token) bool {
	if timeThenPlease(toks) {
		return true
	}
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i].s, toks[i+1].s
		switch {
		case (a == "how" || a == "what") && b == "about",
			(a == "could" || a == "can" || a == "shall") && b == "we" && i+2 < len(toks) && (toks[i+2].s == "do" || toks[i+2].s == "say" || toks[i+2].s == "meet" || toks[i+2].s == "make"),
			a == "wie" && (b == "wär's" || b == "wärs" || b == "wäre" || b == "wär" || b == "schaut" || b == "sieht"),
			(a == "passt" || a == "geht" || a == "ginge" || a == "klappt") && (b == "es" || b == "ihnen" || b == "euch" || b == "bei"),
			// "… works for me", "suits me", "passt mir", "wär mir recht"
			(a == "works" || a == "work") && b == "for", a == "suits" && (b == "me" || b == "us"),
			(a == "passt" || a == "passen") && (b == "mir" || b == "uns"), (a == "mir" || a == "uns") && b == "recht",
			// "am Dienstag tät's uns passen"
			(a == "mir" || a == "uns") && (b == "passen" || b == "passt"),
			// "can you fit us in?", "squeeze me in"
			(a == "fit" || a == "squeeze") && (b == "us" || b == "me") && i+2 < len(toks) && toks[i+2].s == "in",
			// "can u do wensday at 3", "could you do Friday?"
			(a == "can" || a == "could") && (b == "you" || b == "u" || b == "ye") && i+2 < len(toks) && toks[i+2].s == "do",
			// "irgendwann nächste Woche wär fein", "passt eh alles"
			(a == "wär" || a == "wäre" || a == "wärs" || a == "wär's") && (b == "fein" || b == "super" || b == "toll" || b == "ideal"),
			a == "passt" && b == "eh",
			// "möcht ich die Jahresstatistik mit Ihnen machen", "would
			// like to go through the reports with you": done together with
			// the desk, at the time the mail names.
			a == "mit" && (b == "ihnen" || b == "euch" || b == "eich") && togetherVerb(toks, i+2),
			a == "with" && b == "you" && togetherVerb(toks, i+2):
			return true
		case a == "if" && (b == "you" || b == "ye" || b == "ya") && i+2 < len(toks) && (toks[i+2].s == "have" || toks[i+2].s == "can"),
			a == "if" && (b == "you've" || b == "you’ve"), // "Monday morning if you've a slot"
			a == "falls" && (b == "frei" || b == "möglich" || b == "noch"), a == "wenn" && (b == "frei" || b == "möglich"):
			// "Tuesday 1st September, 11:15 if you have it", "Freitag 10
			// Uhr, falls frei"
			return true
		}
	}
	return false
}

// aboutTheDesk reports whether the text has anything to do with what the
// desk does: a reason (training, error, update), a problem with software,
// or a plea for help. Spam and other people's business that merely name a
// day have none of it, and a booking needs it.
func aboutTheDesk(toks []token, reason string) bool {
	if reason != "" {
		return true
	}
	for i := range toks {
		switch toks[i].s {
		case "funktioniert", "funktionieren", "fehler", "fehlermeldung", "problem", "probleme", "hilfe", "helfen",
			"unterstützung", "support", "schauen", "draufschauen", "anschauen", "ansehen", "nachsehen", "kaputt",
			"draufschaun", "anschaun", "oschaun", "schaun", "drüberschauen",
			"absturz", "stürzt", "abgestürzt", "stimmen", "stimmt", "falsch", "export", "import", "drucken",
			"druckt", "installieren", "installation", "einrichten", "programm", "software", "buchhaltung",
			"abschluss", "jahresabschluss", "lohn", "verbucht", "gebucht", "zahlung", "zahlungen", "payment", "payments", "rechnung", "rechnungen", "kassa", "kassabuch", "datenbank",
			"error", "errors", "issue", "issues", "problems", "broken", "crash", "crashes", "install", "setup", "print", "invoices", "invoice",
			"payroll", "database", "update", "upgrade", "training", "schulung",
			"umstellung", "umstellen", "umstieg", "version", "migration", "migrieren", "migrate",
			"einstellungen", "konfiguration", "konfigurieren", "configure", "configuration", "settings", "stammdaten",
			"demo", "einschulung", "einweisung", "walkthrough", "onboarding",
			"connect", "connecting", "remotely", "verbinden", "aufschalten", "draufschalten", "zugreifen", "einwählen",
			"help", "wrong", "dial", "licence", "license", "lizenz", "lizenzen", "licences", "licenses", "lizenzumzug":
			return true
		}
		// Compounds: "Artikelstammdaten", "Weinpreise", "Preisumstellung".
		if s := toks[i].s; len(s) > 9 && (strings.HasSuffix(s, "stammdaten") || strings.HasSuffix(s, "preise") || strings.HasSuffix(s, "umstellung") ||
			strings.HasSuffix(s, "einstellungen") || strings.HasSuffix(s, "update") || strings.HasSuffix(s, "schulung")) {
			return true
		}
		switch toks[i].s {
		case "closing":
			// "the year-end closing", not "closing the door"
			if i > 0 && (toks[i-1].s == "end" || toks[i-1].s == "year" || toks[i-1].s == "month") {
				return true
			}
		}
	}
	return false
}

// otherDesk reports a subject that carries another ticket system's tag
// ("[Ticket#11168]"): the sender is in a conversation with someone else's
// desk and only copies us, so nothing in it is a request to book.
func otherDesk(subject string) bool {
	for i := 0; i+8 < len(subject); i++ {
		if (subject[i]|0x20) == 't' && hasFold(subject[i:], "ticket#") && isDigit(subject[i+7]) {
			return true
		}
	}
	return false
}

// timeThenPlease: a sentence that is a time and "bitte"/"please" ("Gleich
// nach de Osterfeiertage bitte.", "Tuesday morning please!").
func timeThenPlease(toks []token) bool {
	start := 0
	for i := range toks {
		t := &toks[i]
		if t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") {
			start = i + 1
			continue
		}
		if t.s != "bitte" && t.s != "please" || i+1 < len(toks) && !(toks[i+1].kind == tPunct && toks[i+1].s != "?") {
			continue
		}
		if i-start > 7 {
			continue
		}
		for k := start; k < i; k++ {
			if w := toks[k].w; w != nil && (w.wd != 0 || w.hasRel || w.feast || w.month != 0 || w.pod != 0) || toks[k].kind == tNum {
				return true
			}
		}
	}
	return false
}
