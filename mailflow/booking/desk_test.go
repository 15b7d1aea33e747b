package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// TestYearEnd: 24 and 31 December closed by config, 1 January a holiday,
// the first working day of the year open.
func TestYearEnd(t *testing.T) {
	d := deskFrom(t, `desk: {closed: ["2025-12-24", "2025-12-31", "2026-12-24", "2026-12-31"]}`+"\n")
	cases := []struct {
		now, wish string
		book      bool
		why       Why
		detail    string
		first     string
	}{
		{"2025-12-15 10:00", "2025-12-31 10:00", false, WhyClosedDay, "", "2026-01-02 09:00"},
		{"2025-12-15 10:00", "2026-01-01 10:00", false, WhyHoliday, "Neujahrstag", "2026-01-02 09:00"},
		{"2025-12-15 10:00", "2026-01-02 10:00", true, WhyNone, "", ""}, // Friday
		{"2025-12-15 10:00", "2025-12-30 16:30", true, WhyNone, "", ""}, // the last slot of the year
		{"2026-12-15 10:00", "2026-12-31 10:00", false, WhyClosedDay, "", "2027-01-04 09:00"},
		{"2026-12-15 10:00", "2026-12-24 10:00", false, WhyClosedDay, "", "2026-12-28 09:00"},
		{"2026-12-15 10:00", "2027-01-04 09:00", true, WhyNone, "", ""}, // 2 and 3 January 2027 are a weekend
		// Asked on 30 December after the last slot: the next is in January.
		{"2026-12-30 16:45", "", false, WhyNoTime, "", "2027-01-04 09:00"},
	}
	for _, c := range cases {
		var ws []understand.Wish
		if c.wish != "" {
			ws = []understand.Wish{minute(c.wish)}
		}
		dec := d.Decide(tm(c.now), ws, nil)
		if (dec.Book != nil) != c.book {
			t.Errorf("%s: booked %v, want %v (why %s)", c.wish, dec.Book, c.book, dec.Why)
			continue
		}
		if c.book {
			continue
		}
		if dec.Why != c.why || dec.WhyDetail != c.detail {
			t.Errorf("%s: why %q %q, want %q %q", c.wish, dec.Why, dec.WhyDetail, c.why, c.detail)
		}
		if len(dec.Proposals) == 0 || !dec.Proposals[0].Start.Equal(tm(c.first)) {
			t.Errorf("%s: proposals %s, want from %s", c.wish, wall(dec.Proposals), c.first)
		}
	}
}

func TestClosedRanges(t *testing.T) {
	d := deskFrom(t, `desk: {closed: ["2026-12-24..2027-01-06", "2027-02-15..2027-02-19", "2027-03-01"]}`+"\n")
	for x := day("2026-12-24"); !x.After(day("2027-01-06")); x = x.AddDate(0, 0, 1) {
		if len(d.DaySlots(x)) != 0 {
			t.Errorf("%s is open inside the closed range", x.Format(time.DateOnly))
		}
	}
	for _, open := range []string{"2026-12-23", "2027-01-07", "2027-02-12", "2027-02-22", "2027-02-26", "2027-03-02"} {
		if len(d.DaySlots(day(open))) == 0 {
			t.Errorf("%s is closed, want open", open)
		}
	}
	for _, closed := range []string{"2027-02-15", "2027-02-17", "2027-02-19", "2027-03-01"} {
		if len(d.DaySlots(day(closed))) != 0 {
			t.Errorf("%s is open, want closed", closed)
		}
	}
	now := tm("2026-12-21 10:00")
	cases := []struct {
		name   string
		wish   understand.Wish
		book   string
		why    Why
		detail string
		first  string
	}{
		{"inside", minute("2026-12-29 10:00"), "", WhyClosedDay, "", "2027-01-07 09:00"},
		// Holidays inside a closed range keep their name: it says more.
		{"holiday inside", minute("2026-12-25 10:00"), "", WhyHoliday, "Christtag", "2027-01-07 09:00"},
		{"window all closed", window("2026-12-28 00:00", "2027-01-06 00:00", understand.PrecisionDay), "", WhyClosedDay, "", "2027-01-07 09:00"},
		{"window leaving the range", window("2027-01-04 00:00", "2027-01-09 00:00", understand.PrecisionDay), "2027-01-07 09:00", WhyNone, "", ""},
		{"day before", minute("2026-12-23 16:30"), "2026-12-23 16:30", WhyNone, "", ""},
	}
	for _, c := range cases {
		dec := d.Decide(now, []understand.Wish{c.wish}, nil)
		if c.book != "" {
			if dec.Book == nil || !dec.Book.Start.Equal(tm(c.book)) {
				t.Errorf("%s: booked %v, want %s", c.name, dec.Book, c.book)
			}
			continue
		}
		if dec.Book != nil || dec.Why != c.why || dec.WhyDetail != c.detail {
			t.Errorf("%s: %+v, want why %q %q", c.name, dec, c.why, c.detail)
		}
		if len(dec.Proposals) == 0 || !dec.Proposals[0].Start.Equal(tm(c.first)) {
			t.Errorf("%s: proposals %s, want from %s", c.name, wall(dec.Proposals), c.first)
		}
	}
}

