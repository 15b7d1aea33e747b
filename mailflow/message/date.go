package message

import (
	"net/mail"
	"strings"
	"time"
)

// parseDate reads a Date header. net/mail.ParseDate handles RFC 5322 and its
// obsolete forms; before it we turn the zone names this desk's customers'
// servers write (CET, MEZ, CEST, ...) into numeric offsets, because time.Parse
// would otherwise invent a zone with offset zero and every requested time
// resolved against the Date would be an hour off. After it we try layouts seen
// from broken mailers and scripts (ISO 8601, asctime, German day and month
// names, missing seconds or zone). It returns the zero time when nothing fits.
func parseDate(v string) time.Time {
	clean := cleanDate(v)
	if clean == "" {
		return time.Time{}
	}
	// Nearly every client writes this one shape. net/mail would get the same
	// time, but only after trying (and allocating an error for) a dozen
	// layouts; the string fixes every field, so the layout that parses it
	// cannot matter.
	if t, err := time.Parse("Mon, 2 Jan 2006 15:04:05 -0700", clean); err == nil && plausibleYear(t) {
		return t
	}
	if t, err := mail.ParseDate(clean); err == nil && plausibleYear(t) {
		return t
	}
	s := germanMonths(dropWeekday(clean))
	layouts := [...]string{
		"2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04 -0700",
		"2 Jan 06 15:04:05 -0700",
		"2 Jan 06 15:04 -0700",
		"2 January 2006 15:04:05 -0700",
		"2 January 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -07:00",
		"Jan 2 2006 15:04:05 -0700",
		"Jan 2, 2006 15:04:05 -0700",
		"Jan 2 15:04:05 2006",
		"Jan 2 15:04:05 -0700 2006",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2.1.2006 15:04:05 -0700",
		"2.1.2006 15:04 -0700",
		"2.1.2006 15:04:05",
		"2.1.2006 15:04",
		"2 Jan 2006 15:04:05",
		"2 Jan 2006 15:04",
		"2 Jan 2006",
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil && plausibleYear(t) {
			return t
		}
	}
	return time.Time{}
}

func plausibleYear(t time.Time) bool {
	return t.Year() >= 1970 && t.Year() <= 9999
}

// cleanDate removes comments and control characters, folds whitespace and
// replaces a trailing zone name by its offset. An unknown zone name after a
// numeric offset is dropped; the offset is what counts.
func cleanDate(v string) string {
	v = SanitizeHeader(stripComments(v), 200)
	tok := strings.Fields(v)
	if len(tok) < 2 {
		return v
	}
	last := strings.ToUpper(tok[len(tok)-1])
	if !isLetters(last) {
		return v
	}
	if off, ok := zoneOffset(last); ok {
		if numericZone(tok[len(tok)-2]) {
			tok = tok[:len(tok)-1]
		} else {
			tok[len(tok)-1] = off
		}
	} else if numericZone(tok[len(tok)-2]) {
		tok = tok[:len(tok)-1]
	}
	return strings.Join(tok, " ")
}

// zoneOffset knows the zone names of the desk's region and the obsolete
// RFC 822 ones that net/mail would otherwise read relative to the host zone.
func zoneOffset(name string) (string, bool) {
	switch name {
	case "UT", "UTC", "GMT", "Z", "WET":
		return "+0000", true
	case "CET", "MEZ", "WEST", "BST", "MET":
		return "+0100", true
	case "CEST", "MESZ", "EET", "MEST":
		return "+0200", true
	case "EEST":
		return "+0300", true
	case "EST":
		return "-0500", true
	case "EDT", "CDT":
		return "-0400", true
	case "CST", "MDT":
		return "-0600", true
	case "MST", "PDT":
		return "-0700", true
	case "PST":
		return "-0800", true
	}
	return "", false
}

func numericZone(s string) bool {
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return false
	}
	for i := 1; i < 5; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// stripComments removes parenthesised comments like "(CET)" or
// "(Mitteleuropäische Zeit)", nested ones included.
func stripComments(v string) string {
	if !strings.Contains(v, "(") {
		return v
	}
	var b strings.Builder
	depth := 0
	for _, r := range v {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dropWeekday removes a leading day name ("Thu,", "Do.,", "Donnerstag,"):
// the date says which day it is, and German names break time.Parse.
func dropWeekday(s string) string {
	first, rest, ok := strings.Cut(s, " ")
	if !ok || !knownWeekday(strings.TrimRight(first, ",.")) {
		return s
	}
	return strings.TrimLeft(rest, " ,")
}

func knownWeekday(s string) bool {
	switch strings.ToLower(s) {
	case "mon", "tue", "wed", "thu", "fri", "sat", "sun",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"mo", "di", "mi", "do", "fr", "sa", "so",
		"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag":
		return true
	}
	return false
}

// germanMonths rewrites German month names to the English abbreviations
// time.Parse knows ("Mär" -> "Mar") and drops the dot of an ordinal day
// ("12. März"), for mailers that localise the Date.
func germanMonths(s string) string {
	tok := strings.Fields(s)
	for i, t := range tok {
		if m, ok := germanMonth(strings.ToLower(strings.TrimRight(t, ".,"))); ok {
			tok[i] = m
		} else if d, ok := strings.CutSuffix(t, "."); ok && d != "" && strings.Trim(d, "0123456789") == "" {
			tok[i] = d
		}
	}
	return strings.Join(tok, " ")
}

func germanMonth(t string) (string, bool) {
	switch t {
	case "jän", "jänner", "januar":
		return "Jan", true
	case "feb", "februar", "feber":
		return "Feb", true
	case "mär", "märz", "mrz":
		return "Mar", true
	case "april":
		return "Apr", true
	case "mai":
		return "May", true
	case "juni":
		return "Jun", true
	case "juli":
		return "Jul", true
	case "okt", "oktober":
		return "Oct", true
	case "dez", "dezember":
		return "Dec", true
	}
	return "", false
}
