package understand

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/message"
)

// ownCorpusDir holds the desk's own labelled mails: NAME.eml next to
// NAME.json (see its README.md for what each field means).
var ownCorpusDir = filepath.Join("..", "..", "testdata", "corpus")

// ratchetOwnFullyRight is the share of own-corpus mails read fully right
// (intent, first requested start, AnyDesk ID). Raise it when the engine gets
// better; the test fails when a change makes it worse. False AnyDesk IDs have
// no ratchet: there must be none.
const ratchetOwnFullyRight = 1.0

type ownExpect struct {
	Now        string  `json:"now"`
	Language   string  `json:"language"`
	Intent     string  `json:"intent"`
	FirstStart *string `json:"first_start"`
	Precision  *string `json:"precision"`
	AnyDeskID  *string `json:"anydesk_id"`
}

// robotIntents are never answered, so what times they mention is no request
// and is not scored (Read still reports them; see TestRead).
func robotIntent(i string) bool {
	return i == string(IntentAutoReply) || i == string(IntentBounce) || i == string(IntentBulk)
}

func TestOwnCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(ownCorpusDir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no mails in %s", ownCorpusDir)
	}
	sort.Strings(files)
	loc := vienna(t)
	type field struct {
		name  string
		ok, n int
	}
	fields := []*field{{name: "language"}, {name: "intent"}, {name: "first_start"}, {name: "precision"}, {name: "anydesk_id"}}
	fully, falseIDs := 0, 0
	var failures []string
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		js, err := os.ReadFile(strings.TrimSuffix(path, ".eml") + ".json")
		if err != nil {
			t.Fatalf("%s: expectation missing: %v", name, err)
		}
		var want ownExpect
		if err := json.Unmarshal(js, &want); err != nil {
			t.Fatalf("%s.json: %v", name, err)
		}
		now, err := time.Parse(time.RFC3339, want.Now)
		if err != nil {
			t.Fatalf("%s.json: now: %v", name, err)
		}
		now = now.In(loc)
		msg, err := message.Parse(raw, message.Limits{})
		if err != nil {
			t.Errorf("%s: parse: %v", name, err)
			continue
		}
		if !msg.Date.Equal(now) {
			t.Errorf("%s: Date header read as %v, expectation says %v", name, msg.Date, now)
		}
		r := Read(msg, now)

		gotStart, gotPrec := "null", "null"
		if len(r.Requested) > 0 {
			gotStart = r.Requested[0].Start.Format(time.RFC3339)
			gotPrec = string(r.Requested[0].Precision)
		}
		wantStart, wantPrec, wantID := "null", "null", ""
		if want.FirstStart != nil {
			ws, err := time.Parse(time.RFC3339, *want.FirstStart)
			if err != nil {
				t.Fatalf("%s.json: first_start: %v", name, err)
			}
			wantStart = ws.In(loc).Format(time.RFC3339)
		}
		if want.Precision != nil {
			wantPrec = *want.Precision
		}
		if want.AnyDeskID != nil {
			wantID = *want.AnyDeskID
		}
		robot := robotIntent(want.Intent)
		if robot {
			gotStart, gotPrec, wantStart, wantPrec = "-", "-", "-", "-"
		}

		var wrong []string
		check := func(f *field, got, want string) bool {
			f.n++
			if got == want {
				f.ok++
				return true
			}
			wrong = append(wrong, f.name+": got "+got+", want "+want)
			return false
		}
		check(fields[0], r.Language, want.Language)
		okIntent := check(fields[1], string(r.Intent), want.Intent)
		okStart := check(fields[2], gotStart, wantStart)
		check(fields[3], gotPrec, wantPrec)
		gotIDs, wantIDs := r.AnyDeskID, wantID
		if gotIDs == "" {
			gotIDs = "null"
		}
		if wantIDs == "" {
			wantIDs = "null"
		}
		okID := check(fields[4], gotIDs, wantIDs)
		if r.AnyDeskID != "" && r.AnyDeskID != wantID {
			falseIDs++
			t.Errorf("%s: FALSE AnyDesk ID %s (want %s)", name, r.AnyDeskID, wantIDs)
		}
		if okIntent && okStart && okID {
			fully++
		}
		if len(wrong) > 0 {
			failures = append(failures, name+": "+strings.Join(wrong, "; "))
		}
	}
	for _, f := range failures {
		t.Log("miss " + f)
	}
	for _, f := range fields {
		t.Logf("%-12s %3d/%3d = %5.1f%%", f.name, f.ok, f.n, 100*float64(f.ok)/float64(f.n))
	}
	share := float64(fully) / float64(len(files))
	t.Logf("fully right (intent, first start, ID): %d/%d = %.1f%%; false AnyDesk IDs: %d", fully, len(files), 100*share, falseIDs)
	if share+0.0005 < ratchetOwnFullyRight {
		t.Errorf("fully right share %.3f dropped below the ratchet %.3f", share, ratchetOwnFullyRight)
	}
}
