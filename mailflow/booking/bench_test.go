package booking

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/understand"
)

// busyDesk is three technicians with about 500 sessions over the next
// 60 days, booked through Decide, and a mix of wishes to decide on.
func busyDesk(b *testing.B) (*Desk, time.Time, []Booked, [][]understand.Wish) {
	d := deskFrom(b, `desk: {buffer_minutes: 10, closed: ["2026-12-24", "2026-12-31"]}
technicians:
  - {name: Anna, email: anna@example.com}
  - {name: Ben, email: ben@example.com, absences: ["2026-12-14..2026-12-18"]}
  - {name: Cleo, email: cleo@example.com, hours: {mon: ["09:00-12:00"], tue: ["13:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-12:00"]}}
`)
	now := tm("2026-11-23 08:00")
	r := rand.New(rand.NewPCG(7, 7))
	var booked []Booked
	for len(booked) < 500 {
		day := now.AddDate(0, 0, r.IntN(60))
		w := understand.Wish{Start: d.at(day, 9*60+30*r.IntN(16)), Precision: understand.PrecisionMinute}
		if dec := d.Decide(now, []understand.Wish{w}, booked); dec.Book != nil {
			booked = append(booked, Booked{Slot: *dec.Book, Technician: dec.Technician})
		}
	}
	// The store hands bookings over sorted by start.
	sortBooked(booked)
	var mix [][]understand.Wish
	for i := range 64 {
		day := now.AddDate(0, 0, 1+r.IntN(50))
		switch i % 4 {
		case 0: // an exact time, often taken
			mix = append(mix, []understand.Wish{{Start: d.at(day, 9*60+30*r.IntN(16)), Precision: understand.PrecisionMinute}})
		case 1: // a morning
			e := d.at(day, 12*60)
			mix = append(mix, []understand.Wish{{Start: d.at(day, 8*60), End: &e, Precision: understand.PrecisionPartOfDay}})
		case 2: // a holiday or weekend: proposals
			mix = append(mix, []understand.Wish{{Start: tm("2026-12-08 10:00"), Precision: understand.PrecisionMinute}})
		default: // no time at all
			mix = append(mix, nil)
		}
	}
	return d, now, booked, mix
}

func sortBooked(bs []Booked) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Start.Before(bs[j-1].Start); j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	d, now, booked, mix := busyDesk(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Decide(now, mix[i%len(mix)], booked)
		i++
	}
}
