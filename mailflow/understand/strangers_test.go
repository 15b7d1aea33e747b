package understand

import (
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/message"
)

// proposalQuote and confirmationQuote are what a mail client quotes of our
// proposal and our confirmation.
const (
	proposalQuote     = "Diese Termine sind für Ihre Fernwartung noch frei:\n  1. Donnerstag, 26. November 2026, 10:00 Uhr\n  2. Freitag, 27. November 2026, 09:00 Uhr\nAntworten Sie einfach mit der Nummer oder der Uhrzeit, die Ihnen passt."
	confirmationQuote = "Ihr Fernwartungstermin am Donnerstag, 26. November 2026, 10:00 Uhr ist bestätigt."
)

// TestStrangersKinds pins each kind of mail that people who never saw the
// engine write (issue 12), in German, Austrian German and English. now is
// Tuesday 24 November 2026, 09:12.
func TestStrangersKinds(t *testing.T) {
	cases := []struct {
		kind, name    string
		subject, text string
		quoted        string // our mail the customer answers ("" = a first mail)
		intent        Intent
		first         string // fmtWish of the first wish, "" = none
		id, alias     string
		choice        int
		unsure        bool
		noTime        bool   // no wish may be read at all
		reason        string // a reason the reading must give ("" = any)
	}{
		// Negation scope: a refusal reaches its own clause, never the next sentence.
		{kind: "negation", name: "refusal in the next sentence keeps the wish", subject: "Fernwartung",
			text:   "Am liebsten Donnerstag ab 14 Uhr. Ich kann keine Rechnungen mehr finalisieren.",
			intent: IntentAppointment, first: "2026-11-26 14:00-2026-11-27 00:00 part_of_day"},
		{kind: "negation", name: "full days before the wish make it unsure", subject: "Terminwunsch",
			text:   "Montag und Dienstag sind bei uns komplett voll, ab Mittwoch 13 Uhr ginge es.",
			intent: IntentAppointment, unsure: true, reason: ReasonNegation},
		{kind: "negation", name: "english refusal then a wish", subject: "session",
			text:   "Thursday doesn't work for me after all. How about Monday at 11?",
			intent: IntentAppointment, unsure: true, reason: ReasonNegation},
		{kind: "negation", name: "a sentence ending after a short word stops the refusal", subject: "session",
			text:   "Tomorrow doesn't work for me after all. How about Monday at 11?",
			intent: IntentAppointment, first: "2026-11-30 11:00 minute", unsure: true},
		{kind: "negation", name: "wird nichts", subject: "Fernwartung diese Woche",
			text:   "heute und morgen wird nichts, aber Donnerstag ab 15 Uhr bin ich frei.",
			intent: IntentAppointment, first: "2026-11-26 15:00-2026-11-27 00:00 part_of_day", unsure: true},
		{kind: "negation", name: "a refused week with the verb two words back", subject: "Termin",
			text:   "Hallo, diese Woche wird das nix mehr. Nächste Woche Mittwoch am Nachmittag?",
			intent: IntentAppointment, first: "2026-12-02 13:00-17:00 part_of_day"},
		{kind: "negation", name: "out for the morning, free after 2", subject: "Session",
			text:   "Tomorrow morning I'm out, but tomorrow after 2 pm is fine.",
			intent: IntentAppointment, first: "2026-11-25 14:00-2026-11-26 00:00 part_of_day", unsure: true},
		{kind: "negation", name: "busy somewhere else on every listed day", subject: "RE: Appointment options",
			text: "I'm in court all of Tuesday and Wednesday. Thursday 3 Dec at 9:30 instead?", quoted: proposalQuote,
			intent: IntentAppointment, first: "2026-12-03 09:30 minute", unsure: true},
		{kind: "negation", name: "at the doctor's on Monday", subject: "Termin",
			text: "ich bin Montag beim Arzt, Dienstag um 10 geht", intent: IntentAppointment, first: "2026-12-01 10:00 minute", unsure: true},
		{kind: "negation", name: "finding out is no absence", subject: "Fernwartung",
			text:   "Can you help me find out why the export fails? Thursday at 10 would suit me.",
			intent: IntentAppointment, first: "2026-11-26 10:00 minute"},
		{kind: "negation", name: "the marked choice goes before the open week", subject: "Terminanfrage",
			text:   "für eine Fernwartung stehe ich diese Woche zur Verfügung, allerdings nicht am Mittwoch und nicht am Donnerstag. Am liebsten Freitag Vormittag.",
			intent: IntentAppointment, first: "2026-11-27 09:00-12:00 part_of_day", unsure: true},
		{kind: "negation", name: "preferably marks the choice", subject: "Remote session",
			text:   "Monday at 9 would be possible, but preferably Friday at 11.",
			intent: IntentAppointment, first: "2026-11-27 11:00 minute", unsure: true},
		{kind: "negation", name: "the week after a refused week", subject: "Termin",
			text:   "Grüß Gott, nächste Woche bin ich auf Urlaub. Die Woche drauf am Dienstag um 10 wär gut.",
			intent: IntentAppointment, first: "2026-12-08 10:00 minute", unsure: true},
		{kind: "negation", name: "we're closed", subject: "Remote support",
			text:   "Next week we're closed. The week after, Tuesday at 10?",
			intent: IntentAppointment, first: "2026-12-08 10:00 minute", unsure: true},
		{kind: "colloquial", name: "compact time after tomorrow", subject: "Fernwartung morgen",
			text: "Morgen 0945 bitte. lg Koller", intent: IntentAppointment, first: "2026-11-25 09:45 minute"},
		{kind: "colloquial", name: "a count is no hour", subject: "Training session",
			text:   "We would like to schedule a training session for two colleagues on Monday the 30th at 10 am.",
			intent: IntentAppointment, first: "2026-11-30 10:00 minute"},
		{kind: "colloquial", name: "a count with of is no hour", subject: "Training",
			text:   "I'd like to schedule a one-hour training for two of my colleagues. Friday 27 November at 9 am would suit us best.",
			intent: IntentAppointment, first: "2026-11-27 09:00 minute"},
		{kind: "colloquial", name: "a dotted time ending the sentence", subject: "Session on 1 Dec",
			text:   "Please book us in for Tuesday 1 December at 11.00. We need to reconfigure our user roles.",
			intent: IntentAppointment, first: "2026-12-01 11:00 minute"},
		{kind: "id", name: "a phone number to call is no ID", subject: "Remote session",
			text:   "please call me on 385 912 044 to set up a remote session for Tuesday at 11.",
			intent: IntentAppointment, first: "2026-12-01 11:00 minute"},
		{kind: "cancel", name: "call off the training", subject: "RE: Appointment confirmed", quoted: confirmationQuote,
			text:   "We need to call off Thursday's training (26 Nov, 10:00). Apologies for the short notice.",
			intent: IntentCancel, first: "2026-11-26 10:00 minute"},
		{kind: "question", name: "is the support line staffed", subject: "Monday 10am?",
			text: "Hi, is the support line staffed on Monday at 10am, or only by e-mail?", intent: IntentQuestion},
		{kind: "question", name: "is it safe, do you keep my data", subject: "AnyDesk safe?",
			text: "is it safe to install AnyDesk? Do you keep my data after the session?", intent: IntentQuestion},
		{kind: "question", name: "what do I need to prepare", subject: "What do I need for remote support?",
			text: "what do I need to prepare before a remote session? Do I need admin rights?", intent: IntentQuestion},
		{kind: "request", name: "a time proposed in a question, nothing else", subject: "Leap day request",
			text: "Hi, how about Friday 27 November at 11:45? Laura", intent: IntentAppointment, first: "2026-11-27 11:45 minute", unsure: true, reason: ReasonNoSession},
		{kind: "request", name: "someone to connect", subject: "Request",
			text: "Could someone connect tomorrow at 9:30am? Thanks, Dan", intent: IntentAppointment, first: "2026-11-25 09:30 minute"},
		{kind: "id", name: "a customer ID is no AnyDesk ID", subject: "Your account",
			text: "Your customer ID: 400771239. Please keep it for your records.", intent: IntentQuestion},
		{kind: "colloquial", name: "an invoice number range is no clock", subject: "Remote help - invoice numbering",
			text:   "Our invoice numbers jumped from 2028-0412 to 2028-1000 overnight. Could someone look at it remotely on Friday 27 November at 9:30 am?",
			intent: IntentAppointment, first: "2026-11-27 09:30 minute"},
		{kind: "negation", name: "a bound with no day narrows the day named next", subject: "Termin",
			text:   "vormittags bin ich leider nie im Büro, also bitte nicht vor 14 Uhr. Am besten Dienstag.",
			intent: IntentAppointment, first: "2026-12-01 14:00-2026-12-02 00:00 part_of_day", unsure: true},
		{kind: "negation", name: "a bound with no day gives way to the day's time", subject: "Re: support",
			text:   "Morning is impossible for me (school run), so not before 10. Wednesday 10:00 works.",
			intent: IntentAppointment, first: "2026-11-25 10:00 minute", unsure: true},
		{kind: "forward", name: "the forwarded mail carries the wish", subject: "WG: Fernwartung Belegimport",
			text:   "Sehr geehrte Damen und Herren,\n\nHerr Vollmann bat mich, Ihnen seine Nachricht weiterzuleiten.",
			quoted: "-----Ursprüngliche Nachricht-----\nVon: Jörg Vollmann <vollmann@example.com>\nGesendet: Montag, 23. November 2026 19:44\nBetreff: Fernwartung\n\nAnke, bitte an den Support schicken: wir bräuchten am Montag, 30.11., um 10 Uhr eine Fernwartung zum Belegimport.",
			intent: IntentAppointment, first: "2026-11-30 10:00 minute", unsure: true, reason: ReasonForwarded},
		{kind: "reschedule", name: "push it by two hours", subject: "Re: Your remote support request", quoted: confirmationQuote,
			text: "something came up - could we push it by two hours?", intent: IntentReschedule, first: "2026-11-26 12:00 minute", unsure: true},
		{kind: "reschedule", name: "same time the next day answers our confirmation", subject: "Re: Your remote support request", quoted: confirmationQuote,
			text: "Same time the next day would be better for me, if that's OK.", intent: IntentReschedule, first: "2026-11-27 10:00 minute", unsure: true},
		{kind: "reschedule", name: "auf between two clock times", subject: "Termin Donnerstag",
			text: "Bitte den Termin am Donnerstag um viertel 10 auf 11 Uhr verschieben, gleicher Tag. Danke!", intent: IntentReschedule, first: "2026-11-26 11:00 minute", unsure: true},
		{kind: "reschedule", name: "move one time to another", subject: "Reschedule",
			text: "Hi, need to move Wednesday 5 PM to Thursday 26th, 4:30 PM Vienna time. Greg", intent: IntentReschedule, first: "2026-11-26 16:30 minute", unsure: true},
		{kind: "reschedule", name: "moving data is no move", subject: "Server",
			text: "we move the database to a new server next week, can you help on Monday at 10?", intent: IntentAppointment, first: "2026-11-30 10:00 minute"},
		{kind: "cancel", name: "cancel and rebook later", subject: "cancel",
			text: "can't make friday 9am, cancel pls. will rebook later. ben", intent: IntentCancel, first: "2026-11-27 09:00 minute"},
		{kind: "reschedule", name: "the day after statt replaces it", subject: "AW: Terminbestätigung", quoted: confirmationQuote,
			text: "statt morgen früh bitte am Donnerstag Nachmittag, geht das?", intent: IntentReschedule, first: "2026-11-26 13:00-17:00 part_of_day"},
		{kind: "cancel", name: "won't need the session after all", subject: "Re: Appointment confirmed", quoted: confirmationQuote,
			text: "Hi team, we won't need tomorrow's 3pm session after all. Thanks, Ben", intent: IntentCancel, first: "2026-11-25 15:00 minute"},
		{kind: "colloquial", name: "tmrw", subject: "Sesion tmrw", text: "Hiya can we do tmrw 3.30pm?? pls confrim",
			intent: IntentAppointment, first: "2026-11-25 15:30 minute", unsure: true},
		{kind: "colloquial", name: "a district is no day of the month", subject: "Appointment request - training",
			text:   "I'd like a training session on Thursday 26 November at 11:00. We are in the 7th district.",
			intent: IntentAppointment, first: "2026-11-26 11:00 minute"},
		{kind: "colloquial", name: "a lower-case mi in dialect is no Wednesday", subject: "Termin",
			text: "Servus, nächste Woch irgendwann, i richt mi nach euch.", intent: IntentAppointment, first: "2026-11-30..2026-12-05 day", unsure: true},
		{kind: "colloquial", name: "an English dotted clock range", subject: "slot", text: "Mon 11.00-11.30? Sam",
			intent: IntentAppointment, first: "2026-11-30 11:00-11:30 part_of_day", unsure: true, reason: ReasonNoSession},
		{kind: "colloquial", name: "Do 10h is the whole mail", subject: "Do 10h?", text: "Do 10h?\nJM",
			intent: IntentAppointment, first: "2026-11-26 10:00 minute", unsure: true},
		{kind: "request", name: "help on a part of a day", subject: "need help",
			text:   "hello\nthe register shows wrong tax since yesterday. can you help friday morning? thank you",
			intent: IntentAppointment, first: "2026-11-27 09:00-12:00 part_of_day"},
		{kind: "counter", name: "an option at another part of its day", subject: "Re: Proposed times", quoted: proposalQuote,
			text: "Hi! Option 2 but in the afternoon instead?", intent: IntentAppointment, first: "2026-11-27 13:00-17:00 part_of_day"},
		{kind: "colloquial", name: "a customer abroad converts to our time", subject: "Booking a remote session",
			text:   "Could you please book us in for Wednesday 2 December at 11:30 UK time? That's 12:30 for you I believe.",
			intent: IntentAppointment, first: "2026-12-02 12:30 minute"},
		{kind: "colloquial", name: "our time first, theirs after", subject: "Scheduling",
			text:   "I'm in Denver so times are tricky. Could we do Thursday 26th, 5 PM Vienna time? That's 9 AM here.",
			intent: IntentAppointment, first: "2026-11-26 17:00 minute", unsure: true},
		{kind: "id", name: "a patient ID is no AnyDesk ID", subject: "Remote session",
			text:   "könnten wir den Support call am Montag um 13 Uhr machen? Patient ID im Screenshot ist 100204551 falls ihr die braucht.",
			intent: IntentAppointment, first: "2026-11-30 13:00 minute"},
		{kind: "cancel", name: "cancel and be in touch to rebook", subject: "RE: Appointment confirmed", quoted: confirmationQuote,
			text: "Unfortunately I have to cancel tomorrow's session at 9:00. I'll be in touch to rebook.", intent: IntentCancel, first: "2026-11-25 09:00 minute"},
		// Closed vocabulary with one edit: corrected, and never booked silently.
		{kind: "typo", name: "Mittwock", subject: "termin", text: "ginge am Mittwock um 13 Uhr eine Fernwartung?",
			intent: IntentAppointment, first: "2026-11-25 13:00 minute", unsure: true, reason: ReasonCorrected},
		{kind: "typo", name: "Thrusday Decmber", subject: "Remote support", text: "Could we book a session on Thrusday 3 Decmber at 11am?",
			intent: IntentAppointment, first: "2026-12-03 11:00 minute", unsure: true, reason: ReasonCorrected},
		{kind: "typo", name: "Montga", subject: "Termin", text: "Montga um 14 Uhr hätte ich Zeit!",
			intent: IntentAppointment, first: "2026-11-30 14:00 minute", unsure: true},
		{kind: "typo", name: "morgn", subject: "Fernwartuung", text: "Halo, geht es morgn um 3 Nachmitag?",
			intent: IntentAppointment, first: "2026-11-25 15:00 minute", unsure: true, reason: ReasonCorrected},
		{kind: "typo", name: "a real word one letter from morgen", subject: "Fernwartung / support",
			text: "could you please schedule a Fernwartung? Unser Report zeigt falsche Margen.", intent: IntentAppointment, noTime: true},
		{kind: "typo", name: "Wcohe and Termn", subject: "Termn", text: "Hallo, nächste Wcohe Mitwoch 9 Uhr? bitte Termn",
			intent: IntentAppointment, first: "2026-12-02 09:00 minute", unsure: true, reason: ReasonCorrected},
		{kind: "typo", name: "two edits away is never booked", subject: "Remote session", text: "Hi, could you fit us in on Wensday at 3?",
			intent: IntentAppointment, first: "2026-11-25 15:00 minute", unsure: true, reason: ReasonCorrected},
		{kind: "typo", name: "two edits from a German weekday is left alone", subject: "Termin", text: "Die Dienste sind langsam. Geht am Donnerstag um 10?",
			intent: IntentAppointment, first: "2026-11-26 10:00 minute"},
		{kind: "typo", name: "dialect Freitach", subject: "Fernwartung bitte", text: "Griaß Gott, am Freitach um 11 vielleicht? Dank schön",
			intent: IntentAppointment, first: "2026-11-27 11:00 minute", unsure: true, reason: ReasonCorrected},
		{kind: "colloquial", name: "abbreviated weekday before a compact time", subject: "Remote", text: "Hi! Fr 9h30 pls? lg Tanja",
			intent: IntentAppointment, first: "2026-11-27 09:30 minute"},
		{kind: "colloquial", name: "day first with a slash in English", subject: "remote appt", text: "Hey, could we do 26/11 at 3:30pm? Thanks, Rachel",
			intent: IntentAppointment, first: "2026-11-26 15:30 minute"},
		{kind: "id", name: "time and spaced ID in a first mail, a phone for questions", subject: "Termin",
			text:   "Mittwoch 11:00 Uhr bitte, AnyDesk-Adresse 1 6 4 3 3 8 9 0 2 (hab ich vom Bildschirm abgeschrieben). Tel. für Rückfragen 0151 2244 9871",
			intent: IntentAppointment, first: "2026-11-25 11:00 minute", id: "164338902"},
		{kind: "typo", name: "a real word is no typo", subject: "Frage", text: "Die Montage der Kasse ist am 26.11.2026 um 10 Uhr, geht da eine Fernwartung?",
			intent: IntentAppointment, first: "2026-11-26 10:00 minute"},
		// Questions go to a person, with no slots offered.
		{kind: "question", name: "how-to with dates about the data", subject: "Frage Datenexport",
			text: "wie kann ich die Rechnungen vom 01.01.2026 bis 31.12.2026 als CSV exportieren?", intent: IntentQuestion},
		{kind: "question", name: "licence question mentioning next week", subject: "Licence question",
			text: "if we move Rechnix to a new PC next week, do we need a new licence key?", intent: IntentQuestion},
		{kind: "question", name: "call-back wish", subject: "Support case",
			text: "please call me on Monday morning.", intent: IntentQuestion},
		{kind: "question", name: "a question with a session wish is a request", subject: "Export",
			text:   "Wie kann ich exportieren? Können wir dazu am Donnerstag um 10 Uhr eine Fernwartung machen?",
			intent: IntentAppointment, first: "2026-11-26 10:00 minute"},
		// Cancel, reschedule, no longer needed.
		{kind: "cancel", name: "cancel verb about an invoice", subject: "Fernwartung Rechnung",
			text:   "Die Rechnung lässt sich nicht stornieren. Könnten Sie am Donnerstag um 14 Uhr per Fernwartung helfen?",
			intent: IntentAppointment, first: "2026-11-26 14:00 minute"},
		{kind: "cancel", name: "cancel the appointment", subject: "Absage",
			text: "hiermit sagen wir den Fernwartungstermin am 26.11. um 10 Uhr ab.", intent: IntentCancel},
		{kind: "reschedule", name: "new time in answer to our confirmation", subject: "AW: Ihr Fernwartungstermin",
			text: "können wir das auf Freitag 9 Uhr schieben?", quoted: confirmationQuote,
			intent: IntentReschedule, first: "2026-11-27 09:00 minute"},
		{kind: "reschedule", name: "from X to Y moves to Y", subject: "RE: Your remote maintenance appointment",
			text: "Please move it from Thursday to Friday 3pm.", quoted: confirmationQuote,
			intent: IntentReschedule, first: "2026-11-27 15:00 minute"},
		{kind: "reschedule", name: "one more session is a new booking", subject: "Another session",
			text:   "Hello again, I'd need one more session, ideally tomorrow at 2 in the afternoon.",
			intent: IntentAppointment, first: "2026-11-25 14:00 minute"},
		{kind: "reschedule", name: "a move answering none of our mails is asked back", subject: "Fernwartung",
			text:   "unseren Termin am 26. können wir leider nicht wahrnehmen. Könnten Sie stattdessen am 27.11. um 9 Uhr?",
			intent: IntentReschedule, first: "2026-11-27 09:00 minute", unsure: true},
		{kind: "negation", name: "instead against the customer's own refusal is a wish, no move", subject: "Termin",
			text:   "Hi, Montag ist leider not possible. Dienstag um 14:00 instead?",
			intent: IntentAppointment, first: "2026-12-01 14:00 minute", unsure: true},
		{kind: "negation", name: "any day but", subject: "session request",
			text:   "Hi team, any day but Tuesday. Wednesday 2 December, 3:30pm would be ideal.",
			intent: IntentAppointment, first: "2026-12-02 15:30 minute"},
		{kind: "negation", name: "a refused list joined by or", subject: "remote support",
			text:   "Hello, I can't do today or tomorrow. Thursday 26 at 11 am would be fine.",
			intent: IntentAppointment, first: "2026-11-26 11:00 minute", unsure: true},
		{kind: "negation", name: "neither will", subject: "re remote",
			text:   "Thursday won't work, neither will Friday morning. Friday afternoon at 1:30 then?",
			intent: IntentAppointment, first: "2026-11-27 13:30 minute", unsure: true},
		{kind: "negation", name: "da geht nix points back", subject: "Termin",
			text:   "Montag und Dienstag san bei uns Markttage, da geht nix. Donnerstag um 9 wär perfekt.",
			intent: IntentAppointment, first: "2026-11-26 09:00 minute", unsure: true},
		{kind: "negation", name: "da ist noch keiner im Büro says why it suits", subject: "Termin",
			text:   "am Donnerstag, 26. November, um 8 in der Früh wär mir recht, da ist noch keiner im Büro.",
			intent: IntentAppointment, first: "2026-11-26 08:00 minute", unsure: true},
		{kind: "negation", name: "no go with a possessive", subject: "Scheduling",
			text:   "Tomorrow morning's a no go, but tomorrow after lunch (say 1:30) works for me.",
			intent: IntentAppointment, first: "2026-11-25 13:30 minute", unsure: true},
		{kind: "reschedule", name: "a possessive day names the booking", subject: "Reschedule",
			text:   "I need to reschedule Monday's 3pm appointment - can we do Thursday at the same time instead?",
			intent: IntentReschedule, first: "2026-11-26 15:00 minute", unsure: true},
		{kind: "reschedule", name: "from one clock time to another", subject: "Change of time",
			text:   "Hello, Can we change Friday's session from 10am to 1pm? Thanks, Fiona",
			intent: IntentReschedule, first: "2026-11-27 13:00 minute", unsure: true},
		{kind: "reschedule", name: "an hour later, read against our confirmation", subject: "AW: Ihr Fernwartungstermin",
			text: "geht es auch eine Stunde später?", quoted: confirmationQuote, intent: IntentReschedule,
			first: "2026-11-26 11:00 minute", unsure: true, reason: ReasonRelative},
		{kind: "reschedule", name: "same time on another day", subject: "AW: Ihr Fernwartungstermin",
			text: "Donnerstag geht doch nicht, bitte auf Freitag gleiche Uhrzeit.", quoted: confirmationQuote, intent: IntentReschedule,
			first: "2026-11-27 10:00 minute", unsure: true},
		{kind: "reschedule", name: "a week later", subject: "AW: Ihr Fernwartungstermin",
			text: "könnten wir den Termin um eine Woche nach hinten verschieben? Selbe Uhrzeit.", quoted: confirmationQuote, intent: IntentReschedule,
			first: "2026-12-03 10:00 minute", unsure: true},
		// ID formats and the alias.
		{kind: "id", name: "dotted groups", subject: "AW: Ihr Fernwartungstermin", text: "618.472.093", quoted: confirmationQuote,
			intent: IntentAnyDeskID, id: "618472093"},
		{kind: "id", name: "single spaced digits", subject: "AnyDesk", text: "ID 8 7 1 0 3 2 6 5 4\n\nJames",
			intent: IntentAnyDeskID, id: "871032654"},
		{kind: "id", name: "single digits in dashed groups", subject: "Fernwartung Donnerstag",
			text: "am Donnerstag um 11 bitte, AnyDesk ist 3 0 2 - 7 7 1 - 8 5 9.", intent: IntentAppointment,
			first: "2026-11-26 11:00 minute", id: "302771859"},
		{kind: "id", name: "a phone number in single digits is no ID", subject: "Rückruf",
			text: "Bitte rufen Sie mich an: Tel 0 6 6 4 1 2 3 4 5 6.", intent: IntentQuestion},
		{kind: "id", name: "alias is no ID and no time", subject: "ID", text: "bei uns steht im AnyDesk keine Nummer, sondern langbaustoffe@ad. Geht das auch?",
			intent: IntentAnyDeskID, alias: "langbaustoffe@ad"},
		{kind: "id", name: "a company number is no ID", subject: "Termin Fernwartung",
			text:   "am 26.11.2026 um 10 Uhr wäre gut. Unsere Betriebsnummer ist 871 234 560.",
			intent: IntentAppointment, first: "2026-11-26 10:00 minute"},
		{kind: "id", name: "time and ID in one first mail is a request", subject: "Termin + ID",
			text: "Montag Vormittag bitte. ID 4 8 0 1 1 7 9 6 3", intent: IntentAppointment,
			first: "2026-11-30 09:00-12:00 part_of_day", id: "480117963"},
		{kind: "id", name: "ID for a named session stays an ID mail", subject: "ID",
			text: "für den Termin um 9 Uhr: AnyDesk 350 627 914.", intent: IntentAnyDeskID, id: "350627914"},
		// Colloquial times and feast days.
		{kind: "colloquial", name: "0945", subject: "Fernwartung", text: "ich hätte gern einen Termin am 26.11. um 0945.",
			intent: IntentAppointment, first: "2026-11-26 09:45 minute"},
		{kind: "colloquial", name: "a bare hour after a weekday", subject: "Fernwartung", text: "Geht Freitag 10?",
			intent: IntentAppointment, first: "2026-11-27 10:00 minute"},
		{kind: "colloquial", name: "a weekday and a date are no hour", subject: "Fernwartung", text: "Geht Freitag 11.12. um 9 Uhr?",
			intent: IntentAppointment, first: "2026-12-11 09:00 minute"},
		{kind: "colloquial", name: "greeting Morning is no time", subject: "Remote help",
			text: "Morning,\n\nThursday at 10 would suit us.", intent: IntentAppointment, first: "2026-11-26 10:00 minute"},
		{kind: "colloquial", name: "next week narrowed to a weekday", subject: "Fernwartung nächste Woche",
			text:   "wir bräuchten nächste Woche Unterstützung. Am liebsten Dienstag zwischen 13 und 15 Uhr.",
			intent: IntentAppointment, first: "2026-12-01 13:00-15:00 part_of_day"},
		{kind: "colloquial", name: "jeweils vormittags holds for both days", subject: "Schulung",
			text:   "Wir möchten nächste Woche eine Schulung machen. Dienstag oder Mittwoch, jeweils vormittags.",
			intent: IntentAppointment, first: "2026-12-01 09:00-12:00 part_of_day"},
		{kind: "colloquial", name: "first Monday in January at 11", subject: "Termin nach Neujahr",
			text: "bitte einen Termin am ersten Montag im Januar um 11 Uhr.", intent: IntentAppointment, first: "2027-01-04 11:00 minute", unsure: true},
		{kind: "feast", name: "a feast-day anchor is confirmed first", subject: "Termin nach Maria Empfängnis",
			text:   "gleich nach Maria Empfängnis, am Mittwoch drauf, hätten wir gern eine Fernwartung am Vormittag.",
			intent: IntentAppointment, first: "2026-12-09 09:00-12:00 part_of_day", unsure: true, reason: ReasonFeast},
		{kind: "feast", name: "Montag vor Heiligabend", subject: "Fernwartung vor Heiligabend",
			text:   "wir möchten vor Heiligabend noch das Update einspielen. Der Montag davor um 10 Uhr wäre perfekt.",
			intent: IntentAppointment, first: "2026-12-21 10:00 minute", unsure: true},
		{kind: "feast", name: "Tag nach Dreikönig", subject: "Fernwartung",
			text:   "wir bräuchten am Tag nach Heilige Drei Könige eine Fernwartung, gern um 9 Uhr.",
			intent: IntentAppointment, first: "2027-01-07 09:00 minute", unsure: true},
		{kind: "feast", name: "Tuesday after Easter Monday", subject: "Session after Easter?",
			text:   "The Tuesday after Easter Monday at 10 am would be ideal.",
			intent: IntentAppointment, first: "2027-03-30 10:00 minute", unsure: true},
		{kind: "feast", name: "first working day after New Year", subject: "Remote maintenance",
			text:   "please schedule us for the first working day after New Year's Day, at 10am.",
			intent: IntentAppointment, first: "2027-01-04 10:00 minute", unsure: true},
		{kind: "feast", name: "since a feast names no wish", subject: "Fernwartung",
			text:   "seit Allerheiligen geht der Export nicht mehr. Könnt ihr euch das am Freitag um 10 anschauen?",
			intent: IntentAppointment, first: "2026-11-27 10:00 minute", unsure: true},
		// Answers to our proposal.
		{kind: "choice", name: "1", subject: "AW: Terminvorschläge", text: "1", quoted: proposalQuote, intent: IntentAccept, choice: 1},
		{kind: "choice", name: "2.", subject: "AW: Terminvorschläge", text: "2.", quoted: proposalQuote, intent: IntentAccept, choice: 2},
		{kind: "choice", name: "Die 2", subject: "AW: Terminvorschläge", text: "Die 2", quoted: proposalQuote, intent: IntentAccept, choice: 2},
		{kind: "choice", name: "2 bitte", subject: "AW: Terminvorschläge", text: "2 bitte\n\nHilde", quoted: proposalQuote, intent: IntentAccept, choice: 2},
		{kind: "choice", name: "2 please", subject: "Re: Suggested times", text: "2 please\n\nJessica", quoted: proposalQuote, intent: IntentAccept, choice: 2},
		{kind: "choice", name: "a number in a first mail picks nothing", subject: "Frage", text: "2 bitte", intent: IntentQuestion},
		{kind: "choice", name: "a pick beside a refusal is asked back", subject: "AW: Terminvorschläge",
			text: "Der zweite Termin passt leider nicht, der erste schon eher.", quoted: proposalQuote, intent: IntentAccept, choice: 2, unsure: true},
		{kind: "choice", name: "a count is no pick", subject: "AW: Terminvorschläge", text: "Ich habe noch 2 Fragen dazu.", quoted: proposalQuote, intent: IntentQuestion},
		{kind: "choice", name: "Termin 1.", subject: "AW: Terminvorschläge", text: "Guten Tag,\n\nwir nehmen Termin 1.", quoted: proposalQuote, intent: IntentAccept, choice: 1},
		{kind: "cancel", name: "no longer needed after our confirmation", subject: "AW: Ihr Fernwartungstermin",
			text: "Danke, den Termin brauchen wir nicht mehr, das Problem ist gelöst.", quoted: confirmationQuote, intent: IntentCancel},
		{kind: "cancel", name: "no longer needed, English", subject: "Re: Your remote maintenance appointment",
			text: "We no longer need the session, thanks.", quoted: confirmationQuote, intent: IntentCancel},
		// Busy: the time the customer is taken is a refusal, never the wish.
		{kind: "busy", name: "a meeting from nine", subject: "Fernwartung",
			text:   "Am Freitag, 27.11., ginge es um 8 Uhr. Ab 9 Uhr haben wir eine Teamsitzung.",
			intent: IntentAppointment, first: "2026-11-27 08:00 minute", unsure: true, reason: ReasonNegation},
		{kind: "busy", name: "in a meeting, English", subject: "Remote session",
			text:   "Could we do Friday 27 November at 8am? From 9 I'm in a meeting all day.",
			intent: IntentAppointment, first: "2026-11-27 08:00 minute", unsure: true},
		{kind: "busy", name: "away on site, then the wish", subject: "Fernwartung",
			text:   "Montag bin ich auf der Baustelle, Mittwoch um 11 wäre gut.",
			intent: IntentAppointment, first: "2026-11-25 11:00 minute", unsure: true},
		{kind: "busy", name: "travelling refuses what it follows, not what follows it", subject: "Remote session",
			text:   "We need help with the export. Not Monday, I'm travelling - Friday 27 November at 10 works.",
			intent: IntentAppointment, first: "2026-11-27 10:00 minute", unsure: true},
		{kind: "busy", name: "the time replaced is no wish", subject: "AW: Ihr Fernwartungstermin",
			text: "Ginge statt Donnerstag auch Freitag um 10?", quoted: confirmationQuote,
			intent: IntentReschedule, first: "2026-11-27 10:00 minute"},
		{kind: "busy", name: "a day we cannot place is never today", subject: "Fernwartung",
			text:   "Am Gründonnerstag am Vormittag hätten wir Zeit für die Fernwartung.",
			intent: IntentAppointment, unsure: true},
		{kind: "busy", name: "the week after our proposals", subject: "AW: Terminvorschläge",
			text: "Beide zu früh. Ginge in der Woche danach der Donnerstag um 10?", quoted: proposalQuote,
			intent: IntentAppointment, first: "2026-12-03 10:00 minute", unsure: true},
		// No longer needed: a cancel, never a new request or a question.
		{kind: "no-longer-needed", name: "hat sich erledigt", subject: "AW: Ihr Fernwartungstermin",
			text: "Hat sich erledigt, danke! Der Kollege hat es uns gezeigt.", quoted: confirmationQuote, intent: IntentCancel},
		{kind: "no-longer-needed", name: "sorted it out ourselves", subject: "Re: Your remote maintenance appointment",
			text: "Thanks, we sorted it out ourselves.", quoted: confirmationQuote, intent: IntentCancel},
		{kind: "no-longer-needed", name: "können Sie streichen", subject: "AW: Ihr Fernwartungstermin",
			text: "Den Termin können Sie streichen, das Update hat geholfen.", quoted: confirmationQuote, intent: IntentCancel},
		{kind: "no-longer-needed", name: "Austrian nimmer", subject: "Fernwartungstermin",
			text: "Der Termin is nimmer notwendig, es geht wieder.", intent: IntentCancel},
		{kind: "no-longer-needed", name: "not need the session tomorrow", subject: "Re: Your remote maintenance appointment",
			text: "It works again, so we not need the session tomorrow.", quoted: confirmationQuote, intent: IntentCancel},
		// Cancel of something else, and questions: no wish, no slots.
		{kind: "cancel-other", name: "a contract ends on a date", subject: "Kündigung Wartungsvertrag",
			text: "Hiermit kündigen wir den Wartungsvertrag zum 31.12.2026.", intent: IntentQuestion, noTime: true},
		{kind: "cancel-other", name: "an order of Monday", subject: "Bestellung stornieren",
			text: "Bitte die Bestellung vom Montag stornieren. Muss ich neu bestellen?", intent: IntentQuestion, noTime: true},
		{kind: "question", name: "do you also offer", subject: "Label printer",
			text: "Do you also offer remote help for our label printer?", intent: IntentQuestion, noTime: true},
		{kind: "question", name: "bieten Sie auch an", subject: "Schulung",
			text: "Bieten Sie auch Schulungen vor Ort an? Was kostet das?", intent: IntentQuestion, noTime: true},
		{kind: "counter", name: "a pick with a bare clock time keeps the option's day", subject: "AW: Terminvorschläge",
			text: "Nummer 2 wäre gut, aber ginge es erst um 11 statt 9?", quoted: proposalQuote,
			intent: IntentAppointment, first: "2026-11-27 11:00 minute"},
		{kind: "counter", name: "a pick with a later time is a counter-proposal", subject: "Re: Terminvorschläge",
			text: "Nummer 2 wäre gut, aber geht das auch eine Stunde später, also 15 Uhr?", quoted: proposalQuote,
			intent: IntentAppointment, unsure: true},
		// Being busy or away, said in many ways: the time named is refused.
		{kind: "busy", name: "auf Fortbildung", subject: "Fernwartung",
			text: "Am Mittwoch bin ich auf Fortbildung, ginge Freitag um 10?", intent: IntentAppointment,
			first: "2026-11-27 10:00 minute", unsure: true},
		{kind: "busy", name: "tied up all day", subject: "Remote session",
			text: "I'm tied up all day Wednesday, but Friday at 2pm would work.", intent: IntentAppointment,
			first: "2026-11-27 14:00 minute", unsure: true},
		{kind: "busy", name: "wird's schwierig across a comma", subject: "Fernwartung",
			text: "ab 12 wird's bei uns schwierig, am Montag vormittag passt es.", intent: IntentAppointment,
			first: "2026-11-30 09:00-12:00 part_of_day", unsure: true},
		{kind: "busy", name: "geht gar nix mehr", subject: "Termin",
			text: "diese Woche geht gar nix mehr, nächste Woche Dienstag ab 14 Uhr.", intent: IntentAppointment,
			first: "2026-12-01 14:00-2026-12-02 00:00 part_of_day", unsure: true},
		{kind: "busy", name: "a habit of the day narrows the day named later", subject: "Termin bitte",
			text: "vormittags bin ich nie erreichbar, nachmittags fast immer. Geht Donnerstag?", intent: IntentAppointment,
			first: "2026-11-26 13:00-17:00 part_of_day", unsure: true},
		// A cancel names its appointment in words that refuse it.
		{kind: "cancel", name: "doch nicht mehr names the refused time", subject: "Termin Donnerstag",
			text: "den Termin am Donnerstag um 10 brauchen wir doch nicht mehr.", intent: IntentCancel,
			first: "2026-11-26 10:00 minute"},
		{kind: "cancel", name: "a time is the object of the verb", subject: "Thursday",
			text: "Hi, can we scrap Thursday's 10am? Problem solved.", intent: IntentCancel},
		{kind: "cancel", name: "cancel and come back for a later date", subject: "Absage",
			text:   "Wir müssen den Termin am Donnerstag leider absagen und melden uns für einen Ersatztermin.",
			intent: IntentCancel, first: "2026-11-26..2026-11-27 day"},
		// Moves relative to the booked time (Thursday 26.11. 10:00).
		{kind: "relative", name: "einen Tag vorziehen", subject: "AW: Ihr Fernwartungstermin", quoted: confirmationQuote,
			text: "Können wir das einen Tag vorziehen? Gleiche Uhrzeit.", intent: IntentReschedule,
			first: "2026-11-25 10:00 minute", unsure: true},
		{kind: "relative", name: "same time the next day", subject: "Re: appointment", quoted: confirmationQuote,
			text: "something came up, could we do the same time the next day instead?", intent: IntentReschedule,
			first: "2026-11-27 10:00 minute", unsure: true},
		{kind: "relative", name: "push it back by an hour", subject: "Re: appointment", quoted: confirmationQuote,
			text: "Could we push it back by an hour?", intent: IntentReschedule, first: "2026-11-26 11:00 minute", unsure: true},
		// Picks in other words.
		{kind: "accept", name: "the last one", subject: "AW: Terminvorschläge", quoted: proposalQuote,
			text: "Der letzte Vorschlag passt uns.", intent: IntentAccept, choice: 2},
		{kind: "accept", name: "ist mir recht", subject: "AW: Terminvorschläge", quoted: proposalQuote,
			text: "Variante zwei ist mir recht.", intent: IntentAccept, choice: 2},
		{kind: "counter", name: "instead in answer to a proposal is a wish", subject: "Re: proposals", quoted: proposalQuote,
			text: "These are night for me. Can we do Monday 30 November at 9:00 instead?", intent: IntentAppointment,
			first: "2026-11-30 09:00 minute"},
		{kind: "counter", name: "the week after, any day", subject: "AW: Terminvorschläge", quoted: proposalQuote,
			text: "passt beides nicht so gut, lieber in der Woche danach, egal welcher Tag.", intent: IntentAppointment,
			first: "2026-11-30..2026-12-05 day", unsure: true},
		// ID formats and numbers that are none.
		{kind: "id", name: "grouped as read off the screen", subject: "AW: Ihr Fernwartungstermin", quoted: confirmationQuote,
			text: "Adresse laut AnyDesk: 1 234 567 89, hoffe das passt so.", intent: IntentAnyDeskID, id: "123456789"},
		{kind: "id", name: "digit by digit in answer to our confirmation", subject: "AW: Ihr Fernwartungstermin", quoted: confirmationQuote,
			text: "Hier: 4 8 2 - 9 1 3 - 0 5 7", intent: IntentAnyDeskID, id: "482913057"},
		{kind: "id", name: "an error code is no ID", subject: "Fernwartung wegen Fehlercode",
			text: "beim Öffnen kommt Fehlercode 800401542, bitte um einen Termin.", intent: IntentAppointment},
		{kind: "id", name: "an ID passed on in a forward", subject: "Fwd: ID for today",
			text:   "forwarding our intern's AnyDesk ID for the session, he has no mail yet.",
			quoted: "---------- Forwarded message ---------\nFrom: Max\n\nHi, ID is 836 120 447\nMax", intent: IntentAnyDeskID, id: "836120447"},
		{kind: "id", name: "a new session that brings its ID", subject: "Termin & AnyDesk",
			text:   "für eine Fernwartung am Donnerstag ab 14 Uhr schicke ich vorab die AnyDesk-ID 273 819 460.",
			intent: IntentAppointment, id: "273819460", first: "2026-11-26 14:00-2026-11-27 00:00 part_of_day"},
		// Feast days as anchors: the day itself, the day after or before.
		{kind: "feast", name: "am Tag davor", subject: "Termin vor Weihnachten",
			text: "bitte noch vor dem Christtag, am liebsten am Tag davor um 10 Uhr.", intent: IntentAppointment,
			first: "2026-12-24 10:00 minute", unsure: true, reason: ReasonFeast},
		{kind: "feast", name: "an Silvester", subject: "Fernwartung zwischen den Jahren",
			text: "an Silvester vormittags wäre ich noch im Büro, ginge das?", intent: IntentAppointment,
			first: "2026-12-31 09:00-12:00 part_of_day", unsure: true, reason: ReasonFeast},
		{kind: "feast", name: "after a feast, no day named", subject: "Termin im Jänner",
			text: "vor den Feiertagen ist bei uns Hochbetrieb. Ginge eine Fernwartung nach Dreikönig?", intent: IntentAppointment,
			first: "2027-01-07..2027-01-08 day", unsure: true},
		{kind: "feast", name: "the week after Easter", subject: "Training after Easter",
			text: "we'd like a training session in the week after Easter.", intent: IntentAppointment,
			first: "2027-03-29..2027-04-03 day", unsure: true},
		{kind: "vague", name: "the first full week of a month", subject: "Session in January",
			text: "Could we book a session sometime in the first full week of January?", intent: IntentAppointment,
			first: "2027-01-04..2027-01-09 day", unsure: true},
		{kind: "negation", name: "Austrian ned", subject: "Termin",
			text: "Montag geht ned, Dienstag erst ab 2 am Nachmittag. Passt des?", intent: IntentAppointment,
			first: "2026-12-01 14:00-2026-12-02 00:00 part_of_day", unsure: true},
		{kind: "negation", name: "except a day of a span", subject: "Session next week",
			text: "Any day next week except Monday would be fine.", intent: IntentAppointment,
			first: "2026-12-01..2026-12-05 day", unsure: true},
		{kind: "negation", name: "an if-clause refuses nothing", subject: "Appointment request",
			text: "Would Thursday at 3pm suit you? If Thursday doesn't work, Friday morning is also fine.", intent: IntentAppointment,
			first: "2026-11-26 15:00 minute", unsure: true},
		{kind: "negation", name: "busy until a time, free after", subject: "Termin diese Woche?",
			text: "am Mittwoch habe ich bis 14 Uhr Kundentermine, danach hätte ich Zeit für die Fernwartung.", intent: IntentAppointment,
			first: "2026-11-25 14:00-2026-11-26 00:00 part_of_day", unsure: true},
		{kind: "relative", name: "half an hour earlier", subject: "AW: Ihr Fernwartungstermin", quoted: confirmationQuote,
			text: "ginge der Termin auch eine halbe Stunde früher?", intent: IntentReschedule,
			first: "2026-11-26 09:30 minute", unsure: true},
		{kind: "question", name: "no further session wanted", subject: "Follow-up question",
			text:   "Thanks for the session last Tuesday. How do I set the default payment term? Don't need another session, just point me to the menu.",
			intent: IntentQuestion, noTime: true},
		{kind: "negation", name: "busy until a time, then free", subject: "Termin",
			text: "am Donnerstag bin ich bis 12 Uhr bei Hausbesuchen, danach klappt es.", intent: IntentAppointment,
			first: "2026-11-26 12:00-2026-11-27 00:00 part_of_day"},
		{kind: "compact", name: "a compact time after a date", subject: "Fernwartung",
			text: "Bitte am 30.11. 1030, danke.", intent: IntentAppointment, first: "2026-11-30 10:30 minute"},
		{kind: "dialect", name: "Swiss hours", subject: "Termin Fernwartung",
			text: "Grüezi, am Mittwoch so um halb elfi wär guet für üs.", intent: IntentAppointment,
			first: "2026-11-25 10:30 minute"},
		{kind: "reschedule", name: "from one day to another", subject: "Change of appointment",
			text:   "I need to change my appointment from Thursday 26 November to Monday 30 November, 10am if possible.",
			intent: IntentReschedule, first: "2026-11-30 10:00 minute", unsure: true},
		{kind: "request", name: "a time of day but no day is never booked silently", subject: "Printer",
			text:   "Can your remote support look at the printer drivers? We're in the workshop until 5pm most days.",
			intent: IntentAppointment, unsure: true, reason: ReasonNoDay},
		{kind: "id", name: "groups set apart by spaced dashes", subject: "AW: Ihr Fernwartungstermin", quoted: confirmationQuote,
			text: "AnyDesk: 593 - 021 - 846\nTel. 0911 / 40 50 60-0", intent: IntentAnyDeskID, id: "593021846"},
		{kind: "id", name: "digits spelled out", subject: "Fernwartung jetzt",
			text: "die Nummer vom Anydesk is: vier eins sieben, zwei zwei null, neun acht drei.", intent: IntentAnyDeskID, id: "417220983"},
		{kind: "id", name: "an ID mail without the digits goes to a person", subject: "AW: Ihr Fernwartungstermin", quoted: confirmationQuote,
			text: "die ID steht im angehängten Screenshot.", intent: IntentAnyDeskID},
		{kind: "id", name: "time and ID in the subject, 'siehe Betreff' in the body", subject: "Fernwartung Donnerstag 14 Uhr ID 771 220 034",
			text: "siehe Betreff, danke", intent: IntentAppointment, id: "771220034", first: "2026-11-26 14:00 minute"},
		{kind: "question", name: "data protection before a session", subject: "GDPR",
			text:   "Do you offer a data processing agreement for remote maintenance? We need one on file before the session next month.",
			intent: IntentQuestion, noTime: true},
		{kind: "question", name: "do you also help with the printer", subject: "Hilfe",
			text:   "könnt ihr mir per Fernwartung auch beim WLAN und beim Drucker helfen? Der geht seit gestern nimma.",
			intent: IntentQuestion, noTime: true},
		// Requests that name no session word.
		{kind: "request", name: "would a day work", subject: "next week",
			text: "would the day after tomorrow work? Afternoon preferably.", intent: IntentAppointment,
			first: "2026-11-26 13:00-17:00 part_of_day"},
		{kind: "request", name: "call back or an appointment", subject: "Fernwartung",
			text: "bitte um Rückruf oder Termin, erreichbar unter 0664 218 4473.", intent: IntentAppointment, noTime: true},
		{kind: "request", name: "connect to my computer", subject: "help",
			text: "hello i need somebody to connect to my computer the program not open", intent: IntentAppointment, noTime: true},
		{kind: "counter", name: "none fits, another day", subject: "AW: Terminvorschläge",
			text: "die Vorschläge passen leider alle nicht. Hätten Sie Montag, 30.11. um 15 Uhr etwas?", quoted: proposalQuote,
			intent: IntentAppointment, first: "2026-11-30 15:00 minute"},
	}
	now := refNow(t)
	for _, c := range cases {
		t.Run(c.kind+"/"+c.name, func(t *testing.T) {
			msg := &message.Message{Subject: c.subject, Text: c.text, Quoted: c.quoted}
			if c.quoted != "" && !forwarded(c.subject) {
				msg.InReplyTo = "<ours@example.com>" // a forward answers none of our mails
			}
			r := Read(msg, now)
			first := ""
			if len(r.Requested) > 0 {
				first = fmtWish(r.Requested[0])
			}
			if r.Intent != c.intent || c.first != "" && first != c.first || r.AnyDeskID != c.id || r.AnyDeskAlias != c.alias || r.Choice != c.choice {
				t.Errorf("got intent %s, first %q, id %q, alias %q, choice %d; want %s, %q, %q, %q, %d",
					r.Intent, first, r.AnyDeskID, r.AnyDeskAlias, r.Choice, c.intent, c.first, c.id, c.alias, c.choice)
			}
			if c.noTime && len(r.Requested) > 0 {
				t.Errorf("read a wish %q where none is", first)
			}
			if r.Unsure() != c.unsure {
				t.Errorf("unsure %v (confidence %.2f, %v), want %v", r.Unsure(), r.Confidence, r.Reasons, c.unsure)
			}
			if c.reason != "" && !strings.Contains(strings.Join(r.Reasons, "|"), c.reason) {
				t.Errorf("reasons %v lack %q", r.Reasons, c.reason)
			}
		})
	}
}

