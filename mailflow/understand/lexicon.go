package understand

import (
	"math/bits"
	"slices"
	"strings"
)

// One table holds every word the extractor knows, so each word of a mail
// costs exactly one map look-up however many roles it plays ("morgen" is
// both "tomorrow" and "morning"; "so" is a filler and Sunday's abbreviation).

type role uint64

const (
	rTrigger      role = 1 << iota // "um 10", "at 3": a bare number after it is an hour
	rApprox                        // "ca.", "so", "etwa": may stand between a trigger and the number
	rOpenAfter                     // "ab 13 Uhr", "after 2pm"
	rOpenBefore                    // "bis 11", "before 11"
	rRangeStart                    // "zwischen", "between", "von", "from"
	rRangeJoin                     // "und", "bis", "to"
	rWeek                          // Woche, week
	rDayUnit                       // Tag, day
	rHourUnit                      // Stunde, hour
	rMinuteUnit                    // Minute, minute
	rNext                          // nächste, next
	rThis                          // diese, this
	rLast                          // letzte, last
	rAfterNext                     // übernächste
	rIn                            // "in zwei Wochen"
	rAgo                           // "ago", "back"
	rHence                         // "hence", "from now"
	rUhr                           // Uhr, h, o'clock
	rAM                            // am, a.m.
	rPM                            // pm, p.m.
	rHalf                          // halb, half
	rQuarter                       // viertel, quarter
	rThreeQuarter                  // dreiviertel
	rPast                          // "viertel nach", "quarter past"
	rTo                            // "viertel vor", "quarter to"
	rKW                            // KW, Kalenderwoche
	rNoon                          // noon, midday: 12:00
	rMidnight                      // midnight: 00:00
	rBoundary                      // oder, aber, lieber: a new wish starts
	rNeg                           // nicht, not, kein
	rFiller                        // am, den, the, of: glue inside one wish
	rGreet                         // "Guten Morgen": morgen is not tomorrow
	rCancel                        // absagen, cancel
	rResched                       // verschieben, reschedule
	rAppt                          // Termin, Fernwartung, appointment
	rConfirm                       // passt, nehme, works
	rChoiceNoun                    // Option, Vorschlag, one
	rOther                         // anderen, another: "anderen Termin" is a reschedule
	rEarliest                      // frühestens: "14 Uhr frühestens"
	rWeekend                       // Wochenende
	rMonthUnit                     // Monat, month
)

// Parts of the day, each a window in the desk's day (see podWindow).
const (
	podNone uint8 = iota
	podMorning
	podForenoon
	podNoon
	podAfternoon
	podEvening
)

// Reasons a customer gives, as concepts named per language in reasonNames.
const (
	reasonNone uint8 = iota
	reasonTraining
	reasonError
	reasonBug
	reasonUpdate
	reasonInstall
	reasonSetup
)

var reasonNames = [...][2]string{
	reasonTraining: {"Schulung", "training"},
	reasonError:    {"Fehler", "error"},
	reasonBug:      {"Fehler", "bug"},
	reasonUpdate:   {"Update", "update"},
	reasonInstall:  {"Installation", "installation"},
	reasonSetup:    {"Einrichtung", "setup"},
}

const (
	langDE uint8 = 1 << iota
	langEN
)

type wordInfo struct {
	role      role
	wd        int8 // 1 Monday … 7 Sunday
	month     int8 // 1 … 12
	num       int8 // cardinal number word
	ord       int8 // ordinal word (day of month or proposal number)
	rel       int8 // days from today (heute 0, morgen 1, gestern -1)
	hasRel    bool
	wdAbbr    bool // "Mo", "thu": only a weekday in a date-like neighbourhood
	wdPlural  bool // "fridays" in "3 fridays from now"
	monthAbbr bool
	pod       uint8
	lang      uint8 // common word of German and/or English
	langOnly  uint8 // the time role only counts in this language ("ist", "am")
	reason    uint8
	tz        int16 // offset in minutes
	hasTZ     bool
	// starts: the word can begin a date/time piece. Most words of a mail
	// cannot, and skipping them early is what keeps Read fast.
	starts bool
	// c3: the word has a byte 0xC3 (ä, ö, ü, ß, …), which detectLanguage
	// counts; known here, it needs no scan of the word.
	c3 bool
	// feast: the word names a feast day (see feast.go).
	feast bool
}

