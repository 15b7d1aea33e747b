package booking

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/de"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// oracle judges slots from the configuration with its own, deliberately
// plain arithmetic (wall-clock minutes, dates as UTC midnights, rickar's
// own IsHoliday), so the property test does not check the desk against
// itself. It assumes daytime hours, where wall minutes and durations agree.
type oracle struct {
	cfg    *config.Config
	hol    *cal.Calendar
	desk   [7][][2]int
	techs  []oracleTech
	closed [][2]time.Time
	slot   time.Duration
	buffer time.Duration
}

type oracleTech struct {
	email  string
	week   [7][][2]int
	absent [][2]time.Time
}

func newOracle(t testing.TB, cfg *config.Config) *oracle {
	o := &oracle{cfg: cfg, hol: &cal.Calendar{},
		slot:   time.Duration(cfg.Desk.SlotMinutes) * time.Minute,
		buffer: time.Duration(cfg.Desk.BufferMinutes) * time.Minute}
	switch cfg.Desk.Holidays {
	case "AT":
		o.hol.AddHoliday(at.Holidays...)
	case "DE":
		o.hol.AddHoliday(de.Holidays...)
	}
	week := func(h map[string][]string) (w [7][][2]int) {
		for k, rs := range h {
			for _, r := range rs {
				a, b, err := config.ParseRange(r)
				if err != nil {
					t.Fatal(err)
				}
				w[config.Weekdays[k]] = append(w[config.Weekdays[k]], [2]int{a, b})
			}
		}
		return w
	}
	days := func(list []string) (out [][2]time.Time) {
		for _, s := range list {
			a, b, err := config.ParseDays(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, [2]time.Time{a, b})
		}
		return out
	}
	o.desk = week(cfg.Desk.Hours)
	o.closed = days(cfg.Desk.Closed)
	for _, tc := range cfg.Technicians {
		ot := oracleTech{email: strings.ToLower(tc.Email), week: o.desk, absent: days(tc.Absences)}
		if tc.Hours != nil {
			ot.week = week(tc.Hours)
		}
		o.techs = append(o.techs, ot)
	}
	return o
}

