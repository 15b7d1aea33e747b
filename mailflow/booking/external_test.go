package booking

import (
	"testing"

	"github.com/mailflow/mailflow/mailflow/understand"
)

// TestExternalBusy: time busy in a technician's own calendar blocks them,
// whoever else is free takes the slot, and it counts as no session when
// the least loaded technician is chosen.
func TestExternalBusy(t *testing.T) {
	d := deskFrom(t, twoTechs)
	now := tm("2026-11-24 08:00")
	ext := func(from, to, tech string) Booked {
		return Booked{Slot: Slot{tm(from), tm(to)}, Technician: tech, External: true}
	}
	for _, c := range []struct {
		name, wish, want string
		booked           []Booked
	}{
		{"dentist blocks Anna, Ben takes it", "2026-11-26 10:00", "ben@example.com",
			[]Booked{ext("2026-11-26 10:00", "2026-11-26 11:00", "anna@example.com")}},
		{"both busy in their calendars", "2026-11-26 10:00", "",
			[]Booked{ext("2026-11-26 09:45", "2026-11-26 10:15", "anna@example.com"), ext("2026-11-26 00:00", "2026-11-27 00:00", "ben@example.com")}},
		{"busy elsewhere that day is no load", "2026-11-26 14:00", "anna@example.com",
			[]Booked{ext("2026-11-26 09:00", "2026-11-26 12:00", "anna@example.com"), ext("2026-11-26 13:00", "2026-11-26 13:30", "anna@example.com"),
				book("2026-11-26 09:00", "ben@example.com")}},
		{"busy time of somebody not configured takes no seat", "2026-11-26 10:00", "anna@example.com",
			[]Booked{ext("2026-11-26 10:00", "2026-11-26 11:00", "gone@example.com"), book("2026-11-26 10:00", "ben@example.com")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dec := d.Decide(now, []understand.Wish{minute(c.wish)}, c.booked)
			if c.want == "" {
				if dec.Book != nil || dec.Why != WhyTaken {
					t.Fatalf("%+v, want taken", dec)
				}
				for _, p := range dec.Proposals {
					if p.Start.Before(tm("2026-11-26 10:15")) && p.End.After(tm("2026-11-26 09:45")) {
						t.Errorf("proposed %v while both are busy", p)
					}
				}
				return
			}
			if dec.Book == nil || dec.Technician != c.want {
				t.Fatalf("%+v, want %s", dec, c.want)
			}
		})
	}
	free := d.FreeSlots(tm("2026-11-26 00:00"), tm("2026-11-26 00:00"), "anna@example.com",
		[]Booked{ext("2026-11-26 09:00", "2026-11-26 12:00", "anna@example.com")})
	for _, s := range free {
		if s.Start.Before(tm("2026-11-26 12:00")) {
			t.Errorf("free slot %v inside Anna's busy morning", s)
		}
	}
}

func TestAddExternal(t *testing.T) {
	d := deskFrom(t, twoTechs)
	s := func(from, to string) Slot { return Slot{tm(from), tm(to)} }
	for _, c := range []struct {
		name string
		busy Slot
		ours []Booked
		want []Slot
	}{
		{"plain", s("2026-11-26 10:00", "2026-11-26 11:00"), nil, []Slot{s("2026-11-26 10:00", "2026-11-26 11:00")}},
		{"our own session is cut out", s("2026-11-26 10:00", "2026-11-26 10:30"), []Booked{book("2026-11-26 10:00", "anna@example.com")}, nil},
		{"around our session", s("2026-11-26 09:30", "2026-11-26 11:00"), []Booked{book("2026-11-26 10:00", "anna@example.com")},
			[]Slot{s("2026-11-26 09:30", "2026-11-26 10:00"), s("2026-11-26 10:30", "2026-11-26 11:00")}},
		{"a colleague's session cuts nothing", s("2026-11-26 10:00", "2026-11-26 10:30"), []Booked{book("2026-11-26 10:00", "ben@example.com")},
			[]Slot{s("2026-11-26 10:00", "2026-11-26 10:30")}},
		{"three days away, one entry a day", s("2026-11-26 12:00", "2026-11-28 12:00"), nil,
			[]Slot{s("2026-11-26 12:00", "2026-11-27 00:00"), s("2026-11-27 00:00", "2026-11-28 00:00"), s("2026-11-28 00:00", "2026-11-28 12:00")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := d.AddExternal(nil, c.ours, map[string][]Slot{"anna@example.com": {c.busy}})
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i, b := range got {
				if !b.External || b.Technician != "anna@example.com" || !b.Start.Equal(c.want[i].Start) || !b.End.Equal(c.want[i].End) {
					t.Errorf("entry %d: %+v, want %v", i, b, c.want[i])
				}
			}
		})
	}
}