// startRoles are the roles that can begin a piece.
const startRoles = rTrigger | rApprox | rOpenAfter | rEarliest | rOpenBefore | rRangeStart | rNext |
	rLast | rThis | rAfterNext | rIn | rKW | rHalf | rQuarter | rThreeQuarter | rNoon | rMidnight | rNeg

var lexicon = buildLexicon()

func buildLexicon() map[string]*wordInfo {
	m := make(map[string]*wordInfo, 1200)
	get := func(w string) *wordInfo {
		if e := m[w]; e != nil {
			return e
		}
		e := &wordInfo{}
		m[w] = e
		return e
	}
	roles := func(r role, words ...string) {
		for _, w := range words {
			get(w).role |= r
		}
	}

	for i, ws := range [][]string{
		{"montag", "monday", "montags", "mondays", "montog"},
		{"dienstag", "tuesday", "dienstags", "tuesdays", "ertag", "erchtag", "dienstog", "deanstog"},
		{"mittwoch", "wednesday", "mittwochs", "wednesdays"},
		{"donnerstag", "thursday", "donnerstags", "thursdays", "pfinztag", "donnastag", "donnastog", "donnerstog"},
		{"freitag", "friday", "freitags", "fridays", "freitog"},
		{"samstag", "saturday", "sonnabend", "samstags", "saturdays"},
		{"sonntag", "sunday", "sonntags", "sundays"},
	} {
		for _, w := range ws {
			e := get(w)
			e.wd = int8(i + 1)
			e.wdPlural = w[len(w)-1] == 's' && w != "dienstags" && w != "montags" &&
				w != "mittwochs" && w != "donnerstags" && w != "freitags" && w != "samstags" && w != "sonntags"
		}
	}
	for i, ws := range [][]string{
		{"mo", "mon"}, {"di", "tue", "tues"}, {"mi", "wed"}, {"do", "thu", "thur", "thurs"},
		{"fr", "fri"}, {"sa", "sat"}, {"so", "sun"},
	} {
		for _, w := range ws {
			e := get(w)
			e.wd, e.wdAbbr = int8(i+1), true
		}
	}

	// (With the Austrian spoken ending "-a" for "-er": "am 1. Dezemba".)
	for i, ws := range [][]string{
		{"jänner", "januar", "january", "jaenner", "janner", "jänna"},
		{"feber", "februar", "february"},
		{"märz", "maerz", "march"},
		{"april"},
		{"mai", "may"},
		{"juni", "june"},
		{"juli", "july"},
		{"august"},
		{"september", "septemba"},
		{"oktober", "october", "oktoba"},
		{"november", "novemba"},
		{"dezember", "december", "dezemba"},
	} {
		for _, w := range ws {
			get(w).month = int8(i + 1)
		}
	}
	for i, ws := range [][]string{
		{"jan", "jän"}, {"feb", "febr"}, {"mär", "mrz", "mar"}, {"apr"}, nil, {"jun"}, {"jul"},
		{"aug"}, {"sep", "sept"}, {"okt", "oct"}, {"nov"}, {"dez", "dec"},
	} {
		for _, w := range ws {
			e := get(w)
			e.month, e.monthAbbr = int8(i+1), true
		}
	}

	for n, ws := range map[int][]string{
		1: {"eins", "ein", "eine", "einer", "einem", "einen", "one", "a", "an", "oans"},
		2: {"zwei", "two", "paar", "couple", "zwoa", "zwa"}, 3: {"drei", "three", "few"}, 4: {"vier", "four", "viere"},
		5: {"fünf", "fuenf", "five", "fünfe"}, 6: {"sechs", "six", "sechse"}, 7: {"sieben", "seven", "siebene"},
		8: {"acht", "eight", "achte", "achti"}, 9: {"neun", "nine", "neune", "neine", "nüni"}, 10: {"zehn", "ten", "zehne", "zäni", "zähni", "zehen", "zen"},
		11: {"elf", "eleven", "elfe", "elfi", "ölf", "ölfe", "ellf", "ellfe"}, 12: {"zwölf", "zwoelf", "twelve", "zwölfe", "zwoife", "zwölfi", "zwöufi", "zwöf", "zwöfe"},
		13: {"dreizehn", "thirteen"}, 14: {"vierzehn", "fourteen"}, 15: {"fünfzehn", "fifteen"},
		16: {"sechzehn", "sixteen"}, 17: {"siebzehn", "seventeen"}, 18: {"achtzehn", "eighteen"},
		19: {"neunzehn", "nineteen"}, 20: {"zwanzig", "twenty"}, 30: {"dreißig", "dreissig", "thirty"},
		40: {"vierzig", "forty"}, 45: {"fünfundvierzig"}, 50: {"fünfzig", "fifty"},
	} {
		for _, w := range ws {
			get(w).num = int8(n)
		}
	}
	// German ordinals take the adjective endings; build them from stems.
	deOrd := []string{"", "erst", "zweit", "dritt", "viert", "fünft", "sechst", "siebt", "acht", "neunt",
		"zehnt", "elft", "zwölft", "dreizehnt", "vierzehnt", "fünfzehnt", "sechzehnt", "siebzehnt",
		"achtzehnt", "neunzehnt", "zwanzigst", "einundzwanzigst", "zweiundzwanzigst", "dreiundzwanzigst",
		"vierundzwanzigst", "fünfundzwanzigst", "sechsundzwanzigst", "siebenundzwanzigst",
		"achtundzwanzigst", "neunundzwanzigst", "dreißigst", "einunddreißigst"}
	for n, stem := range deOrd {
		if stem == "" {
			continue
		}
		for _, end := range []string{"e", "er", "en", "es", "em"} {
			get(stem + end).ord = int8(n)
		}
	}
	for _, end := range []string{"e", "er", "en", "es", "em"} {
		get("dreissigst" + end).ord = 30
		get("siebent" + end).ord = 7
		// Austrian: "de zwoate Option", "da easchte", "de dritte"
		get("zwoat" + end).ord = 2
		get("eascht" + end).ord = 1
		get("erscht" + end).ord = 1
	}
	// Spoken, the ending shrinks to "n": "nehma den zweitn", "den erschtn".
	for w, n := range map[string]int8{"erstn": 1, "erschtn": 1, "easchtn": 1, "zweitn": 2, "zwoatn": 2, "drittn": 3, "viertn": 4,
		"erst'n": 1, "ersch'n": 1, "zweit'n": 2, "zwoat'n": 2, "dritt'n": 3, "viert'n": 4} {
		get(w).ord = n
	}
	enOrd := []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
		"ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
		"seventeenth", "eighteenth", "nineteenth", "twentieth"}
	for n, w := range enOrd {
		if w != "" {
			get(w).ord = int8(n)
		}
	}
	get("thirtieth").ord = 30

	for w, d := range map[string]int8{
		"heute": 0, "heut": 0, "heit": 0, "today": 0, "tonight": 0, "tonite": 0, "morgen": 1, "morgn": 1, "tomorrow": 1, "tomorrows": 1,
		"today's": 0, "tomorrow's": 1, "tmrw": 1, "tommorow": 1, "tommorrow": 1, "tomorow": 1, "tomorrrow": 1, "tmorrow": 1, "tmrrw": 1, "tmr": 1, "2moro": 1, "tomoz": 1, "morgige": 1, "morgigen": 1, "heutige": 0, "heutigen": 0,
		"übermorgen": 2, "uebermorgen": 2, "übermorgn": 2, "iwamorgn": 2, "ibermorgn": 2, "gestern": -1, "yesterday": -1, "vorgestern": -2,
		"vorvorgestern": -3,
	} {
		e := get(w)
		e.rel, e.hasRel = d, true
	}

	for p, ws := range map[uint8][]string{
		podMorning:   {"früh", "frueh", "morgens", "frua"},
		podForenoon:  {"vormittag", "vormittags", "vormittog", "vormittogs", "vormitog", "vormitogs", "forenoon", "morning", "mornings", "fruah", "fruah's"},
		podNoon:      {"mittag", "mittags", "mittog", "mittogs", "mittagszeit", "lunch", "lunchtime", "z'mittag", "z’mittag", "zmittag", "z'mittog", "z’mittog"},
		podAfternoon: {"nachmittag", "nachmittags", "nochmittog", "nochmittogs", "nachmittog", "nomittog", "nomittag", "namittag", "nochmitog", "nochmitag", "nochmittag", "nochmittags", "nachmitag", "nachmittach", "afternoon", "afternoons", "afternoonish", "arvo"},
		podEvening:   {"abend", "abends", "evening", "evenings", "night", "tonight", "tonite"},
	} {
		for _, w := range ws {
			get(w).pod = p
		}
	}

	for w, off := range map[string]int16{
		"cet": 60, "mez": 60, "cest": 120, "mesz": 120, "gmt": 0, "utc": 0, "wet": 0, "bst": 60,
		"eet": 120, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
		"pst": -480, "pdt": -420, "ist": 330,
		// Regions whose offset follows their own summer time ("10:30 UK
		// time", "9am Eastern"): resolved with the region's rules.
		"uk": tzLondon, "london": tzLondon, "british": tzLondon, "irish": tzLondon, "dublin": tzLondon,
		"eastern": tzNewYork, "pacific": tzLosAngeles,
		"greek": tzAthens, "athens": tzAthens, "cyprus": tzAthens, "finnish": tzAthens, "helsinki": tzAthens,
		"romanian": tzAthens, "bucharest": tzAthens, "bulgarian": tzAthens, "sofia": tzAthens,
	} {
		e := get(w)
		e.tz, e.hasTZ = off, true
	}
	get("ist").langOnly = langEN

	roles(rTrigger, "um", "gegen", "at", "for", "pünktlich", "kurz", "around", "about")
	roles(rApprox, "ca", "circa", "zirka", "etwa", "ungefähr", "ungefaehr", "so", "around", "about",
		"approximately", "approx", "roughly", "gegen", "um", "at", "ish", "kurz")
	roles(rOpenAfter, "ab", "after", "since", "nach", "später", "later", "from", "nach'm", "nachm")
	roles(rEarliest, "frühestens", "frühstens", "fruehestens", "earliest")
	roles(rOpenBefore, "bis", "before", "until", "till", "untill", "vor", "spätestens", "spaetestens", "by")
	roles(rRangeStart, "zwischen", "between", "von", "from", "vom")
	roles(rRangeJoin, "und", "and", "bis", "to", "till", "until", "untill", "thru", "through", "auf")
	roles(rWeek, "woche", "wochen", "week", "weeks", "wk", "week's", "woch", "wochn", "woch'n", "wocha")
	roles(rWeekend, "wochenende", "weekend", "wochenend")
	roles(rDayUnit, "tag", "tage", "tagen", "tog", "day", "days")
	roles(rHourUnit, "stunde", "stunden", "std", "hour", "hours", "hr", "hrs", "stund", "stundn")
	roles(rMinuteUnit, "minute", "minuten", "min", "mins", "minutes")
	roles(rMonthUnit, "monat", "monate", "monaten", "monats", "month", "months")
	roles(rNext, "nächste", "nächsten", "nächster", "nächstes", "naechste", "naechsten", "kommende", "näxte", "näxten", "näxter",
		"kommenden", "kommender", "next", "coming", "following", "upcoming")
	roles(rThis, "diese", "dieser", "diesen", "dieses", "this", "current")
	roles(rLast, "letzte", "letzten", "letzter", "vergangene", "vergangenen", "vorige", "vorigen",
		"last", "past", "previous")
	roles(rAfterNext, "übernächste", "übernächsten", "übernächster", "uebernaechste", "uebernaechsten")
	roles(rIn, "in", "within")
	roles(rAgo, "ago", "back")
	roles(rHence, "hence")
	roles(rUhr, "uhr", "h", "o'clock", "oclock", "hs")
	roles(rAM, "am", "a")
	roles(rPM, "pm", "p")
	get("am").langOnly = langEN
	roles(rHalf, "halb", "half", "hoib", "hoiba", "hoibe", "hoiwe", "hlab", "hallb", "halbe", "halp", "hoip")
	roles(rQuarter, "viertel", "quarter", "viertl", "virtel", "fiertel")
	roles(rThreeQuarter, "dreiviertel")
	roles(rPast, "nach", "past", "after")
	roles(rTo, "vor", "to", "before", "till")
	roles(rKW, "kw", "kalenderwoche")
	roles(rNoon, "noon", "midday")
	roles(rMidnight, "midnight", "mitternacht")
	roles(rBoundary, "oder", "or", "bzw", "beziehungsweise", "aber", "but", "sondern", "lieber",
		"rather", "alternativ", "alternatively", "sonst", "otherwise", "stattdessen", "instead",
		"jedoch", "however", "ansonsten", "eher", "preferably", "ideally", "idealerweise",
		"besten", "liebsten", "gern", "gerne", "bevorzugt", "vorzugsweise", "because", "weil")
	roles(rNeg, "nicht", "kein", "keine", "keinen", "keiner", "keinem", "not", "cannot", "can't", "ned", "nid", "nit", "nöd", "net", "neither",
		"kane", "koane", "koa", "koan", "kaane", "ka",
		"excluding", "nimma", "nimmer", "nix", "nichts", "keinesfalls", "keineswegs", "weder",
		"won't", "don't", "doesn't", "isn't", "wouldn't", "couldn't", "never", "nie", "außer", "ausser",
		"except", "verhindert", "unmöglich", "schlecht", "ungünstig", "blöd", "bled", "doof", "ungelegen", "inconvenient", "awkward", "busy", "unavailable",
		"impossible", "abwesend", "urlaub", "vacation", "ausgebucht", "nope", "unfortunately-not",
		"hopeless", "aussichtslos", "hoffnungslos")
	roles(rFiller, "am", "den", "der", "die", "das", "des", "dem", "the", "of", "on", "im", "zum", "zur",
		"vom", "um", "at", "so", "ca", "circa", "zirka", "etwa", "ungefähr", "around", "about", "gegen",
		"gerne", "gern", "also", "dann", "jeweils", "evtl", "eventuell", "vielleicht", "maybe",
		"perhaps", "ich", "i", "wir", "we", "es", "it", "hätte", "hätten", "habe", "haben", "have",
		"would", "könnte", "könnten", "could", "bin", "sind", "am", "is", "ist", "wäre", "be", "zeit",
		"time", "uhr", "in", "der")
	roles(rGreet, "guten", "gutem", "schönen", "schoenen", "einen", "jeden", "good")
	roles(rCancel, "absagen", "absage", "abzusagen", "abgesagt", "stornieren", "storniere", "storno",
		"stornierung", "storniert", "cancel", "cancelled", "canceled", "cancellation", "cancelling",
		"canceling", "entfällt", "entfallen", "streichen", "gestrichen", "scrap", "scrapped", "canceln",
		"gecancelt", "gecancelled", "cancle", "absagn", "absogn", "obsogn", "stonieren", "stornoieren", "streichts", "stornierts",
		"abblasen", "abgeblasen")
	roles(rResched, "verschieben", "verschoben", "verschiebung", "verlegen", "verlegung", "umbuchen",
		"umlegen", "reschedule", "rescheduling", "rescheduled", "postpone", "postponed", "ersatztermin",
		"vorziehen", "vorverlegen", "umplanen", "rebook", "umterminieren", "verschiebn", "verlegn", "move", "schieben", "schiebn", "schiabn", "verschiaben", "verschiabn", "vaschiabn", "vaschiebn", "vaschieben",
		"moven", "movn", "gemoved")
	roles(rAppt, "termin", "termine", "terminanfrage", "terminvereinbarung", "terminwunsch",
		"fernwartung", "fernwartungstermin", "fernwartungssitzung", "fernzugriff", "fernhilfe",
		"fernsteuerung", "remote", "appointment", "appointments", "session", "sitzung",
		"schulungstermin", "support-termin", "supporttermin", "fernwartungen", "schulung", "einschulung",
		"training", "einweisung")
	roles(rAppt, sessionVerbWords...)
	roles(rConfirm, "passt", "passen", "nehme", "nehmen", "nehm", "nimm", "nehma", "einverstanden", "bestätige",
		"bestaetige", "bestätigen", "gerne", "ok", "okay", "perfekt", "super", "gut", "works", "work",
		"fine", "suits", "suit", "take", "great", "perfect", "good", "confirm", "geht", "klappt",
		"please", "bitte", "wählen", "wähle", "choose", "prefer", "nehma", "nemma", "nehmens", "grand", "brilliant", "lovely", "guat", "guad")
	roles(rChoiceNoun, "termin", "vorschlag", "terminvorschlag", "option", "variante", "möglichkeit",
		"zeit", "slot", "one", "proposal", "suggestion", "appointment", "time", "choice", "alternative",
		"nummer", "nr", "number", "no")
	roles(rOther, "anderen", "anderer", "andere", "neuen", "neuer", "another", "other", "different",
		"new", "späteren", "früheren", "later")

	for r, ws := range map[uint8][]string{
		reasonTraining: {"schulung", "einschulung", "nachschulung", "schulungen", "einführung",
			"schulungstermin", "training", "tutorial", "einweisung", "onboarding"},
		reasonError: {"fehler", "fehlermeldung", "fehlermeldungen", "problem", "probleme", "absturz",
			"stürzt", "abgestürzt", "error", "errors", "crash", "crashes", "issue"},
		reasonBug:     {"bug", "bugs", "programmfehler"},
		reasonUpdate:  {"update", "updates", "aktualisierung", "upgrade", "versionswechsel"},
		reasonInstall: {"installation", "installieren", "neuinstallation", "install", "installing", "neuinstallieren"},
		reasonSetup:   {"einrichtung", "einrichten", "konfiguration", "setup", "konfigurieren"},
	} {
		for _, w := range ws {
			get(w).reason = r
		}
	}

	for _, w := range []string{"der", "die", "das", "und", "ich", "sie", "ist", "nicht", "ein", "eine",
		"zu", "mit", "für", "auf", "bitte", "danke", "wir", "uns", "haben", "habe", "hätte", "hätten",
		"wäre", "gerne", "gern", "möchte", "möchten", "können", "könnten", "termin", "uhr", "um", "es",
		"wie", "was", "bei", "von", "dass", "mir", "mein", "meine", "ihr", "ihnen", "sehr", "geehrte",
		"geehrter", "grüße", "grüßen", "liebe", "lieber", "hallo", "vielen", "dank", "noch", "auch",
		"schon", "nur", "aber", "oder", "wenn", "dann", "morgen", "heute", "woche", "nächste",
		"nächsten", "zeit", "geht", "passt", "leider", "kein", "keine", "den", "dem", "des", "im", "ab",
		"bis", "am", "wann", "wo", "hier", "mfg", "lg", "servus", "freundlichen", "damit", "unser",
		"unsere", "bin", "sind", "wird", "werden", "kann", "kommt", "jetzt", "fernwartung", "vormittag",
		"nachmittag", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "fehler", "schulung",
		"frage", "anfrage", "wieder", "sich", "man", "mich", "doch", "mal", "gibt", "über", "zum", "zur",
		"vom", "als", "nach", "vor", "zwischen", "möglich", "gleich", "tag", "tage", "programm"} {
		get(w).lang |= langDE
	}
	for _, w := range []string{"the", "and", "i", "you", "is", "not", "a", "an", "to", "with", "for",
		"on", "please", "thank", "thanks", "we", "us", "have", "would", "could", "like", "can",
		"appointment", "at", "it", "how", "what", "be", "from", "that", "me", "my", "your", "dear",
		"regards", "hello", "hi", "best", "many", "much", "also", "already", "only", "but", "or", "if",
		"then", "tomorrow", "today", "week", "next", "time", "works", "fine", "unfortunately", "no",
		"of", "in", "are", "will", "this", "there", "our", "do", "does", "when", "where", "here",
		"morning", "afternoon", "monday", "tuesday", "wednesday", "thursday", "friday", "error",
		"training", "question", "again", "any", "available", "possible", "kind", "sincerely", "cheers",
		"session", "remote", "support", "which", "should", "let", "know", "get", "need", "am", "pm",
		"between", "after", "before", "around", "about", "o'clock", "day", "days", "program", "was"} {
		get(w).lang |= langEN
	}
	for _, w := range []string{"day", "fortnight", "eom", "bom", "anfang", "beginning", "start", "early",
		"beginn", "mitte", "mid", "middle", "ende", "end", "late", "week"} {
		get(w).starts = true
	}
	for _, e := range m {
		if e.role&startRoles != 0 || e.wd != 0 || e.month != 0 || e.num != 0 || e.ord != 0 || e.hasRel ||
			e.pod != 0 || e.hasTZ {
			e.starts = true
		}
	}
	return m
}

