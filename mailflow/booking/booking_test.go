package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/understand"
)

func testDesk(t *testing.T, techs ...string) *Desk {
	t.Helper()
	cfg := config.Default()
	if len(techs) == 0 {
		techs = []string{"anna@example.com"}
	}
	for _, e := range techs {
		cfg.Technicians = append(cfg.Technicians, config.Technician{Name: e, Email: e})
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// deskFrom builds a desk from YAML the way the daemon does (config.Parse,
// then New), so the config keys are tested on the way. One technician,
// anna@example.com, unless the YAML lists technicians.
func deskFrom(t testing.TB, yaml string) *Desk {
	t.Helper()
	y := "sandbox: {enabled: true}\n" + yaml
	if !strings.Contains(yaml, "technicians:") {
		y += "technicians: [{name: Anna, email: anna@example.com}]\n"
	}
	cfg, err := config.Parse("test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var vienna, _ = time.LoadLocation("Europe/Vienna")

func tm(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, vienna)
	if err != nil {
		panic(err)
	}
	return t
}

func minute(s string) understand.Wish {
	return understand.Wish{Start: tm(s), Precision: understand.PrecisionMinute}
}

func window(from, to string, p understand.Precision) understand.Wish {
	e := tm(to)
	return understand.Wish{Start: tm(from), End: &e, Precision: p}
}

func slot(start string, d *Desk) Slot {
	s := tm(start)
	return Slot{s, s.Add(d.SlotLength())}
}

func book(start, tech string) Booked {
	s := tm(start)
	return Booked{Slot: Slot{s, s.Add(30 * time.Minute)}, Technician: tech}
}

// wall formats a list of slots as their local start times, for messages
// and comparisons.
func wall(ss []Slot) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Start.In(vienna).Format("2006-01-02 15:04"))
	}
	return strings.Join(out, ", ")
}

// TestOpeningEdges walks every edge of the default week (Mon 23 to Fri 27
// November 2026) with Open and with Decide, so the grid and the exact-time
// path agree.
func TestOpeningEdges(t *testing.T) {
	d := testDesk(t)
	now := tm("2026-11-16 08:00")
	monThu := []struct {
		clock string
		open  bool
	}{
		{"08:59", false}, {"09:00", true}, {"09:01", true}, {"11:30", true}, {"11:31", false}, {"11:45", false},
		{"12:00", false}, {"12:30", false}, {"12:59", false}, {"13:00", true}, {"16:30", true}, {"16:31", false}, {"17:00", false},
	}
	friday := []struct {
		clock string
		open  bool
	}{
		{"08:59", false}, {"09:00", true}, {"11:30", true}, {"11:31", false}, {"12:00", false}, {"12:30", false},
		{"13:00", true}, {"14:30", true}, {"14:31", false}, {"15:00", false}, {"16:30", false},
	}
	for day := 23; day <= 29; day++ {
		cases := monThu
		if day == 27 {
			cases = friday
		}
		for _, c := range cases {
			start := "2026-11-" + itoa2(day) + " " + c.clock
			want := c.open && day <= 27 // Saturday and Sunday are closed
			s := slot(start, d)
			if got := d.Open(s); got != want {
				t.Errorf("Open(%s %s) = %v, want %v", tm(start).Weekday(), start, got, want)
			}
			dec := d.Decide(now, []understand.Wish{minute(start)}, nil)
			if got := dec.Book != nil; got != want {
				t.Errorf("Decide(%s %s) booked %v (why %q), want %v", tm(start).Weekday(), start, got, dec.Why, want)
			}
			if !want {
				wantWhy := WhyOutsideHours
				if day > 27 {
					wantWhy = WhyClosedDay
				}
				if dec.Why != wantWhy {
					t.Errorf("Decide(%s): why %q, want %q", start, dec.Why, wantWhy)
				}
			}
		}
	}
}

