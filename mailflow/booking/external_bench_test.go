package booking

import "testing"

// BenchmarkDecideWithCalendars is BenchmarkDecide with every technician's
// own calendar full of meetings: two a working day for the horizon, plus a
// week away each, merged in with AddExternal as the desk does per decision.
func BenchmarkDecideWithCalendars(b *testing.B) {
	d, now, booked, mix := busyDesk(b)
	busy := map[string][]Slot{}
	for i, tech := range []string{"anna@example.com", "ben@example.com", "cleo@example.com"} {
		for day := 0; day < 62; day++ {
			at := now.AddDate(0, 0, day)
			busy[tech] = append(busy[tech],
				Slot{d.at(at, 9*60+30*(i%3)), d.at(at, 10*60+30*(i%3))},
				Slot{d.at(at, 14*60), d.at(at, 14*60+45)})
		}
		away := now.AddDate(0, 0, 10+7*i)
		busy[tech] = append(busy[tech], Slot{d.at(away, 0), d.at(away.AddDate(0, 0, 5), 0)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		all := d.AddExternal(append([]Booked(nil), booked...), booked, busy)
		d.Decide(now, mix[i%len(mix)], all)
		i++
	}
}