const twoTechs = `technicians:
  - {name: Anna, email: anna@example.com}
  - name: Ben
    email: Ben@Example.com
`

func TestTechnicianAbsences(t *testing.T) {
	d := deskFrom(t, twoTechs+`    absences: ["2026-11-26..2026-11-27", "2026-12-02"]
  - name: Cleo
    email: cleo@example.com
    absences: ["2026-11-25..2026-11-27"]
`)
	now := tm("2026-11-24 08:00")
	// Wednesday 25: Cleo away, capacity 2. Thursday 26: only Anna.
	cases := []struct {
		wish  string
		techs []string // who gets the slot, one booking after the other; "" = full
	}{
		{"2026-11-25 10:00", []string{"anna@example.com", "ben@example.com", ""}},
		{"2026-11-26 10:00", []string{"anna@example.com", ""}},
		{"2026-11-30 10:00", []string{"anna@example.com", "ben@example.com", "cleo@example.com", ""}},
		{"2026-12-02 10:00", []string{"anna@example.com", "cleo@example.com", ""}},
	}
	for _, c := range cases {
		var booked []Booked
		for i, want := range c.techs {
			dec := d.Decide(now, []understand.Wish{minute(c.wish)}, booked)
			if want == "" {
				if dec.Book != nil || dec.Why != WhyTaken {
					t.Errorf("%s booking %d: %+v, want taken", c.wish, i+1, dec)
				}
				continue
			}
			if dec.Book == nil || dec.Technician != want {
				t.Errorf("%s booking %d: %+v, want %s", c.wish, i+1, dec, want)
				break
			}
			booked = append(booked, Booked{Slot: *dec.Book, Technician: dec.Technician})
		}
	}
	if got := d.Available(slot("2026-11-26 10:00", d)); len(got) != 1 || got[0] != "anna@example.com" {
		t.Errorf("available on 26 November: %v", got)
	}
	// When everybody is away, the day is closed to customers, not full.
	all := deskFrom(t, `technicians:
  - {name: Anna, email: anna@example.com, absences: ["2026-11-26"]}
  - {name: Ben, email: ben@example.com, absences: ["2026-11-20..2026-11-27"]}
`)
	dec := all.Decide(now, []understand.Wish{minute("2026-11-26 10:00")}, nil)
	if dec.Book != nil || dec.Why != WhyClosedDay || !dec.Proposals[0].Start.Equal(tm("2026-11-27 09:00")) {
		t.Errorf("nobody at work: %+v (%s)", dec, wall(dec.Proposals))
	}
	if n := len(all.DaySlots(day("2026-11-26"))); n != 0 {
		t.Errorf("%d slots when nobody works", n)
	}
}

