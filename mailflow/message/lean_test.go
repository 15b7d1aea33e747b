package message

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
)

// walkBoth reads the body of raw on the lean path and on go-message's, and
// reports whether the lean path took the mail (instead of handing it on).
func walkBoth(t testing.TB, raw []byte, lim Limits) (lean, full bodyWalker, leanText, fullText string, took, ok bool) {
	lim = lim.withDefaults()
	raw, _ = fixLineEnds(raw)
	hb, body, _, err := splitHeader(raw, lim.MaxHeaderBytes)
	if err != nil {
		return lean, full, "", "", false, false
	}
	th, err := readMailHeader(hb)
	if err != nil {
		return lean, full, "", "", false, false
	}
	lean = bodyWalker{lim: lim, budget: lim.MaxTextBytes}
	full = lean
	leanText, took = lean.walk(&th, body, true)
	fullText, _ = full.walk(&th, body, false)
	lean.lean, full.lean = false, false
	return lean, full, leanText, fullText, took, true
}

// sameHeader checks that the lean header reader, when it takes a header
// block, holds what go-message's ReadHeader holds.
func sameHeader(t *testing.T, name string, raw []byte) {
	t.Helper()
	raw, _ = fixLineEnds(raw)
	hb, _, _, err := splitHeader(raw, DefaultLimits.MaxHeaderBytes)
	if err != nil {
		return
	}
	lean, ok := readMailHeaderLean(hb)
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(hb)))
	if !ok {
		return
	}
	if err != nil {
		t.Errorf("%s: lean header reader took a header go-message refuses: %v", name, err)
		return
	}
	var want []leanField
	for f := th.Fields(); f.Next(); {
		want = append(want, leanField{f.Key(), f.Value()})
	}
	if !reflect.DeepEqual(lean.fields, want) {
		t.Errorf("%s: header differs\nlean: %q\nfull: %q", name, lean.fields, want)
	}
	for _, k := range []string{"From", "message-id", "X-AUTO-RESPONSE-SUPPRESS", "Received", "List-Id"} {
		if got, want := lean.Get(k), th.Get(k); got != want {
			t.Errorf("%s: Get(%q) = %q, go-message %q", name, k, got, want)
		}
		if got, want := lean.Values(k), th.Values(k); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Values(%q) = %q, go-message %q", name, k, got, want)
		}
	}
}

func sameWalk(t *testing.T, name string, raw []byte, lim Limits) (took bool) {
	t.Helper()
	sameHeader(t, name, raw)
	lean, full, lt, ft, took, ok := walkBoth(t, raw, lim)
	if !ok || !took {
		return false
	}
	if lt != ft {
		t.Errorf("%s: lean text differs from go-message's\nlean: %q\nfull: %q", name, lt, ft)
	}
	if !reflect.DeepEqual(lean, full) {
		t.Errorf("%s: lean walk differs from go-message's\nlean: %+v\nfull: %+v", name, lean, full)
	}
	return true
}

// TestLeanBodyMatchesGoMessage: on every mail in the repository (fixtures,
// the labelled corpus and the blind sets) the lean body path either hands
// the mail to go-message or reads exactly what go-message reads; and it
// takes the ordinary mails, or it would be no faster.
func TestLeanBodyMatchesGoMessage(t *testing.T) {
	var files []string
	for _, root := range []string{"testdata", filepath.Join("..", "..", "testdata")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".eml") || filepath.Dir(path) == "testdata") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 500 {
		t.Fatalf("only %d mails found", len(files))
	}
	small := Limits{MaxMIMEDepth: 2, MaxParts: 3, MaxTextBytes: 300, MaxHeaderBytes: 4096}
	took := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if sameWalk(t, f, raw, Limits{}) {
			took++
		}
		sameWalk(t, f+" (small limits)", raw, small)
	}
	t.Logf("lean path took %d of %d mails", took, len(files))
	if took < len(files)*8/10 {
		t.Errorf("lean path took only %d of %d mails", took, len(files))
	}
	for _, f := range []string{"gmail_reply.eml", "alternative.eml", "base64_utf8.eml", "cp1252.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if !sameWalk(t, f, raw, Limits{}) {
			t.Errorf("%s: an ordinary mail went the slow way", f)
		}
	}
}