// date is t's calendar date in Vienna as midnight UTC.
func date(t time.Time) time.Time {
	y, m, d := t.In(vienna).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func inDays(rs [][2]time.Time, d time.Time) bool {
	for _, r := range rs {
		if !d.Before(r[0]) && !d.After(r[1]) {
			return true
		}
	}
	return false
}

// inWeek: s lies on one date, inside one range of that weekday.
func inWeek(w [7][][2]int, s Slot) bool {
	a, b := s.Start.In(vienna), s.End.In(vienna)
	if !date(a).Equal(date(b)) && !(b.Hour() == 0 && b.Minute() == 0 && date(a).AddDate(0, 0, 1).Equal(date(b))) {
		return false
	}
	from, to := a.Hour()*60+a.Minute(), b.Hour()*60+b.Minute()
	if to == 0 {
		to = 24 * 60
	}
	for _, r := range w[a.Weekday()] {
		if from >= r[0] && to <= r[1] && a.Second() == 0 {
			return true
		}
	}
	return false
}

// deskOpen: inside the desk's hours on a day that is no holiday or closed day.
func (o *oracle) deskOpen(s Slot) bool {
	if act, obs, _ := o.hol.IsHoliday(s.Start.In(vienna)); act || obs {
		return false
	}
	return !inDays(o.closed, date(s.Start)) && inWeek(o.desk, s)
}

func (o *oracle) atWork(ti int, s Slot) bool {
	return !inDays(o.techs[ti].absent, date(s.Start)) && inWeek(o.techs[ti].week, s)
}

func (o *oracle) tech(email string) int {
	for i, t := range o.techs {
		if t.email == strings.ToLower(email) {
			return i
		}
	}
	return -1
}

// timing says what is wrong with s's time as seen at now, or "".
func (o *oracle) timing(s Slot, now time.Time) string {
	days := int(date(s.Start).Sub(date(now)).Hours() / 24)
	switch {
	case s.End.Sub(s.Start) != o.slot:
		return fmt.Sprintf("session of %s", s.End.Sub(s.Start))
	case !s.Start.After(now):
		return "in the past"
	case s.Start.Before(now.Add(o.cfg.Desk.MinNotice)):
		return "within min_notice"
	case !o.cfg.Desk.SameDay && days == 0:
		return "today with same_day false"
	case days > o.cfg.Desk.HorizonDays:
		return "beyond the horizon"
	case !o.deskOpen(s):
		return "outside opening hours or on a closed day/holiday"
	}
	return ""
}

// busy: technician ti has a session that, with the buffer after each,
// touches s.
func (o *oracle) busy(ti int, s Slot, booked []Booked) bool {
	for _, b := range booked {
		if o.tech(b.Technician) == ti && s.Start.Before(b.End.Add(o.buffer)) && b.Start.Before(s.End.Add(o.buffer)) {
			return true
		}
	}
	return false
}

// bookable says whether s could be booked at now, and if not, why.
func (o *oracle) bookable(s Slot, now time.Time, booked []Booked) string {
	if why := o.timing(s, now); why != "" {
		return why
	}
	for ti := range o.techs {
		if o.atWork(ti, s) && !o.busy(ti, s, booked) {
			return ""
		}
	}
	return "no technician free"
}

// grid is the desk's slots of a date, from the configuration alone.
func (o *oracle) grid(d time.Time) []Slot {
	var out []Slot
	step := o.cfg.Desk.SlotMinutes
	for _, r := range o.desk[d.Weekday()] {
		for m := r[0]; m+step <= r[1]; m += step {
			s := time.Date(d.Year(), d.Month(), d.Day(), m/60, m%60, 0, 0, vienna)
			out = append(out, Slot{s, s.Add(o.slot)})
		}
	}
	return out
}

// freeSlots counts the bookable grid slots up to the horizon, stopping at limit.
func (o *oracle) freeSlots(now time.Time, booked []Booked, limit int) int {
	n := 0
	for d := date(now); int(d.Sub(date(now)).Hours()/24) <= o.cfg.Desk.HorizonDays; d = d.AddDate(0, 0, 1) {
		for _, s := range o.grid(d) {
			if o.bookable(s, now, booked) == "" {
				if n++; n >= limit {
					return n
				}
			}
		}
	}
	return n
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// randomDays returns a day or a range of days near now, as config text.
func randomDays(r *rand.Rand, now time.Time, spread int) string {
	first := date(now).AddDate(0, 0, r.IntN(spread)-5)
	if r.IntN(2) == 0 {
		return first.Format(time.DateOnly)
	}
	return first.Format(time.DateOnly) + ".." + first.AddDate(0, 0, r.IntN(10)).Format(time.DateOnly)
}

func randomConfig(r *rand.Rand, now time.Time) *config.Config {
	cfg := config.Default()
	cfg.Desk.SlotMinutes = pick(r, 15, 20, 30, 30, 45, 60)
	cfg.Desk.BufferMinutes = pick(r, 0, 0, 5, 10, 15, 30)
	cfg.Desk.MinNotice = pick(r, 0, 30*time.Minute, 2*time.Hour, 2*time.Hour, 26*time.Hour)
	cfg.Desk.SameDay = r.IntN(3) > 0
	cfg.Desk.HorizonDays = pick(r, 1, 5, 14, 60, 60)
	cfg.Desk.Proposals = 1 + r.IntN(5)
	cfg.Desk.Holidays = pick(r, "AT", "AT", "DE", "none")
	if r.IntN(4) == 0 {
		cfg.Desk.Hours["sat"] = []string{"09:00-12:00"}
	}
	if r.IntN(6) == 0 {
		cfg.Desk.Hours["wed"] = []string{"08:00-18:00"}
	}
	for range r.IntN(4) {
		cfg.Desk.Closed = append(cfg.Desk.Closed, randomDays(r, now, 40))
	}
	for i := range 1 + r.IntN(3) {
		tc := config.Technician{Name: fmt.Sprint("T", i), Email: fmt.Sprintf("t%d@example.com", i)}
		if i == 1 {
			tc.Email = "T1@Example.com" // the store may keep any case
		}
		if r.IntN(3) == 0 {
			tc.Hours = map[string][]string{}
			for _, wd := range []string{"mon", "tue", "wed", "thu", "fri", "sat"} {
				if r.IntN(10) < 7 {
					from := 7*60 + 30*r.IntN(16)
					to := from + 60*(2+r.IntN(7))
					tc.Hours[wd] = []string{fmt.Sprintf("%02d:%02d-%02d:%02d", from/60, from%60, to/60, to%60)}
				}
			}
		}
		if r.IntN(3) == 0 {
			for range 1 + r.IntN(2) {
				tc.Absences = append(tc.Absences, randomDays(r, now, 30))
			}
		}
		cfg.Technicians = append(cfg.Technicians, tc)
	}
	return cfg
}

// randomWish draws a wish of any precision around now, sometimes odd.
func randomWish(r *rand.Rand, now time.Time, horizon int) understand.Wish {
	d := date(now).AddDate(0, 0, r.IntN(horizon+9)-3)
	at := func(day time.Time, m int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, vienna).Add(time.Duration(m) * time.Minute)
	}
	win := func(a, b time.Time, p understand.Precision) understand.Wish {
		return understand.Wish{Start: a, End: &b, Precision: p}
	}
	pod, whole := understand.PrecisionPartOfDay, understand.PrecisionDay
	switch r.IntN(12) {
	case 0, 1, 2, 3: // "um 10 Uhr", "14:30", "9:17"
		m := 6*60 + 30*r.IntN(28)
		if r.IntN(3) == 0 {
			m = 6*60 + r.IntN(14*60)
		}
		return understand.Wish{Start: at(d, m), Precision: understand.PrecisionMinute}
	case 4: // Vormittag, Nachmittag
		if r.IntN(2) == 0 {
			return win(at(d, pick(r, 8, 9)*60), at(d, 12*60), pod)
		}
		return win(at(d, pick(r, 12, 13)*60), at(d, pick(r, 17, 18)*60), pod)
	case 5: // ab 13 Uhr
		return win(at(d, 8*60+15*r.IntN(40)), at(d, 24*60), pod)
	case 6: // zwischen 10 und 14 Uhr
		a := 7*60 + 15*r.IntN(44)
		return win(at(d, a), at(d, a+15*(1+r.IntN(20))), pod)
	case 7: // am Donnerstag
		if r.IntN(5) == 0 {
			return understand.Wish{Start: at(d, 0), Precision: whole}
		}
		return win(at(d, 0), at(d, 24*60), whole)
	case 8: // nächste Woche, vom 3. bis 7.
		return win(at(d, 0), at(d.AddDate(0, 0, 2+r.IntN(13)), 0), whole)
	case 9: // a point just around now
		return understand.Wish{Start: now.Add(time.Duration(r.IntN(6*60)-60) * time.Minute).Truncate(time.Minute), Precision: understand.PrecisionMinute}
	case 10: // nonsense the extractor should not produce, but might
		switch r.IntN(4) {
		case 0:
			return win(at(d, 14*60), at(d, 10*60), pod)
		case 1:
			return understand.Wish{Start: at(d, 10*60), End: ptr(at(d, 10*60)), Precision: pod}
		case 2:
			return win(at(d.AddDate(70, 0, 0), 0), at(d.AddDate(75, 0, 0), 0), whole)
		default:
			return win(at(d.AddDate(-3, 0, 0), 0), at(d.AddDate(3, 0, 0), 0), whole)
		}
	default: // the grid exactly
		return understand.Wish{Start: at(d, 9*60+30*r.IntN(16)), Precision: understand.PrecisionMinute}
	}
}

func wishText(ws []understand.Wish) string {
	var out []string
	for _, w := range ws {
		s := w.Start.In(vienna).Format("2006-01-02 15:04")
		if w.End != nil {
			s += ".." + w.End.In(vienna).Format("2006-01-02 15:04")
		}
		out = append(out, s+" "+string(w.Precision))
	}
	return "[" + strings.Join(out, "; ") + "]"
}

func ptr[T any](v T) *T { return &v }

// fits reports whether s answers w: its exact time, or inside its window.
func fits(d *Desk, w understand.Wish, s Slot) bool {
	start, end, isWindow := d.window(w)
	if !isWindow {
		return s.Start.Equal(w.Start)
	}
	return !s.Start.Before(start) && !s.End.After(end)
}

// TestPropertyDecide: over random desks, times, bookings (made through
// Decide itself) and wishes, no booking or proposal ever breaks a rule.
func TestPropertyDecide(t *testing.T) {
	scenarios, steps := 400, 40
	if testing.Short() {
		scenarios = 60
	}
	stats := map[string]int{}
	for _, seed := range []uint64{1, 2, 3, 20261124, 42} {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for sc := range scenarios {
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, vienna).Add(time.Duration(r.Int64N(int64(729 * 24 * time.Hour))))
			if r.IntN(2) == 0 {
				start = start.Truncate(time.Minute)
			}
			cfg := randomConfig(r, start)
			d, err := New(cfg)
			if err != nil {
				t.Fatalf("seed %d scenario %d: %v", seed, sc, err)
			}
			o := newOracle(t, cfg)
			now := start
			where := func(step int) string {
				return fmt.Sprintf("seed %d scenario %d step %d (now %s, started %s, slot %dm, buffer %dm, notice %s, same_day %v, horizon %d, %d techs)",
					seed, sc, step, now.Format(time.RFC3339), start.Format(time.RFC3339), cfg.Desk.SlotMinutes, cfg.Desk.BufferMinutes, cfg.Desk.MinNotice,
					cfg.Desk.SameDay, cfg.Desk.HorizonDays, len(cfg.Technicians))
			}
			var booked []Booked
			for step := range steps {
				if r.IntN(3) == 0 {
					now = now.Add(time.Duration(r.IntN(180)) * time.Minute)
				}
				var wishes []understand.Wish
				for range pick(r, 0, 1, 1, 1, 2, 3) {
					wishes = append(wishes, randomWish(r, now, cfg.Desk.HorizonDays))
				}
				dec := d.Decide(now, wishes, booked)
				if dec.Book != nil {
					stats["booked"]++
					s := *dec.Book
					if why := o.timing(s, now); why != "" {
						t.Fatalf("%s: booked %s: %s", where(step), s.Start.In(vienna), why)
					}
					ti := o.tech(dec.Technician)
					if ti < 0 {
						t.Fatalf("%s: booked %s for unknown technician %q", where(step), s.Start.In(vienna), dec.Technician)
					}
					if !o.atWork(ti, s) {
						t.Fatalf("%s: booked %s for %s, who is not at work then", where(step), s.Start.In(vienna), dec.Technician)
					}
					if o.busy(ti, s, booked) {
						t.Fatalf("%s: booked %s double-books %s (buffer %dm)", where(step), s.Start.In(vienna), dec.Technician, cfg.Desk.BufferMinutes)
					}
					if dec.Why != WhyNone || len(dec.Proposals) != 0 {
						t.Fatalf("%s: a booking with why %q and %d proposals", where(step), dec.Why, len(dec.Proposals))
					}
					// It answers a wish, and no earlier wish for an exact,
					// bookable time was passed over.
					k := slices.IndexFunc(wishes, func(w understand.Wish) bool { return fits(d, w, s) })
					if k < 0 {
						t.Fatalf("%s: booked %s answers none of the wishes", where(step), s.Start.In(vienna))
					}
					for _, w := range wishes[:k] {
						if _, _, isWindow := d.window(w); !isWindow {
							if o.bookable(Slot{w.Start, w.Start.Add(o.slot)}, now, booked) == "" {
								t.Fatalf("%s: passed over bookable wish %s for %s", where(step), w.Start.In(vienna), s.Start.In(vienna))
							}
						}
					}
					booked = append(booked, Booked{Slot: s, Technician: dec.Technician})
					continue
				}
				stats["proposed"]++
				if dec.Why == WhyNone || dec.Technician != "" {
					t.Fatalf("%s: proposal without a reason: %+v", where(step), dec)
				}
				if dec.Why == WhyPickHour {
					// A day named without a time: that day's free times are
					// offered, and no earlier exact wish that
					// was free was passed over.
					k := slices.IndexFunc(wishes, func(w understand.Wish) bool { return wholeDay(w) && date(w.Start) == date(dec.Wish) })
					if k < 0 || !slices.ContainsFunc(dec.Proposals, func(p Slot) bool { return date(p.Start) == date(dec.Wish) }) {
						t.Fatalf("%s: pick_hour for %s offers %s, wishes %s", where(step), dec.Wish, wall(dec.Proposals), wishText(wishes))
					}
					for _, w := range wishes[:k] {
						if _, _, isWindow := d.window(w); !isWindow && o.bookable(Slot{w.Start, w.Start.Add(o.slot)}, now, booked) == "" {
							t.Fatalf("%s: passed over bookable wish %s for the day %s", where(step), w.Start.In(vienna), dec.Wish)
						}
					}
					stats["pick_hour"]++
				} else if len(wishes) == 0 && dec.Why != WhyNoTime || len(wishes) > 0 && !dec.Wish.Equal(wishes[0].Start) {
					t.Fatalf("%s: why %q for wish %s, wishes %v", where(step), dec.Why, dec.Wish, wishes)
				}
				// An exact first wish the oracle finds free must be booked.
				if len(wishes) > 0 {
					if _, _, isWindow := d.window(wishes[0]); !isWindow {
						if o.bookable(Slot{wishes[0].Start, wishes[0].Start.Add(o.slot)}, now, booked) == "" {
							t.Fatalf("%s: refused bookable %s (%s)", where(step), wishes[0].Start.In(vienna), dec.Why)
						}
					}
				}
				if len(dec.Proposals) > cfg.Desk.Proposals {
					t.Fatalf("%s: %d proposals, configured %d", where(step), len(dec.Proposals), cfg.Desk.Proposals)
				}
				for i, p := range dec.Proposals {
					if why := o.bookable(p, now, booked); why != "" {
						t.Fatalf("%s: proposal %s: %s", where(step), p.Start.In(vienna), why)
					}
					if i > 0 && !dec.Proposals[i-1].Start.Before(p.Start) {
						t.Fatalf("%s: proposals not sorted and distinct: %s", where(step), wall(dec.Proposals))
					}
					if !slices.ContainsFunc(o.grid(date(p.Start)), func(g Slot) bool { return g.Start.Equal(p.Start) }) {
						t.Fatalf("%s: proposal %s is off the grid", where(step), p.Start.In(vienna))
					}
				}
				if len(dec.Proposals) < cfg.Desk.Proposals {
					stats["short"]++
					if n := o.freeSlots(now, booked, cfg.Desk.Proposals); n != len(dec.Proposals) {
						t.Fatalf("%s: %d proposals (%s), but %d free slots; why %q, wishes %s", where(step), len(dec.Proposals), wall(dec.Proposals), n, dec.Why, wishText(wishes))
					}
				}
				// The first proposal, accepted, books.
				if len(dec.Proposals) > 0 && r.IntN(4) == 0 {
					p := dec.Proposals[0]
					again := d.Decide(now, []understand.Wish{{Start: p.Start, Precision: understand.PrecisionMinute}}, booked)
					if again.Book == nil || !again.Book.Start.Equal(p.Start) {
						t.Fatalf("%s: proposal %s cannot be booked: %+v", where(step), p.Start.In(vienna), again)
					}
					booked = append(booked, Booked{Slot: *again.Book, Technician: again.Technician})
					stats["accepted"]++
				}
			}
		}
	}
	t.Logf("decisions: %v", stats)
	if stats["booked"] < 1000 || stats["proposed"] < 1000 {
		t.Errorf("the random walk hardly books or proposes: %v", stats)
	}
}
