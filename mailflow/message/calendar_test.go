package message

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestCalendarAnswer(t *testing.T) {
	ics := func(method, partstat string) string {
		s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:" + method + "\r\nBEGIN:VEVENT\r\n" +
			"UID:FW-1042@example.com\r\nDTSTAMP:20261124T091500Z\r\nDTSTART;TZID=Europe/Vienna:20261127T090000\r\n"
		if partstat != "" {
			s += "ATTENDEE;CN=Maria;PARTSTAT=" + partstat + ":mailto:maria@kunde.at\r\n"
		}
		return s + "END:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	head := "From: maria@kunde.at\r\nTo: support@example.com\r\nSubject: Accepted: Ihr Fernwartungstermin\r\n" +
		"Date: Tue, 24 Nov 2026 09:30:00 +0100\r\nMessage-ID: <c@kunde.at>\r\nMIME-Version: 1.0\r\n"
	alt := func(calHeader, cal string) string {
		return head + "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nMaria accepted.\r\n" +
			"--b\r\n" + calHeader + "\r\n\r\n" + cal + "\r\n--b--\r\n"
	}
	vienna, _ := time.LoadLocation("Europe/Vienna")
	cases := []struct {
		name             string
		raw              string
		method, partstat string // "" method: no answer expected
	}{
		{"Outlook accept after the plain part", alt("Content-Type: text/calendar; method=REPLY; charset=utf-8", ics("REPLY", "ACCEPTED")), "REPLY", "ACCEPTED"},
		{"base64 decline", alt("Content-Type: text/calendar; method=REPLY\r\nContent-Transfer-Encoding: base64",
			base64.StdEncoding.EncodeToString([]byte(ics("REPLY", "DECLINED")))), "REPLY", "DECLINED"},
		{"attached counter-proposal", head + "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nNew time?\r\n" +
			"--m\r\nContent-Type: application/ics; name=invite.ics\r\nContent-Disposition: attachment; filename=invite.ics\r\n\r\n" + ics("COUNTER", "") + "\r\n--m--\r\n", "COUNTER", ""},
		{"an invitation is no answer", alt("Content-Type: text/calendar; method=REQUEST", ics("REQUEST", "NEEDS-ACTION")), "", ""},
		{"broken calendar is a defect, not an error", alt("Content-Type: text/calendar", "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nnonsense"), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if c.method == "" {
				if m.Calendar != nil {
					t.Fatalf("answer %+v, want none", m.Calendar)
				}
				return
			}
			a := m.Calendar
			if a == nil || a.Method != c.method || a.PartStat != c.partstat || a.UID != "FW-1042@example.com" ||
				!a.Start.Equal(time.Date(2026, 11, 27, 9, 0, 0, 0, vienna)) {
				t.Fatalf("answer %+v, want %s %s at 27.11. 09:00", a, c.method, c.partstat)
			}
			if m.Text == "" {
				t.Error("the plain text was lost")
			}
		})
	}
}
