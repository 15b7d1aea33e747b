package message

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The former regexps, kept as the reference the scanners must agree with.
const (
	closeGreet   = `(?:mit\s+)?(?:(?:den\s+)?(?:freundlichsten|freundlichen|freundlichem|freundliche|herzlichsten|herzlichen|herzliche|lieben|liebe|vielen|viele|besten|beste|schönen|schöne|sonnigen|sonnige|netten|nette)\s+)?(?:grüßen|grüße|grüssen|grüsse|gruessen|gruesse|gruß|gruss)`
	closeThanks  = `(?:(?:vielen|besten|herzlichen|recht\s+herzlichen)\s+)?(?:danke|dank)(?:\s*schön|\s+im\s+voraus|\s+vorab)?|(?:many\s+)?thanks(?:\s+in\s+advance)?|thank\s+you(?:\s+in\s+advance)?`
	closeRegards = `(?:(?:with\s+kind|with\s+best|kindest|kind|best|warmest|warm)\s+)?regards|best\s+wishes|cheers|sincerely|yours\s+(?:sincerely|truly|faithfully)`
	closeAbbrev  = `glg|lgs|lg|mfg|vg|bg|sg|hg`
	closeOther   = `hochachtungsvoll|servus|baba|ciao|tschüss|tschüs`
)

var (
	refMsgIDRe      = regexp.MustCompile(`<[^<>\s]+>`)
	refAttrVerbRe   = regexp.MustCompile(`(?i)\b(?:schrieb|wrote|a écrit|escribió|ha scritto|schreef|skrev)\b|^zitat von\s`)
	refAttrLeadRe   = regexp.MustCompile(`(?i)^(?:am|on|le|el|il|op|den)\s`)
	refAttrWhenRe   = regexp.MustCompile(`\d{1,2}:\d{2}|\d{4}|@`)
	refDeviceRe     = regexp.MustCompile(`(?i)^(?:sent from my|sent from|sent with|gesendet von meinem|gesendet vom|gesendet von mail für|gesendet mit|von meinem .{1,40} gesendet|get outlook for|holen sie sich outlook|von outlook für)\b`)
	refPsRe         = regexp.MustCompile(`(?i)^(?:p\.?p?\.?\s?s\.?)(?:[\s:]|$)|^(?i:nachtrag)`)
	refSentenceRe   = regexp.MustCompile(`(?i)\b(?:ich|wir|bitte|please|we|i'm|i am|i'd|i will|könnten|können|kann|wäre|würde|würden|passt|geht|habe|haben|hätte|hätten|brauche|brauchen|möchte|möchten|need|would|could|can|termin)\b`)
	refDisclaimerRe = regexp.MustCompile(`(?i)vertraulich|confidential|disclaimer|haftungsausschluss|intended recipient|irrtümlich|unbefugt|unauthori[sz]ed|privileged|nicht der (?:richtige|beabsichtigte|vorgesehene) (?:adressat|empfänger)|datenschutzerklärung|datenschutzhinweis|privacy (?:policy|notice)|denken sie an die umwelt|before you print|consider the environment`)
	refClosingRe    = regexp.MustCompile(`^(?i:(?:` + closeThanks + `)(?:\s*(?:und|and|&|\+|,)\s*(?:` + closeGreet + `|` + closeRegards + `|` + closeAbbrev + `))?|` +
		closeGreet + `|` + closeRegards + `|` + closeAbbrev + `|` + closeOther + `)`)
)

// scannerCases are lines meant to sit on the edges of the former patterns:
// near-misses, folded letters (Kelvin sign, long s, capital sharp s), words
// running into others, spacing variants.
var scannerCases = []string{
	"", "Am 12.03.2026 um 10:15 schrieb Max Muster <max@example.org>:", "On Thu, Mar 12, 2026 at 9:05 AM Jane <j@x.org> wrote:",
	"Le 3 mars 2026 à 10:00, Jean a écrit :", "Zitat von max@x.org:", "zitat von\tx", "Zitat von", "schriebst", "_wrote_", "ſkrev:", "ſchrieb",
	"Am Montag schrieb ich Ihnen:", "den 1:23 skrev Ola:", "il 12/3/2026 ha scritto:", "El 1234 escribió:", "ÉL 1 ESCRIBIÓ:",
	"Mit freundlichen Grüßen", "Mit freundlichen Grüßen, Maria Huber", "MIT FREUNDLICHEN GRÜẞEN", "mit  den   besten grüssen", "Mit freundlichen Grüßen / Best regards",
	"Vielen Dank und liebe Grüße", "Danke schön", "Dankeschön", "Dankeschön-Aktion", "danke im voraus", "Danke im voraus, Max", "danke  vorab!", "Danke, LG Max",
	"Thanks in advance", "thanks inadvance", "Many thanks & best regards", "thank you in advance", "Thank  you", "thank-you", "Thanks + cheers",
	"LGBT", "LG Max", "lgs", "glg Anna", "MfG", "vg", "BG Team", "sg", "hg", "Hochachtungsvoll", "Servus", "baba", "ciao!", "Tschüss", "tschüs", "tschüssi",
	"With kind regards", "with best regards,", "Kindest regards", "kind regards", "Best wishes", "best  wishes Max", "Cheers", "Sincerely", "Yours truly", "yours faithfully", "Warm regards", "warmest regards",
	"recht herzlichen Dank", "Recht  herzlichen dank vorab", "herzlichen Dank und Gruß", "besten dank, gruss", "Dank", "danke,", "Gruß", "Gruss aus Wien", "Grüße", "Freundliche Grüße", "Liebe Grüße Anna",
	"Sent from my iPhone", "Sent from Mail", "sent fromage", "Gesendet von meinem Samsung", "Von meinem iPhone gesendet", "von meinem x gesendetx", "von meinem  gesendet",
	"Von meinem aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa gesendet", "Get Outlook for iOS", "Holen Sie sich Outlook für Android", "holen sie sich outlooK", "Gesendet mit der WEB.DE Mail App",
	"PS", "P.S.", "P.S.: noch was", "pps", "p. s.", "P.P.S", "ps:", "psst", "P S", "Nachtrag: ", "NACHTRAGEN", "p.ſ.",
	"Ich brauche einen Termin", "Termine", "KANN", "Kann", "I'm here", "i am", "I'd like", "wäre super", "würden Sie", "would", "Wir", "cannot", "geht's", "_ich_", "ich_",
	"Diese E-Mail ist vertraulich.", "CONFIDENTIAL", "nicht der richtige Empfänger", "nicht der beabsichtigte  Adressat", "Privacy Notice", "unauthoriſed", "Denken Sie an die Umwelt", "IRRTÜMLICH",
	"10:15", "1:5", "12:345", "1234", "123", "a@b", ":12", "9:0x",
}

