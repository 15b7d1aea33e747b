package booking

import (
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

func TestOpeningEdges(t *testing.T) {
	d := testDesk(t)
	cases := []struct {
		start string
		open  bool
	}{
		{"2026-11-26 08:59", false}, // Thursday
		{"2026-11-26 09:00", true},
		{"2026-11-26 11:30", true},
		{"2026-11-26 11:45", false}, // would run past 12:00
		{"2026-11-26 12:00", false},
		{"2026-11-26 12:30", false},
		{"2026-11-26 13:00", true},
		{"2026-11-26 16:30", true},
		{"2026-11-26 17:00", false},
		{"2026-11-27 14:30", true},  // Friday
		{"2026-11-27 15:00", false}, // Friday closes at 15:00
		{"2026-11-28 10:00", false}, // Saturday
		{"2026-11-29 10:00", false}, // Sunday
		{"2026-12-08 10:00", false}, // Mariä Empfängnis
		{"2026-12-25 10:00", false},
		{"2026-12-26 10:00", false},
		{"2027-01-06 10:00", false},
		{"2026-04-06 10:00", false}, // Ostermontag 2026
		{"2027-03-29 10:00", false}, // Ostermontag 2027
		{"2026-05-14 10:00", false}, // Christi Himmelfahrt 2026
		{"2026-05-25 10:00", false}, // Pfingstmontag 2026
		{"2026-06-04 10:00", false}, // Fronleichnam 2026
		{"2026-10-26 10:00", false}, // Nationalfeiertag
		{"2026-03-30 09:00", true},  // Monday after the spring DST change
		{"2026-10-26 09:00", false},
		{"2026-10-27 09:00", true}, // Tuesday after the autumn DST change
	}
	for _, c := range cases {
		s := tm(c.start)
		if got := d.Open(Slot{s, s.Add(30 * time.Minute)}); got != c.open {
			t.Errorf("Open(%s) = %v, want %v", c.start, got, c.open)
		}
	}
}

func TestDSTSlotsAreWallClock(t *testing.T) {
	d := testDesk(t)
	for _, day := range []string{"2026-03-30 00:00", "2026-10-26 00:00", "2026-10-27 00:00"} {
		for _, s := range d.DaySlots(tm(day)) {
			if h := s.Start.In(vienna).Hour(); h < 9 || h >= 17 {
				t.Errorf("%s: slot at %s outside 09-17 wall clock", day, s.Start.In(vienna))
			}
		}
	}
	if n := len(d.DaySlots(tm("2026-03-30 00:00"))); n != 14 {
		t.Errorf("Monday has %d slots, want 14", n)
	}
}

func TestDecide(t *testing.T) {
	now := tm("2026-11-24 09:12") // Tuesday
	booked := []Booked{{Slot{tm("2026-11-26 10:00"), tm("2026-11-26 10:30")}, "anna@example.com"}}
	cases := []struct {
		name      string
		wishes    []understand.Wish
		book      string // "" = proposal
		why       Why
		firstProp string
	}{
		{"free minute", []understand.Wish{minute("2026-11-26 14:00")}, "2026-11-26 14:00", WhyNone, ""},
		{"taken minute", []understand.Wish{minute("2026-11-26 10:00")}, "", WhyTaken, "2026-11-26 09:00"},
		{"second wish fits", []understand.Wish{minute("2026-11-26 10:00"), minute("2026-11-26 11:00")}, "2026-11-26 11:00", WhyNone, ""},
		{"lunch break", []understand.Wish{minute("2026-11-26 12:15")}, "", WhyOutsideHours, "2026-11-26 11:00"},
		{"holiday", []understand.Wish{minute("2026-12-08 10:00")}, "", WhyHoliday, "2026-12-09 09:00"},
		{"weekend", []understand.Wish{minute("2026-11-28 10:00")}, "", WhyClosedDay, "2026-11-30 09:00"},
		{"too soon", []understand.Wish{minute("2026-11-24 10:00")}, "", WhyTooSoon, "2026-11-24 11:30"},
		{"past", []understand.Wish{minute("2026-11-23 10:00")}, "", WhyPast, "2026-11-24 11:30"},
		{"beyond horizon", []understand.Wish{minute("2027-03-01 10:00")}, "", WhyBeyond, "2026-11-24 11:30"},
		{"morning window skips taken", []understand.Wish{window("2026-11-26 09:00", "2026-11-26 12:00", understand.PrecisionPartOfDay)}, "2026-11-26 09:00", WhyNone, ""},
		{"whole day", []understand.Wish{window("2026-11-27 00:00", "2026-11-28 00:00", understand.PrecisionDay)}, "2026-11-27 09:00", WhyNone, ""},
		{"no time", nil, "", WhyNoTime, "2026-11-24 11:30"},
	}
	d := testDesk(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec := d.Decide(now, c.wishes, booked)
			if c.book != "" {
				if dec.Book == nil || !dec.Book.Start.Equal(tm(c.book)) {
					t.Fatalf("booked %v, want %s (why %s)", dec.Book, c.book, dec.Why)
				}
				if dec.Technician != "anna@example.com" {
					t.Errorf("technician %q", dec.Technician)
				}
				return
			}
			if dec.Book != nil {
				t.Fatalf("booked %s, want a proposal", dec.Book.Start)
			}
			if dec.Why != c.why {
				t.Errorf("why %q, want %q", dec.Why, c.why)
			}
			if len(dec.Proposals) != 3 {
				t.Fatalf("%d proposals, want 3", len(dec.Proposals))
			}
			if !dec.Proposals[0].Start.Equal(tm(c.firstProp)) {
				t.Errorf("first proposal %s, want %s", dec.Proposals[0].Start.In(vienna), c.firstProp)
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
		booked = append(booked, Booked{*dec.Book, dec.Technician})
	}
}
