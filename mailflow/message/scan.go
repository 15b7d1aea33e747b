package message

import (
	"unicode"
	"unicode/utf8"
)

// The cutter's word tests used to be regular expressions; on a typical mail
// they cost a quarter of parsing. These scanners do the same matching by hand
// with the same rules: case folding as Go's (?i) (simple Unicode folding, so
// "K" for k and "ſ" for s count), \b and \s in their ASCII sense, and for
// closings the same preference order among alternatives, because where the
// closing formula ends decides whether a name follows it.

// isWordByte is \b's idea of a word character.
func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// boundary is \b at byte offset p of s.
func boundary(s string, p int) bool {
	before := p > 0 && isWordByte(s[p-1])
	after := p < len(s) && isWordByte(s[p])
	return before != after
}

// isSpaceByte is \s: tab, newline, form feed, carriage return and space.
func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func foldEq(r, l rune) bool {
	if r == l {
		return true
	}
	if r < utf8.RuneSelf && l < utf8.RuneSelf {
		if r|0x20 != l|0x20 {
			return false
		}
		c := r | 0x20
		return c >= 'a' && c <= 'z'
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == l {
			return true
		}
	}
	return false
}

// foldPrefix reports whether s begins with w, ignoring case, and how many
// bytes of s that took (folded runes may differ in length).
func foldPrefix(s, w string) (int, bool) {
	n := 0
	for i := 0; i < len(w); {
		l, lw := rune(w[i]), 1
		if l >= utf8.RuneSelf {
			l, lw = utf8.DecodeRuneInString(w[i:])
		}
		i += lw
		if n >= len(s) {
			return 0, false
		}
		r, rw := rune(s[n]), 1
		if r >= utf8.RuneSelf {
			r, rw = utf8.DecodeRuneInString(s[n:])
		}
		if !foldEq(r, l) {
			return 0, false
		}
		n += rw
	}
	return n, true
}

// wordSet finds any of a list of words, ignoring case. first holds, for each
// byte a match can begin with, which words to try, so most positions cost a
// table look-up.
type wordSet struct {
	words []string
	first [256][]uint8
}

func newWordSet(words ...string) *wordSet {
	ws := &wordSet{words: words}
	for i, w := range words {
		r0, _ := utf8.DecodeRuneInString(w)
		seen := map[byte]bool{}
		f := r0
		for {
			var buf [utf8.UTFMax]byte
			utf8.EncodeRune(buf[:], f)
			if !seen[buf[0]] {
				seen[buf[0]] = true
				ws.first[buf[0]] = append(ws.first[buf[0]], uint8(i))
			}
			if f = unicode.SimpleFold(f); f == r0 {
				break
			}
		}
	}
	return ws
}

// at tries the words in order at offset p and returns the end of the first
// one that matches and satisfies ok (nil accepts any).
func (ws *wordSet) at(s string, p int, ok func(end int) bool) (int, bool) {
	if p >= len(s) {
		return 0, false
	}
	for _, i := range ws.first[s[p]] {
		if n, m := foldPrefix(s[p:], ws.words[i]); m && (ok == nil || ok(p+n)) {
			return p + n, true
		}
	}
	return 0, false
}

// contains reports any of the words anywhere in s.
func (ws *wordSet) contains(s string) bool {
	for p := 0; p < len(s); p++ {
		if len(ws.first[s[p]]) == 0 {
			continue
		}
		if _, ok := ws.at(s, p, nil); ok {
			return true
		}
	}
	return false
}

// wordIndex finds the leftmost whole word of the set (\b on both sides) and
// returns its end, or -1.
func (ws *wordSet) wordIndex(s string) int {
	endOK := func(end int) bool { return boundary(s, end) }
	for p := 0; p < len(s); p++ {
		if len(ws.first[s[p]]) == 0 || !boundary(s, p) {
			continue
		}
		if end, ok := ws.at(s, p, endOK); ok {
			return end
		}
	}
	return -1
}

var (
	attrVerbs = newWordSet("schrieb", "wrote", "a écrit", "escribió", "ha scritto", "schreef", "skrev")
	attrLeads = newWordSet("am", "on", "le", "el", "il", "op", "den")
	devices   = newWordSet("sent from my", "sent from", "sent with", "gesendet von meinem", "gesendet vom",
		"gesendet von mail für", "gesendet mit", "get outlook for", "holen sie sich outlook", "von outlook für")
	sentenceWords = newWordSet("ich", "wir", "bitte", "please", "we", "i'm", "i am", "i'd", "i will", "könnten",
		"können", "kann", "wäre", "würde", "würden", "passt", "geht", "habe", "haben", "hätte", "hätten",
		"brauche", "brauchen", "möchte", "möchten", "need", "would", "could", "can", "termin")
	disclaimers = newWordSet("vertraulich", "confidential", "disclaimer", "haftungsausschluss",
		"intended recipient", "irrtümlich", "unbefugt", "unauthorised", "unauthorized", "privileged",
		"nicht der richtige adressat", "nicht der richtige empfänger",
		"nicht der beabsichtigte adressat", "nicht der beabsichtigte empfänger",
		"nicht der vorgesehene adressat", "nicht der vorgesehene empfänger",
		"datenschutzerklärung", "datenschutzhinweis", "privacy policy", "privacy notice",
		"denken sie an die umwelt", "before you print", "consider the environment")
)

