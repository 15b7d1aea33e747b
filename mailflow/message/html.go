package message

import (
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxQuotePrefix caps the "> " prefix written for nested blockquotes; past
// a few levels more markers say nothing, and a hostile mail could nest
// thousands.
const maxQuotePrefix = 10

// maxHTMLToken caps the bytes the tokenizer buffers for one token, so a
// single giant attribute or comment cannot balloon memory.
const maxHTMLToken = 1 << 20

// htmlToText renders HTML the way a mail client shows it, as plain lines:
// entities decoded, whitespace collapsed, <br> and block elements as line
// or paragraph breaks, list items as "- " lines, head/script/style dropped.
// Blockquote content gets "> " prefixes so the cutter treats it like quoted
// plain text (Gmail, Apple Mail and Thunderbird quote with blockquote).
// It stops after max bytes of output and reports whether it did.
func htmlToText(r io.Reader, max int) (string, bool) {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(maxHTMLToken)
	c := htmlRenderer{lineStart: true}
	for c.out.Len() <= max {
		switch z.Next() {
		case html.ErrorToken:
			// io.EOF, or a token over maxHTMLToken: keep what we have and
			// say the text may be incomplete.
			return c.out.String(), z.Err() != io.EOF
		case html.TextToken:
			if c.skip == 0 && !c.inHead {
				c.text(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			c.start(atom.Lookup(name), false)
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			c.start(atom.Lookup(name), true)
		case html.EndTagToken:
			name, _ := z.TagName()
			c.end(atom.Lookup(name))
		}
	}
	s, _ := capText(c.out.String(), max)
	return s, true
}

type htmlRenderer struct {
	out       strings.Builder
	pending   int  // line breaks owed before the next text (0, 1 or 2)
	space     bool // a collapsed space is owed before the next word
	lineStart bool
	bullet    bool // the next line starts a list item
	quote     int  // blockquote depth
	lastQuote int  // blockquote depth of the last line written
	pre       int
	list      int
	skip      int // inside script/style/title/template
	inHead    bool
}

// breakLines asks for n line breaks before the next text; block boundaries
// never stack beyond one empty line.
func (c *htmlRenderer) breakLines(n int) {
	if n > c.pending {
		c.pending = n
	}
	c.space = false
}

func (c *htmlRenderer) start(a atom.Atom, selfClosing bool) {
	switch a {
	case atom.Br:
		// Two <br> in a row are an empty line, three are still one.
		c.pending = min(c.pending+1, 2)
		c.space = false
	case atom.Head:
		c.inHead = !selfClosing
	case atom.Body:
		c.inHead = false // a missing </head> must not hide the whole mail
	case atom.Script, atom.Style, atom.Title, atom.Template:
		if !selfClosing {
			c.skip++
		}
	case atom.Blockquote:
		c.breakLines(2)
		if !selfClosing {
			c.quote++
		}
	case atom.Pre:
		c.breakLines(2)
		if !selfClosing {
			c.pre++
		}
	case atom.Ul, atom.Ol:
		c.breakLines(1)
		if !selfClosing {
			c.list++
		}
	case atom.Li:
		c.breakLines(1)
		c.bullet = true
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Table, atom.Hr, atom.Dl, atom.Address, atom.Figure, atom.Center:
		c.breakLines(2)
	case atom.Div, atom.Tr, atom.Dt, atom.Dd, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Form, atom.Fieldset, atom.Caption, atom.Tbody:
		// Gmail and Outlook Web write one <div> per line and mark empty
		// lines with <div><br></div>, so a div is a line, not a paragraph.
		c.breakLines(1)
	case atom.Td, atom.Th:
		c.space = c.out.Len() > 0 && !c.lineStart
	}
}

func (c *htmlRenderer) end(a atom.Atom) {
	switch a {
	case atom.Head:
		c.inHead = false
	case atom.Script, atom.Style, atom.Title, atom.Template:
		if c.skip > 0 {
			c.skip--
		}
	case atom.Blockquote:
		if c.quote > 0 {
			c.quote--
		}
		c.breakLines(2)
	case atom.Pre:
		if c.pre > 0 {
			c.pre--
		}
		c.breakLines(2)
	case atom.Ul, atom.Ol:
		if c.list > 0 {
			c.list--
		}
		c.breakLines(1)
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Table, atom.Dl, atom.Address, atom.Figure, atom.Center:
		c.breakLines(2)
	case atom.Div, atom.Tr, atom.Li, atom.Dt, atom.Dd, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Form, atom.Fieldset, atom.Caption, atom.Tbody:
		c.breakLines(1)
	case atom.Td, atom.Th:
		c.space = true
	}
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
}

func (c *htmlRenderer) text(t []byte) {
	s := string(t)
	if c.pre > 0 {
		for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if i > 0 {
				c.pending = min(c.pending+1, 2)
			}
			if line != "" {
				c.word(line)
			}
		}
		return
	}
	words := strings.FieldsFunc(s, isHTMLSpace)
	if len(words) == 0 {
		if s != "" {
			c.space = true
		}
		return
	}
	if isHTMLSpace(rune(s[0])) {
		c.space = true
	}
	for i, w := range words {
		if i > 0 {
			c.space = true
		}
		c.word(w)
	}
	if isHTMLSpace(rune(s[len(s)-1])) {
		c.space = true
	}
}

// word writes one piece of text, first paying the line breaks, quote
// prefix, bullet or space it is owed.
func (c *htmlRenderer) word(w string) {
	if c.pending > 0 {
		if c.out.Len() > 0 {
			for i := 0; i < c.pending; i++ {
				if d := min(c.lastQuote, c.quote, maxQuotePrefix); i > 0 && d > 0 {
					// Keep an empty line inside a quote quoted, so the
					// quoted block stays one block.
					c.out.WriteString(strings.Repeat(">", d))
				}
				c.out.WriteByte('\n')
			}
		}
		c.pending = 0
		c.lineStart = true
	}
	if c.lineStart {
		c.lastQuote = min(c.quote, maxQuotePrefix)
		for i := 0; i < c.lastQuote; i++ {
			c.out.WriteString("> ")
		}
		if c.bullet {
			c.out.WriteString(strings.Repeat("  ", max(c.list-1, 0)))
			c.out.WriteString("- ")
			c.bullet = false
		}
		c.lineStart = false
		c.space = false
	} else if c.space {
		c.out.WriteByte(' ')
	}
	c.space = false
	c.out.WriteString(w)
}
