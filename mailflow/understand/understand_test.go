package understand

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/message"
)

func vienna(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatalf("load Europe/Vienna: %v", err)
	}
	return loc
}

// refNow is a Tuesday morning at the desk: 2026-11-24 09:12 Europe/Vienna.
func refNow(t testing.TB) time.Time {
	return time.Date(2026, 11, 24, 9, 12, 0, 0, vienna(t))
}

// fmtWish renders a wish compactly: "2026-11-26 10:00 minute" or
// "2026-11-26 09:00-12:00 part_of_day" or "2026-11-26..2026-11-27 day".
func fmtWish(w Wish) string {
	s := w.Start.Format("2006-01-02 15:04")
	if w.End != nil {
		if w.Precision == PrecisionDay {
			s = w.Start.Format("2006-01-02") + ".." + w.End.Format("2006-01-02")
		} else if w.End.YearDay() == w.Start.YearDay() {
			s += "-" + w.End.Format("15:04")
		} else {
			s += "-" + w.End.Format("2006-01-02 15:04")
		}
	}
	return s + " " + string(w.Precision)
}

func fmtWishes(ws []Wish) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmtWish(w)
	}
	return strings.Join(parts, " | ")
}

func TestTimesGerman(t *testing.T) {
	now := refNow(t) // Tue 2026-11-24 09:12
	tests := []struct{ text, want string }{
		// Issue 2 minimum.
		{"Hätten Sie am Donnerstag um 10 Uhr Zeit für eine Fernwartung?", "2026-11-26 10:00 minute"},
		{"am 26.11.2026 um 10:00", "2026-11-26 10:00 minute"},
		{"26.11. 14 Uhr", "2026-11-26 14:00 minute"},
		{"Donnerstag um 10 Uhr", "2026-11-26 10:00 minute"},
		// Numeric dates.
		{"am 3.12.", "2026-12-03..2026-12-04 day"},
		{"am 03.12.2026", "2026-12-03..2026-12-04 day"},
		{"am 3.12.26", "2026-12-03..2026-12-04 day"},
		{"am 26.11 bitte", "2026-11-26..2026-11-27 day"},
		{"2026-12-01 um 9:30", "2026-12-01 09:30 minute"},
		// Month names, Austrian ones and abbreviations.
		{"am 3. Dezember um 10", "2026-12-03 10:00 minute"},
		{"am 12. Jänner", "2027-01-12..2027-01-13 day"},
		{"am 2. Feber 2027", "2027-02-02..2027-02-03 day"},
		{"am 4. Dez. um 14 Uhr", "2026-12-04 14:00 minute"},
		// Weekdays and their abbreviations.
		{"Mo. 10 Uhr", "2026-11-30 10:00 minute"},
		{"Do, 26.11. um 9", "2026-11-26 09:00 minute"},
		{"Do 10 Uhr", "2026-11-26 10:00 minute"},
		{"Dienstag", "2026-12-01..2026-12-02 day"}, // today's weekday means next week's
		{"Freitag, den 27.11.2026", "2026-11-27..2026-11-28 day"},
		// Relative days and weeks.
		{"heute um 15 Uhr", "2026-11-24 15:00 minute"},
		{"morgen um 11", "2026-11-25 11:00 minute"},
		{"übermorgen Vormittag", "2026-11-26 09:00-12:00 part_of_day"},
		{"nächste Woche Mittwoch um 10", "2026-12-02 10:00 minute"},
		{"Mittwoch nächste Woche", "2026-12-02..2026-12-03 day"},
		{"in zwei Wochen am Dienstag", "2026-12-08..2026-12-09 day"},
		{"KW 49", "2026-11-30..2026-12-05 day"},
		{"in der KW 2", "2027-01-11..2027-01-16 day"}, // ISO: week 1 of 2027 starts 4 January
		{"nächste Woche", "2026-11-30..2026-12-05 day"},
		{"Anfang nächster Woche", "2026-11-30..2026-12-03 day"},
		// Clock times.
		{"Mittwoch 10:30", "2026-11-25 10:30 minute"},
		{"Mittwoch 10.30 Uhr", "2026-11-25 10:30 minute"},
		{"Mittwoch 13h", "2026-11-25 13:00 minute"},
		{"Mittwoch 14 Uhr 30", "2026-11-25 14:30 minute"},
		{"Mittwoch halb 10", "2026-11-25 09:30 minute"},
		{"Mittwoch viertel nach zehn", "2026-11-25 10:15 minute"},
		{"Mittwoch viertel 11", "2026-11-25 10:15 minute"},
		{"Mittwoch dreiviertel 11", "2026-11-25 10:45 minute"},
		{"Mittwoch viertel vor 11", "2026-11-25 10:45 minute"},
		{"Mittwoch um 3", "2026-11-25 15:00 minute"},
		{"morgen 9 Uhr morgens", "2026-11-25 09:00 minute"},
		{"Mittwoch gegen 10", "2026-11-25 10:00 minute"},
		{"Mittwoch so um 10", "2026-11-25 10:00 minute"},
		{"Mittwoch ca. 14 Uhr", "2026-11-25 14:00 minute"},
		{"Mittwoch 10 nach 3", "2026-11-25 15:10 minute"},
		// Parts of the day.
		{"Donnerstag Vormittag", "2026-11-26 09:00-12:00 part_of_day"},
		{"Donnerstag Nachmittag", "2026-11-26 13:00-17:00 part_of_day"},
		{"Donnerstag früh", "2026-11-26 08:00-12:00 part_of_day"},
		{"morgen früh", "2026-11-25 08:00-12:00 part_of_day"},
		{"Donnerstag zu Mittag", "2026-11-26 12:00-14:00 part_of_day"},
		{"am Nachmittag", "2026-11-24 13:00-17:00 part_of_day"},
		// Ranges.
		{"Donnerstag zwischen 13 und 15 Uhr", "2026-11-26 13:00-15:00 part_of_day"},
		{"Donnerstag 13-14 Uhr", "2026-11-26 13:00-14:00 part_of_day"},
		{"Donnerstag ab 13 Uhr", "2026-11-26 13:00-2026-11-27 00:00 part_of_day"},
		{"Donnerstag 13:00–14:00", "2026-11-26 13:00-14:00 part_of_day"},
		{"Donnerstag von 9 bis 11 Uhr", "2026-11-26 09:00-11:00 part_of_day"},
		{"Donnerstag nicht vor 10 Uhr", "2026-11-26 10:00-2026-11-27 00:00 part_of_day"},
		// Negation.
		{"Montag geht leider nicht, aber Dienstag um 10 wäre gut.", "2026-12-01 10:00 minute"},
		{"nicht am Montag, lieber am Mittwoch um 9", "2026-11-25 09:00 minute"},
		{"Am Montag habe ich keine Zeit. Mittwoch 14 Uhr?", "2026-11-25 14:00 minute"},
		{"Am Montag, den 30.11., um 10 Uhr geht es nicht, um 14 Uhr aber schon.", "2026-11-30 14:00 minute"},
		{"Hätten Sie nicht am Montag um 10 Zeit?", "2026-11-30 10:00 minute"},
		// Several wishes, in the customer's order.
		{"Donnerstag um 10 oder Freitag um 14 Uhr", "2026-11-26 10:00 minute | 2026-11-27 14:00 minute"},
		{"am 1.12. um 9 Uhr, alternativ am 2.12. ab 13 Uhr",
			"2026-12-01 09:00 minute | 2026-12-02 13:00-2026-12-03 00:00 part_of_day"},
		// Zones.
		{"Donnerstag 16 Uhr CET", "2026-11-26 16:00 minute"},
		{"Donnerstag 15:00 GMT", "2026-11-26 16:00 minute"},
		// Traps: greetings, versions, amounts, durations, ASAP.
		{"Guten Morgen, wir haben ein Problem.", ""},
		{"Wir haben Version 5.10 installiert.", ""},
		{"Die Schulung dauert 2 Stunden und kostet 12.50 Euro.", ""},
		{"Bitte so früh wie möglich.", ""},
		{"Das sehe ich so. Danke!", ""},
	}
	for _, tc := range tests {
		got := fmtWishes(Times(tc.text, "de", now))
		if got != tc.want {
			t.Errorf("Times(%q)\n got  %s\n want %s", tc.text, got, tc.want)
		}
	}
}

