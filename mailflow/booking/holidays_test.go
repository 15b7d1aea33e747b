package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// austria lists every Austrian public holiday of 2026 and 2027 by date,
// written out by hand (Easter Sunday: 5 April 2026, 28 March 2027) so the
// test does not trust the library it checks.
var austria = []struct{ date, name string }{
	{"2026-01-01", "Neujahrstag"},
	{"2026-01-06", "Heilige Drei Könige"},
	{"2026-04-06", "Ostermontag"},
	{"2026-05-01", "Tag der Arbeit"},
	{"2026-05-14", "Christi Himmelfahrt"},
	{"2026-05-25", "Pfingstmontag"},
	{"2026-06-04", "Fronleichnam"},
	{"2026-08-15", "Mariä Himmelfahrt"},
	{"2026-10-26", "Nationalfeiertag"},
	{"2026-11-01", "Allerheiligen"},
	{"2026-12-08", "Mariä Empfängnis"},
	{"2026-12-25", "Christtag"},
	{"2026-12-26", "Stefanitag"},
	{"2027-01-01", "Neujahrstag"},
	{"2027-01-06", "Heilige Drei Könige"},
	{"2027-03-29", "Ostermontag"},
	{"2027-05-01", "Tag der Arbeit"},
	{"2027-05-06", "Christi Himmelfahrt"},
	{"2027-05-17", "Pfingstmontag"},
	{"2027-05-27", "Fronleichnam"},
	{"2027-08-15", "Mariä Himmelfahrt"},
	{"2027-10-26", "Nationalfeiertag"},
	{"2027-11-01", "Allerheiligen"},
	{"2027-12-08", "Mariä Empfängnis"},
	{"2027-12-25", "Christtag"},
	{"2027-12-26", "Stefanitag"},
}

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, vienna)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAustrianHolidays(t *testing.T) {
	d := testDesk(t)
	want := map[string]string{}
	for _, h := range austria {
		want[h.date] = h.name
	}
	for _, h := range austria {
		t.Run(h.date+" "+h.name, func(t *testing.T) {
			date := day(h.date)
			if name, ok := d.Holiday(date.Add(15 * time.Hour)); !ok || name != h.name {
				t.Errorf("Holiday = %q, %v; want %q", name, ok, h.name)
			}
			if s := d.DaySlots(date); len(s) != 0 {
				t.Errorf("%d slots on a holiday", len(s))
			}
			ten := date.Add(10 * time.Hour)
			if d.Open(Slot{ten, ten.Add(30 * time.Minute)}) {
				t.Error("open at 10:00")
			}
			// Asked three weeks ahead, the wish is refused with the name.
			now := date.AddDate(0, 0, -21)
			dec := d.Decide(now, []understand.Wish{{Start: ten, Precision: understand.PrecisionMinute}}, nil)
			if dec.Book != nil || dec.Why != WhyHoliday || dec.WhyDetail != h.name {
				t.Errorf("Decide: book %v why %q %q", dec.Book, dec.Why, dec.WhyDetail)
			}
			for _, p := range dec.Proposals {
				if d.key(p.Start) == d.key(date) {
					t.Errorf("proposal %s on the holiday", p.Start)
				}
			}
			// The neighbours are open when they are working days.
			for _, n := range []time.Time{date.AddDate(0, 0, -1), date.AddDate(0, 0, 1)} {
				wd := n.Weekday()
				if wd == time.Saturday || wd == time.Sunday || want[n.Format(time.DateOnly)] != "" {
					continue
				}
				nine := n.Add(9 * time.Hour)
				if !d.Open(Slot{nine, nine.Add(30 * time.Minute)}) || len(d.DaySlots(n)) == 0 {
					t.Errorf("working day %s %s next to it is closed", wd, n.Format(time.DateOnly))
				}
				if _, ok := d.Holiday(n); ok {
					t.Errorf("%s is a holiday too", n.Format(time.DateOnly))
				}
			}
		})
	}
	// And no other day of the two years is a holiday.
	for x := day("2026-01-01"); x.Year() < 2028; x = x.AddDate(0, 0, 1) {
		name, ok := d.Holiday(x)
		if w := want[x.Format(time.DateOnly)]; ok != (w != "") {
			t.Errorf("%s: holiday %q %v, want %q", x.Format(time.DateOnly), name, ok, w)
		}
	}
}