func TestTechnicianHours(t *testing.T) {
	// Ben works afternoons only, and claims Saturday and Friday evening,
	// which the desk does not open: those never count.
	d := deskFrom(t, twoTechs+`    hours:
      mon: ["13:00-17:00"]
      tue: ["13:00-17:00"]
      wed: ["13:00-17:00"]
      thu: ["13:00-17:00"]
      fri: ["13:00-18:00"]
      sat: ["09:00-12:00"]
`)
	now := tm("2026-11-24 08:00")
	capacity := func(wish string) (n int, techs []string, why Why) {
		var booked []Booked
		for {
			dec := d.Decide(now, []understand.Wish{minute(wish)}, booked)
			if dec.Book == nil {
				return n, techs, dec.Why
			}
			n++
			techs = append(techs, dec.Technician)
			booked = append(booked, Booked{Slot: *dec.Book, Technician: dec.Technician})
		}
	}
	cases := []struct {
		wish string
		n    int
		why  Why
	}{
		{"2026-11-26 10:00", 1, WhyTaken},
		{"2026-11-26 12:30", 0, WhyOutsideHours},
		{"2026-11-26 14:00", 2, WhyTaken},
		{"2026-11-27 14:30", 2, WhyTaken},
		{"2026-11-27 15:00", 0, WhyOutsideHours}, // Ben's hours, not the desk's
		{"2026-11-28 10:00", 0, WhyClosedDay},
	}
	for _, c := range cases {
		n, techs, why := capacity(c.wish)
		if n != c.n || why != c.why {
			t.Errorf("%s: %d bookings %v then %q, want %d then %q", c.wish, n, techs, why, c.n, c.why)
		}
		if c.n == 1 && techs[0] != "anna@example.com" {
			t.Errorf("%s went to %s, who is not at work", c.wish, techs[0])
		}
	}
	// Only Anna works mornings: Anna's sessions rule the morning grid even
	// when Ben is free.
	booked := []Booked{book("2026-11-26 09:00", "anna@example.com")}
	dec := d.Decide(now, []understand.Wish{window("2026-11-26 09:00", "2026-11-26 12:00", understand.PrecisionPartOfDay)}, booked)
	if dec.Book == nil || !dec.Book.Start.Equal(tm("2026-11-26 09:30")) || dec.Technician != "anna@example.com" {
		t.Errorf("morning window: %+v", dec)
	}
	// Ben's own hours must overlap the desk's at all.
	own := deskFrom(t, `technicians: [{name: Ben, email: ben@example.com, hours: {mon: ["07:00-10:00"]}}]`+"\n")
	if n := len(own.DaySlots(day("2026-11-30"))); n != 2 {
		t.Errorf("Monday 09:00-10:00 gives %d slots, want 2", n)
	}
	if n := len(own.DaySlots(day("2026-12-01"))); n != 0 {
		t.Errorf("Tuesday without Ben gives %d slots", n)
	}
}

// TestLeastLoaded: a booking goes to the technician with the fewest
// sessions that day; ties go by config order.
func TestLeastLoaded(t *testing.T) {
	d := deskFrom(t, twoTechs+"  - {name: Cleo, email: cleo@example.com}\n")
	now := tm("2026-11-24 08:00")
	booked := []Booked{
		book("2026-11-26 09:00", "anna@example.com"),
		book("2026-11-26 13:00", "anna@example.com"),
		book("2026-11-26 14:00", "ben@example.com"),
		book("2026-11-25 09:00", "cleo@example.com"), // another day: does not count
		book("2026-11-25 10:00", "cleo@example.com"),
	}
	cases := []struct {
		wish, want string
		extra      []Booked
	}{
		{"2026-11-26 10:00", "cleo@example.com", nil},
		{"2026-11-26 10:00", "ben@example.com", []Booked{book("2026-11-26 15:00", "cleo@example.com")}},
		{"2026-11-26 14:00", "cleo@example.com", nil}, // Ben is busy then
		{"2026-11-27 10:00", "anna@example.com", nil}, // nobody booked: config order
		// Upper case in the store still counts for Ben.
		{"2026-11-27 10:00", "ben@example.com", []Booked{book("2026-11-27 13:00", "anna@example.com"), book("2026-11-27 14:00", "cleo@example.com")}},
		{"2026-11-27 13:00", "ben@example.com", []Booked{book("2026-11-27 13:00", "anna@example.com"), book("2026-11-27 13:00", "cleo@example.com")}},
		{"2026-11-27 13:00", "", []Booked{book("2026-11-27 13:00", "anna@example.com"), book("2026-11-27 13:00", "cleo@example.com"), book("2026-11-27 13:00", "BEN@example.com")}},
		// A session of somebody no longer configured still takes a seat.
		{"2026-11-27 13:00", "", []Booked{book("2026-11-27 13:00", "anna@example.com"), book("2026-11-27 13:00", "cleo@example.com"), book("2026-11-27 13:00", "gone@example.com")}},
	}
	for i, c := range cases {
		dec := d.Decide(now, []understand.Wish{minute(c.wish)}, append(append([]Booked(nil), booked...), c.extra...))
		if c.want == "" {
			if dec.Book != nil || dec.Why != WhyTaken {
				t.Errorf("case %d: %+v, want taken", i, dec)
			}
			continue
		}
		if dec.Book == nil || dec.Technician != c.want {
			t.Errorf("case %d %s: %+v, want %s", i, c.wish, dec, c.want)
		}
	}
}

