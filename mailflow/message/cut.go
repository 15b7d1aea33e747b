package message

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The cutter works on lines of normalised text and gives each line a role.
// Its rule of thumb: cutting the customer's request is worse than leaving a
// little noise in Text (the understand package masks phone numbers and the
// like anyway), so every heuristic that cuts needs more than one hint.

type lineRole uint8

const (
	roleText lineRole = iota
	roleQuoted
	roleSignature
)

type replyParts struct{ text, quoted, signature string }

// cutReply splits full into what the customer wrote now, what they quoted or
// forwarded (plus the signature), and the signature alone.
func cutReply(full string) replyParts {
	if full == "" {
		return replyParts{}
	}
	lines := strings.Split(full, "\n")
	roles := make([]lineRole, len(lines))
	hard := markQuotes(lines, roles)
	for i := hard; i < len(lines); i++ {
		roles[i] = roleQuoted
	}
	markWrappedQuotes(lines, roles, hard)
	markSignature(lines, roles, hard)

	text := make([]string, 0, len(lines))
	var quoted, sig []string
	for i, l := range lines {
		switch roles[i] {
		case roleText:
			text = append(text, l)
		case roleQuoted:
			quoted = append(quoted, l)
		case roleSignature:
			quoted = append(quoted, l)
			sig = append(sig, l)
		}
	}
	return replyParts{text: tidyLines(text), quoted: tidyLines(quoted), signature: tidyLines(sig)}
}

// markQuotes marks "> " lines and attribution lines that introduce them,
// and returns the index where everything to the end is quoted or forwarded
// (len(lines) when there is no such point). Lines between quote blocks stay
// text: that is how people answer inline ("> Passt Dienstag?" / "Ja.").
func markQuotes(lines []string, roles []lineRole) int {
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if isQuoteLine(l) {
			roles[i] = roleQuoted
			continue
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if isSeparatorLine(t) || headerBlockAt(lines, i) {
			return ruleAbove(lines, i)
		}
		if end, strong, ok := attributionAt(lines, i); ok {
			if quoteFollows(lines, end+1) {
				for j := i; j <= end; j++ {
					roles[j] = roleQuoted
				}
				i = end
				continue
			}
			if strong {
				// Top-posted reply whose client did not prefix the quote.
				return ruleAbove(lines, i)
			}
		}
	}
	return len(lines)
}

// markWrappedQuotes catches a line sandwiched between quoted lines: that is
// almost always a long quoted line the customer's client re-wrapped without
// the "> " prefix, and it must not leak our own proposed times into Text.
func markWrappedQuotes(lines []string, roles []lineRole, hard int) {
	for i := 1; i+1 < hard; i++ {
		if roles[i] == roleText && strings.TrimSpace(lines[i]) != "" &&
			isQuoteLine(lines[i-1]) && isQuoteLine(lines[i+1]) {
			roles[i] = roleQuoted
		}
	}
}

func isQuoteLine(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

func quoteFollows(lines []string, j int) bool {
	for ; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) != "" {
			return isQuoteLine(lines[j])
		}
	}
	return false
}

// ruleAbove moves a cut at i up to a horizontal rule just above it: Outlook
// puts a line of underscores before its "Von:" block.
func ruleAbove(lines []string, i int) int {
	for j, seen := i-1, 0; j >= 0 && seen < 3; j-- {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			seen++
			continue
		}
		if len(t) >= 5 && strings.Trim(t, "-_=*~") == "" {
			return j
		}
		break
	}
	return i
}

// isSeparatorLine recognises the markers mail clients put above a quoted or
// forwarded mail: "-----Ursprüngliche Nachricht-----", "---------- Forwarded
// message ---------", "Begin forwarded message:" and their relatives.
func isSeparatorLine(t string) bool {
	if len(t) > 80 {
		return false
	}
	ruled := strings.HasPrefix(t, "--") || strings.HasPrefix(t, "__") || strings.HasPrefix(t, "==") || strings.HasPrefix(t, "**")
	colon := strings.HasSuffix(t, ":")
	if !ruled && !colon {
		return false
	}
	core := strings.ToLower(strings.Trim(t, "-_=*~ \t:"))
	switch core {
	case "ursprüngliche nachricht", "ursprüngliche e-mail", "original message", "originalnachricht",
		"original-nachricht", "nachricht im original", "weitergeleitete nachricht",
		"weitergeleitete e-mail", "weitergeleitete mail", "forwarded message", "forwarded e-mail",
		"forwarded email", "begin forwarded message", "anfang der weitergeleiteten nachricht",
		"beginn der weitergeleiteten nachricht", "anfang der weitergeleiteten e-mail":
		return true
	}
	return false
}

// Categories of the fields in a quoted mail's header block.
const (
	catFrom uint8 = 1 << iota
	catSent
	catTo
	catSubject
	catCc
)

