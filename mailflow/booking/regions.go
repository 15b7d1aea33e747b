package booking

import (
	"time"

	"github.com/rickar/cal/v2"
)

// austrianLand is one of Austria's nine Länder with the feast of its
// patron saint (Landespatron). rickar/cal has Austria's national holidays
// only; these days are the regional part a desk may add with
// desk.holidays: AT-1 … AT-9 (ISO 3166-2:AT).
//
// The patron's day is not a statutory day off: schools and the Land's own
// offices close, most businesses work. That is why it is opt-in and AT
// alone means the national holidays only.
type austrianLand struct {
	code, name string
	patron     *cal.Holiday
}

func patronDay(name string, m time.Month, day int) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservanceOther, Month: m, Day: day, Func: cal.CalcDayOfMonth}
}

var (
	josef   = patronDay("Josefitag (Landespatron)", time.March, 19)
	leopold = patronDay("Leopolditag (Landespatron)", time.November, 15)
)

// austrianLands is the data: one row per Land, by its ISO 3166-2 number.
var austrianLands = []austrianLand{
	{"AT-1", "Burgenland", patronDay("Martinstag (Landespatron)", time.November, 11)},
	{"AT-2", "Kärnten", josef},
	{"AT-3", "Niederösterreich", leopold},
	{"AT-4", "Oberösterreich", patronDay("Florianitag (Landespatron)", time.May, 4)},
	{"AT-5", "Salzburg", patronDay("Rupertitag (Landespatron)", time.September, 24)},
	{"AT-6", "Steiermark", josef},
	{"AT-7", "Tirol", josef},
	{"AT-8", "Vorarlberg", josef},
	{"AT-9", "Wien", leopold},
}

// landOf returns the Land of an AT-n code.
func landOf(code string) (austrianLand, bool) {
	for _, l := range austrianLands {
		if l.code == code {
			return l, true
		}
	}
	return austrianLand{}, false
}