func TestBuffer(t *testing.T) {
	d := deskFrom(t, "desk: {buffer_minutes: 15}\n")
	now := tm("2026-11-24 08:00")
	booked := []Booked{book("2026-11-26 10:00", "anna@example.com")} // busy until 10:45 with the buffer
	cases := []struct {
		wish string
		free bool
	}{
		{"2026-11-26 09:00", true},
		{"2026-11-26 09:15", true},  // its buffer ends 10:00, as the booking starts
		{"2026-11-26 09:16", false}, // its buffer runs into the booking
		{"2026-11-26 09:30", false},
		{"2026-11-26 10:30", false},
		{"2026-11-26 10:44", false},
		{"2026-11-26 10:45", true},
		{"2026-11-26 11:00", true},
		{"2026-11-26 11:30", true}, // the buffer may run into the lunch break
	}
	for _, c := range cases {
		dec := d.Decide(now, []understand.Wish{minute(c.wish)}, booked)
		if (dec.Book != nil) != c.free {
			t.Errorf("%s: booked %v (why %s), want %v", c.wish, dec.Book != nil, dec.Why, c.free)
		}
	}
	dec := d.Decide(now, []understand.Wish{minute("2026-11-26 10:00")}, booked)
	if got, want := wall(dec.Proposals), "2026-11-26 09:00, 2026-11-26 11:00, 2026-11-26 11:30"; got != want {
		t.Errorf("proposals %s, want %s", got, want)
	}
	// A window fills the grid with the buffer between.
	var chain []Booked
	for range 3 {
		dec := d.Decide(now, []understand.Wish{window("2026-11-27 09:00", "2026-11-27 12:00", understand.PrecisionPartOfDay)}, chain)
		if dec.Book == nil {
			t.Fatalf("window full after %d", len(chain))
		}
		chain = append(chain, Booked{Slot: *dec.Book, Technician: dec.Technician})
	}
	if got, want := wall([]Slot{chain[0].Slot, chain[1].Slot, chain[2].Slot}), "2026-11-27 09:00, 2026-11-27 10:00, 2026-11-27 11:00"; got != want {
		t.Errorf("chain %s, want %s", got, want)
	}
	dec = d.Decide(now, []understand.Wish{window("2026-11-27 09:00", "2026-11-27 12:00", understand.PrecisionPartOfDay)}, chain)
	if dec.Book != nil || dec.Why != WhyTaken {
		t.Errorf("fourth morning session: %+v", dec)
	}
}

func TestSameDay(t *testing.T) {
	now := tm("2026-11-24 08:00") // Tuesday
	wishes := []understand.Wish{minute("2026-11-24 15:00")}
	if dec := testDesk(t).Decide(now, wishes, nil); dec.Book == nil {
		t.Fatalf("same_day true (the default) refuses today: %+v", dec)
	}
	d := deskFrom(t, "desk: {same_day: false, min_notice: 0s}\n")
	dec := d.Decide(now, wishes, nil)
	if dec.Book != nil || dec.Why != WhyTooSoon {
		t.Fatalf("same_day false booked today: %+v", dec)
	}
	if got, want := wall(dec.Proposals), "2026-11-25 13:00, 2026-11-25 13:30, 2026-11-25 14:00"; got != want {
		t.Errorf("proposals %s, want %s", got, want)
	}
	dec = d.Decide(now, []understand.Wish{window("2026-11-24 00:00", "2026-11-25 00:00", understand.PrecisionDay)}, nil)
	if dec.Book != nil || dec.Why != WhyTooSoon {
		t.Errorf("same_day false, today's window: %+v", dec)
	}
	if dec := d.Decide(now, []understand.Wish{minute("2026-11-25 09:00")}, nil); dec.Book == nil {
		t.Errorf("same_day false refuses tomorrow: %+v", dec)
	}
	// Late in the evening, min_notice reaches past midnight and wins.
	late := deskFrom(t, "desk: {same_day: false, min_notice: 14h}\n")
	if dec := late.Decide(tm("2026-11-24 20:00"), []understand.Wish{minute("2026-11-25 09:30")}, nil); dec.Why != WhyTooSoon {
		t.Errorf("14 h notice at 20:00 booked 09:30 next day: %+v", dec)
	}
	if dec := late.Decide(tm("2026-11-24 20:00"), []understand.Wish{minute("2026-11-25 10:00")}, nil); dec.Book == nil {
		t.Errorf("14 h notice at 20:00 refuses 10:00 next day: %+v", dec)
	}
}

