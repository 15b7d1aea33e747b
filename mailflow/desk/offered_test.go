package desk

import (
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// TestOnOfferedDay: a time said without a day, in answer to the slots we
// offered, lands on their day, or on the one offered slot at that clock
// time; otherwise it is asked back. A number picked beside it wins.
func TestOnOfferedDay(t *testing.T) {
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, vienna) }
	slot := func(d, h, m int) store.ProposedSlot {
		return store.ProposedSlot{Start: at(d, h, m), End: at(d, h, m).Add(30 * time.Minute)}
	}
	oneDay := []store.ProposedSlot{slot(27, 9, 0), slot(27, 11, 30), slot(27, 14, 30)}
	days := []store.ProposedSlot{slot(26, 10, 0), slot(27, 9, 0), slot(30, 14, 0)}
	today13 := understand.Wish{Start: at(24, 13, 0), Precision: understand.PrecisionMinute, NoDay: true}
	today14 := understand.Wish{Start: at(24, 14, 0), Precision: understand.PrecisionMinute, NoDay: true}
	tomorrow10 := understand.Wish{Start: at(25, 10, 0), Precision: understand.PrecisionMinute} // "morgen um 10": a day named
	cases := []struct {
		name   string
		slots  []store.ProposedSlot
		choice int
		wish   understand.Wish
		want   time.Time
		unsure bool
	}{
		{"an hour under an offer for one day", oneDay, 0, today13, at(27, 13, 0), false},
		{"a day named stays", oneDay, 0, tomorrow10, at(25, 10, 0), false},
		{"an hour that is one offered slot's", days, 0, today14, at(30, 14, 0), false},
		{"an hour none of several days offers is asked back", days, 0, today13, at(24, 13, 0), true},
		{"a number picked beside an hour wins", days, 2, today13, at(24, 13, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := onOfferedDay(Request{Choice: c.choice, Wishes: []understand.Wish{c.wish}}, c.slots)
			if !got.Wishes[0].Start.Equal(c.want) || got.Unsure != c.unsure {
				t.Errorf("wish %s unsure %v; want %s unsure %v", got.Wishes[0].Start, got.Unsure, c.want, c.unsure)
			}
		})
	}
}