// TestLeanBodyEdges: the shapes where go-message's rules are easy to get
// wrong, each read the same on both paths.
func TestLeanBodyEdges(t *testing.T) {
	for _, tc := range []struct{ name, raw string }{
		{"lf boundaries", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\npre\n--b\nContent-Type: text/plain\n\nx\n--b--\n"},
		{"crlf boundaries", "From: a@b.at\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n"},
		{"padding after boundary", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b \t\n\nx\n--b  \n\ny\n--b-- \n"},
		{"boundary lookalike in text", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--bc\n--b\n\ny\n--b--"},
		{"no close delimiter", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n"},
		{"junk between parts", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--x\n"},
		{"empty part body", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n--b\n\ny\n--b--\n"},
		{"folded part header", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain;\n\tcharset=\"utf-8\"\nContent-Transfer-Encoding:\n quoted-printable\n\nGr=C3=BC=\n=C3=9Fe\n--b--\n"},
		{"qp stray equals", "From: a@b.at\nContent-Transfer-Encoding: quoted-printable\n\na=zz b=4\nc=3D =  \nd=\n"},
		{"qp bad soft break", "From: a@b.at\nContent-Transfer-Encoding: quoted-printable\n\na= x\n"},
		{"qp control byte", "From: a@b.at\nContent-Transfer-Encoding: quoted-printable\n\na\x01b\n"},
		{"qp trailing blanks", "From: a@b.at\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na  \t\r\nb =\r\nc"},
		{"base64 blanks", "From: a@b.at\nContent-Transfer-Encoding: base64\n\nR3LD \tvMOfZQ==\n"},
		{"base64 broken", "From: a@b.at\nContent-Transfer-Encoding: base64\n\nR3LD*vMOfZQ==\n"},
		{"latin1", "From: a@b.at\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe =80\n"},
		{"unknown charset", "From: a@b.at\nContent-Type: text/plain; charset=x-nope\n\nabc\n"},
		{"nested", "From: a@b.at\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/alternative; boundary=i\n\n--i\nContent-Type: text/html\n\n<p>h</p>\n--i\nContent-Type: text/plain\n\np\n--i--\n--o\nContent-Type: image/png\nContent-Disposition: attachment; filename=a.png\n\nAAAA\n--o--\n"},
		{"part header without colon", "From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\nnot a field\n\nx\n--b--\n"},
		{"header folds", "From: a@b.at\nSubject: a\n \t\n b \nX-Empty:\nSubject : second\nX-CR: a\r\r\nTo: <c@d.at>,\n\t<e@f.at>\n\nbody\n"},
		{"header odd keys", "from: a@b.at\nX_Under: 1\nx-(odd): 2\nMESSAGE-ID: <x@y>\n\nbody\n"},
		{"calendar", "From: a@b.at\nContent-Type: text/calendar; method=REPLY\n\nBEGIN:VCALENDAR\nMETHOD:REPLY\nEND:VCALENDAR\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameWalk(t, tc.name, []byte(tc.raw), Limits{})
			sameWalk(t, tc.name, []byte(tc.raw), Limits{MaxTextBytes: 3})
		})
	}
}

// FuzzLeanBody holds the lean body path to go-message's reading on any
// input: when it takes a mail, text, defects and signals are the same.
func FuzzLeanBody(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint16(0))
	}
	f.Add([]byte("From: a@b.at\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: quoted-printable\n\na=3Db=\n--b--\n"), uint16(5))
	f.Fuzz(func(t *testing.T, raw []byte, max uint16) {
		sameWalk(t, "fuzz", raw, Limits{MaxTextBytes: int(max)})
	})
}
