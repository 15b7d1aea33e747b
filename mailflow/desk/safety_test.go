package desk

import (
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/understand"
)

// TestWithinWish pins the last check before a booking (issue 12): only
// the minute asked for, or a slot inside the window asked for, books;
// anything else the calendar found is proposed instead.
func TestWithinWish(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	at := func(d, h, m int) time.Time { return time.Date(2027, 1, d, h, m, 0, 0, loc) }
	end := func(d, h int) *time.Time { e := at(d, h, 0); return &e }
	cases := []struct {
		name   string
		slot   time.Time
		wishes []understand.Wish
		book   bool
	}{
		{"the minute asked for", at(26, 8, 30), []understand.Wish{{Start: at(26, 8, 30), Precision: understand.PrecisionMinute}}, true},
		{"half an hour after the minute asked for", at(26, 9, 0), []understand.Wish{{Start: at(26, 8, 30), Precision: understand.PrecisionMinute}}, false},
		{"inside the afternoon asked for", at(19, 13, 0), []understand.Wish{{Start: at(19, 12, 0), End: end(19, 17), Precision: understand.PrecisionPartOfDay}}, true},
		{"the afternoon a week early", at(12, 13, 0), []understand.Wish{{Start: at(19, 12, 0), End: end(19, 17), Precision: understand.PrecisionPartOfDay}}, false},
		{"any time of the day asked for", at(14, 15, 0), []understand.Wish{{Start: at(14, 0, 0), Precision: understand.PrecisionDay}}, true},
		{"the day before the day asked for", at(13, 15, 0), []understand.Wish{{Start: at(14, 0, 0), Precision: understand.PrecisionDay}}, false},
		{"the second wish", at(15, 10, 0), []understand.Wish{{Start: at(14, 10, 0), Precision: understand.PrecisionMinute}, {Start: at(15, 10, 0), Precision: understand.PrecisionMinute}}, true},
		{"no wish at all", at(15, 10, 0), nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := withinWish(c.slot, c.wishes); got != c.book {
				t.Errorf("withinWish(%s) = %v, want %v", c.slot, got, c.book)
			}
		})
	}
}