func TestHolidayCountries(t *testing.T) {
	goodFriday := day("2026-04-03")
	if _, ok := testDesk(t).Holiday(goodFriday); ok {
		t.Error("Karfreitag is no public holiday in Austria")
	}
	if name, ok := deskFrom(t, "desk: {holidays: DE}\n").Holiday(goodFriday); !ok || name != "Karfreitag" {
		t.Errorf("DE: %q %v, want Karfreitag", name, ok)
	}
	none := deskFrom(t, "desk: {holidays: none}\n")
	if _, ok := none.Holiday(day("2026-12-08")); ok {
		t.Error("holidays: none still has holidays")
	}
	if len(none.DaySlots(day("2026-12-08"))) != 14 {
		t.Error("holidays: none closes 8 December")
	}
}

// TestAustrianLandPatronDays checks desk.holidays: AT-n for every Land: its
// patron's day (written out here by hand, not read from regions.go) is
// closed on top of the national holidays, the other Länder's days stay open,
// and plain AT closes none of them.
func TestAustrianLandPatronDays(t *testing.T) {
	patron := map[string]string{ // Land → month-day of its Landespatron
		"AT-1": "11-11", // Burgenland, hl. Martin
		"AT-2": "03-19", // Kärnten, hl. Josef
		"AT-3": "11-15", // Niederösterreich, hl. Leopold
		"AT-4": "05-04", // Oberösterreich, hl. Florian
		"AT-5": "09-24", // Salzburg, hl. Rupert
		"AT-6": "03-19", // Steiermark, hl. Josef
		"AT-7": "03-19", // Tirol, hl. Josef
		"AT-8": "03-19", // Vorarlberg, hl. Josef
		"AT-9": "11-15", // Wien, hl. Leopold
	}
	all := map[string]bool{"03-19": true, "05-04": true, "09-24": true, "11-11": true, "11-15": true}
	national := map[string]bool{}
	for _, h := range austria {
		national[h.date] = true
	}
	for _, year := range []string{"2026", "2027"} {
		t.Run("AT "+year, func(t *testing.T) {
			d := deskFrom(t, "desk: {holidays: AT}\n")
			for md := range all {
				if name, ok := d.Holiday(day(year + "-" + md)); ok {
					t.Errorf("plain AT closes %s-%s (%s)", year, md, name)
				}
			}
		})
		for code, md := range patron {
			t.Run(code+" "+year, func(t *testing.T) {
				d := deskFrom(t, "desk: {holidays: "+code+"}\n")
				own := day(year + "-" + md)
				name, ok := d.Holiday(own)
				if !ok || !strings.Contains(name, "Landespatron") {
					t.Errorf("%s: %s is %q %v, want the patron's day", code, own.Format(time.DateOnly), name, ok)
				}
				if own.Weekday() != time.Saturday && own.Weekday() != time.Sunday && len(d.DaySlots(own)) != 0 {
					t.Errorf("%s: slots offered on the patron's day %s", code, own.Format(time.DateOnly))
				}
				for other := range all {
					if other == md {
						continue
					}
					if name, ok := d.Holiday(day(year + "-" + other)); ok {
						t.Errorf("%s closes %s-%s (%s), another Land's day", code, year, other, name)
					}
				}
				for date := range national {
					if _, ok := d.Holiday(day(date)); !ok {
						t.Errorf("%s lost the national holiday %s", code, date)
					}
				}
			})
		}
	}
}

func TestHolidayCodeRefused(t *testing.T) {
	for _, code := range []string{"AT-0", "AT-10", "AT9", "DE-BY", "CH"} {
		t.Run(code, func(t *testing.T) {
			_, err := config.Parse("test.yaml", []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: a@example.com}]\ndesk: {holidays: "+code+"}\n"))
			if err == nil || !strings.Contains(err.Error(), "desk.holidays") {
				t.Errorf("holidays %q: err %v, want one naming desk.holidays", code, err)
			}
		})
	}
}
