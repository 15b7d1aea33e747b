package understand

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusPath is Duckling's German and English time corpus, shared by the
// project outside the module (see its README.md).
var corpusPath = filepath.Join("..", "..", "..", "shared", "corpus", "duckling-time-de-en.jsonl")

// Ratchets: the share of the appointment-relevant examples (section main,
// grain minute/hour/day) we read right, per language. Raise them when the
// extractor gets better; the test fails when a change makes it worse.
// The raw figures count only exact agreement with Duckling; the desk
// figures also count the documented domain readings below.
const (
	ratchetDE    = 0.970
	ratchetEN    = 0.911
	ratchetRawDE = 0.915 // 0.924 until "vom … auf …" became a move, 0.920 until "nächsten" before tomorrow's weekday became next week's (documented domain readings)
	ratchetRawEN = 0.848 // 0.869 until a weekday that does not fit its date stopped moving a year ahead; 0.865 until "end of the month" became its last full week (a documented domain reading)
)

type corpusExample struct {
	Lang    string `json:"lang"`
	Text    string `json:"text"`
	Ref     string `json:"ref"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Grain   string `json:"grain"`
	Kind    string `json:"kind"`
	Open    string `json:"open"`
	Section string `json:"section"`
}

// domainDifferences are the examples where the desk rightly reads a text
// differently from Duckling. They are counted as misses in the raw figure
// and as hits in the "desk" figure when our reading is the one documented
// here; each has its reason.
var domainDifferences = []struct {
	why   string
	match func(ex corpusExample, got Wish, ref time.Time) bool
}{
	{
		// Duckling's parts of the day are wide (morning 00/03-12, afternoon
		// 12-19); the desk reads them as its working windows (früh/morning
		// 08-12, afternoon 13-17), so a request lands inside support hours.
		why: "part-of-day window narrower than Duckling's",
		match: func(ex corpusExample, got Wish, _ time.Time) bool {
			if ex.Kind != "interval" || got.Precision != PrecisionPartOfDay || got.End == nil {
				return false
			}
			s, err1 := time.Parse(time.RFC3339, ex.Start)
			e, err2 := time.Parse(time.RFC3339, ex.End)
			return err1 == nil && err2 == nil && !got.Start.Before(s) && !got.End.After(e)
		},
	},
	{
		// "3:18", "3:30" without am/pm: Duckling takes the night (03:18
		// tomorrow); nobody books remote support at night, so the desk reads
		// 1-7 o'clock as afternoon, the same rule as Duckling's own "um 3".
		why: "early hour read as afternoon",
		match: func(ex corpusExample, got Wish, _ time.Time) bool {
			s, err := time.Parse(time.RFC3339, ex.Start)
			low := " " + strings.ToLower(ex.Text) + " "
			for _, marker := range []string{"am ", "a.m", "früh", "morning", "nacht", "night"} {
				if strings.Contains(low, marker) {
					return false
				}
			}
			if err != nil || s.Hour() < 1 || s.Hour() > 7 {
				return false
			}
			g := got.Start.In(s.Location())
			return g.Hour() == s.Hour()+12 && g.Minute() == s.Minute()
		},
	},
	{
		// "in 7 Tagen", "7 days ago": Duckling keeps the clock time at hour
		// grain; a day offset asks for that day, so the desk returns the day.
		why: "day offset read as the whole day",
		match: func(ex corpusExample, got Wish, _ time.Time) bool {
			s, err := time.Parse(time.RFC3339, ex.Start)
			low := strings.ToLower(ex.Text)
			if err != nil || ex.Grain != "hour" || got.Precision != PrecisionDay ||
				!strings.Contains(low, "tag") && !strings.Contains(low, "day") && !strings.Contains(low, "fortnight") {
				return false
			}
			g := got.Start.In(s.Location())
			return g.Year() == s.Year() && g.YearDay() == s.YearDay()
		},
	},
	{
		// "vom 14.10. auf den 15.10.": Duckling reads a span; a customer
		// writing to the desk moves a booking from one day to the other, so
		// the desk's wish is the day after "auf".
		why: "vom … auf … read as a move",
		match: func(ex corpusExample, got Wish, _ time.Time) bool {
			low := strings.ToLower(ex.Text)
			s, err := time.Parse(time.RFC3339, ex.Start)
			if err != nil || !strings.Contains(low, "vom ") || !strings.Contains(low, " auf ") {
				return false
			}
			return got.Start.After(s)
		},
	},
	{
		// "Fri, Jul 18" when the 18th is a Thursday: Duckling looks for a
		// later year whose 18 July is a Friday; a customer means this
		// year's date or the weekday, so the desk takes the weekday right
		// after this year's date and asks back (ReasonWeekdayOff) — it
		// never books a year ahead.
		why: "weekday that does not fit the date asked back",
		match: func(ex corpusExample, got Wish, _ time.Time) bool {
			s, err := time.Parse(time.RFC3339, ex.Start)
			if err != nil || !got.weekdayOff {
				return false
			}
			g := got.Start.In(s.Location())
			base := time.Date(g.Year(), s.Month(), s.Day(), 0, 0, 0, 0, s.Location())
			return g.Year() < s.Year() && g.Weekday() == s.Weekday() && !g.Before(base) && g.Before(base.AddDate(0, 0, 7))
		},
	},
	{
		// "end of April", "EOM", "late March": Duckling starts the month's
		// last part on the 21st; customers mean its last full working week
		// (the held-out writers, who never saw the engine, label it from
		// that week's Monday far more often than from the 21st), so the
		// desk proposes from there.
		why: "end of a month read as its last full week",
		match: func(ex corpusExample, got Wish, _ time.Time) bool {
			s, err := time.Parse(time.RFC3339, ex.Start)
			if err != nil || s.Day() != 21 || got.Precision != PrecisionDay {
				return false
			}
			g := got.Start.In(s.Location())
			last := time.Date(s.Year(), s.Month()+1, 0, 0, 0, 0, 0, s.Location())
			return g.Year() == s.Year() && g.Month() == s.Month() && g.Weekday() == time.Monday && last.Sub(g) < 11*24*time.Hour
		},
	},
	{
		// "nächsten Mittwoch" said on a Tuesday: Duckling takes tomorrow;
		// every held-out writer who wrote it meant the Wednesday of next
		// week (4 of 4 in blind1-150), so the desk reads that, asked back.
		why: "'nächsten' before tomorrow's weekday read as next week's",
		match: func(ex corpusExample, got Wish, ref time.Time) bool {
			s, err := time.Parse(time.RFC3339, ex.Start)
			low := strings.ToLower(ex.Text)
			return err == nil && (strings.Contains(low, "nächst") || strings.Contains(low, "naechst")) &&
				sameDate(s, ref.AddDate(0, 0, 1)) && sameDate(got.Start.In(s.Location()), s.AddDate(0, 0, 7))
		},
	},
}

func relevant(ex corpusExample) bool {
	return ex.Section == "main" && (ex.Grain == "minute" || ex.Grain == "hour" || ex.Grain == "day")
}

func sameAtGrain(got time.Time, want time.Time, grain string) bool {
	got = got.In(want.Location())
	layout := "2006-01-02"
	switch grain {
	case "minute":
		layout = "2006-01-02T15:04"
	case "hour":
		layout = "2006-01-02T15"
	}
	return got.Format(layout) == want.Format(layout)
}

func TestDucklingCorpus(t *testing.T) {
	f, err := os.Open(corpusPath)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus missing under CI: %v", err)
		}
		t.Skipf("corpus not found: %v", err)
	}
	defer f.Close()
	type tally struct{ n, raw, desk int }
	counts := map[string]*tally{"de": {}, "en": {}}
	diffs := map[string]int{}
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
		c := counts[ex.Lang]
		c.n++
		ws := Times(ex.Text, ex.Lang, ref)
		if len(ws) > 0 && sameAtGrain(ws[0].Start, want, ex.Grain) {
			c.raw++
			c.desk++
			continue
		}
		if len(ws) > 0 {
			hit := false
			for _, d := range domainDifferences {
				if d.match(ex, ws[0], ref) {
					diffs[d.why]++
					c.desk++
					hit = true
					break
				}
			}
			if hit {
				continue
			}
		}
		if showMisses == ex.Lang || showMisses == "all" {
			got := "nothing"
			if len(ws) > 0 {
				got = ws[0].Start.In(want.Location()).Format(time.RFC3339)
			}
			t.Logf("miss %s %-45q want %s (%s) got %s", ex.Lang, ex.Text, ex.Start, ex.Grain, got)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for why, n := range diffs {
		t.Logf("documented domain difference: %-45s %d examples", why, n)
	}
	for _, lang := range []string{"de", "en"} {
		c := counts[lang]
		raw := float64(c.raw) / float64(c.n)
		desk := float64(c.desk) / float64(c.n)
		t.Logf("%s: %d/%d = %.1f%% like Duckling, %d/%d = %.1f%% with documented domain readings",
			lang, c.raw, c.n, 100*raw, c.desk, c.n, 100*desk)
		ratchet, ratchetRaw := ratchetDE, ratchetRawDE
		if lang == "en" {
			ratchet, ratchetRaw = ratchetEN, ratchetRawEN
		}
		if desk+0.0005 < ratchet {
			t.Errorf("%s: %.3f dropped below the ratchet %.3f", lang, desk, ratchet)
		}
		if raw+0.0005 < ratchetRaw {
			t.Errorf("%s: raw %.3f dropped below the ratchet %.3f", lang, raw, ratchetRaw)
		}
	}
}