// attrVerbEnd is where an attribution's verb ("schrieb", "wrote", ...) or a
// leading "Zitat von " ends in t, -1 without one.
func attrVerbEnd(t string) int {
	if n, ok := foldPrefix(t, "zitat von"); ok && n < len(t) && isSpaceByte(t[n]) {
		// Only a verb at offset 0 would come first, and "z" starts none.
		return n + 1
	}
	return attrVerbs.wordIndex(t)
}

// attrLead is a Gmail/Apple/Thunderbird opening word ("Am", "On", ...)
// followed by a space.
func attrLead(t string) bool {
	_, ok := attrLeads.at(t, 0, func(end int) bool { return end < len(t) && isSpaceByte(t[end]) })
	return ok
}

// attrWhen finds a time ("10:15", "9:05"), a four-digit year or an "@".
func attrWhen(t string) bool {
	run := 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '@':
			return true
		case c >= '0' && c <= '9':
			if run++; run >= 4 {
				return true
			}
		case c == ':':
			if run > 0 && i+2 < len(t) && isDigit(t[i+1]) && isDigit(t[i+2]) {
				return true
			}
			run = 0
		default:
			run = 0
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// deviceMatch is the footer of a mobile mail app at the start of t.
func deviceMatch(t string) bool {
	if _, ok := devices.at(t, 0, func(end int) bool { return boundary(t, end) }); ok {
		return true
	}
	// "Von meinem iPhone gesendet": one to forty characters of device name.
	n, ok := foldPrefix(t, "von meinem ")
	if !ok {
		return false
	}
	for k, p := 0, n; k < 40 && p < len(t) && t[p] != '\n'; k++ {
		_, w := utf8.DecodeRuneInString(t[p:])
		p += w
		if e, ok := foldPrefix(t[p:], " gesendet"); ok && boundary(t, p+e) {
			return true
		}
	}
	return false
}

// psMatch is a postscript opening: "PS", "P.S.", "PPS", "P. S.:", "Nachtrag".
func psMatch(t string) bool {
	if _, ok := foldPrefix(t, "nachtrag"); ok {
		return true
	}
	p, ok := foldPrefix(t, "p")
	if !ok {
		return false
	}
	// Every optional piece is a different character from the next required
	// one, so taking each greedily never loses a match.
	if p < len(t) && t[p] == '.' {
		p++
	}
	if n, ok := foldPrefix(t[p:], "p"); ok {
		p += n
	}
	if p < len(t) && t[p] == '.' {
		p++
	}
	if p < len(t) && isSpaceByte(t[p]) {
		p++
	}
	n, ok := foldPrefix(t[p:], "s")
	if !ok {
		return false
	}
	p += n
	if p < len(t) && t[p] == '.' {
		p++
	}
	return p == len(t) || isSpaceByte(t[p]) || t[p] == ':'
}

// The closing formula is matched by small continuation-passing pieces: each
// tries its alternatives in the order the former pattern listed them and
// hands every end it can reach to k, so the first complete match is the same
// one Go's leftmost-first regexp chose.

func litK(s string, p int, w string, k func(int) bool) bool {
	n, ok := foldPrefix(s[p:], w)
	return ok && k(p+n)
}

func wordsK(s string, p int, ws *wordSet, k func(int) bool) bool {
	if p >= len(s) {
		return false
	}
	for _, i := range ws.first[s[p]] {
		if n, ok := foldPrefix(s[p:], ws.words[i]); ok && k(p+n) {
			return true
		}
	}
	return false
}

// spacesK is \s* (min 0) or \s+ (min 1), longest first.
func spacesK(s string, p, min int, k func(int) bool) bool {
	e := p
	for e < len(s) && isSpaceByte(s[e]) {
		e++
	}
	for ; e-p >= min; e-- {
		if k(e) {
			return true
		}
	}
	return false
}

var (
	thanksPre    = newWordSet("vielen", "besten", "herzlichen")
	thanksWord   = newWordSet("danke", "dank")
	joiners      = newWordSet("und", "and", "&", "+", ",")
	greetAdj     = newWordSet("freundlichsten", "freundlichen", "freundlichem", "freundliche", "herzlichsten", "herzlichen", "herzliche", "lieben", "liebe", "vielen", "viele", "besten", "beste", "schönen", "schöne", "sonnigen", "sonnige", "netten", "nette")
	greetNoun    = newWordSet("grüßen", "grüße", "grüssen", "grüsse", "gruessen", "gruesse", "gruß", "gruss")
	regardsPre   = newWordSet("kindest", "kind", "best", "warmest", "warm")
	regardsOne   = newWordSet("cheers", "sincerely")
	yoursWord    = newWordSet("sincerely", "truly", "faithfully")
	closeAbbrevs = newWordSet("glg", "lgs", "lg", "mfg", "vg", "bg", "sg", "hg")
	closeOthers  = newWordSet("hochachtungsvoll", "servus", "baba", "ciao", "tschüss", "tschüs")
)

// inAdvanceK is \s+in\s+advance.
func inAdvanceK(s string, p int, k func(int) bool) bool {
	return spacesK(s, p, 1, func(e int) bool {
		return litK(s, e, "in", func(e int) bool {
			return spacesK(s, e, 1, func(e int) bool { return litK(s, e, "advance", k) })
		})
	})
}

func thanksK(s string, p int, k func(int) bool) bool {
	dank := func(p int) bool {
		return wordsK(s, p, thanksWord, func(e int) bool {
			return spacesK(s, e, 0, func(e int) bool { return litK(s, e, "schön", k) }) ||
				spacesK(s, e, 1, func(e int) bool {
					return litK(s, e, "im", func(e int) bool {
						return spacesK(s, e, 1, func(e int) bool { return litK(s, e, "voraus", k) })
					})
				}) ||
				spacesK(s, e, 1, func(e int) bool { return litK(s, e, "vorab", k) }) ||
				k(e)
		})
	}
	pre := func(e int) bool { return spacesK(s, e, 1, dank) }
	if wordsK(s, p, thanksPre, pre) ||
		litK(s, p, "recht", func(e int) bool {
			return spacesK(s, e, 1, func(e int) bool { return litK(s, e, "herzlichen", pre) })
		}) ||
		dank(p) {
		return true
	}
	thanks := func(p int) bool {
		return litK(s, p, "thanks", func(e int) bool { return inAdvanceK(s, e, k) || k(e) })
	}
	if litK(s, p, "many", func(e int) bool { return spacesK(s, e, 1, thanks) }) || thanks(p) {
		return true
	}
	return litK(s, p, "thank", func(e int) bool {
		return spacesK(s, e, 1, func(e int) bool {
			return litK(s, e, "you", func(e int) bool { return inAdvanceK(s, e, k) || k(e) })
		})
	})
}

func greetK(s string, p int, k func(int) bool) bool {
	noun := func(p int) bool { return wordsK(s, p, greetNoun, k) }
	adj := func(p int) bool {
		return wordsK(s, p, greetAdj, func(e int) bool { return spacesK(s, e, 1, noun) })
	}
	afterMit := func(p int) bool {
		return litK(s, p, "den", func(e int) bool { return spacesK(s, e, 1, adj) }) || adj(p) || noun(p)
	}
	return litK(s, p, "mit", func(e int) bool { return spacesK(s, e, 1, afterMit) }) || afterMit(p)
}

func regardsK(s string, p int, k func(int) bool) bool {
	regards := func(p int) bool { return litK(s, p, "regards", k) }
	pre := func(e int) bool { return spacesK(s, e, 1, regards) }
	with := func(second string) bool {
		return litK(s, p, "with", func(e int) bool {
			return spacesK(s, e, 1, func(e int) bool { return litK(s, e, second, pre) })
		})
	}
	return with("kind") || with("best") || wordsK(s, p, regardsPre, pre) || regards(p) ||
		litK(s, p, "best", func(e int) bool {
			return spacesK(s, e, 1, func(e int) bool { return litK(s, e, "wishes", k) })
		}) ||
		wordsK(s, p, regardsOne, k) ||
		litK(s, p, "yours", func(e int) bool {
			return spacesK(s, e, 1, func(e int) bool { return wordsK(s, e, yoursWord, k) })
		})
}

// closingEnd is where a closing formula at the start of t ends, -1 for none.
func closingEnd(t string) int {
	end := -1
	done := func(e int) bool { end = e; return true }
	second := func(p int) bool {
		return greetK(t, p, done) || regardsK(t, p, done) || wordsK(t, p, closeAbbrevs, done)
	}
	_ = thanksK(t, 0, func(e int) bool {
		return spacesK(t, e, 0, func(e int) bool {
			return wordsK(t, e, joiners, func(e int) bool { return spacesK(t, e, 0, second) })
		}) || done(e)
	}) || greetK(t, 0, done) || regardsK(t, 0, done) ||
		wordsK(t, 0, closeAbbrevs, done) || wordsK(t, 0, closeOthers, done)
	return end
}
