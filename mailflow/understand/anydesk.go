package understand

import (
	"math/bits"
	"strings"
)

// A false AnyDesk ID sends a technician to a stranger's computer, so the
// finder is strict: exactly nine digits, written 123456789, 123 456 789 or
// 123-456-789, standing alone (no digit, letter, "+" or "/" glued to it),
// and not right after a word that marks a phone, bank, tax, company
// register, invoice, order or customer number.

// negativeContext are words (matched as word prefixes, lower case) that make
// a following number something other than an AnyDesk ID.
var negativeContext = []string{
	"tel", "telefon", "phone", "fax", "mobil", "handy", "mob", "ruf", "hotline", "durchwahl", "dw",
	"rechnung", "rechnungs", "re", "rg", "invoice", "auftrag", "auftrags", "bestell", "order",
	"kunde", "kunden", "kd", "kdnr", "customer", "konto", "iban", "bic", "blz", "uid", "atu",
	"firmenbuch", "fn", "fb", "steuer", "stnr", "svnr", "sv", "versicherung", "lizenz", "licen",
	"serien", "serial", "ticket", "vertrag", "contract", "referenz", "reference", "ref", "betrag",
	"eur", "kto", "account", "plz", "ust", "vat", "tax", "zahlung", "payment", "lieferschein",
	"beleg", "belegnr", "vorgang", "case", "gln", "ean", "artikel", "art", "fehler", "error",
	"meldung", "message", "status", "version", "build",
	// "please call me on 385 912 044", "rufen Sie mich an unter", "reach me at"
	"call", "anruf", "anrufen", "rückruf", "erreichbar", "reach", "ring", "whatsapp", "sms", "signal",
	// "Patient ID 100204551", "Mitgliedsnummer", "member no."
	"patient", "patienten", "versicherten", "mitglied", "member", "personal", "mandant", "client",
	// "Handelsregister", "reg. no.", "Firmennummer" ("Our company number
	// is …" is read in contextOf below).
	"registration", "register", "registry", "handelsregister", "hrb", "hra", "gewerbe", "reg", "firmennummer", "firmennr",
}

// idOwners name whose ID a following "ID" is when they stand right before
// it ("our tax office ID 142 887 306", "employee ID", "user ID"): another
// number, not AnyDesk's.
var idOwners = map[string]bool{"office": true, "finanzamt": true, "behörde": true, "employee": true, "mitarbeiter": true,
	"benutzer": true, "user": true, "login": true,
	// "our company ID 514 882 207", "VAT ID", "member ID", "Patienten-ID"
	"company": true, "firma": true, "firmen": true, "business": true, "tax": true, "vat": true, "steuer": true,
	"member": true, "mitglied": true, "mitglieds": true, "patient": true, "patienten": true, "client": true,
	"supplier": true, "lieferant": true, "lieferanten": true, "partner": true, "contract": true, "vertrag": true, "vertrags": true}

// positiveContext are words that announce an ID; when one stands closer to
// the number than a negative word, the number is taken.
var positiveContext = []string{"anydesk", "any", "id", "adresse", "address", "fernwartung"}

// findAnyDeskID returns the first acceptable nine-digit ID in text ("" if none).
// Candidates announced by "AnyDesk"/"ID" win over bare ones.
func findAnyDeskID(text string) string { return findID(text, false) }

// findAnyDeskIDAsked is findAnyDeskID in answer to our confirmation, which
// asks for the ID, or under a subject that names it: there an odd grouping
// called "the number" ("309 77 21 45 is de Nummer", "Nummer is 780 21 53
// 39") is the ID too. Elsewhere "Alice's number: 31 85 57 920" is none.
func findAnyDeskIDAsked(text string) string { return findID(text, true) }