func refClosingEnd(t string) int {
	if loc := refClosingRe.FindStringIndex(t); loc != nil {
		return loc[1]
	}
	return -1
}

func refVerbEnd(t string) int {
	if loc := refAttrVerbRe.FindStringIndex(t); loc != nil {
		return loc[1]
	}
	return -1
}

func checkScanners(t *testing.T, s string) {
	t.Helper()
	if got, want := closingEnd(s), refClosingEnd(s); got != want {
		t.Errorf("closingEnd(%q) = %d, regexp %d", s, got, want)
	}
	if got, want := attrVerbEnd(s), refVerbEnd(s); got != want {
		t.Errorf("attrVerbEnd(%q) = %d, regexp %d", s, got, want)
	}
	for _, c := range []struct {
		name string
		got  bool
		re   *regexp.Regexp
	}{
		{"attrLead", attrLead(s), refAttrLeadRe}, {"attrWhen", attrWhen(s), refAttrWhenRe},
		{"device", deviceMatch(s), refDeviceRe}, {"ps", psMatch(s), refPsRe},
		{"sentence", sentenceWords.wordIndex(s) >= 0, refSentenceRe}, {"disclaimer", disclaimers.contains(s), refDisclaimerRe},
	} {
		if want := c.re.MatchString(s); c.got != want {
			t.Errorf("%s(%q) = %v, regexp %v", c.name, s, c.got, want)
		}
	}
}

// TestScannersMatchFormerRegexps holds the hand-written cutters to exactly
// what the regexps decided, on edge cases and on every line of our corpora.
func TestScannersMatchFormerRegexps(t *testing.T) {
	for _, s := range scannerCases {
		checkScanners(t, s)
		checkScanners(t, strings.ToUpper(s))
		checkScanners(t, "x "+s)
	}
	files, _ := filepath.Glob("../../testdata/*/*/*")
	more, _ := filepath.Glob("../../testdata/*/*")
	n := 0
	for _, f := range append(files, more...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(raw), "\n") {
			checkScanners(t, strings.TrimSpace(l))
			checkHeaderScanners(t, l)
			n++
		}
	}
	if n < 1000 {
		t.Errorf("only %d corpus lines checked; where did testdata go?", n)
	}
}

func FuzzScannersMatchFormerRegexps(f *testing.F) {
	for _, s := range scannerCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 400 {
			return
		}
		checkScanners(t, s)
	})
}

var headerCases = []string{
	"", "<a@b>", "<a@b> <c@d>", "<<a@b>>", "<>", "< a@b>", "<a@b", "a@b>", "x <a\tb> <c@d>,<e@f>(comment)<g@h>", "<a<b>c>", "<ä@ü>",
	"Re: Termin", " Re: Termin", "Re:  Termin", "Re: Termin ", "Re:\tTermin", "Termin\r\nBcc: x", "Grüße", "a\x7fb", "0123456789",
}

// TestHeaderScannersMatch holds the id finder to the former regexp and the
// header sanitiser's shortcut to its full path.
func TestHeaderScannersMatch(t *testing.T) {
	for _, s := range headerCases {
		checkHeaderScanners(t, s)
	}
}

func checkHeaderScanners(t *testing.T, s string) {
	t.Helper()
	var got []string
	for i, j := nextMsgID(s, 0); i >= 0 && len(got) < maxReferences; i, j = nextMsgID(s, j) {
		got = append(got, s[i:j])
	}
	if want := refMsgIDRe.FindAllString(s, maxReferences); strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
		t.Errorf("ids in %q = %q, regexp %q", s, got, want)
	}
	for _, max := range []int{0, 5, 200} {
		if got, want := SanitizeHeader(s, max), sanitizeHeaderSlow(s, max); got != want {
			t.Errorf("SanitizeHeader(%q, %d) = %q, full path %q", s, max, got, want)
		}
	}
}

func FuzzHeaderScannersMatch(f *testing.F) {
	for _, s := range headerCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 {
			return
		}
		checkHeaderScanners(t, s)
	})
}
