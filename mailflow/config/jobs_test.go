package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJobsDefaultsAndExample(t *testing.T) {
	def := Default().Jobs
	ex, err := Load(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, j := range map[string]Jobs{"default": def, "example": ex.Jobs} {
		if j.AgendaTime != "07:30" || len(j.Reminders) != 2 || j.Reminders[0].DayBeforeAt != "14:00" || j.Reminders[1].Before != 15*time.Minute {
			t.Errorf("%s jobs: %+v", name, j)
		}
	}
}

func TestJobsKeys(t *testing.T) {
	cfg, err := Parse("x.yaml", []byte("sandbox: {enabled: true}\n"+base+
		"jobs: {agenda_time: \"08:15\", team_lead: lea@example.com, reminders: [{before: 90m}, {before: 24h}, {day_before_at: \"15:30\"}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range cfg.Jobs.Reminders {
		names = append(names, r.Name())
	}
	if got := strings.Join(names, " "); got != "before-1h30m before-24h day-before" || cfg.Jobs.AgendaTime != "08:15" || cfg.Jobs.TeamLead != "lea@example.com" {
		t.Errorf("jobs %+v, reminder names %s", cfg.Jobs, got)
	}
	// A file that names only the agenda time keeps the default reminders;
	// an empty list turns them off.
	cfg, err = Parse("x.yaml", []byte("sandbox: {enabled: true}\n"+base+"jobs: {agenda_time: \"08:00\"}\n"))
	if err != nil || len(cfg.Jobs.Reminders) != 2 {
		t.Errorf("partial jobs section: %v %+v", err, cfg.Jobs)
	}
	cfg, err = Parse("x.yaml", []byte("sandbox: {enabled: true}\n"+base+"jobs: {reminders: []}\n"))
	if err != nil || len(cfg.Jobs.Reminders) != 0 {
		t.Errorf("reminders off: %v %+v", err, cfg.Jobs)
	}
}

func TestJobsErrors(t *testing.T) {
	for yaml, want := range map[string]string{
		`jobs: {agenda_time: "7.30"}`:                                            "jobs.agenda_time",
		`jobs: {team_lead: lea}`:                                                 "jobs.team_lead",
		`jobs: {reminders: [{before: 15m, day_before_at: "14:00"}]}`:             "not both",
		`jobs: {reminders: [{}]}`:                                                "jobs.reminders[0].before",
		`jobs: {reminders: [{before: 30d}]}`:                                     `unknown unit "d"`,
		`jobs: {reminders: [{before: 400h}]}`:                                    "at most",
		`jobs: {reminders: [{day_before_at: "25:00"}]}`:                          "jobs.reminders[0].day_before_at",
		`jobs: {reminders: [{before: 15m}, {before: 15m}]}`:                      "a second before-15m reminder",
		`jobs: {reminders: [{day_before_at: "14:00"}, {day_before_at: "9:00"}]}`: "a second day-before reminder",
		`jobs: {reminders: [{after: 15m}]}`:                                      "after",
	} {
		_, err := Parse("x.yaml", []byte("sandbox: {enabled: true}\n"+base+yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one mentioning %q", yaml, err, want)
		}
	}
}