func findID(text string, asked bool) string {
	text = oBetweenDigits(capText(text, maxTextBytes))
	weak := ""
	// The IDs found, in order; a later one set right after a correction
	// ("1 234 567 89 -- Verzeihung, richtig ist 123 456 780") wins.
	type cand struct {
		id         [9]byte
		pos        bool
		start, end int
	}
	var found [4]cand
	nf := 0
	for i := 0; i < len(text); {
		if c := text[i]; c < '0' || c > '9' {
			i = nextDigit(text, i+1)
			continue
		}
		// Collect a run of digit groups joined by single spaces or hyphens.
		start := i
		var digits [16]byte
		nd := 0
		groups := [8]int{}
		ng := 0
		sep := byte(0)
		mixed := false
		j := i
		for {
			g := 0
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				if nd < len(digits) {
					digits[nd] = text[j]
				}
				nd++
				g++
				j++
			}
			if ng < len(groups) {
				groups[ng] = g
			}
			ng++
			if k, s := separatorAt(text, j); k > 0 && j+k < len(text) && isDigit(text[j+k]) {
				if sep != 0 && sep != s {
					mixed = true
				}
				sep = s
				j += k
				continue
			}
			break
		}
		end := j
		i = end
		if nd != 9 || mixed && !(ng == 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 3) {
			// (Mixed separators only in the three groups of three:
			// "557-602 148".)
			continue
		}
		// Other groupings ("1 192 448 06", as one reads it off the screen)
		// count only when the words before announce an AnyDesk ID.
		odd := !(ng == 1 || ng == 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 3 || ng == 9 && sep == ' ' && singles(text, start, end))
		// ("739150 248": two groups typed as they came, with ID words.)
		// ("6.3.9.2.0.4.1.7.5", "6-3-9-…": digit by digit, with ID words.)
		if odd && !(sep == ' ' && ng >= 2 && ng <= 5 && groupsUpTo(groups[:min(ng, len(groups))], 4) || sep == ' ' && ng == 2 && groupsUpTo(groups[:2], 6) ||
			ng == 9 && (sep == '.' || sep == '-') && singles(text, start, end)) {
			continue
		}
		if !standsAlone(text, start, end) {
			continue
		}
		pos, neg := contextOf(text, start)
		if !neg && !pos && odd && (idWordRightAfter(text, end, asked) || asked && numberWordRightBefore(text, start)) {
			// "309 77 21 45 is de Nummer", "… is my AnyDesk ID": named
			// right after.
			pos = true
		}
		if neg || odd && !pos {
			continue
		}
		if digits[0] == '0' && !(pos && !odd && idWordRightBefore(text, start)) {
			// Phone numbers start with 0; an ID does only when the words
			// right before call it one ("AnyDesk: 083 554 219").
			continue
		}
		if ng == 9 && sep != ' ' {
			// Digit by digit with dots or dashes: taken only when no
			// plainer ID stands in the mail ("3-1-4-1-5-9-2-6-5… sorry,
			// typo, it is 314 159 266").
			if weak == "" {
				weak = string(digits[:9])
			}
			continue
		}
		c := cand{[9]byte(digits[:9]), pos, start, end}
		switch {
		case nf < len(found):
			found[nf] = c
			nf++
		case pos:
			found[nf-1] = c // (the later ones are bare numbers: an ID named as one wins)
		}
		if pos && !correctsBefore(text[end:min(len(text), end+80)]) {
			// An ID named as one ends the search unless a correction
			// follows it ("… -- Verzeihung, richtig ist …").
			break
		}
	}
	best := -1
	for k := 0; k < nf; k++ {
		if found[k].pos {
			best = k
			break
		}
	}
	if best < 0 && nf > 0 {
		best = 0
	}
	if best < 0 {
		return weak
	}
	for k := best + 1; k < nf; k++ {
		between := text[found[k-1].end:found[k].start]
		if len(between) > 80 {
			between = between[len(between)-80:] // (the words right before the later ID)
		}
		if found[k].id != found[best].id && correctsBefore(between) {
			best = k
		}
	}
	return string(found[best].id[:])
}

