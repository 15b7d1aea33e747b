package message

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "entities and inline markup",
			in:   "<p>Gr&uuml;&szlig; Gott &amp; <b>danke</b> f&#252;r&nbsp;die <a href='x'>Hilfe</a>!</p>",
			want: "Grüß Gott & danke für die Hilfe!",
		},
		{
			name: "br and paragraphs",
			in:   "<p>Zeile 1<br>Zeile 2<br/><br>Zeile 4</p><p>Absatz 2</p>",
			want: "Zeile 1\nZeile 2\n\nZeile 4\n\nAbsatz 2",
		},
		{
			name: "gmail divs",
			in:   "<div dir=ltr><div>Hallo,</div><div><br></div><div>Montag 10 Uhr?</div><div><br></div><div>LG</div></div>",
			want: "Hallo,\n\nMontag 10 Uhr?\n\nLG",
		},
		{
			name: "lists",
			in:   "<p>Termine:</p><ul><li>Montag</li><li>Dienstag <i>vormittags</i></li></ul><ol><li>eins</li></ol>",
			want: "Termine:\n\n- Montag\n- Dienstag vormittags\n- eins",
		},
		{
			name: "head, script and style dropped",
			in:   "<html><head><title>Titel</title><style>p{color:red}</style></head><body><script>var x=1;</script><p>Text</p><noscript></noscript></body></html>",
			want: "Text",
		},
		{
			name: "missing </head> does not hide the body",
			in:   "<html><head><meta charset=utf-8><body><p>Text</p>",
			want: "Text",
		},
		{
			name: "blockquote is quoted",
			in:   "<div>Passt.</div><div class=gmail_quote>Am 16.03.2026 um 16:20 schrieb Support:<blockquote>Dienstag 10:00?<br><br>Gruß</blockquote></div>",
			want: "Passt.\nAm 16.03.2026 um 16:20 schrieb Support:\n\n> Dienstag 10:00?\n>\n> Gruß",
		},
		{
			name: "nested blockquote",
			in:   "Neu<blockquote>alt<blockquote>älter</blockquote></blockquote>",
			want: "Neu\n\n> alt\n>\n> > älter",
		},
		{
			name: "whitespace collapsed",
			in:   "<p>  viel\n\n   Platz\t hier </p>",
			want: "viel Platz hier",
		},
		{
			name: "pre keeps lines",
			in:   "<pre>Fehler 4711\n  bei Zeile 3</pre>",
			want: "Fehler 4711\n  bei Zeile 3",
		},
		{
			name: "table cells",
			in:   "<table><tr><td>Tel.</td><td>0664 123</td></tr><tr><td>Fax</td><td>0664 124</td></tr></table>",
			want: "Tel. 0664 123\nFax 0664 124",
		},
		{
			name: "comments and conditional comments",
			in:   "<!--[if gte mso 9]><xml>junk</xml><![endif]--><p>Text<!-- hidden --></p>",
			want: "Text",
		},
		{
			name: "broken markup",
			in:   "<p>Text <b>fett <i>kursiv</p></div></blockquote>weiter",
			want: "Text fett kursiv\n\nweiter",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cut := htmlToText(strings.NewReader(tc.in), 1<<20)
			if got = normalizeText(got); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if cut {
				t.Error("reported a cut")
			}
		})
	}
}

func TestHTMLToTextCap(t *testing.T) {
	in := "<p>" + strings.Repeat("Wörter und Sätze ", 1000) + "</p>"
	got, cut := htmlToText(strings.NewReader(in), 100)
	if !cut || len(got) > 100 {
		t.Errorf("cut = %v, len = %d; want a cut at 100 bytes", cut, len(got))
	}
}

// TestParseHTMLReplies checks that the quoting of HTML mail clients ends up
// in Quoted, not in Text, when a mail has no plain-text part.
func TestParseHTMLReplies(t *testing.T) {
	const head = "From: kunde@example.at\nSubject: Re: Termin\nContent-Type: text/html; charset=utf-8\n\n"
	tests := []struct {
		name, html, text, quoted string
	}{
		{
			name: "apple mail",
			html: `<html><body dir="auto"><div>Freitag 11 Uhr wäre besser.</div><div><br></div><div>LG Eva</div>` +
				`<div><br><blockquote type="cite"><div>Am 16.03.2026 um 16:20 schrieb Support &lt;support@example-software.at&gt;:</div>` +
				`<br class="Apple-interchange-newline"><div><div>Ihr Termin: Donnerstag 10:00</div></div></blockquote></div></body></html>`,
			text:   "Freitag 11 Uhr wäre besser.",
			quoted: "> Ihr Termin: Donnerstag 10:00",
		},
		{
			name: "thunderbird",
			html: `<p>Passt, danke!</p><div class="moz-cite-prefix">Am 16.03.26 um 16:20 schrieb Support:<br></div>` +
				`<blockquote type="cite" cite="mid:x@y"><p>Vorschlag: Montag 9:00</p></blockquote>`,
			text:   "Passt, danke!",
			quoted: "> Vorschlag: Montag 9:00",
		},
		{
			name: "outlook web",
			html: `<div>Montag passt nicht.</div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg">` +
				`<font><b>Von:</b> Support &lt;support@example-software.at&gt;<br><b>Gesendet:</b> Freitag, 13. März 2026 16:20<br>` +
				`<b>An:</b> Kunde<br><b>Betreff:</b> Termin</font><div>&nbsp;</div></div><div>Montag 9:00?</div>`,
			text:   "Montag passt nicht.",
			quoted: "Montag 9:00?",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, []byte(head+tc.html), Limits{})
			if m.Text != tc.text {
				t.Errorf("Text = %q, want %q\nFullText:\n%s", m.Text, tc.text, m.FullText)
			}
			if !strings.Contains(m.Quoted, tc.quoted) {
				t.Errorf("Quoted lacks %q:\n%s", tc.quoted, m.Quoted)
			}
		})
	}
}
