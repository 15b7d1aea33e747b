package calendar

import (
	"strings"
	"testing"
	"time"
)

func vcal(body ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + strings.Join(body, "\r\n") + "\r\nEND:VCALENDAR\r\n"
}

func vevent(lines ...string) string {
	return "BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT"
}

func TestParseBusy(t *testing.T) {
	ours := func(uid string) bool { return strings.HasSuffix(uid, "@mail.example.com") }
	for _, c := range []struct {
		name, ics string
		want      []Period
	}{
		{"UTC event", vcal(vevent("UID:a", "DTSTART:20261126T090000Z", "DTEND:20261126T100000Z")), []Period{{at(26, 10, 0), at(26, 11, 0)}}},
		{"zoned event with DURATION", vcal(vevent("UID:a", "DTSTART;TZID=Europe/Vienna:20261126T100000", "DURATION:PT45M")), []Period{{at(26, 10, 0), at(26, 10, 45)}}},
		{"floating time is desk time", vcal(vevent("UID:a", "DTSTART:20261126T100000", "DTEND:20261126T103000")), []Period{{at(26, 10, 0), at(26, 10, 30)}}},
		{"Outlook zone name read in desk time", vcal(vevent("UID:a", "DTSTART;TZID=W. Europe Standard Time:20261126T100000", "DTEND;TZID=W. Europe Standard Time:20261126T110000")),
			[]Period{{at(26, 10, 0), at(26, 11, 0)}}},
		{"all-day event is the whole day", vcal(vevent("UID:a", "DTSTART;VALUE=DATE:20261126", "DTEND;VALUE=DATE:20261127")), []Period{{at(26, 0, 0), at(27, 0, 0)}}},
		{"two-day absence", vcal(vevent("UID:a", "DTSTART;VALUE=DATE:20261126", "DTEND;VALUE=DATE:20261128")), []Period{{at(26, 0, 0), at(28, 0, 0)}}},
		{"cancelled", vcal(vevent("UID:a", "STATUS:CANCELLED", "DTSTART:20261126T090000Z", "DTEND:20261126T100000Z")), nil},
		{"transparent (free)", vcal(vevent("UID:a", "TRANSP:TRANSPARENT", "DTSTART:20261126T090000Z", "DTEND:20261126T100000Z")), nil},
		{"ours", vcal(vevent("UID:FW-1@mail.example.com", "DTSTART:20261126T090000Z", "DTEND:20261126T100000Z")), nil},
		{"outside the window", vcal(vevent("UID:a", "DTSTART:20261201T090000Z", "DTEND:20261201T100000Z")), nil},
		{"overlapping events merge", vcal(vevent("UID:a", "DTSTART:20261126T090000Z", "DTEND:20261126T100000Z"),
			vevent("UID:b", "DTSTART:20261126T093000Z", "DTEND:20261126T103000Z")), []Period{{at(26, 10, 0), at(26, 11, 30)}}},
		{"daily with a moved instance", vcal(
			vevent("UID:d", "DTSTART;TZID=Europe/Vienna:20261124T090000", "DTEND;TZID=Europe/Vienna:20261124T091500", "RRULE:FREQ=DAILY;COUNT=3"),
			vevent("UID:d", "RECURRENCE-ID;TZID=Europe/Vienna:20261125T090000", "DTSTART;TZID=Europe/Vienna:20261125T160000", "DTEND;TZID=Europe/Vienna:20261125T161500")),
			[]Period{{at(24, 9, 0), at(24, 9, 15)}, {at(25, 16, 0), at(25, 16, 15)}, {at(26, 9, 0), at(26, 9, 15)}}},
		{"across the DST change keeps wall time", vcal(
			vevent("UID:w", "DTSTART;TZID=Europe/Vienna:20261019T100000", "DTEND;TZID=Europe/Vienna:20261019T110000", "RRULE:FREQ=WEEKLY;COUNT=3")),
			nil}, // outside the window; see TestParseBusyDST
		{"VFREEBUSY", vcal("BEGIN:VFREEBUSY\r\nFREEBUSY;FBTYPE=BUSY:20261126T090000Z/20261126T100000Z,20261127T130000Z/PT30M\r\nFREEBUSY;FBTYPE=FREE:20261127T080000Z/20261127T090000Z\r\nEND:VFREEBUSY"),
			[]Period{{at(26, 10, 0), at(26, 11, 0)}, {at(27, 14, 0), at(27, 14, 30)}}},
		{"no DTSTART", vcal(vevent("UID:a", "DTEND:20261126T100000Z")), nil},
		{"bad RRULE counts once", vcal(vevent("UID:a", "DTSTART:20261126T090000Z", "DTEND:20261126T100000Z", "RRULE:FREQ=SOMETIMES")), []Period{{at(26, 10, 0), at(26, 11, 0)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseBusy([]byte(c.ics), vienna, at(23, 0, 0), at(30, 0, 0), ours)
			if err != nil {
				t.Fatal(err)
			}
			if !samePeriods(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseBusyDST(t *testing.T) {
	ics := vcal(vevent("UID:w", "DTSTART;TZID=Europe/Vienna:20261019T100000", "DTEND;TZID=Europe/Vienna:20261019T110000", "RRULE:FREQ=WEEKLY;COUNT=3"))
	from := time.Date(2026, 10, 26, 0, 0, 0, 0, vienna)
	got, err := ParseBusy([]byte(ics), vienna, from, from.AddDate(0, 0, 7), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 10, 26, 10, 0, 0, 0, vienna) // 10:00 CET after the change, not 09:00
	if len(got) != 1 || !got[0].Start.Equal(want) {
		t.Errorf("after the DST change %v, want one at %v", got, want)
	}
}

func TestParseBusyBoundsWork(t *testing.T) {
	ics := vcal(vevent("UID:m", "DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY"))
	start := time.Now()
	if _, err := ParseBusy([]byte(ics), vienna, at(23, 0, 0), at(30, 0, 0), nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a secondly rule took %v", d)
	}
}

func FuzzParseBusy(f *testing.F) {
	f.Add([]byte(dentist))
	f.Add([]byte(weekly))
	f.Add([]byte(vcal("BEGIN:VFREEBUSY\r\nFREEBUSY:20261126T090000Z/PT1H\r\nEND:VFREEBUSY")))
	f.Add([]byte(vcal(vevent("UID:a", "DTSTART;VALUE=DATE:20261126", "RRULE:FREQ=DAILY;UNTIL=20270101", "EXDATE;VALUE=DATE:20261127,20261128"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseBusy(data, vienna, at(23, 0, 0), at(30, 0, 0), nil)
		if err != nil {
			return
		}
		for i, p := range ps {
			if !p.End.After(p.Start) || p.Start.Before(at(23, 0, 0)) || p.End.After(at(30, 0, 0)) {
				t.Fatalf("period %d %v is empty or outside the window", i, p)
			}
			if i > 0 && !p.Start.After(ps[i-1].End) {
				t.Fatalf("periods %v not merged and sorted", ps)
			}
		}
	})
}

func FuzzParseSchedule(f *testing.F) {
	f.Add([]byte(`{"value":[{"scheduleId":"a@b","scheduleItems":[{"status":"busy","start":{"dateTime":"2026-11-26T09:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-11-26T10:00:00.0000000","timeZone":"UTC"}}]}]}`))
	f.Add([]byte(`{"value":[{"scheduleId":"a@b","error":{"message":"x","responseCode":"y"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseSchedule(data)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.End.After(p.Start) {
				t.Fatalf("empty period %v", p)
			}
		}
	})
}

func FuzzParseFreeBusy(f *testing.F) {
	f.Add([]byte(`{"calendars":{"c":{"busy":[{"start":"2026-11-26T09:00:00Z","end":"2026-11-26T10:00:00Z"}]}}}`))
	f.Add([]byte(`{"calendars":{"c":{"errors":[{"domain":"global","reason":"notFound"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseFreeBusy(data, "c")
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.End.After(p.Start) {
				t.Fatalf("empty period %v", p)
			}
		}
	})
}