func itoa2(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func TestDecide(t *testing.T) {
	now := tm("2026-11-24 09:12") // Tuesday
	booked := []Booked{book("2026-11-26 10:00", "anna@example.com")}
	pod, day := understand.PrecisionPartOfDay, understand.PrecisionDay
	backwards := tm("2026-11-26 13:00")
	cases := []struct {
		name      string
		wishes    []understand.Wish
		book      string // "" = proposal
		why       Why
		detail    string
		proposals string // wall clock, time order
	}{
		{"free minute", []understand.Wish{minute("2026-11-26 14:00")}, "2026-11-26 14:00", WhyNone, "", ""},
		{"off-grid minute", []understand.Wish{minute("2026-11-26 14:10")}, "2026-11-26 14:10", WhyNone, "", ""},
		{"taken minute keeps the morning", []understand.Wish{minute("2026-11-26 10:00")}, "", WhyTaken, "",
			"2026-11-26 09:00, 2026-11-26 09:30, 2026-11-26 10:30"},
		{"overlapping minute", []understand.Wish{minute("2026-11-26 09:45")}, "", WhyTaken, "",
			"2026-11-26 09:00, 2026-11-26 09:30, 2026-11-26 10:30"},
		{"second wish fits", []understand.Wish{minute("2026-11-26 10:00"), minute("2026-11-26 11:00")}, "2026-11-26 11:00", WhyNone, "", ""},
		{"lunch break leans neither way", []understand.Wish{minute("2026-11-26 12:15")}, "", WhyOutsideHours, "",
			"2026-11-26 11:00, 2026-11-26 11:30, 2026-11-26 13:00"},
		{"evening keeps the afternoon", []understand.Wish{minute("2026-11-26 18:00")}, "", WhyOutsideHours, "",
			"2026-11-26 15:30, 2026-11-26 16:00, 2026-11-26 16:30"},
		{"holiday morning", []understand.Wish{minute("2026-12-08 10:00")}, "", WhyHoliday, "Mariä Empfängnis",
			"2026-12-09 09:00, 2026-12-09 09:30, 2026-12-09 10:00"},
		{"holiday afternoon", []understand.Wish{minute("2026-12-08 15:00")}, "", WhyHoliday, "Mariä Empfängnis",
			"2026-12-09 13:00, 2026-12-09 13:30, 2026-12-09 14:00"},
		{"weekend", []understand.Wish{minute("2026-11-28 10:00")}, "", WhyClosedDay, "",
			"2026-11-30 09:00, 2026-11-30 09:30, 2026-11-30 10:00"},
		{"too soon", []understand.Wish{minute("2026-11-24 10:00")}, "", WhyTooSoon, "",
			"2026-11-24 11:30, 2026-11-25 09:00, 2026-11-25 09:30"},
		{"past", []understand.Wish{minute("2026-11-23 10:00")}, "", WhyPast, "",
			"2026-11-24 11:30, 2026-11-25 09:00, 2026-11-25 09:30"},
		{"beyond horizon", []understand.Wish{minute("2027-03-01 10:00")}, "", WhyBeyond, "",
			"2026-11-24 11:30, 2026-11-25 09:00, 2026-11-25 09:30"},
		{"last day of the horizon", []understand.Wish{minute("2027-01-22 10:00")}, "2027-01-22 10:00", WhyNone, "", ""},
		{"day after the horizon", []understand.Wish{minute("2027-01-25 10:00")}, "", WhyBeyond, "",
			"2026-11-24 11:30, 2026-11-25 09:00, 2026-11-25 09:30"},
		{"morning window skips taken", []understand.Wish{window("2026-11-26 09:00", "2026-11-26 12:00", pod)}, "2026-11-26 09:00", WhyNone, "", ""},
		// A day without a time: the customer picks the hour among that
		// day's free times, spread from its first to its last.
		{"whole day", []understand.Wish{window("2026-11-27 00:00", "2026-11-28 00:00", day)}, "", WhyPickHour, "",
			"2026-11-27 09:00, 2026-11-27 11:30, 2026-11-27 14:30"},
		{"day without end is the whole day", []understand.Wish{{Start: tm("2026-11-27 00:00"), Precision: day}}, "", WhyPickHour, "",
			"2026-11-27 09:00, 2026-11-27 11:30, 2026-11-27 14:30"},
		{"any time that day books its first free slot", []understand.Wish{{Start: tm("2026-11-27 00:00"), Precision: day, AnyHour: true}}, "2026-11-27 09:00", WhyNone, "", ""},
		{"a day with bookings spreads over its free times", []understand.Wish{window("2026-11-26 00:00", "2026-11-27 00:00", day)}, "", WhyPickHour, "",
			"2026-11-26 09:00, 2026-11-26 13:30, 2026-11-26 16:30"},
		{"ab 13 Uhr", []understand.Wish{window("2026-11-26 13:00", "2026-11-27 00:00", pod)}, "2026-11-26 13:00", WhyNone, "", ""},
		{"zwischen 13:15 und 15 Uhr starts off the grid", []understand.Wish{window("2026-11-26 13:15", "2026-11-26 15:00", pod)}, "2026-11-26 13:15", WhyNone, "", ""},
		{"window around a booking", []understand.Wish{window("2026-11-26 10:00", "2026-11-26 11:00", pod)}, "2026-11-26 10:30", WhyNone, "", ""},
		{"Freitag ab 15 Uhr", []understand.Wish{window("2026-11-27 15:00", "2026-11-28 00:00", pod)}, "", WhyOutsideHours, "",
			"2026-11-27 13:30, 2026-11-27 14:00, 2026-11-27 14:30"},
		{"lunch window", []understand.Wish{window("2026-11-26 12:00", "2026-11-26 13:00", pod)}, "", WhyOutsideHours, "",
			"2026-11-26 11:00, 2026-11-26 11:30, 2026-11-26 13:00"},
		{"Samstag", []understand.Wish{window("2026-11-28 00:00", "2026-11-29 00:00", day)}, "", WhyClosedDay, "",
			"2026-11-30 09:00, 2026-11-30 09:30, 2026-11-30 10:00"},
		{"whole holiday", []understand.Wish{window("2026-12-08 00:00", "2026-12-09 00:00", day)}, "", WhyHoliday, "Mariä Empfängnis",
			"2026-12-09 09:00, 2026-12-09 09:30, 2026-12-09 10:00"},
		{"heute Vormittag books after the notice", []understand.Wish{window("2026-11-24 09:00", "2026-11-24 12:00", pod)}, "2026-11-24 11:30", WhyNone, "", ""},
		{"window within the notice", []understand.Wish{window("2026-11-24 09:00", "2026-11-24 11:00", pod)}, "", WhyTooSoon, "",
			"2026-11-24 11:30, 2026-11-25 09:00, 2026-11-25 09:30"},
		{"window beyond the horizon", []understand.Wish{window("2027-02-01 00:00", "2027-02-06 00:00", day)}, "", WhyBeyond, "",
			"2026-11-24 11:30, 2026-11-24 13:00, 2026-11-24 13:30"},
		{"range across a weekend", []understand.Wish{window("2026-11-28 00:00", "2026-12-01 00:00", day)}, "2026-11-30 09:00", WhyNone, "", ""},
		{"end before start is a point", []understand.Wish{{Start: tm("2026-11-26 14:00"), End: &backwards, Precision: pod}}, "2026-11-26 14:00", WhyNone, "", ""},
		{"first wish names the reason", []understand.Wish{minute("2026-12-08 10:00"), minute("2026-11-28 10:00")}, "", WhyHoliday, "Mariä Empfängnis",
			"2026-12-09 09:00, 2026-12-09 09:30, 2026-12-09 10:00"},
		{"no time", nil, "", WhyNoTime, "", "2026-11-24 11:30, 2026-11-24 13:00, 2026-11-24 13:30"},
	}
	d := testDesk(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec := d.Decide(now, c.wishes, booked)
			if c.book != "" {
				if dec.Book == nil || !dec.Book.Start.Equal(tm(c.book)) {
					t.Fatalf("booked %v, want %s (why %s, proposals %s)", dec.Book, c.book, dec.Why, wall(dec.Proposals))
				}
				if dec.Book.End.Sub(dec.Book.Start) != 30*time.Minute {
					t.Errorf("session of %s", dec.Book.End.Sub(dec.Book.Start))
				}
				if dec.Technician != "anna@example.com" || dec.Why != WhyNone || dec.Proposals != nil {
					t.Errorf("booking carries %+v", dec)
				}
				return
			}
			if dec.Book != nil {
				t.Fatalf("booked %s, want a proposal", dec.Book.Start)
			}
			if dec.Why != c.why || dec.WhyDetail != c.detail {
				t.Errorf("why %q (%q), want %q (%q)", dec.Why, dec.WhyDetail, c.why, c.detail)
			}
			if len(c.wishes) > 0 && !dec.Wish.Equal(c.wishes[0].Start) {
				t.Errorf("wish %s, want the first wish %s", dec.Wish, c.wishes[0].Start)
			}
			if got := wall(dec.Proposals); got != c.proposals {
				t.Errorf("proposals\n got %s\nwant %s", got, c.proposals)
			}
			for _, p := range dec.Proposals {
				if !d.Open(p) {
					t.Errorf("proposal %s outside hours", p.Start)
				}
				for _, b := range booked {
					if b.Overlaps(p) {
						t.Errorf("proposal %s overlaps a booking", p.Start)
					}
				}
			}
		})
	}
}

