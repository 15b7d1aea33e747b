package understand

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/message"
)

// Ratchets for Duckling's examples read inside a customer's sentence, the
// way they arrive at the desk, through Read. Examples already past at
// their reference time are left out: Read drops past times by design.
const (
	ratchetSentenceDE = 0.951
	ratchetSentenceEN = 0.896
)

// sentenceFrames wrap a phrase in a mail; %s is the phrase.
var sentenceFrames = map[string][]string{
	"de": {
		"Guten Tag,\n\nhätten Sie %s Zeit für eine Fernwartung?\n\nMit freundlichen Grüßen\nMaria Huber",
		"Hallo,\n\nwir haben ein Problem mit dem Rechnungsexport. Eine Fernwartung %s wäre super.\n\nDanke\nJosef",
	},
	"en": {
		"Hello,\n\ncould we do the remote session %s?\n\nBest regards\nJohn Miller",
		"Hi team,\n\nour invoices will not print. Would %s work for a remote session?\n\nThanks,\nSarah",
	},
}

func TestDucklingInSentences(t *testing.T) {
	f, err := os.Open(corpusPath)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus missing under CI: %v", err)
		}
		t.Skipf("corpus not found: %v", err)
	}
	defer f.Close()
	type tally struct{ n, ok int }
	counts := map[string]*tally{"de": {}, "en": {}}
	showMisses := os.Getenv("CORPUS_MISSES")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ex corpusExample
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatalf("bad corpus line: %v", err)
		}
		if !relevant(ex) {
			continue
		}
		ref, err1 := time.Parse(time.RFC3339, ex.Ref)
		want, err2 := time.Parse(time.RFC3339, ex.Start)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad times in %q", ex.Text)
		}
		if end, err := time.Parse(time.RFC3339, ex.End); want.Before(ref) && (err != nil || !end.After(ref)) {
			continue // past: never a wish
		}
		for _, frame := range sentenceFrames[ex.Lang] {
			c := counts[ex.Lang]
			c.n++
			msg := &message.Message{Subject: "Fernwartung", Text: strings.Replace(frame, "%s", ex.Text, 1)}
			r := Read(msg, ref)
			if len(r.Requested) > 0 {
				got := r.Requested[0]
				if sameAtGrain(got.Start, want, ex.Grain) {
					c.ok++
					continue
				}
				hit := false
				for _, d := range domainDifferences {
					if d.match(ex, got, ref) {
						hit = true
						break
					}
				}
				if hit {
					c.ok++
					continue
				}
			}
			if showMisses == ex.Lang || showMisses == "all" {
				got := "nothing"
				if len(r.Requested) > 0 {
					got = r.Requested[0].Start.In(want.Location()).Format(time.RFC3339)
				}
				t.Logf("miss %s %-45q want %s (%s) got %s", ex.Lang, ex.Text, ex.Start, ex.Grain, got)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		c := counts[lang]
		share := float64(c.ok) / float64(c.n)
		t.Logf("%s in sentences: %d/%d = %.1f%%", lang, c.ok, c.n, 100*share)
		ratchet := ratchetSentenceDE
		if lang == "en" {
			ratchet = ratchetSentenceEN
		}
		if share+0.0005 < ratchet {
			t.Errorf("%s in sentences: %.3f dropped below the ratchet %.3f", lang, share, ratchet)
		}
	}
}