// The tokenizer looks up every word of a mail, so the lexicon is also laid
// out as a small open-addressing table. A word is packed into its first
// and last eight bytes (which spell out any word of up to 16 bytes); a
// probe reads one 4-byte slot, holding 1+index into lexEntries in its low
// lexIdxBits and upper hash bits above them (0 is empty), and a hit reads
// one entry. Unknown words, a third of a mail, mostly stop at the slot.
const (
	lexIdxBits = 11 // lexicon entries must stay below 1<<lexIdxBits
	lexSlotN   = 4 << lexIdxBits
)

type lexEntry struct {
	a, b uint64 // packWord of the word
	info *wordInfo
	word string // compared only for words longer than 16 bytes
}

var (
	lexEntries []lexEntry
	lexSlots   [lexSlotN]uint32
	lexMaxLen  int
)

func init() {
	keys := make([]string, 0, len(lexicon))
	for w := range lexicon {
		keys = append(keys, w)
		lexMaxLen = max(lexMaxLen, len(w))
	}
	if len(keys) >= 1<<lexIdxBits {
		panic("understand: lexicon outgrew lexIdxBits")
	}
	slices.Sort(keys) // the same layout on every run
	lexEntries = make([]lexEntry, len(keys))
	for j, w := range keys {
		a, b := packWord(w)
		lexEntries[j] = lexEntry{a: a, b: b, info: lexicon[w], word: w}
		lexicon[w].c3 = strings.IndexByte(w, 0xC3) >= 0
		h := wordHash(a, b, len(w))
		k := h & (lexSlotN - 1)
		for lexSlots[k] != 0 {
			k = (k + 1) & (lexSlotN - 1)
		}
		lexSlots[k] = h>>lexIdxBits<<lexIdxBits | uint32(j+1)
	}
}

