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
		{Facts{Reading: understand.Reading{Intent: understand.IntentQuestion}}, "question-to-a-human", ActionReply},
		{Facts{Reading: understand.Reading{Intent: understand.IntentQuestion}, Body: "Wie kann ich einen neuen Drucker einrichten?"}, "out-of-scope", ActionReply},
		{Facts{Reading: understand.Reading{Intent: understand.IntentBulk}}, "everything-else-to-a-human", ActionRouteToHuman},
		{Facts{Reading: understand.Reading{Intent: understand.IntentBulk}, Machine: true}, "machine-report-to-a-human", ActionRouteToHuman},
		{Facts{Reading: understand.Reading{Intent: understand.IntentBounce}, Auto: true, Bounce: true, Machine: true}, "ignore-automatic", ActionIgnore},
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

func TestConditions(t *testing.T) {
	rs, err := Parse("c.yaml", []byte(`- name: vip
  when: {from: "@bigcustomer.at", open_appointment: true, language: de}
  then: {action: route_to_human, notify_technician: true}
- name: urgent
  when: {subject: [dringend, urgent], known_customer: true}
  then: {route_to_human: Urgent}
- name: rest
  then: {action: ignore}
`))
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{rules: rs}
	de := understand.Reading{Language: "de"}
	cases := []struct {
		f    Facts
		want string
	}{
		{Facts{Reading: de, From: "Chef@BigCustomer.at", OpenAppointment: true}, "vip"},
		{Facts{Reading: de, From: "chef@bigcustomer.at"}, "rest"},
		{Facts{Reading: understand.Reading{Language: "en"}, From: "chef@bigcustomer.at", OpenAppointment: true}, "rest"},
		{Facts{Reading: de, Subject: "DRINGEND: Fehler", KnownCustomer: true}, "urgent"},
		{Facts{Reading: de, Subject: "dringend", KnownCustomer: false}, "rest"},
	}
	for _, c := range cases {
		if got := set.Decide(c.f); got.Name != c.want {
			t.Errorf("%+v: rule %s, want %s", c.f, got.Name, c.want)
		}
	}
	if r := set.Decide(cases[3].f); r.Then.Action != ActionRouteToHuman || r.Then.RouteToHuman != "Urgent" {
		t.Errorf("route_to_human alone: %+v", r.Then)
	}
	if err := set.CheckTemplates([]string{"confirmation"}); err != nil {
		t.Errorf("no reply templates used, yet: %v", err)
	}
	bad, _ := Parse("r.yaml", []byte("- name: x\n  then: {reply: no_such_mail}\n"))
	if err := (&Set{rules: bad}).CheckTemplates([]string{"confirmation"}); err == nil || !strings.Contains(err.Error(), "r.yaml:1") {
		t.Errorf("unknown template: %v", err)
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