func TestTimesEnglish(t *testing.T) {
	now := refNow(t) // Tue 2026-11-24 09:12
	tests := []struct{ text, want string }{
		{"Thursday 2pm", "2026-11-26 14:00 minute"},
		{"Thursday at 2pm", "2026-11-26 14:00 minute"},
		{"tomorrow morning around 9", "2026-11-25 09:00 minute"},
		{"next Monday 10am", "2026-11-30 10:00 minute"},
		{"December 1st at 1:30 pm", "2026-12-01 13:30 minute"},
		{"3 December at 10:00", "2026-12-03 10:00 minute"},
		{"Wednesday 25th at 11", "2026-11-25 11:00 minute"},
		{"this Friday from 1pm", "2026-11-27 13:00-2026-11-28 00:00 part_of_day"},
		{"Thursday 14:00 CET", "2026-11-26 14:00 minute"},
		{"Thursday between 1 and 3 pm", "2026-11-26 13:00-15:00 part_of_day"},
		{"Thursday afternoon", "2026-11-26 13:00-17:00 part_of_day"},
		{"Thu 10:30", "2026-11-26 10:30 minute"},
		{"on 12/3/2026 at 9am", "2026-12-03 09:00 minute"},
		{"Monday doesn't work, but Tuesday at 10 would", "2026-12-01 10:00 minute"},
		{"not on Monday, rather Wednesday at 9", "2026-11-25 09:00 minute"},
		{"Do you have time?", ""},
		{"I sat down and may call you.", ""},
	}
	for _, tc := range tests {
		got := fmtWishes(Times(tc.text, "en", now))
		if got != tc.want {
			t.Errorf("Times(%q)\n got  %s\n want %s", tc.text, got, tc.want)
		}
	}
}

