package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/understand"
)

func TestDefaultRules(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		facts  Facts
		rule   string
		action Action
	}{
		{Facts{Reading: understand.Reading{Intent: understand.IntentAppointment}}, "book-request", ActionBook},
		{Facts{Reading: understand.Reading{Intent: understand.IntentAnyDeskID, AnyDeskID: "123456789"}}, "anydesk-id", ActionRecordID},
		{Facts{Reading: understand.Reading{Intent: understand.IntentAppointment}, Auto: true}, "ignore-automatic", ActionIgnore},
		{Facts{Reading: understand.Reading{Intent: understand.IntentAppointment}, Bulk: true}, "ignore-bulk", ActionIgnore},
		{Facts{Reading: understand.Reading{Intent: understand.IntentQuestion}}, "everything-else-to-a-human", ActionRouteToHuman},
		{Facts{Reading: understand.Reading{Intent: understand.IntentAccept, Choice: 2}}, "accept-proposal", ActionAccept},
		{Facts{Reading: understand.Reading{Intent: understand.IntentCancel}}, "cancel-by-reply", ActionCancel},
		{Facts{Reading: understand.Reading{Intent: understand.IntentReschedule}}, "reschedule-by-reply", ActionReschedule},
	}
	for _, c := range cases {
		r := set.Decide(c.facts)
		if r.Name != c.rule || r.Then.Action != c.action {
			t.Errorf("%+v: got %s/%s, want %s/%s", c.facts, r.Name, r.Then.Action, c.rule, c.action)
		}
		if r.Line == 0 || r.File != "default.yaml" {
			t.Errorf("rule %s has no position: %s:%d", r.Name, r.File, r.Line)
		}
	}
}

func TestNoMatchGoesToHuman(t *testing.T) {
	rs, err := Parse("x.yaml", []byte("- name: only-ids\n  when: {intent: anydesk_id}\n  then: {action: record_id}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := (&Set{rules: rs}).Decide(Facts{}); got.Then.Action != ActionRouteToHuman {
		t.Fatalf("unmatched mail: action %s, want route_to_human", got.Then.Action)
	}
}

func TestBadRulesNameFileAndLine(t *testing.T) {
	cases := []struct{ body, want string }{
		{"- name: a\n  then: {action: book}\n- name: b\n  then: {action: explode}\n", "bad.yaml:3"},
		{"- name: a\n  when: {intent: wish}\n  then: {action: book}\n", `unknown intent "wish"`},
		{"- name: a\n  when: {colour: red}\n  then: {action: book}\n", "colour"},
		{"- then: {action: book}\n", "bad.yaml:1: rule has no name"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rules %q: error %v, want it to mention %q", c.body, err, c.want)
		}
	}
}