// headerFieldCat says which header block field line t is, 0 for none. It
// accepts the bold markers ("*Von:*") that HTML-to-text converters leave.
func headerFieldCat(t string) uint8 {
	t = strings.TrimLeft(strings.TrimSpace(t), "*")
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 20 {
		return 0
	}
	switch strings.ToLower(strings.Trim(t[:i], "* \t")) {
	case "von", "from", "absender", "de":
		return catFrom
	case "gesendet", "sent", "datum", "date", "gesendet am", "envoyé":
		return catSent
	case "an", "to", "empfänger", "à":
		return catTo
	case "betreff", "subject", "objet":
		return catSubject
	case "cc", "kopie", "bcc":
		return catCc
	}
	return 0
}

// headerBlockAt reports a quoted mail's header block (Outlook's "Von: /
// Gesendet: / An: / Betreff:", GMX's "Gesendet: / Von: / An:", Lotus, OWA)
// starting at line i. It needs a From field plus two of Sent, To and
// Subject close together, so a customer writing "Betreff: Rechnung" in their
// text is not mistaken for one.
func headerBlockAt(lines []string, i int) bool {
	seen := headerFieldCat(lines[i])
	if seen == 0 {
		return false
	}
	dated := seen == catSent && stampLike(lines[i])
	other := 0
	for j := i + 1; j < len(lines) && j <= i+12; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		if c := headerFieldCat(t); c != 0 {
			seen |= c
			dated = dated || c == catSent && stampLike(t)
			other = 0
			continue
		}
		// One wrapped line (a long "An:" list) may sit between fields.
		other++
		if other > 1 {
			break
		}
	}
	// A client that quotes only "Von:" and "Gesendet:" still gives the
	// sending time in full ("Gesendet: Freitag, 21. Februar 2076 11:00").
	return seen&catFrom != 0 && (bits.OnesCount8(seen&(catSent|catTo|catSubject)) >= 2 || dated)
}

// stampLike: a Sent field's value carries a year and a clock time or a
// weekday's name, as a mail client writes it — not what a customer types
// after "Datum:".
func stampLike(t string) bool {
	_, v, _ := strings.Cut(t, ":")
	year, clock := false, false
	for k := 0; k+4 <= len(v); k++ {
		if isDigits(v[k:k+4]) && (k == 0 || !isDigit(v[k-1])) && (k+4 == len(v) || !isDigit(v[k+4])) {
			year = true
		}
	}
	for k := 1; k+2 < len(v); k++ {
		if v[k] == ':' && isDigit(v[k-1]) && isDigit(v[k+1]) && isDigit(v[k+2]) {
			clock = true
		}
	}
	if clock {
		return year
	}
	// "Sent: Wednesday, March 11, 2076": a year beside a weekday's name.
	lv := strings.ToLower(v)
	for _, d := range []string{"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if strings.Contains(lv, d) {
			return year
		}
	}
	return false
}

func isDigits(s string) bool {
	for k := 0; k < len(s); k++ {
		if !isDigit(s[k]) {
			return false
		}
	}
	return s != ""
}

// attributionAt reports an attribution line at i, possibly wrapped onto the
// next line (Gmail breaks "... schrieb Name <" / "addr>:"). strong means it
// is unmistakable enough to cut even when no "> " quote follows.
func attributionAt(lines []string, i int) (end int, strong, ok bool) {
	t := strings.TrimSpace(lines[i])
	if strong, ok := attributionLine(t); ok {
		return i, strong, true
	}
	if i+1 < len(lines) && len(t) < 300 {
		next := strings.TrimSpace(lines[i+1])
		if next != "" && strings.HasSuffix(next, ":") && !isQuoteLine(lines[i+1]) {
			if strong, ok := attributionLine(t + " " + next); ok {
				return i + 1, strong, true
			}
		}
	}
	return 0, false, false
}

func attributionLine(t string) (strong, ok bool) {
	if len(t) > 400 || !strings.HasSuffix(t, ":") {
		return false, false
	}
	verbEnd := attrVerbEnd(t)
	if verbEnd < 0 {
		return false, false
	}
	strong = (attrLead(t) || strings.Contains(t, "@")) && attrWhen(t)
	// "Am 12.03. um 10:00 schrieb ich Ihnen bereits:" is the customer
	// talking: a client writes a name after the verb, never a pronoun.
	if after := strings.Fields(t[verbEnd:]); strong && len(after) > 0 && pronoun(after[0]) {
		strong = false
	}
	return strong, true
}

func pronoun(w string) bool {
	switch strings.ToLower(strings.Trim(w, ",.:;")) {
	case "ich", "wir", "sie", "er", "du", "ihr", "man", "mir", "uns", "ihnen", "dir", "euch",
		"i", "we", "you", "he", "she", "they", "me", "us":
		return true
	}
	return false
}

// maxSignatureLines is the most non-empty lines a signature may have after
// its closing line (name, role, company, two address lines, phone, fax,
// mobile, mail, web, Firmenbuch, UID, ...), disclaimers not counted.
const maxSignatureLines = 15

