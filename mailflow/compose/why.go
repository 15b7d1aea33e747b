package compose

import (
	"fmt"
	"time"
)

// WhyText says in the reply language why a wished time could not be
// booked. why is a booking.Why code; detail names a holiday; wish is the
// wished time (zero when there was none). Unknown codes give "".
func (c *Composer) WhyText(lang, why, detail string, wish time.Time) string {
	lang = c.language(lang)
	de := lang == "de"
	pick := func(g, e string) string {
		if de {
			return g
		}
		return e
	}
	// aboutDay names the wished day in the sentence (weekday, date), or
	// says it without when there is no wish.
	aboutDay := func(without, withDay string) string {
		if wish.IsZero() {
			return without
		}
		s := c.slotText(Slot{Start: wish}, 0, lang)
		return fmt.Sprintf(withDay, s.Weekday, s.Date)
	}
	switch why {
	case "no_time":
		return pick("Ihrer Nachricht konnten wir keinen Wunschtermin entnehmen.", "We could not find a preferred time in your message.")
	case "past":
		return pick("Der gewünschte Zeitpunkt liegt bereits in der Vergangenheit.", "The time you asked for has already passed.")
	case "too_soon":
		return pick("Der gewünschte Termin ist zu kurzfristig, wir brauchen etwas Vorlauf.", "The time you asked for is too soon for us to prepare.")
	case "beyond_horizon":
		return pick("So weit im Voraus vergeben wir noch keine Termine.", "We do not book that far ahead yet.")
	case "holiday":
		if detail != "" {
			return pick("Der gewünschte Tag ist ein Feiertag ("+detail+").", "The day you asked for is a public holiday ("+detail+").")
		}
		return pick("Der gewünschte Tag ist ein Feiertag.", "The day you asked for is a public holiday.")
	case "closed_day":
		return aboutDay(pick("An diesem Tag ist unser Support nicht besetzt.", "Our support desk is closed on that day."),
			pick("Am %s, %s ist unser Support nicht besetzt.", "Our support desk is closed on %s, %s."))
	case "pick_hour":
		return aboutDay(pick("Bitte wählen Sie noch die Uhrzeit.", "Please choose the time."),
			pick("Für %s, %s fehlt uns noch die Uhrzeit: Bitte wählen Sie eine der folgenden Zeiten.",
				"For %s, %s we still need the time: please choose one of the times below."))
	case "outside_hours":
		return pick("Der gewünschte Zeitpunkt liegt außerhalb unserer Supportzeiten.", "The time you asked for is outside our support hours.")
	case "taken":
		return pick("Zum gewünschten Zeitpunkt sind leider alle Techniker bereits verplant.", "All our technicians are already booked at that time.")
	}
	return ""
}
