package booking

import (
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/understand"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDSTDaySlots: Vienna moves to summer time on Sunday 29 March 2026 and
// back on Sunday 25 October 2026. Slots stay on the wall clock, so their
// UTC instants move by an hour. 26 October is Nationalfeiertag, so the
// first working day after the autumn change is Tuesday 27 October.
func TestDSTDaySlots(t *testing.T) {
	d := testDesk(t)
	cases := []struct {
		day         string
		n           int
		first, last string // UTC
	}{
		{"2026-03-27", 10, "2026-03-27 08:00", "2026-03-27 13:30"}, // Friday, CET
		{"2026-03-29", 0, "", ""},                                  // Sunday of the change
		{"2026-03-30", 14, "2026-03-30 07:00", "2026-03-30 14:30"}, // Monday, CEST
		{"2026-10-23", 10, "2026-10-23 07:00", "2026-10-23 12:30"}, // Friday, CEST
		{"2026-10-25", 0, "", ""},
		{"2026-10-26", 0, "", ""},                                  // Nationalfeiertag
		{"2026-10-27", 14, "2026-10-27 08:00", "2026-10-27 15:30"}, // Tuesday, CET
	}
	for _, c := range cases {
		slots := d.DaySlots(day(c.day))
		if len(slots) != c.n {
			t.Errorf("%s: %d slots, want %d", c.day, len(slots), c.n)
			continue
		}
		if c.n == 0 {
			continue
		}
		if !slots[0].Start.Equal(utc(c.first)) || !slots[c.n-1].Start.Equal(utc(c.last)) {
			t.Errorf("%s: slots %s..%s UTC, want %s..%s", c.day, slots[0].Start.UTC(), slots[c.n-1].Start.UTC(), c.first, c.last)
		}
		for _, s := range slots {
			w := s.Start.In(vienna)
			if h := w.Hour(); h < 9 || h >= 17 || w.Minute()%30 != 0 || s.End.Sub(s.Start) != 30*time.Minute {
				t.Errorf("%s: slot %s off the wall-clock grid", c.day, w)
			}
		}
	}
}

// TestDSTDecide books and proposes across both changes.
func TestDSTDecide(t *testing.T) {
	d := testDesk(t)
	// Asked on Friday in winter time for Monday 09:00 in summer time.
	dec := d.Decide(tm("2026-03-27 10:00"), []understand.Wish{minute("2026-03-30 09:00")}, nil)
	if dec.Book == nil || !dec.Book.Start.Equal(utc("2026-03-30 07:00")) || !dec.Book.End.Equal(utc("2026-03-30 07:30")) {
		t.Fatalf("spring: booked %+v, want 07:00-07:30 UTC", dec.Book)
	}
	// On the Sunday of the change, the next free slots are Monday's first.
	props := d.Propose(tm("2026-03-29 03:30"), time.Time{}, nil)
	for i, want := range []string{"2026-03-30 07:00", "2026-03-30 07:30", "2026-03-30 08:00"} {
		if i >= len(props) || !props[i].Start.Equal(utc(want)) {
			t.Fatalf("spring proposals %s, want from 07:00 UTC", wall(props))
		}
	}
	// Autumn: asked on Saturday in summer time, the next working day is
	// Tuesday after Nationalfeiertag, in winter time.
	dec = d.Decide(tm("2026-10-24 12:00"), nil, nil)
	if len(dec.Proposals) != 3 || !dec.Proposals[0].Start.Equal(utc("2026-10-27 08:00")) {
		t.Fatalf("autumn proposals %s, want Tuesday 08:00 UTC first", wall(dec.Proposals))
	}
	dec = d.Decide(tm("2026-10-23 16:00"), []understand.Wish{minute("2026-10-27 16:30")}, nil)
	if dec.Book == nil || !dec.Book.Start.Equal(utc("2026-10-27 15:30")) {
		t.Fatalf("autumn: booked %+v, want 15:30 UTC", dec.Book)
	}
	// Minimum notice is real time: at 01:30 CET on the spring Sunday, two
	// hours ahead is 04:30 CEST, not 03:30.
	night := deskFrom(t, "desk: {holidays: none, hours: {sun: [\"00:00-06:00\"]}, slot_minutes: 30}\n")
	dec = night.Decide(tm("2026-03-29 01:30"), []understand.Wish{minute("2026-03-29 04:00")}, nil)
	if dec.Book != nil || dec.Why != WhyTooSoon {
		t.Fatalf("04:00 CEST is 1.5 h after 01:30 CET: %+v", dec)
	}
	if dec.Proposals[0].Start.In(vienna).Format("15:04") != "04:30" {
		t.Errorf("first proposal %s, want 04:30", wall(dec.Proposals))
	}
}

// TestDSTNightGrid: a desk open at night on the change Sundays gets a grid
// without the missing hour in spring and without overlaps in autumn.
func TestDSTNightGrid(t *testing.T) {
	d := deskFrom(t, "desk: {holidays: none, hours: {sun: [\"00:00-06:00\"]}, slot_minutes: 60}\n")
	cases := []struct {
		day  string
		utcs []string
	}{
		// 02:00 does not exist on 29 March: clocks jump from 02:00 to 03:00.
		{"2026-03-29", []string{"2026-03-28 23:00", "2026-03-29 00:00", "2026-03-29 01:00", "2026-03-29 02:00", "2026-03-29 03:00"}},
		// 02:00-03:00 happens twice on 25 October; the grid takes the
		// second, and the 01:00 session ends before it (at 02:00 CEST).
		{"2026-10-25", []string{"2026-10-24 22:00", "2026-10-24 23:00", "2026-10-25 01:00", "2026-10-25 02:00", "2026-10-25 03:00", "2026-10-25 04:00"}},
	}
	for _, c := range cases {
		slots := d.DaySlots(day(c.day))
		if len(slots) != len(c.utcs) {
			t.Errorf("%s: slots %s, want %d", c.day, wall(slots), len(c.utcs))
			continue
		}
		for i, s := range slots {
			if !s.Start.Equal(utc(c.utcs[i])) || s.End.Sub(s.Start) != time.Hour {
				t.Errorf("%s: slot %d at %s UTC, want %s", c.day, i, s.Start.UTC(), c.utcs[i])
			}
			if i > 0 && s.Start.Before(slots[i-1].End) {
				t.Errorf("%s: slot %d overlaps the one before", c.day, i)
			}
		}
	}
}