// lookupWord is lexicon[w].
// lookupWordOrPossessive is lookupWord that also reads a time word with an
// English "'s" ("morning's", "Friday's", "next week's") as the word itself.
func lookupWordOrPossessive(w string) *wordInfo {
	e := lookupWord(w)
	if e == nil && len(w) >= 10 && apptCompound(w) {
		return compoundAppt
	}
	if e != nil || len(w) < 5 || w[len(w)-1] != 's' {
		if e == nil && len(w) >= 6 && strings.HasSuffix(w, "'n") {
			// An Austrian verb written with its dropped "e" marked
			// ("absog'n", "verleg'n") reads as the verb without the mark.
			if e := lookupWord(w[:len(w)-2] + "n"); e != nil && e.role&(rCancel|rResched) != 0 {
				return e
			}
		}
		return e
	}
	var stem string
	if w[len(w)-2] == '\'' {
		stem = w[:len(w)-2]
	} else if strings.HasSuffix(w, "’s") {
		stem = w[:len(w)-len("’s")]
	} else {
		return nil
	}
	// (An Austrian verb with its "'s" — "stornieren's", "verschieben's",
	// "stornieren Sie" — reads as the verb.)
	if e := lookupWord(stem); e != nil && (e.wd != 0 || e.pod != 0 || e.month != 0 || e.role&(rWeek|rCancel|rResched) != 0) {
		return e
	}
	return nil
}

