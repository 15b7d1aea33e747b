package compose

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current templates")

// TestGolden pins every built-in mail in every language byte for byte, so a
// change to a template or to go-mail's output shows up in review as a diff
// of the mail a customer would get.
func TestGolden(t *testing.T) {
	c := newTestComposer(t, "")
	names := c.Templates()
	for _, want := range []string{TemplateConfirmation, TemplateProposal, TemplateIDReceived} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Fatalf("built-in templates %v lack %s", names, want)
		}
	}
	for _, lang := range []string{"de", "en"} {
		for _, name := range names {
			t.Run(name+"."+lang, func(t *testing.T) {
				out, err := c.Render(c.sampleReply(name, lang, true))
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				path := filepath.Join("testdata", "golden", name+"."+lang+".eml")
				if *update {
					if err := os.WriteFile(path, out.Raw, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(out.Raw, want) {
					t.Errorf("%s differs (go test -update rewrites it):\n%s", path, firstDifference(string(want), string(out.Raw)))
				}
			})
		}
	}
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}
