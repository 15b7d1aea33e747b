package message

import (
	"strings"
	"unicode/utf8"
)

// detectSignals sets Auto, Bulk and Bounce (DESIGN §2 invariant 4) and says
// why in SignalReasons. It errs towards flagging: a flagged human mail goes
// to a person's folder, an unflagged robot mail can start a mail loop.
// reports lists the report media types the body walk met.
func detectSignals(m *Message, th *mailHeader, reports []string) {
	flag := func(signal *bool, reason string) {
		*signal = true
		m.SignalReasons = append(m.SignalReasons, reason)
	}

	// --- automatic replies (RFC 3834 and the vendors' own headers) ---
	for _, v := range th.Values("Auto-Submitted") {
		kw := headerKeyword(v)
		if kw != "no" {
			flag(&m.Auto, "Auto-Submitted: "+SanitizeHeader(kw, 40))
		}
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Ms-Exchange-Inbox-Rules-Loop"} {
		if th.Has(k) {
			flag(&m.Auto, k)
		}
	}
	for _, v := range th.Values("X-Auto-Response-Suppress") {
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			switch strings.ToLower(tok) {
			case "all", "oof", "autoreply":
				flag(&m.Auto, "X-Auto-Response-Suppress: "+SanitizeHeader(tok, 20))
			}
		}
	}
	if prefix, ok := autoReplySubject(m.Subject); ok {
		// Quote the subject as written, cut to the prefix that matched.
		flag(&m.Auto, "Subject: "+SanitizeHeader(m.Subject, utf8.RuneCountInString(prefix)))
	}

	// --- bulk and list mail ---
	for _, v := range th.Values("Precedence") {
		switch kw := headerKeyword(v); kw {
		case "bulk", "list", "junk":
			flag(&m.Bulk, "Precedence: "+kw)
		case "auto_reply":
			flag(&m.Auto, "Precedence: "+kw)
		}
	}
	seen := map[string]bool{}
	for _, f := range th.fields {
		k := f.key
		if strings.HasPrefix(k, "List-") && !seen[k] {
			seen[k] = true
			flag(&m.Bulk, SanitizeHeader(k, 60))
		}
	}

	// --- senders that are robots by name ---
	local := strings.ToLower(m.From.Address)
	if at := strings.LastIndexByte(local, '@'); at >= 0 {
		local = local[:at]
	}
	switch {
	case local == "":
	case local == "mailer-daemon" || local == "mailer_daemon" || local == "postmaster":
		flag(&m.Bounce, "From: "+local)
	case strings.HasPrefix(squeeze(local), "noreply") || strings.HasPrefix(squeeze(local), "donotreply"):
		flag(&m.Auto, "From: "+SanitizeHeader(local, 40))
	case strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request"):
		flag(&m.Bulk, "From: "+SanitizeHeader(local, 40))
	}

	// --- delivery reports ---
	for _, mt := range reports {
		flag(&m.Bounce, "Content-Type: "+mt)
	}

	// The null envelope sender is what bounces and well-behaved auto-replies
	// use. Without a report or daemon sender it is not provably a bounce,
	// but it must still never be answered, so it counts as automatic.
	if m.HasReturnPath && m.ReturnPath == "" {
		if m.Bounce {
			m.SignalReasons = append(m.SignalReasons, "Return-Path: <>")
		} else {
			flag(&m.Auto, "Return-Path: <>")
		}
	}
}

// headerKeyword is the lower-cased first token of a structured header value
// ("auto-replied; owner=..." -> "auto-replied").
func headerKeyword(v string) string {
	v, _, _ = strings.Cut(v, ";")
	v, _, _ = strings.Cut(v, "(")
	return strings.ToLower(strings.TrimSpace(v))
}

// autoReplySubject reports subjects that out-of-office and auto-reply
// systems write, and returns the prefix that matched.
func autoReplySubject(subject string) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(subject))
	for _, p := range [...]string{
		"automatische antwort", "automatische abwesenheitsnotiz", "abwesenheitsnotiz",
		"out of office", "out of the office", "auto:", "autoreply", "auto-reply", "auto reply",
		"automatic reply", "autoantwort",
	} {
		if strings.HasPrefix(s, p) {
			return p, true
		}
	}
	return "", false
}

// squeeze drops the separators people put in "no-reply", "no_reply",
// "do.not.reply".
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, s)
}