func lookupWord(w string) *wordInfo {
	n := len(w)
	if n > lexMaxLen || n == 0 {
		return nil
	}
	a, b := packWord(w)
	h := wordHash(a, b, n)
	for k := h & (lexSlotN - 1); ; k = (k + 1) & (lexSlotN - 1) {
		e := lexSlots[k]
		if e == 0 {
			return nil
		}
		if (e^h)>>lexIdxBits == 0 {
			en := &lexEntries[e&(1<<lexIdxBits-1)-1]
			if en.a == a && en.b == b && len(en.word) == n && (n <= 16 || en.word == w) {
				return en.info
			}
		}
	}
}

// packWord returns the first eight bytes of w (zero-padded) and, for a word
// longer than eight bytes, its last eight. Overlapping loads put every byte
// at its own offset, so OR-ing them is exact.
func packWord(w string) (a, b uint64) {
	n := len(w)
	switch {
	case n >= 8:
		a = load64(w, 0)
		if n > 8 {
			b = load64(w, n-8)
		}
	case n >= 4:
		a = uint64(load32(w, 0)) | uint64(load32(w, n-4))<<(8*(n-4))
	case n > 0:
		a = uint64(w[0]) | uint64(w[n>>1])<<(8*(n>>1)) | uint64(w[n-1])<<(8*(n-1))
	}
	return a, b
}