func TestYearRollOver(t *testing.T) {
	now := time.Date(2026, 12, 31, 10, 0, 0, 0, vienna(t))
	got := fmtWishes(Times("Geht es am 5.1. um 10 Uhr?", "de", now))
	if want := "2027-01-05 10:00 minute"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	got = fmtWishes(Times("Montag, 4. Jänner", "de", now))
	if want := "2027-01-04..2027-01-05 day"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAnyDeskID(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Meine AnyDesk-ID: 123456789", "123456789"},
		{"ID 123 456 789", "123456789"},
		{"hier die Nummer: 123-456-789, bitte", "123456789"},
		{"123 456 789", "123456789"},
		{"Tel. 123456789", ""},
		{"Telefon: 123 456 789", ""},
		{"Mobil 664 123 456", ""},
		{"+43 664 123 456 789", ""},
		{"Fax: +43 732 123456", ""},
		{"0732 / 123 456 789", ""},
		{"IBAN AT61 1904 3002 3457 3201", ""},
		{"UID ATU12345678", ""},
		{"Firmenbuch FN 123456789", ""},
		{"Rechnung Nr. 123456789", ""},
		{"RE-123456789", ""},
		{"Auftrag 123456789", ""},
		{"Bestellung 123 456 789", ""},
		{"Kundennummer: 123456789", ""},
		{"Kd.-Nr. 123456789", ""},
		{"Kunden-ID 123456789", ""},
		{"Betrag 123456789,50", ""},
		{"1234567890", ""},
		{"12345678", ""},
		{"am 26.11.2026", ""},
		{"Tel 0732 123456, AnyDesk 987 654 321", "987654321"},
		{"Kundennummer 123456789\nAnyDesk: 987654321", "987654321"},
		{"Telefon:\n123 456 789", ""},
		{"AnyDesk:\n987 654 321", "987654321"},
		// A correction takes the first ID back, right after it or after a
		// long sentence; without one the first ID named as one stands.
		{"AnyDesk-ID: 123 456 789 -- Verzeihung, richtig ist 123 456 780.", "123456780"},
		{"AnyDesk-ID: 123 456 789. Sorry, I mean the other PC in the back office where the printer stands: 987 654 321", "987654321"},
		{"AnyDesk-ID: 123 456 789, unsere alte war 987 654 321.", "123456789"},
	}
	for _, tc := range tests {
		if got := findAnyDeskID(tc.text); got != tc.want {
			t.Errorf("findAnyDeskID(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestRead(t *testing.T) {
	now := refNow(t)
	tests := []struct {
		name string
		msg  message.Message
		// want: language intent first-requested id choice reason
		want string
	}{
		{"request de", message.Message{Subject: "Fernwartung", Text: "Hätten Sie am Donnerstag um 10 Uhr Zeit für eine Fernwartung? Es geht um eine Schulung."},
			"de appointment_request 2026-11-26 10:00 minute - 0 Schulung"},
		{"request en", message.Message{Subject: "Remote session", Text: "Hello, could we do a remote session on Thursday at 2pm? We get an error when printing."},
			"en appointment_request 2026-11-26 14:00 minute - 0 error"},
		{"request without time", message.Message{Subject: "Termin", Text: "Ich bräuchte einen Termin für ein Update."},
			"de appointment_request none - 0 Update"},
		{"subject only", message.Message{Subject: "Fernwartung am 26.11. 14 Uhr", Text: ""},
			"de appointment_request 2026-11-26 14:00 minute - 0 "},
		{"reply subject ignored when body has a time", message.Message{Subject: "AW: Ihr Termin am 30.11. um 10:00", Text: "Lieber am 1.12. um 9 Uhr."},
			"de appointment_request 2026-12-01 09:00 minute - 0 "},
		{"anydesk id", message.Message{Subject: "Re: Ihr Termin", Text: "Hier meine ID: 123 456 789", InReplyTo: "<a@b>"},
			"de anydesk_id none 123456789 0 "},
		{"id in subject", message.Message{Subject: "AnyDesk 123-456-789", Text: "Danke!"},
			"de anydesk_id none 123456789 0 "},
		{"cancel", message.Message{Subject: "Termin absagen", Text: "Ich muss den Termin am Donnerstag leider absagen."},
			"de cancel 2026-11-26..2026-11-27 day - 0 "},
		{"cancel separable", message.Message{Subject: "Termin", Text: "Ich sage den Termin für morgen ab."},
			"de cancel 2026-11-25..2026-11-26 day - 0 "},
		{"cancel en", message.Message{Subject: "appointment", Text: "Please cancel my appointment, thanks."},
			"en cancel none - 0 "},
		{"reschedule", message.Message{Subject: "Termin verschieben", Text: "Können wir auf Freitag um 9 verschieben?"},
			"de reschedule 2026-11-27 09:00 minute - 0 "},
		{"accept de", message.Message{Subject: "AW: Terminvorschläge", Text: "Der zweite passt mir gut.", InReplyTo: "<p@desk>"},
			"de accept none - 2 "},
		{"accept option", message.Message{Subject: "AW: Terminvorschläge", Text: "Option 3 bitte."},
			"de accept none - 3 "},
		{"accept en", message.Message{Subject: "Re: proposals", Text: "The first one works for me."},
			"en accept none - 1 "},
		{"accept weekday", message.Message{Subject: "AW: Terminvorschläge", Text: "Mittwoch passt.", InReplyTo: "<p@desk>"},
			"de accept 2026-11-25..2026-11-26 day - 0 "},
		{"auto reply", message.Message{Subject: "Automatische Antwort: Fernwartung", Text: "Ich bin bis 30.11. nicht im Büro.", Auto: true},
			"de auto_reply 2026-11-30..2026-12-01 day - 0 "},
		{"out of office subject", message.Message{Subject: "Out of Office: remote session", Text: "I am away until Monday."},
			"en auto_reply 2026-11-30..2026-12-01 day - 0 "},
		{"bounce", message.Message{Subject: "Undeliverable: Ihr Termin", Text: "Delivery failed.", Bounce: true},
			"de bounce none - 0 "},
		{"bulk", message.Message{Subject: "Newsletter November", Text: "Unsere neuen Angebote", Bulk: true},
			"de bulk none - 0 "},
		{"software question with a cancel word", message.Message{Subject: "Frage", Text: "Wie kann ich eine Rechnung stornieren im Programm? Rechnung 123456789"},
			"de question none - 0 "},
		{"cancel in a reply", message.Message{Subject: "AW: Bestätigung", Text: "Ich muss leider absagen.", InReplyTo: "<c@desk>"},
			"de cancel none - 0 "},
		{"plain question", message.Message{Subject: "Frage zum Export", Text: "Wie exportiere ich die Daten nach Excel?"},
			"de question none - 0 "},
		{"past dropped", message.Message{Subject: "Termin", Text: "Seit gestern geht nichts. Heute um 8 Uhr war es noch ok. Termin morgen um 10?"},
			"de appointment_request 2026-11-25 10:00 minute - 0 "},
		{"phone trap", message.Message{Subject: "Termin", Text: "Bitte rufen Sie mich an: Tel. 0732 123456789. Termin Mittwoch Vormittag."},
			"de appointment_request 2026-11-25 09:00-12:00 part_of_day - 0 "},
	}
	for _, tc := range tests {
		r := Read(&tc.msg, now)
		first := "none"
		if len(r.Requested) > 0 {
			first = fmtWish(r.Requested[0])
		}
		id := r.AnyDeskID
		if id == "" {
			id = "-"
		}
		got := fmt.Sprintf("%s %s %s %s %d %s", r.Language, r.Intent, first, id, r.Choice, r.Reason)
		if got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.name, got, tc.want)
		}
	}
}

func TestReadNil(t *testing.T) {
	r := Read(nil, refNow(t))
	if r.Intent != IntentQuestion || r.Language != "de" {
		t.Errorf("Read(nil) = %+v", r)
	}
}

func TestReadZone(t *testing.T) {
	now := refNow(t)
	r := Read(&message.Message{Text: "Donnerstag 10 Uhr"}, now)
	if len(r.Requested) != 1 || r.Requested[0].Start.Location() != now.Location() {
		t.Fatalf("times must be in now's zone: %+v", r.Requested)
	}
}

// TestAnyHour: a day said with "any time suits" is booked at its first
// free slot; a day alone is offered hour by hour (the desk asks which).
func TestAnyHour(t *testing.T) {
	now := refNow(t)
	for _, c := range []struct {
		text string
		any  bool
	}{
		{"Hätten Sie am Freitag Zeit für eine Fernwartung?", false},
		{"Hätten Sie am Freitag Zeit für eine Fernwartung? Die Uhrzeit ist uns egal.", true},
		{"Fernwartung am Freitag bitte, egal wann.", true},
		{"Fernwartung am Freitag, ich bin den ganzen Tag im Büro.", true},
		{"Fernwartung am Freitag, jederzeit.", true},
		{"Bitte um eine Fernwartung am Freitag, so früh wie möglich.", true},
		{"Could you do a remote session on Friday? Any time works for us.", true},
		{"Could you do a remote session on Friday? I'm in all day.", true},
		{"Could you do a remote session on Friday, as early as possible?", true},
		{"Could you do a remote session on Friday?", false},
		{"Egal ist uns nur der Preis. Fernwartung am Freitag bitte.", false},
		// A clock time is no day to pick an hour on.
		{"Fernwartung am Freitag um 10, sonst jederzeit.", false},
	} {
		r := Read(&message.Message{Text: c.text}, now)
		if len(r.Requested) == 0 {
			t.Errorf("%q: no wish read", c.text)
			continue
		}
		if got := r.Requested[0].AnyHour; got != c.any {
			t.Errorf("%q: AnyHour %v, want %v (%+v)", c.text, got, c.any, r.Requested[0])
		}
	}
}

// TestNewClockOnBookedDay pins a clock said without a day in answer to our
// confirmation: it moves the session within its booked day, whichever
// weekday the mail is written on ("do" is the verb, even on a Thursday).
func TestNewClockOnBookedDay(t *testing.T) {
	loc := refNow(t).Location()
	for _, c := range []struct {
		name string
		now  time.Time
		text string
		want string
	}{
		{"written on a Tuesday", time.Date(2026, 11, 24, 9, 0, 0, 0, loc), "Hi, could we do 2pm instead of 10? Jonas", "2026-11-27 14:00 minute"},
		{"written on a Thursday", time.Date(2026, 11, 26, 9, 0, 0, 0, loc), "Hi, could we do 2pm instead of 10? Jonas", "2026-11-27 14:00 minute"},
		{"the day before, tomorrow named", time.Date(2026, 11, 26, 9, 0, 0, 0, loc), "Hi, could we do 2pm instead of 10 tomorrow? Jonas", "2026-11-27 14:00 minute"},
		{"today named moves to today", time.Date(2026, 11, 26, 9, 0, 0, 0, loc), "Hi, could we do it today at 2pm instead? Jonas", "2026-11-26 14:00 minute"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Read(&message.Message{Subject: "Re: confirmed", Text: c.text, InReplyTo: "<conf-1@example.com>",
				Quoted: "we confirm your appointment on 27 November 2026 at 10:00."}, c.now)
			if r.Intent != IntentReschedule || len(r.Requested) == 0 || fmtWish(r.Requested[0]) != c.want {
				t.Fatalf("got %s %s, want reschedule %s", r.Intent, fmtWishes(r.Requested), c.want)
			}
		})
	}
}
