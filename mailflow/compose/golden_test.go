package compose

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current templates")

// TestGolden pins every built-in mail in every language byte for byte, so a
// change to a template or to go-mail's output shows up in review as a diff
// of the mail a customer would get.
func TestGolden(t *testing.T) {
	c := newTestComposer(t, "")
	names := c.Templates()
	for _, want := range []string{TemplateConfirmation, TemplateProposal, TemplateIDReceived, TemplateCancelled, TemplateRescheduled,
		TemplateNeedTime, TemplateOutOfScope, TemplateReceivedHuman, TemplateReminder} {
		if !slices.Contains(names, want) {
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
				checkGolden(t, filepath.Join("testdata", "golden", name+"."+lang+".eml"), out.Raw)
			})
		}
	}
}

// TestGoldenInvitations pins the mails that carry a calendar invitation and
// the calendar itself, in a file of its own so that a change to the
// calendar reads as a diff of the .ics rather than of base64.
func TestGoldenInvitations(t *testing.T) {
	c := newTestComposer(t, "")
	for _, lang := range []string{"de", "en"} {
		for _, name := range []string{TemplateConfirmation, TemplateRescheduled, TemplateCancelled} {
			t.Run(name+"."+lang, func(t *testing.T) {
				out, err := c.Render(c.sampleInvite(c.sampleReply(name, lang, true)))
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				base := filepath.Join("testdata", "golden", name+".invite."+lang)
				checkGolden(t, base+".eml", out.Raw)
				checkGolden(t, base+".ics", []byte(parseMail(t, out.Raw).calendar))
			})
		}
	}
}

// checkGolden compares got with the file at path, or rewrites the file
// under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, firstDifference(string(want), string(got)))
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

// TestGoldenGuess pins the proposal that asks "did you mean …?" instead of
// booking a wish we are not sure we read right.
func TestGoldenGuess(t *testing.T) {
	c := newTestComposer(t, "")
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			r := c.sampleReply(TemplateProposal, lang, true)
			r.Guess, r.Why = true, ""
			out, err := c.Render(r)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", "proposal.guess."+lang+".eml"), out.Raw)
			text := flat(parseMail(t, out.Raw).text)
			want := map[string]string{"de": "Meinten Sie Donnerstag", "en": "did you mean Thursday"}[lang]
			if !strings.Contains(text, flat(want)) {
				t.Errorf("guess mail lacks %q:\n%s", want, text)
			}
		})
	}
}

// TestGoldenPickHour pins the proposal for a day named without a time:
// it offers that day's free times and asks the customer to choose, with
// no regret that the wish could not be booked.
func TestGoldenPickHour(t *testing.T) {
	c := newTestComposer(t, "")
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			r := c.sampleReply(TemplateProposal, lang, true)
			day := r.Proposals[0].Start
			for i, clock := range []time.Duration{9 * time.Hour, 11*time.Hour + 30*time.Minute, 14*time.Hour + 30*time.Minute} {
				start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location()).Add(clock)
				r.Proposals[i] = Slot{Start: start, End: start.Add(r.Proposals[i].End.Sub(r.Proposals[i].Start))}
			}
			r.PickHour, r.Why = true, c.WhyText(lang, "pick_hour", "", day)
			out, err := c.Render(r)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", "proposal.pickhour."+lang+".eml"), out.Raw)
			text := flat(parseMail(t, out.Raw).text)
			want := map[string]string{"de": "fehlt uns noch die Uhrzeit: Bitte wählen Sie eine der folgenden Zeiten.", "en": "we still need the time: please choose one of the times below."}[lang]
			regret := map[string]string{"de": "leider nicht anbieten", "en": "Unfortunately"}[lang]
			if !strings.Contains(text, flat(want)) || strings.Contains(text, regret) {
				t.Errorf("pick-hour mail should ask %q and not say %q:\n%s", want, regret, text)
			}
		})
	}
}

// TestLinkTokens: a link names one of our mails and only a token we made
// is accepted, so a link proves what a reply to that mail proves.
func TestLinkTokens(t *testing.T) {
	c := newTestComposer(t, "")
	id := "<0123456789abcdef0123456789abcdef@mail.example.com>"
	tok := c.LinkToken(id)
	if got, err := c.LinkMessageID(tok); err != nil || got != id {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	other := c.WithSecret([]byte("another installation"))
	for name, bad := range map[string]string{
		"other key":  other.LinkToken(id),
		"changed id": "1" + tok[1:],
		"no mac":     strings.SplitN(tok, ".", 2)[0],
		"not hex":    "zz." + strings.SplitN(tok, ".", 2)[1],
		"empty":      "",
		"bad base64": strings.SplitN(tok, ".", 2)[0] + ".***",
	} {
		if _, err := c.LinkMessageID(bad); err == nil {
			t.Errorf("%s: token %q accepted", name, bad)
		}
	}
}