// TestProposalsKeepPartOfDay: a morning wish gets morning proposals if
// there are any within a working week, else the nearest of any kind.
func TestProposalsKeepPartOfDay(t *testing.T) {
	d := testDesk(t)
	now := tm("2026-11-24 09:12")
	fill := func(days []string, from, to string) []Booked {
		var out []Booked
		for _, day := range days {
			for s := tm(day + " " + from); s.Before(tm(day + " " + to)); s = s.Add(30 * time.Minute) {
				out = append(out, Booked{Slot: Slot{s, s.Add(30 * time.Minute)}, Technician: "anna@example.com"})
			}
		}
		return out
	}
	week := []string{"2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01", "2026-12-02"}
	cases := []struct {
		name      string
		wish      understand.Wish
		booked    []Booked
		proposals string
	}{
		{"morning full: next morning, not this afternoon", minute("2026-11-26 10:00"), fill(week[:1], "09:00", "12:00"),
			"2026-11-27 09:00, 2026-11-27 09:30, 2026-11-27 10:00"},
		{"one morning slot left stays first", minute("2026-11-26 10:00"), fill(week[:1], "09:00", "11:30"),
			"2026-11-26 11:30, 2026-11-27 09:00, 2026-11-27 09:30"},
		{"afternoon full: next afternoon", minute("2026-11-26 14:00"), fill(week[:1], "13:00", "17:00"),
			"2026-11-27 13:00, 2026-11-27 13:30, 2026-11-27 14:00"},
		{"Vormittag window full", window("2026-11-26 08:00", "2026-11-26 12:00", understand.PrecisionPartOfDay), fill(week[:1], "09:00", "12:00"),
			"2026-11-27 09:00, 2026-11-27 09:30, 2026-11-27 10:00"},
		{"mornings full for a week: same day afternoon", minute("2026-11-26 10:00"), fill(week, "09:00", "12:00"),
			"2026-11-26 13:00, 2026-11-26 13:30, 2026-11-26 14:00"},
		{"whole day full: next day from its start", window("2026-11-26 00:00", "2026-11-27 00:00", understand.PrecisionDay), fill(week[:1], "09:00", "17:00"),
			"2026-11-27 09:00, 2026-11-27 09:30, 2026-11-27 10:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec := d.Decide(now, []understand.Wish{c.wish}, c.booked)
			if dec.Book != nil {
				t.Fatalf("booked %s", dec.Book.Start)
			}
			if got := wall(dec.Proposals); got != c.proposals {
				t.Errorf("proposals\n got %s\nwant %s", got, c.proposals)
			}
		})
	}
}

