package message

import (
	"strings"
	"testing"
)

func TestCutReply(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		text      string
		quotedHas string
	}{
		{
			name: "nothing to cut",
			in:   "Hallo,\n\nbitte um Termin am Montag um 10 Uhr.",
			text: "Hallo,\n\nbitte um Termin am Montag um 10 Uhr.",
		},
		{
			name:      "gmail attribution wrapped onto two lines",
			in:        "Passt.\n\nAm Mo., 16. März 2026 um 16:20 Uhr schrieb Support Desk <\nsupport@example-software.at>:\n\n> Dienstag 10:00?\n",
			text:      "Passt.",
			quotedHas: "schrieb Support Desk <\nsupport@example-software.at>:",
		},
		{
			name:      "thunderbird attribution",
			in:        "Ja, gerne.\n\nAm 16.03.26 um 16:20 schrieb Support:\n> Wollen Sie Dienstag 10:00?",
			text:      "Ja, gerne.",
			quotedHas: "> Wollen Sie Dienstag 10:00?",
		},
		{
			name:      "attribution without quote prefix cuts to the end",
			in:        "Der erste Termin passt.\n\nAm 16.03.2026 um 16:20 schrieb Support <support@example-software.at>:\n\nSehr geehrte Kundin,\n1) Dienstag 10:00\n2) Mittwoch 14:00",
			text:      "Der erste Termin passt.",
			quotedHas: "2) Mittwoch 14:00",
		},
		{
			name:      "english attribution",
			in:        "Friday works.\n\nOn Mon, Mar 16, 2026 at 4:20 PM Support <support@example-software.at> wrote:\n> Tuesday 10:00?",
			text:      "Friday works.",
			quotedHas: "wrote:",
		},
		{
			name: "inline answers between quotes stay",
			in:   "Max schrieb:\n> Welcher Termin passt Ihnen?\n\nDer zweite.\n\n> Haben Sie AnyDesk installiert?\n\nJa.",
			text: "Der zweite.\n\nJa.",
		},
		{
			name: "re-wrapped quote line stays quoted",
			in:   "Dienstag passt.\n\n> Wir bieten Ihnen Montag 9:00, Dienstag 10:00 und als dritte Möglichkeit\nMittwoch 15:00\n> an. Bitte wählen Sie.",
			text: "Dienstag passt.",
		},
		{
			name:      "outlook header block with rule",
			in:        "Passt!\n\n________________________________\nVon: Support <support@example-software.at>\nGesendet: Freitag, 13. März 2026 16:20\nAn: Kunde <k@example.at>\nBetreff: Termin\n\nMontag 9:00?",
			text:      "Passt!",
			quotedHas: "________________________________\nVon: Support",
		},
		{
			name:      "outlook header block with bold markers",
			in:        "Passt!\n\n*Von:* Support <support@example-software.at>\n*Gesendet:* Freitag, 13. März 2026 16:20\n*An:* Kunde\n*Betreff:* Termin\n\nMontag 9:00?",
			text:      "Passt!",
			quotedHas: "Montag 9:00?",
		},
		{
			name:      "english outlook block",
			in:        "Works for me.\n\nFrom: Support <support@example-software.at>\nSent: Friday, March 13, 2026 4:20 PM\nTo: Customer\nSubject: Appointment\n\nMonday 9:00?",
			text:      "Works for me.",
			quotedHas: "Monday 9:00?",
		},
		{
			name:      "GMX header block starting with Gesendet",
			in:        "Ok.\n\nGesendet: Freitag, 13. März 2026 um 16:20 Uhr\nVon: \"Support\" <support@example-software.at>\nAn: kunde@gmx.at\nBetreff: Termin\n\nMontag 9:00?",
			text:      "Ok.",
			quotedHas: "Montag 9:00?",
		},
		{
			name: "a lone Betreff line is not a header block",
			in:   "Hallo,\nBetreff: Rechnung 2026-0815\nVon: Buchhaltung\nbitte um Termin Montag 10 Uhr.",
			text: "Hallo,\nBetreff: Rechnung 2026-0815\nVon: Buchhaltung\nbitte um Termin Montag 10 Uhr.",
		},
		{
			name:      "original message separator",
			in:        "Bitte Dienstag.\n\n-----Ursprüngliche Nachricht-----\nVon: Support\nMontag 9:00?",
			text:      "Bitte Dienstag.",
			quotedHas: "-----Ursprüngliche Nachricht-----",
		},
		{
			name:      "english original message",
			in:        "Tuesday please.\n-----Original Message-----\nMonday 9:00?",
			text:      "Tuesday please.",
			quotedHas: "Monday 9:00?",
		},
		{
			name:      "gmail forward",
			in:        "Zur Info.\n\n---------- Forwarded message ---------\nFrom: Eva <e@example.at>\nMontag 8 Uhr?",
			text:      "Zur Info.",
			quotedHas: "Montag 8 Uhr?",
		},
		{
			name:      "apple forward german",
			in:        "Siehe unten.\n\nAnfang der weitergeleiteten Nachricht:\n\nVon: Eva <e@example.at>\nMontag 8 Uhr?",
			text:      "Siehe unten.",
			quotedHas: "Anfang der weitergeleiteten Nachricht:",
		},
		{
			name:      "apple forward english",
			in:        "See below.\n\nBegin forwarded message:\n\nFrom: Eva <e@example.at>\nMonday 8am?",
			text:      "See below.",
			quotedHas: "Monday 8am?",
		},
		{
			name:      "sig delimiter",
			in:        "Termin Montag 10 Uhr bitte.\n-- \nMax Mustermann\nTel. 0664 1234567",
			text:      "Termin Montag 10 Uhr bitte.",
			quotedHas: "Tel. 0664 1234567",
		},
		{
			name:      "austrian signature with Firmenbuch and UID",
			in:        "Montag 10 Uhr passt.\n\nLG\nMax Mustermann\nMustermann GmbH | Hauptstraße 1 | 1010 Wien\nTel: +43 1 234567 | Fax: +43 1 234567-9\nFN 123456a | HG Wien | UID: ATU12345678\nÖffnungszeiten: Mo-Fr 08:00-17:00",
			text:      "Montag 10 Uhr passt.",
			quotedHas: "Öffnungszeiten: Mo-Fr 08:00-17:00",
		},
		{
			name: "closing with name on the same line",
			in:   "Passt.\n\nLG Max",
			text: "Passt.",
		},
		{
			name: "thanks, then real request text is not a signature",
			in:   "Hallo,\n\nDanke,\nich hätte gerne einen Termin am Dienstag um 10 Uhr.",
			text: "Hallo,\n\nDanke,\nich hätte gerne einen Termin am Dienstag um 10 Uhr.",
		},
		{
			name: "postscript after the closing is kept",
			in:   "Hallo,\nbitte um Rückruf.\n\nLG Max\nPS: Dienstag 10 Uhr ginge auch",
			text: "Hallo,\nbitte um Rückruf.\n\nLG Max\nPS: Dienstag 10 Uhr ginge auch",
		},
		{
			name: "anydesk id after the closing is kept",
			in:   "Hier meine ID.\n\nLG Max\nAnyDesk 123 456 789",
			text: "Hier meine ID.\n\nLG Max\nAnyDesk 123 456 789",
		},
		{
			name: "question after the closing is kept",
			in:   "Hallo,\n\nViele Grüße\nMaria\n\nGeht auch Freitag?",
			text: "Hallo,\n\nViele Grüße\nMaria\n\nGeht auch Freitag?",
		},
		{
			name: "a mail that is only a thank-you keeps it",
			in:   "Danke!\n\nMax Mustermann",
			text: "Danke!\n\nMax Mustermann",
		},
		{
			name: "thanks followed by a sentence is not a closing",
			in:   "Hello,\n\nThanks for the quick reply.\nTuesday 10:00 is fine.",
			text: "Hello,\n\nThanks for the quick reply.\nTuesday 10:00 is fine.",
		},
		{
			name:      "english closing and device footer",
			in:        "Tuesday 10:00 is fine.\n\nBest regards,\nJohn\n\nSent from my iPhone",
			text:      "Tuesday 10:00 is fine.",
			quotedHas: "Sent from my iPhone",
		},
		{
			name:      "device footer alone",
			in:        "Passt, danke.\n\nVon meinem iPhone gesendet",
			text:      "Passt, danke.",
			quotedHas: "Von meinem iPhone gesendet",
		},
		{
			name:      "closing followed by a disclaimer",
			in:        "Passt.\n\nMit freundlichen Grüßen\nEva Huber\n\nDiese Nachricht ist vertraulich und ausschließlich für den bezeichneten Adressaten bestimmt. Wenn Sie nicht der richtige Adressat sind, löschen Sie sie bitte.",
			text:      "Passt.",
			quotedHas: "vertraulich",
		},
		{
			name: "closing not at the start of a word",
			in:   "Hallo,\nLGBT-Förderung ist unser Thema.\nMaria",
			text: "Hallo,\nLGBT-Förderung ist unser Thema.\nMaria",
		},
		{
			name: "long lines after the closing are not a signature",
			in:   "Hallo,\n\nGrüße\nwir haben noch eine Frage zu unserer Lizenz für die nächste Version, die wir im Frühjahr einführen.",
			text: "Hallo,\n\nGrüße\nwir haben noch eine Frage zu unserer Lizenz für die nächste Version, die wir im Frühjahr einführen.",
		},
		{
			name: "customer words mentioning writing are not an attribution",
			in:   "Wie ich Ihnen geschrieben habe:\nMontag um 10 Uhr.",
			text: "Wie ich Ihnen geschrieben habe:\nMontag um 10 Uhr.",
		},
		{
			name: "Am <date> schrieb ich is the customer talking",
			in:   "Hallo,\nAm 12.03.2026 um 10:00 schrieb ich Ihnen bereits:\nDienstag wäre gut.",
			text: "Hallo,\nAm 12.03.2026 um 10:00 schrieb ich Ihnen bereits:\nDienstag wäre gut.",
		},
		{
			name:      "windows mail footer",
			in:        "Passt.\n\nGesendet von Mail für Windows",
			text:      "Passt.",
			quotedHas: "Mail für Windows",
		},
		{
			name:      "bottom-posted answer below the quote",
			in:        "Am 16.03.2026 um 16:20 schrieb Support <support@example-software.at>:\n> 1) Dienstag 10:00\n> 2) Mittwoch 14:00\n\nDer zweite passt.\n\nLG Eva",
			text:      "Der zweite passt.",
			quotedHas: "> 2) Mittwoch 14:00",
		},
		{
			name:      "an Outlook quote with only Von and a dated Gesendet",
			in:        "Servus, kenn ma des vom Dienstag auf Mittwoch verschieben?\n\nHermann\n\nVon: Support\nGesendet: Freitag, 21. Februar 2076 11:00\n\nwir bestätigen Ihren Termin am 25.02.2076 um 13:00 Uhr.",
			text:      "Servus, kenn ma des vom Dienstag auf Mittwoch verschieben?\n\nHermann",
			quotedHas: "wir bestätigen Ihren Termin",
		},
		{
			name:      "an English quote with only From and Sent with a weekday",
			in:        "can we push it back 30 minutes?\n\nBen\n\nFrom: Support\nSent: Wednesday, March 11, 2076\n\nwe confirm your appointment on 13 March 2076 at 09:00.",
			text:      "can we push it back 30 minutes?\n\nBen",
			quotedHas: "we confirm your appointment",
		},
		{
			name: "a customer's own Von and Datum lines are text",
			in:   "Hallo,\nVon: Buchhaltung\nDatum: morgen\nbitte um Rückruf.",
			text: "Hallo,\nVon: Buchhaltung\nDatum: morgen\nbitte um Rückruf.",
		},
		{
			name: "a name and contact lines with no closing are a signature",
			in:   "2.\n\nWalter Kühn\nSkischule Großer Arber\nTel. 09925 94 14",
			text: "2.",
		},
		{
			name: "a name line before the AnyDesk ID is no signature",
			in:   "Hallo, hier die Nummer\n\nMax Huber\nTel. 0664 1234567\n123 456 789",
			text: "Hallo, hier die Nummer\n\nMax Huber\nTel. 0664 1234567\n123 456 789",
		},
		{
			name: "a name line without contact lines is kept",
			in:   "Montag 10 Uhr bitte.\n\nMax Huber\nHuber Installationen",
			text: "Montag 10 Uhr bitte.\n\nMax Huber\nHuber Installationen",
		},
		{
			name: "Am ... schrieb in the customer's own words has no date",
			in:   "Am Montag schrieb mir Ihr Kollege folgendes:\nBitte Dienstag um 10.",
			text: "Am Montag schrieb mir Ihr Kollege folgendes:\nBitte Dienstag um 10.",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cutReply(tc.in)
			if got.text != tc.text {
				t.Errorf("text =\n%s\n--- want\n%s", got.text, tc.text)
			}
			if tc.quotedHas != "" && !strings.Contains(got.quoted, tc.quotedHas) {
				t.Errorf("quoted lacks %q:\n%s", tc.quotedHas, got.quoted)
			}
		})
	}
}

func TestClosingLine(t *testing.T) {
	yes := []string{
		"Mit freundlichen Grüßen", "Mit freundlichen Grüssen,", "mit freundlichem Gruß",
		"Freundliche Grüße", "MfG", "LG", "Lg Max", "LG, Maria Huber", "Liebe Grüße",
		"Viele Grüße aus Graz", "Beste Grüße", "Schöne Grüße", "Herzliche Grüße!",
		"Danke und LG", "Vielen Dank und liebe Grüße", "Danke & schöne Grüße",
		"Best regards", "Best regards,", "Kind regards", "Regards", "Thanks,", "Thank you!",
		"Many thanks", "Mit freundlichen Grüßen / Best regards", "Grüße", "Gruß",
	}
	no := []string{
		"Grüße an Ihren Kollegen und bitte um Rückruf", "Danke für die schnelle Antwort",
		"Thanks for your help", "LGBT", "Regardless of the time", "Lg nach Absprache mit dem Chef",
		"Mittwoch 10 Uhr", "",
	}
	for _, s := range yes {
		if !closingLine(s) {
			t.Errorf("closingLine(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if closingLine(s) {
			t.Errorf("closingLine(%q) = true, want false", s)
		}
	}
}