func TestCalendarAnswers(t *testing.T) {
	now := refNow(t)
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		method, partstat string
		intent           Intent
		filed            bool
		first            string
	}{
		{"REPLY", "ACCEPTED", IntentAutoReply, true, ""},
		{"REPLY", "TENTATIVE", IntentAutoReply, true, ""},
		{"REPLY", "DECLINED", IntentCancel, false, ""},
		{"COUNTER", "", IntentReschedule, false, "2026-11-27 10:00 minute"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.partstat, func(t *testing.T) {
			msg := &message.Message{Subject: "Accepted: Ihr Fernwartungstermin", Text: "Maria has accepted.",
				Calendar: &message.CalendarAnswer{Method: c.method, PartStat: c.partstat, UID: "FW-1001@example.com", Start: start}}
			r := Read(msg, now)
			first := ""
			if len(r.Requested) > 0 {
				first = fmtWish(r.Requested[0])
			}
			if r.Intent != c.intent || r.CalendarFiled() != c.filed || first != c.first {
				t.Errorf("intent %s filed %v first %q; want %s %v %q", r.Intent, r.CalendarFiled(), first, c.intent, c.filed, c.first)
			}
		})
	}
}

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"mittwock", "mittwoch", true}, {"montga", "montag", true}, {"freitg", "freitag", true},
		{"donnertag", "donnerstag", true}, {"thrusday", "thursday", true}, {"montag", "montag", false},
		{"mitwch", "mittwoch", false}, {"dinstag", "dienstag", true},
	} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
