package booking

import "testing"

func TestHoursAndWorkingDay(t *testing.T) {
	d := deskFrom(t, `desk: {closed: ["2026-12-24"]}
technicians:
  - {name: Anna, email: anna@example.com, absences: ["2026-11-27"]}
  - {name: Ben, email: Ben@Example.com, hours: {mon: ["09:00-12:00"]}}
`)
	cases := []struct {
		day         string
		hours       string // first start and last end, "" when closed
		anybody     bool
		anna, ben   bool
		description string
	}{
		{"2026-11-26 00:00", "09:00-17:00", true, true, false, "Thursday: Ben works Mondays only"},
		{"2026-11-27 12:00", "09:00-15:00", false, false, false, "Friday: Anna off, Ben not on Fridays"},
		{"2026-11-30 23:59", "09:00-17:00", true, true, true, "Monday"},
		{"2026-11-28 10:00", "", false, false, false, "Saturday"},
		{"2026-12-08 10:00", "", false, false, false, "a public holiday"},
		{"2026-12-24 10:00", "", false, false, false, "a closed day"},
	}
	for _, c := range cases {
		day := tm(c.day)
		hours := d.Hours(day)
		got := ""
		if len(hours) > 0 {
			got = hours[0].Start.In(vienna).Format("15:04") + "-" + hours[len(hours)-1].End.In(vienna).Format("15:04")
		}
		if got != c.hours {
			t.Errorf("%s: hours %q, want %q", c.description, got, c.hours)
		}
		if d.WorkingDay(day, "") != c.anybody || d.WorkingDay(day, "anna@example.com") != c.anna || d.WorkingDay(day, "BEN@example.com") != c.ben {
			t.Errorf("%s: working day anybody/anna/ben = %v/%v/%v, want %v/%v/%v", c.description,
				d.WorkingDay(day, ""), d.WorkingDay(day, "anna@example.com"), d.WorkingDay(day, "ben@example.com"), c.anybody, c.anna, c.ben)
		}
	}
	if d.WorkingDay(tm("2026-11-30 10:00"), "stranger@example.com") {
		t.Error("a stranger works")
	}
}

func TestFreeSlots(t *testing.T) {
	d := deskFrom(t, twoTechs+"desk: {buffer_minutes: 15}\n")
	day := tm("2026-11-26 00:00")
	booked := []Booked{book("2026-11-26 09:00", "anna@example.com"), book("2026-11-26 09:00", "ben@example.com"),
		book("2026-11-26 14:00", "anna@example.com")}
	// Anna: 09:00 taken, 09:30 blocked by the buffer after it; 13:30 by
	// the buffer before 14:00, 14:00 taken, 14:30 by the buffer after it.
	if got, want := wall(d.FreeSlots(day, day, "anna@example.com", booked)),
		"2026-11-26 10:00, 2026-11-26 10:30, 2026-11-26 11:00, 2026-11-26 11:30, 2026-11-26 13:00, "+
			"2026-11-26 15:00, 2026-11-26 15:30, 2026-11-26 16:00, 2026-11-26 16:30"; got != want {
		t.Errorf("Anna free:\n got %s\nwant %s", got, want)
	}
	// The desk: free where anybody is; from 15:10 on only what is left.
	if got, want := wall(d.FreeSlots(day, tm("2026-11-26 15:10"), "", booked)), "2026-11-26 15:30, 2026-11-26 16:00, 2026-11-26 16:30"; got != want {
		t.Errorf("desk free after 15:10: %s, want %s", got, want)
	}
	if n := len(d.FreeSlots(day, day, "", booked)); n != 12 {
		t.Errorf("desk free all day: %d slots, want 12 (all but 09:00 and 09:30)", n)
	}
	if got := d.FreeSlots(tm("2026-11-28 00:00"), tm("2026-11-28 00:00"), "", nil); got != nil {
		t.Errorf("free slots on a Saturday: %s", wall(got))
	}
	if got := d.FreeSlots(day, day, "stranger@example.com", nil); got != nil {
		t.Errorf("free slots of a stranger: %s", wall(got))
	}
}