// TestProposeExported keeps the pipeline's Propose working on its own.
func TestProposeExported(t *testing.T) {
	d := testDesk(t)
	now := tm("2026-11-24 09:12")
	if got, want := wall(d.Propose(now, time.Time{}, nil)), "2026-11-24 11:30, 2026-11-24 13:00, 2026-11-24 13:30"; got != want {
		t.Errorf("next free: %s, want %s", got, want)
	}
	if got, want := wall(d.Propose(now, tm("2026-11-27 14:00"), nil)), "2026-11-27 13:30, 2026-11-27 14:00, 2026-11-27 14:30"; got != want {
		t.Errorf("around Friday 14:00: %s, want %s", got, want)
	}
}

func TestCapacityTwoTechnicians(t *testing.T) {
	d := testDesk(t, "anna@example.com", "ben@example.com")
	now := tm("2026-11-24 09:12")
	var booked []Booked
	w := []understand.Wish{minute("2026-11-26 10:00")}
	for i, want := range []string{"anna@example.com", "ben@example.com", ""} {
		dec := d.Decide(now, w, booked)
		if want == "" {
			if dec.Book != nil || dec.Why != WhyTaken {
				t.Fatalf("third booking of a two-technician slot: %+v", dec)
			}
			continue
		}
		if dec.Book == nil || dec.Technician != want {
			t.Fatalf("booking %d: got %+v, want %s", i, dec, want)
		}
		booked = append(booked, Booked{Slot: *dec.Book, Technician: dec.Technician})
	}
}
