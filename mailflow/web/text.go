package web

import (
	"fmt"
	"html/template"
	"time"
)

// funcs are the helpers the pages format times with, in the page's
// language.
var funcs = template.FuncMap{
	"day":   dayText,
	"clock": func(t time.Time) string { return t.Format("15:04") },
	"short": func(lang string, t time.Time) string {
		if lang == "de" {
			return deWeekdays[t.Weekday()][:2] + " " + t.Format("02.01.")
		}
		return t.Weekday().String()[:3] + " " + t.Format("Jan 2")
	},
	"msg": func(l map[string]string, key string) string {
		if s, ok := l[key]; ok {
			return s
		}
		return key
	},
	"iso": func(t time.Time) string { return t.Format(time.RFC3339) },
}

var deWeekdays = [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
var deMonths = [...]string{"", "Jänner", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}

func dayText(lang string, t time.Time) string {
	if lang == "de" {
		return fmt.Sprintf("%s, %d. %s %d", deWeekdays[t.Weekday()], t.Day(), deMonths[t.Month()], t.Year())
	}
	return fmt.Sprintf("%s, %d %s %d", t.Weekday(), t.Day(), t.Month(), t.Year())
}

// messages are the pages' words. Keys missing in one language show as
// the key (TestMessagesComplete keeps both complete).
var messages = map[string]map[string]string{
	"de": {
		"desk": "Support-Desk", "skip": "Zum Inhalt springen", "lang_other": "English", "lang_other_code": "en",
		"login_title": "Anmelden", "login_intro": "Geben Sie Ihre E-Mail-Adresse ein. Ist sie beim Desk hinterlegt, schicken wir Ihnen einen Anmeldelink, der 15 Minuten lang einmal gilt. Ein Passwort gibt es nicht.",
		"email": "E-Mail-Adresse", "send_link": "Link schicken",
		"link_sent": "Sehen Sie in Ihr Postfach", "link_sent_text": "Falls die Adresse zum Desk gehört, ist ein Anmeldelink unterwegs. Er gilt 15 Minuten lang und nur einmal.",
		"signin_title": "Anmeldung bestätigen", "signin_intro": "Mit diesem Knopf melden Sie sich an. Der Link gilt nur einmal.", "signin": "Anmelden",
		"link_used": "Link nicht mehr gültig", "link_used_text": "Dieser Anmeldelink wurde schon verwendet oder ist abgelaufen. Fordern Sie einen neuen an.",
		"expired_form": "Formular abgelaufen", "expired_form_text": "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
		"too_many": "Zu viele Versuche", "too_many_text": "Bitte warten Sie ein paar Minuten und versuchen Sie es dann noch einmal.",
		"error": "Etwas ist schiefgegangen", "error_text": "Die Anfrage konnte nicht bearbeitet werden. Bitte versuchen Sie es später noch einmal.",
		"not_found": "Nicht gefunden", "not_found_text": "Diesen Termin gibt es nicht, oder er gehört nicht zu Ihren.",
		"signed_in_as": "Angemeldet als", "logout": "Abmelden", "agenda": "Termine",
		"list": "Liste", "week": "Wochenbild", "no_sessions": "Keine Termine.", "today": "heute",
		"time": "Zeit", "customer": "Kunde", "reason": "Anlass", "language": "Sprache", "status": "Status", "id": "AnyDesk-ID", "technician": "Techniker",
		"id_yes": "eingelangt", "id_no": "noch nicht",
		"status_booked": "gebucht", "status_done": "erledigt", "status_cancelled": "abgesagt",
		"desk_state": "Zustand des Desks", "health": "Betrieb", "healthy": "in Ordnung", "unhealthy": "gestört",
		"human_count": "Mails für einen Menschen in den letzten 7 Tagen (Ordner %s)", "dead": "Unzustellbare Mails", "no_dead": "Keine.",
		"purpose": "Art", "recipient": "Empfänger", "last_error": "Fehler",
		"session": "Termin", "back": "Zurück zu den Terminen", "id_full": "AnyDesk-ID", "copy": "Kopieren", "copied": "Kopiert",
		"open_anydesk": "In AnyDesk öffnen", "id_only_today": "Die ID wird erst am Tag des Termins ganz gezeigt:", "id_none": "Die ID ist noch nicht eingelangt.",
		"done_title": "Erledigt melden", "protocol": "Protokoll (was gemacht wurde)", "mark_done": "Als erledigt markieren",
		"done_hint":    "Die AnyDesk-ID wird dabei gelöscht, wie bei „erledigt“ per Mail.",
		"noshow_title": "Nicht erschienen", "mark_noshow": "Als nicht erschienen markieren",
		"note_title": "Protokoll und Notizen", "note": "Notiz", "add_note": "Notiz speichern",
		"cancel_title": "Absagen", "cancel_hint": "Der Kunde bekommt die Absage mit der Kalender-Absage per Mail.", "do_cancel": "Termin absagen",
		"move_title": "Verschieben", "move_hint": "Wählen Sie eine Zeit: der Kunde bekommt freie Termine um diese Zeit vorgeschlagen und wählt selbst.", "slot": "Zeit", "do_move": "Vorschläge schicken",
		"no_free": "Keine freien Zeiten im Buchungszeitraum.",
		"history": "Frühere Termine dieses Kunden", "no_history": "Keine.",
		"refused": "Nicht ausgeführt", "note_empty": "Die Notiz ist leer.", "bad_slot": "Diese Zeit ist ungültig.",
		"done_done": "Als erledigt markiert; die AnyDesk-ID ist gelöscht.", "done_no-show": "Als nicht erschienen markiert.", "done_note": "Notiz gespeichert.",
		"done_cancel": "Abgesagt; der Kunde wird per Mail verständigt.", "done_move": "Vorschläge an den Kunden geschickt.",
		"your_booking": "Ihr Termin", "booking_ref": "Buchungsnummer", "when": "Wann",
		"cancel_q": "Möchten Sie diesen Termin absagen?", "confirm_cancel": "Ja, Termin absagen",
		"move_q": "Wählen Sie eine neue Zeit. Der bisherige Termin bleibt gebucht, bis der neue feststeht.", "confirm_move": "Diese Zeit buchen",
		"move_none": "Keine dieser Zeiten passt? Dann schicken wir Ihnen per Mail weitere Vorschläge.", "propose_more": "Weitere Vorschläge per Mail",
		"pick_q": "Möchten Sie diesen Termin buchen?", "confirm_pick": "Ja, diesen Termin buchen",
		"or": "Oder", "to_cancel": "Termin absagen", "to_move": "Termin verschieben",
		"nothing_yet": "Es wird erst etwas geändert, wenn Sie bestätigen.",
		"bad_link":    "Link ungültig", "bad_link_text": "Dieser Link ist nicht gültig. Antworten Sie einfach auf unsere E-Mail.",
		"link_expired": "Link abgelaufen", "link_expired_text": "Dieser Termin ist nicht mehr offen, daher gilt der Link nicht mehr. Antworten Sie einfach auf unsere E-Mail, wenn Sie etwas brauchen.",
		"not_done": "Nicht ausgeführt", "not_done_text": "Das ließ sich hier nicht erledigen. Bitte antworten Sie einfach auf unsere E-Mail, dann kümmern wir uns darum.",
		"ok_cancelled": "Ihr Termin ist abgesagt", "ok_booked": "Ihr Termin ist gebucht", "ok_rescheduled": "Ihr Termin ist verschoben", "ok_proposed": "Vorschläge sind unterwegs",
		"ok_mail_text": "Sie bekommen gleich eine E-Mail mit allen Details.",
	},
	"en": {
		"desk": "Support desk", "skip": "Skip to content", "lang_other": "Deutsch", "lang_other_code": "de",
		"login_title": "Sign in", "login_intro": "Enter your email address. If it belongs to the desk, we send you a sign-in link that works once for 15 minutes. There is no password.",
		"email": "Email address", "send_link": "Send link",
		"link_sent": "Check your inbox", "link_sent_text": "If the address belongs to the desk, a sign-in link is on its way. It works once, for 15 minutes.",
		"signin_title": "Confirm sign-in", "signin_intro": "This button signs you in. The link works only once.", "signin": "Sign in",
		"link_used": "Link no longer valid", "link_used_text": "This sign-in link was used already or has expired. Ask for a new one.",
		"expired_form": "Form expired", "expired_form_text": "Please reload the page and try again.",
		"too_many": "Too many attempts", "too_many_text": "Please wait a few minutes and try again.",
		"error": "Something went wrong", "error_text": "The request could not be handled. Please try again later.",
		"not_found": "Not found", "not_found_text": "There is no such session, or it is not one of yours.",
		"signed_in_as": "Signed in as", "logout": "Sign out", "agenda": "Sessions",
		"list": "List", "week": "Week", "no_sessions": "No sessions.", "today": "today",
		"time": "Time", "customer": "Customer", "reason": "Reason", "language": "Language", "status": "Status", "id": "AnyDesk ID", "technician": "Technician",
		"id_yes": "arrived", "id_no": "not yet",
		"status_booked": "booked", "status_done": "done", "status_cancelled": "cancelled",
		"desk_state": "State of the desk", "health": "Health", "healthy": "healthy", "unhealthy": "unhealthy",
		"human_count": "Mails for a person in the last 7 days (folder %s)", "dead": "Dead letters", "no_dead": "None.",
		"purpose": "Kind", "recipient": "Recipient", "last_error": "Error",
		"session": "Session", "back": "Back to the sessions", "id_full": "AnyDesk ID", "copy": "Copy", "copied": "Copied",
		"open_anydesk": "Open in AnyDesk", "id_only_today": "The ID is shown in full only on the day of the session:", "id_none": "The ID has not arrived yet.",
		"done_title": "Mark done", "protocol": "Protocol (what was done)", "mark_done": "Mark as done",
		"done_hint":    "This erases the AnyDesk ID, as \"done\" by mail does.",
		"noshow_title": "No-show", "mark_noshow": "Mark as no-show",
		"note_title": "Protocol and notes", "note": "Note", "add_note": "Save note",
		"cancel_title": "Cancel", "cancel_hint": "The customer gets the cancellation with the calendar cancellation by mail.", "do_cancel": "Cancel session",
		"move_title": "Move", "move_hint": "Pick a time: the customer is offered free slots around it and chooses.", "slot": "Time", "do_move": "Send proposals",
		"no_free": "No free time within the booking horizon.",
		"history": "This customer's earlier sessions", "no_history": "None.",
		"refused": "Not done", "note_empty": "The note is empty.", "bad_slot": "That time is not valid.",
		"done_done": "Marked done; the AnyDesk ID is erased.", "done_no-show": "Marked as no-show.", "done_note": "Note saved.",
		"done_cancel": "Cancelled; the customer is told by mail.", "done_move": "Proposals sent to the customer.",
		"your_booking": "Your appointment", "booking_ref": "Booking number", "when": "When",
		"cancel_q": "Do you want to cancel this appointment?", "confirm_cancel": "Yes, cancel the appointment",
		"move_q": "Pick a new time. Your appointment stays booked until the new one is.", "confirm_move": "Book this time",
		"move_none": "None of these suits you? We will send you more options by mail.", "propose_more": "More options by mail",
		"pick_q": "Do you want to book this time?", "confirm_pick": "Yes, book this time",
		"or": "Or", "to_cancel": "Cancel the appointment", "to_move": "Move the appointment",
		"nothing_yet": "Nothing changes until you confirm.",
		"bad_link":    "Invalid link", "bad_link_text": "This link is not valid. Simply reply to our email instead.",
		"link_expired": "Link expired", "link_expired_text": "This appointment is no longer open, so the link no longer works. Simply reply to our email if you need anything.",
		"not_done": "Not done", "not_done_text": "This could not be done here. Please simply reply to our email and we will take care of it.",
		"ok_cancelled": "Your appointment is cancelled", "ok_booked": "Your appointment is booked", "ok_rescheduled": "Your appointment is moved", "ok_proposed": "Options are on their way",
		"ok_mail_text": "You will receive an email with all the details shortly.",
	},
}