// markSignature finds where the customer's signature starts among the text
// lines before hard and marks it from there to hard. The "-- " delimiter
// always starts one; a closing ("Mit freundlichen Grüßen", "LG Max",
// "Best regards,") or a "Sent from my iPhone" line only when something was
// written before it and nothing but signature-like lines follow.
func markSignature(lines []string, roles []lineRole, hard int) {
	kept := make([]int, 0, hard)
	for i := 0; i < hard; i++ {
		if roles[i] == roleText {
			kept = append(kept, i)
		}
	}
	start := -1
	content, blank := false, false
	for p, idx := range kept {
		t := strings.TrimSpace(lines[idx])
		if t == "" {
			blank = true
			continue
		}
		if t == "--" {
			start = p
			break
		}
		if content && (closingLine(t) || deviceLine(t)) && tailIsSignature(lines, kept[p+1:]) {
			start = p
			break
		}
		if content && blank && nameLike(t) && contactFollows(lines, kept[p+1:]) && !idShapedLine(lines, kept[p+1:]) &&
			tailIsSignature(lines, kept[p+1:]) {
			// "2.\n\nWalter Kühn\nSkischule Arber\nTel. 09925 94 14": a
			// signature with no closing, a name after a blank line and
			// contact lines below it.
			start = p
			break
		}
		content, blank = true, false
	}
	if start < 0 {
		return
	}
	for _, idx := range kept[start:] {
		roles[idx] = roleSignature
	}
}

// closingLine reports a line that is a closing formula, alone or followed by
// a name ("LG Max", "Mit freundlichen Grüßen, Maria Huber").
func closingLine(t string) bool {
	if len(t) > 80 {
		return false
	}
	end := closingEnd(t)
	if end < 0 {
		return false
	}
	rest := t[end:]
	if r, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false // "LGBT", "Dankeschön-Aktion": the formula ran into a word
	}
	rest = strings.Trim(rest, " ,.!;:-–")
	// Bilingual closings: "Mit freundlichen Grüßen / Best regards".
	if after, ok := strings.CutPrefix(rest, "/"); ok {
		return closingLine(strings.TrimSpace(after))
	}
	return rest == "" || nameLike(rest)
}

// nameLike accepts up to four capitalised words ("Max", "Maria Huber",
// "aus Wien", "Ihr Team Muster"): a name or a place, not a sentence.
func nameLike(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 || utf8.RuneCountInString(s) > 50 {
		return false
	}
	for _, w := range words {
		switch strings.ToLower(w) {
		case "aus", "von", "van", "der", "de", "und", "vom", "nach", "dem", "den", "zu", "&":
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) || strings.ContainsAny(w, "0123456789?") {
			return false
		}
	}
	return true
}

func deviceLine(t string) bool {
	return len(t) <= 80 && deviceMatch(t)
}

// tailIsSignature reports whether the lines after a closing look like a
// signature: a few short lines without questions, postscripts, AnyDesk
// mentions or sentence words, optionally ending in a legal disclaimer.
func tailIsSignature(lines []string, idxs []int) bool {
	n := 0
	for _, idx := range idxs {
		t := strings.TrimSpace(lines[idx])
		if t == "" {
			continue
		}
		lower := strings.ToLower(t)
		if disclaimers.contains(t) && !strings.Contains(t, "?") && !strings.Contains(lower, "anydesk") {
			return true
		}
		n++
		if n > maxSignatureLines || !signatureLine(t, lower) {
			return false
		}
	}
	return true
}

// contactFollows: one of the next few lines gives a phone number after its
// label, a mail or a web address — what a signature's name line leads to
// (not bare digits, which may be the AnyDesk ID the mail sends).
func contactFollows(lines []string, idxs []int) bool {
	for k, idx := range idxs {
		if k >= 4 {
			break
		}
		lower := strings.ToLower(strings.TrimSpace(lines[idx]))
		if strings.Contains(lower, "@") || strings.Contains(lower, "www.") || strings.HasPrefix(lower, "+") {
			return true
		}
		for _, label := range []string{"tel", "phone", "mobil", "fon", "handy", "fax"} {
			if strings.HasPrefix(lower, label) {
				return true
			}
		}
	}
	return false
}

// idShapedLine: one of the lines is nine digits and nothing else ("123 456
// 789") — the AnyDesk ID written below the name, which stays in the text.
func idShapedLine(lines []string, idxs []int) bool {
	for _, idx := range idxs {
		digits, other := 0, false
		for _, r := range lines[idx] {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == ' ' || r == '-' || r == '.' || r == '\t':
			default:
				other = true
			}
		}
		if digits == 9 && !other {
			return true
		}
	}
	return false
}

func signatureLine(t, lower string) bool {
	return utf8.RuneCountInString(t) <= 80 &&
		!strings.Contains(t, "?") &&
		!strings.Contains(lower, "anydesk") &&
		!psMatch(t) &&
		sentenceWords.wordIndex(t) < 0
}

// tidyLines joins lines, keeping at most one empty line in a row and none at
// either end.
func tidyLines(lines []string) string {
	size := 0
	for _, l := range lines {
		size += len(l) + 2
	}
	var b strings.Builder
	b.Grow(size)
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}