// correctsBefore: the words after an ID take it back ("Verzeihung,
// richtig ist", "sorry, I mean", "Tippfehler").
func correctsBefore(between string) bool {
	low := strings.ToLower(between)
	for _, w := range []string{"verzeihung", "sorry", "korrektur", "richtig ist", "richtige", "korrekt", "i mean", "i meant",
		"ich meine", "ich meinte", "falsch", "tippfehler", "vertippt", "typo", "correct", "should be", "sollte"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// oBetweenDigits reads a letter O typed between two digits as the zero it
// stands for ("2O8 551 776"); other text is returned as it is.
func oBetweenDigits(text string) string {
	var b []byte
	for i := 1; i+1 < len(text); i++ {
		if (text[i] == 'O' || text[i] == 'o') && isDigit(text[i-1]) && isDigit(text[i+1]) {
			if b == nil {
				b = []byte(text)
			}
			b[i] = '0'
		}
	}
	if b == nil {
		return text
	}
	return string(b)
}

// idWordRightBefore: "AnyDesk", "ID" or "AnyDesk-ID" (and a colon, "is" or
// "ist") is all that stands between the line's start or the word and the
// number at start.
func idWordRightBefore(text string, start int) bool {
	ls := strings.LastIndexByte(text[:start], '\n') + 1
	w := strings.ToLower(strings.TrimSpace(text[ls:start]))
	w = strings.TrimSpace(strings.TrimRight(w, ":=-"))
	for _, suf := range []string{" is", " ist", " lautet"} {
		w = strings.TrimSpace(strings.TrimSuffix(w, suf))
	}
	w = strings.TrimSpace(strings.TrimRight(w, ":=-"))
	for _, id := range []string{"anydesk", "anydesk-id", "anydesk id", "id", "anydesk-nummer", "anydesk nummer", "anydesk-adresse"} {
		if w == id || strings.HasSuffix(w, " "+id) {
			return true
		}
	}
	return false
}

// separatorAt reports the digit-group separator at text[j] and its length:
// a space, a hyphen, or what word processors and HTML make of them (a
// no-break space, an en dash).
func separatorAt(text string, j int) (int, byte) {
	if j >= len(text) {
		return 0, 0
	}
	switch text[j] {
	case ' ':
		// "126 - 448 - 907", "593 – 021 – 846": a dash set apart by spaces.
		if j+2 < len(text) && text[j+1] == '-' && text[j+2] == ' ' {
			return 3, '-'
		}
		if j+4 < len(text) && text[j+1] == 0xE2 && text[j+2] == 0x80 && text[j+3] == 0x93 && text[j+4] == ' ' {
			return 5, '-'
		}
		// "903 . 442 . 118", "274 / 601 / 955": a dot or slash set apart
		// by spaces.
		if j+2 < len(text) && (text[j+1] == '.' || text[j+1] == '/') && text[j+2] == ' ' {
			return 3, text[j+1]
		}
		return 1, ' '
	case '-':
		return 1, '-'
	case '.':
		// "618.472.093": only three groups of three count (checked by the
		// caller); dates and amounts have other shapes.
		return 1, '.'
	case '/', '_':
		// "117/228/339": as with the dot, three groups of three only.
		return 1, text[j]

	case 0xC2:
		if j+1 < len(text) && text[j+1] == 0xA0 {
			return 2, ' '
		}
	case 0xE2:
		if j+2 < len(text) && text[j+1] == 0x80 && (text[j+2] == 0x93 || text[j+2] == 0xAF) {
			if text[j+2] == 0x93 {
				return 3, '-' // en dash
			}
			return 3, ' ' // narrow no-break space
		}
	}
	return 0, 0
}

func standsAlone(text string, start, end int) bool {
	if start > 0 {
		b := text[start-1]
		if isASCIIAlnum(b) || b == '+' || b == '/' || b == '#' || b == '.' && start > 1 && isDigit(text[start-2]) {
			return false
		}
		if b == '-' && start > 1 && isASCIIAlnum(text[start-2]) {
			return false // "RE-123456789"
		}
		if b >= 0x80 {
			return false // a letter outside ASCII
		}
		// "+43 664 …": a plus or an area code with a slash before the run.
		k := start - 1
		for k >= 0 && (text[k] == ' ' || text[k] == '(' || text[k] == ')') {
			k--
		}
		if k >= 0 && (text[k] == '+' || text[k] == '/') {
			return false
		}
	}
	if end < len(text) {
		b := text[end]
		if isASCIIAlnum(b) || b >= 0x80 {
			return false
		}
		if (b == ',' || b == '.' || b == '/' || b == '-') && end+1 < len(text) && isDigit(text[end+1]) {
			return false // "123456789,50", "123456789/2"
		}
	}
	return true
}

// contextOf looks at the words before a candidate on its line (and on the
// line before, when the number stands alone on its own line) for what kind
// of number it is.
func contextOf(text string, start int) (pos, neg bool) {
	ls := strings.LastIndexByte(text[:start], '\n') + 1
	win := text[ls:start]
	if strings.TrimSpace(strings.Trim(win, ":-–>*")) == "" && ls > 0 {
		pl := strings.LastIndexByte(text[:ls-1], '\n') + 1
		win = text[pl:start]
	}
	if len(win) > 48 {
		win = win[len(win)-48:]
	}
	lastPos, lastNeg := -1, -1
	prevStart := -1
	prev := ""
	k := 0
	for k < len(win) {
		for k < len(win) && !isWordByte(win[k]) {
			k++
		}
		a := k
		// "Kunden-ID" is one word, so the negative prefix wins over "id".
		for k < len(win) && (isWordByte(win[k]) || win[k] == '-' && k+1 < len(win) && isWordByte(win[k+1])) {
			k++
		}
		if a == k {
			continue
		}
		w := strings.ToLower(win[a:k])
		idiom := w == "case" && prev == "in" // "in case you need the number"
		before := prev
		prev = w
		if idiom {
			continue
		}
		if compoundNumberWord(w) {
			lastNeg = a
		}
		// "customer ID", "order ID", "Kunden ID": an ID word right after a
		// negative word names that other number.
		afterNeg := lastNeg >= 0 && lastNeg == prevStart || idOwners[before]
		prevStart = a
		for _, p := range positiveContext {
			if w == p || len(p) > 3 && strings.HasPrefix(w, p) {
				if afterNeg && (w == "id" || w == "address" || w == "adresse") {
					lastNeg = a
					continue
				}
				lastPos = a
			}
		}
		for _, n := range negativeContext {
			if w == "eana" || w == "eanan" || w == "eich" || w == "eure" || w == "eurem" || w == "euren" || w == "eurer" || w == "euer" {
				break // Austrian "Ihnen", "euch" ("Griaß Eana"), not an EAN; "eurem Programm" is no euro
			}
			if w == n || len(n) >= 3 && strings.HasPrefix(w, n) {
				if lastPos >= 0 && machineNext(win[k:]) {
					// "AnyDesk ID of accounting PC: …": the word names the
					// machine the ID is for, not another number.
					break
				}
				lastNeg = a
			}
		}
	}
	lw := strings.ToLower(win)
	for _, n := range []string{"company n", "company's n", "company reg", "company id"} {
		if i := strings.LastIndex(lw, n); i >= 0 && i+len(n) > lastNeg {
			// "Our company number is 612 334 905"; its end counts, so the
			// "id" of "company id" is no AnyDesk word.
			lastNeg = i + len(n)
		}
	}
	if lastNeg >= 0 && lastNeg > lastPos {
		return false, true
	}
	return lastPos >= 0, false
}

// nextDigit is the index of the first ASCII digit in s at or after i
// (len(s) if none). Most of a mail has none, so it looks at eight bytes at
// a time.
func nextDigit(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := digitBytes(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if isDigit(s[i]) {
			return i
		}
	}
	return len(s)
}

// digitBytes marks (with 0x80) the bytes of x that are '0'-'9'. With the
// top bits cleared no byte carries: adding 0x50 sets the top bit from '0'
// up, adding 0x46 from '9'+1 up; bytes that had the top bit are no digit.
func digitBytes(x uint64) uint64 {
	y := x &^ highBits
	return (y + 0x5050505050505050) &^ (y + 0x4646464646464646) &^ x & highBits
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isASCIIAlnum(b byte) bool {
	return isDigit(b) || (b|0x20) >= 'a' && (b|0x20) <= 'z'
}

func isWordByte(b byte) bool {
	return isASCIIAlnum(b) || b >= 0x80
}

// singles reports whether text[start:end] is nine single digits each
// followed by one space ("4 8 0 1 1 7 9 6 3"), as people type an ID they
// read off the screen digit by digit.
func singles(text string, start, end int) bool {
	if end-start != 17 {
		return false
	}
	for k := start; k < end; k++ {
		if (k-start)%2 == 0 != isDigit(text[k]) {
			return false
		}
	}
	return true
}

// compoundNumberWord: "Betriebsnummer", "Mandatsreferenz", "Kundennummer"
// name a number of something else; "AnyDesk-Nummer" and "ID-Nummer" do not.
func compoundNumberWord(w string) bool {
	for _, suf := range []string{"nummer", "number", "referenz", "reference", "kennung", "kennzahl", "code"} {
		if len(w) > len(suf)+1 && strings.HasSuffix(w, suf) {
			return !strings.HasPrefix(w, "anydesk") && !strings.HasPrefix(w, "id") && !strings.HasPrefix(w, "any") &&
				!strings.HasPrefix(w, "fernwartung") && !strings.HasPrefix(w, "zugangs") && !strings.HasPrefix(w, "verbindungs")
		}
	}
	return false
}

// findSpacedID finds an ID typed digit by digit with groups set apart
// ("3 0 2 - 7 7 1 - 8 5 9"): nine single digits, each pair separated by a
// few spaces, dashes, dots or commas. The same context rules apply as to
// any ID.
func findSpacedID(text string) string {
	text = capText(text, maxTextBytes)
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i = nextDigit(text, i+1)
			continue
		}
		start := i
		var digits [9]byte
		n, j := 0, i
		for n < 9 && j < len(text) && isDigit(text[j]) && (j+1 >= len(text) || !isDigit(text[j+1])) {
			digits[n] = text[j]
			n++
			j++
			if n == 9 {
				break
			}
			// Spaces, dashes (also an en dash), dots or commas between:
			// "5 6 1 – 0 0 9 – 8 4 2", "9.2.4.0.0.1.6.3.8", "3, 8, 1, …".
			k := j
			for k < len(text) && k-j < 5 && (text[k] == ' ' || text[k] == '-' || text[k] == '.' || text[k] == ',' || text[k] == '\n' || text[k] == '\r' ||
				text[k] == 0xE2 && k+2 < len(text) && text[k+1] == 0x80 && text[k+2] == 0x93) {
				if text[k] == 0xE2 {
					k += 2
				}
				k++
			}
			if k == j || k >= len(text) || !isDigit(text[k]) {
				break
			}
			j = k
		}
		if n == 9 && digits[0] != '0' && standsAlone(text, start, j) {
			if _, neg := contextOf(text, start); !neg {
				return string(digits[:])
			}
		}
		i = max(j, i+1)
	}
	return ""
}

// groupsUpTo reports whether every digit group has at most n digits.
func groupsUpTo(groups []int, n int) bool {
	for _, g := range groups {
		if g > n || g == 0 {
			return false
		}
	}
	return true
}

// forwardedID finds an ID in the text a customer forwards when their own
// words say that is what they pass on ("forwarding our intern's ID",
// "anbei die AnyDesk-ID meiner Kollegin"): the forward is the point of
// such a mail. Only announced IDs count there.
func forwardedID(own, quoted string, subject string, ownWords int) string {
	low := strings.ToLower(own + " " + subject)
	if !strings.Contains(low, "forward") && !strings.Contains(low, "weiterleit") && !strings.HasPrefix(low, "fwd:") &&
		!strings.HasPrefix(strings.ToLower(subject), "fw") && !strings.HasPrefix(strings.ToLower(subject), "wg:") {
		return ""
	}
	ownLow := " " + strings.ToLower(own)
	subjLow := " " + strings.ToLower(subject)
	announced := func(s string) bool {
		return strings.Contains(s, "anydesk") || strings.Contains(s, " id") || strings.Contains(s, "-id")
	}
	// "anbei die Nummer von unserem Empfangs-PC", "the number of the office
	// PC": the machine's number, which is its AnyDesk ID.
	machineNumber := (strings.Contains(ownLow, "nummer") || strings.Contains(ownLow, "number")) &&
		(strings.Contains(ownLow, "pc") || strings.Contains(ownLow, "rechner") || strings.Contains(ownLow, "computer") || strings.Contains(ownLow, "laptop"))
	// The customer's own words say an ID is passed on — or the forward's
	// subject does, when their own words are only a line of passing on
	// or name the number they pass on.
	if !announced(ownLow) && !machineNumber && !((ownWords <= 12 || strings.Contains(ownLow, "nummer") || strings.Contains(ownLow, "number")) && announced(subjLow)) {
		return ""
	}
	q := capText(quoted, maxTextBytes)
	if id, ok := loneForwardedID(q); ok {
		// One nine-digit number in the whole forward, nothing calling it
		// a phone, account or customer number: the one passed on.
		return id
	}
	for i := 0; i < len(q); {
		k := nextDigit(q, i)
		if k >= len(q) {
			return ""
		}
		// Only a candidate the words before announce.
		if id := findAnyDeskID(q[k:min(len(q), k+40)]); id != "" {
			if pos, neg := contextOf(q, k); pos && !neg || !neg && namedAfter(q, k) {
				return id
			}
		}
		for k < len(q) && (isDigit(q[k]) || q[k] == ' ' || q[k] == '-') {
			k++
		}
		i = k + 1
	}
	return ""
}

// loneForwardedID: the forwarded text holds exactly one candidate ID and
// nothing before it on its line calls it something else.
func loneForwardedID(q string) (string, bool) {
	found := ""
	for i := 0; i < len(q); {
		k := nextDigit(q, i)
		if k >= len(q) {
			break
		}
		if id := findAnyDeskID(q[k:min(len(q), k+40)]); id != "" {
			if _, neg := contextOf(q, k); neg || found != "" && found != id {
				return "", false
			}
			found = id
		}
		for k < len(q) && (isDigit(q[k]) || q[k] == ' ' || q[k] == '-' || q[k] == '.') {
			k++
		}
		i = k + 1
	}
	return found, found != ""
}

// digitWords are the digits as people spell them out when they read an ID
// aloud or type it on a phone: "vier eins sieben, zwei zwei null, …".
var digitWords = map[string]byte{
	"null": '0', "zero": '0', "eins": '1', "one": '1', "zwei": '2', "zwo": '2', "two": '2', "drei": '3',
	"three": '3', "vier": '4', "four": '4', "fünf": '5', "five": '5', "sechs": '6', "six": '6', "sieben": '7',
	"seven": '7', "acht": '8', "eight": '8', "neun": '9', "nine": '9',
}

// spelledID finds nine digits spelled out as words, one after the other
// (commas, dashes and spaces between them), in a text that names an ID.
// Groups typed in figures may stand among them ("vier-fünf-eins 903 712"),
// as long as one digit is spelled.
func spelledID(toks []token) string {
	var d [9]byte
	n, words := 0, 0
	for i := range toks {
		t := &toks[i]
		if t.kind == tPunct && (t.s == "," || t.s == "-") {
			continue
		}
		if t.kind == tNum && len(t.s) <= 3 && allDigits(t.s) && (n > 0 || i+1 < len(toks) && toks[i+1].kind == tWord && digitWords[toks[i+1].s] != 0) {
			if n+len(t.s) > 9 {
				return "" // ten or more: no ID
			}
			n += copy(d[n:], t.s)
			continue
		}
		c, ok := digitWords[t.s]
		if t.kind != tWord || !ok {
			if n == 9 {
				break
			}
			n, words = 0, 0
			continue
		}
		if n == 9 {
			return "" // ten or more: no ID
		}
		d[n] = c
		n++
		words++
	}
	if n == 9 && words > 0 && d[0] != '0' {
		return string(d[:])
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// findLinedID finds an ID typed as three groups of three digits, each on a
// line of its own ("129\n884\n503").
func findLinedID(text string) string {
	text = capText(text, maxTextBytes)
	var groups []string
	for line := range strings.SplitSeq(text, "\n") {
		l := strings.TrimSpace(line)
		if l == "" && len(groups) == 0 {
			continue
		}
		if len(l) == 3 && isDigit(l[0]) && isDigit(l[1]) && isDigit(l[2]) {
			groups = append(groups, l)
			if len(groups) == 3 {
				return groups[0] + groups[1] + groups[2]
			}
			continue
		}
		groups = groups[:0]
	}
	return ""
}

// namedAfter: the line that starts with the number at k calls it the ID
// right after it ("556 102 873 is die Nummer für heut", "123 456 789 =
// AnyDesk"), in a forward announced as one.
func namedAfter(q string, k int) bool {
	if ls := strings.LastIndexByte(q[:k], '\n') + 1; strings.TrimLeft(q[ls:k], " >\t") != "" {
		return false
	}
	end := strings.IndexByte(q[k:], '\n')
	if end < 0 {
		end = len(q) - k
	}
	line := strings.ToLower(q[k : k+end])
	line = line[:min(len(line), 48)]
	for _, w := range []string{"nummer", " id", "anydesk", "-id"} {
		if strings.Contains(line, w) {
			return true
		}
	}
	return false
}

// machineNext: the next word of s is a computer ("PC", "Rechner").
func machineNext(s string) bool {
	s = strings.TrimLeft(s, " -")
	e := 0
	for e < len(s) && isWordByte(s[e]) {
		e++
	}
	switch strings.ToLower(s[:e]) {
	case "pc", "pcs", "computer", "rechner", "laptop", "notebook", "workstation", "arbeitsplatz", "server", "terminal", "kassa", "kasse":
		return true
	}
	return false
}

// idWordRightAfter: the words right after the number at end call it the
// ID: "is de Nummer", "ist meine ID", "is my AnyDesk ID", "that's the
// number" — a verb, at most two small words, then an ID word.
func idWordRightAfter(text string, end int, asked bool) bool {
	rest := strings.ToLower(text[end:min(len(text), end+40)])
	if i := strings.IndexAny(rest, ".!?\n"); i >= 0 {
		rest = rest[:i]
	}
	ws := strings.Fields(strings.Map(func(r rune) rune {
		if r == ',' || r == ':' || r == '(' || r == ')' {
			return ' '
		}
		return r
	}, rest))
	if len(ws) < 2 {
		return false
	}
	switch ws[0] {
	case "is", "ist", "isch", "is'", "wäre", "that's", "thats", "=":
	default:
		return false
	}
	for _, w := range ws[1:min(len(ws), 4)] {
		switch w {
		case "id", "anydesk", "anydesk-id", "anydesk-nummer":
			return true
		case "nummer", "number", "adresse", "address":
			return asked // a bare "number" names the ID only where we asked for it
		case "de", "die", "the", "my", "meine", "mei", "our", "unsere", "unsre":
			continue
		}
		return false
	}
	return false
}

// numberWordRightBefore: "Nummer is 780 21 53 39", "de Nummer: …", "my
// number is …" — the bare word for the number right before it (a phone
// number starts with 0 and is turned away on its own).
func numberWordRightBefore(text string, start int) bool {
	ws := strings.Fields(strings.ToLower(strings.Map(func(r rune) rune {
		if r == ':' || r == ',' || r == '=' {
			return ' '
		}
		return r
	}, text[max(0, start-30):start])))
	for len(ws) > 0 {
		switch ws[len(ws)-1] {
		case "is", "ist", "isch", "lautet", "wäre":
			ws = ws[:len(ws)-1]
			continue
		case "nummer", "number", "no.", "nr.", "nr":
			return true
		case "here", "hier", "voilà", "voila":
			// "ok here is: 601 28 49 37", "hier ist: …" in answer to our
			// asking for it.
			return true
		}
		return false
	}
	return false
}