// wordHash mixes a packed word and its length.
func wordHash(a, b uint64, n int) uint32 {
	x := (a ^ bits.RotateLeft64(b, 31) ^ uint64(n)<<59) * 0x9e3779b97f4a7c15
	return uint32(x >> 32)
}

// langOnlyMiss: the word's time role is for another language than lang.
func (w *wordInfo) langOnlyMiss(lang uint8) bool {
	return w.langOnly != 0 && w.langOnly&lang == 0
}

// compoundAppt reads a German compound of the session that the lexicon does
// not list ("Wartungstermin", "Terminvorschläge", "Fernwartungsanfrage") as
// the session word itself.
var compoundAppt *wordInfo

func init() { // after the lexicon's own init above
	c := *lookupWord("fernwartung")
	compoundAppt = &c
}

// apptCompound: w is such a compound — a session's kind before a form of
// "Termin", or it begins with "Fernwartung", "Terminvorschl…", "Terminanfrag…",
// "Terminvereinbar…" or "Terminabsprach…" ("Terminkalender" and
// "Terminerinnerung" name parts of a customer's software, not a session).
func apptCompound(w string) bool {
	for _, suf := range []string{"termin", "termine", "terminen", "termins"} {
		if pre, ok := strings.CutSuffix(w, suf); ok {
			// Only a session's kind before it: not "Liefertermin",
			// "Zahlungstermin", "Abgabetermin" (dates of other things).
			switch strings.TrimSuffix(pre, "-") {
			case "wartungs", "support", "schulungs", "einschulungs", "service", "beratungs", "online", "remote", "wunsch",
				"ersatz", "folge", "zusatz", "extra", "installations", "update", "besprechungs", "einweisungs", "hilfe", "kurz":
				return true
			}
		}
	}
	if rest, ok := strings.CutPrefix(w, "fernwartung"); ok {
		// The session itself ("Fernwartungssitzung", "Fernwartungsanfrage"),
		// not the program or its contract ("Fernwartungsprogramm").
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "s"), "-")
		for _, tail := range []string{"termin", "sitzung", "anfrage", "wunsch", "session", "einsatz", "slot"} {
			if strings.HasPrefix(rest, tail) {
				return true
			}
		}
		return false
	}
	for _, pre := range []string{"terminvorschl", "terminanfrag", "terminvereinbar", "terminabsprach", "terminwunsch", "terminwünsch"} {
		if strings.HasPrefix(w, pre) {
			return true
		}
	}
	return false
}

// sessionVerbWords are the session's own verbs, the technician looking in
// remotely ("können Sie am Montag um 9 reinschauen?", "bitte morgen um 9
// eineschaun", "sich aufschalten"): session words (rAppt) that say what
// we do.
var sessionVerbWords = []string{"reinschauen", "reinschaun", "eineschaun", "eineschauen", "einaschaun", "einaschauen", "reischaun",
	"aufschalten", "draufschalten", "einwählen", "zuschalten"}