func TestMinNoticeAndHorizon(t *testing.T) {
	d := deskFrom(t, "desk: {min_notice: 2h, horizon_days: 7}\n")
	now := tm("2026-11-24 09:00")
	cases := []struct {
		wish string
		why  Why
	}{
		{"2026-11-24 09:00", WhyPast}, // starting now is too late
		{"2026-11-24 10:30", WhyTooSoon},
		{"2026-11-24 11:00", WhyNone}, // exactly two hours
		{"2026-12-01 16:30", WhyNone}, // the seventh day
		{"2026-12-02 09:00", WhyBeyond},
	}
	for _, c := range cases {
		dec := d.Decide(now, []understand.Wish{minute(c.wish)}, nil)
		if c.why == WhyNone && dec.Book == nil || c.why != WhyNone && dec.Why != c.why {
			t.Errorf("%s: %+v, want why %q", c.wish, dec, c.why)
		}
	}
	// Fully booked until the horizon: no proposals rather than late ones.
	var full []Booked
	for x := day("2026-11-24"); x.Before(day("2026-12-02")); x = x.AddDate(0, 0, 1) {
		for _, s := range d.DaySlots(x) {
			full = append(full, Booked{Slot: s, Technician: "anna@example.com"})
		}
	}
	if dec := d.Decide(now, nil, full); len(dec.Proposals) != 0 {
		t.Errorf("proposals past the horizon: %s", wall(dec.Proposals))
	}
}

// TestUnsortedBookings: Decide accepts bookings in any order and does not
// reorder the caller's slice.
func TestUnsortedBookings(t *testing.T) {
	d := testDesk(t)
	booked := []Booked{book("2026-11-26 11:00", "anna@example.com"), book("2026-11-26 09:00", "anna@example.com"), book("2026-11-26 10:00", "anna@example.com")}
	dec := d.Decide(tm("2026-11-24 08:00"), []understand.Wish{window("2026-11-26 09:00", "2026-11-26 12:00", understand.PrecisionPartOfDay)}, booked)
	if dec.Book == nil || !dec.Book.Start.Equal(tm("2026-11-26 09:30")) {
		t.Errorf("booked %+v, want 09:30", dec.Book)
	}
	if !booked[0].Start.Equal(tm("2026-11-26 11:00")) {
		t.Error("the caller's slice was reordered")
	}
}

// TestNewErrors: a Config built in code skips config.Load's checks; New
// still refuses what would break the calendar.
func TestNewErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"no technicians", func(c *config.Config) { c.Technicians = nil }, "technicians"},
		{"bad zone", func(c *config.Config) { c.Desk.Timezone = "Mars/Olympus" }, "desk.timezone"},
		{"no slot length", func(c *config.Config) { c.Desk.SlotMinutes = 0 }, "desk.slot_minutes"},
		{"bad closed range", func(c *config.Config) { c.Desk.Closed = []string{"2027-01-06..2026-12-24"} }, "desk.closed[0]"},
		{"bad absence", func(c *config.Config) { c.Technicians[0].Absences = []string{"tomorrow"} }, "technicians[0].absences[0]"},
		{"bad own hours", func(c *config.Config) { c.Technicians[0].Hours = map[string][]string{"mon": {"9-12"}} }, "technicians[0].hours.mon"},
		{"overlapping hours", func(c *config.Config) { c.Desk.Hours["mon"] = []string{"09:00-12:00", "11:00-14:00"} }, "overlap"},
		{"same technician twice", func(c *config.Config) {
			c.Technicians = append(c.Technicians, config.Technician{Name: "A", Email: "ANNA@example.com"})
		}, "listed twice"},
	}
	for _, c := range cases {
		cfg := config.Default()
		cfg.Technicians = []config.Technician{{Name: "Anna", Email: "anna@example.com"}}
		c.edit(cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestConcurrentUse: one Desk serves many mails at once (run with -race);
// the holiday cache is the only shared state.
func TestConcurrentUse(t *testing.T) {
	d := testDesk(t)
	done := make(chan Decision)
	for i := range 8 {
		go func() {
			now := tm("2026-11-24 09:12").AddDate(i, 0, 0)
			done <- d.Decide(now, []understand.Wish{minute("2026-12-08 10:00")}, nil)
		}()
	}
	for range 8 {
		<-done
	}
}

func TestAfterWorkingDays(t *testing.T) {
	d := testDesk(t)
	// Friday 4 Dec 2026: Mon 7, Tue 8 (holiday) and Wed 9 are not all
	// working days; the third working day is Thursday 10 December.
	got := d.AfterWorkingDays(tm("2026-12-04 10:00"), 3)
	if want := tm("2026-12-11 00:00"); !got.Equal(want) {
		t.Fatalf("3 working days after Fri 4.12.2026 end at %s, want %s", got, want)
	}
}
