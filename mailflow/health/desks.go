package health

import (
	"fmt"
	"strings"
	"time"
)

// DeskReport is one desk's verdict, named, for a process serving several.
type DeskReport struct {
	Slug string `json:"desk"`
	Name string `json:"name"`
	Report
}

// DesksReport is the verdict on a process that serves several desks: it
// is unhealthy when any desk is, and every reason names its desk.
type DesksReport struct {
	Healthy bool     `json:"healthy"`
	Status  string   `json:"status"` // "ok" or "unhealthy"
	Reasons []string `json:"reasons,omitempty"`
	// Unhealthy lists the slugs of the desks that are not healthy.
	Unhealthy []string     `json:"unhealthy_desks,omitempty"`
	Desks     []DeskReport `json:"desks"`
	Checked   time.Time    `json:"checked_at"`
}

// Combine judges several desks together, in the order given.
func Combine(now time.Time, desks []DeskReport) DesksReport {
	r := DesksReport{Healthy: true, Status: "ok", Desks: desks, Checked: now.UTC()}
	for _, d := range desks {
		if d.Healthy {
			continue
		}
		r.Healthy, r.Status = false, "unhealthy"
		r.Unhealthy = append(r.Unhealthy, d.Slug)
		for _, why := range d.Reasons {
			r.Reasons = append(r.Reasons, fmt.Sprintf("desk %s: %s", d.Slug, why))
		}
		if len(d.Reasons) == 0 {
			r.Reasons = append(r.Reasons, fmt.Sprintf("desk %s: unhealthy", d.Slug))
		}
	}
	return r
}

// Verdict is the report in one line, like Report.Verdict.
func (r DesksReport) Verdict() string {
	if r.Healthy {
		return "healthy"
	}
	return "unhealthy: " + strings.Join(r.Reasons, "; ")
}

// NotRunning is the verdict on a desk whose pipeline could not be
// started (its database, secrets or templates refused): it answers no mail.
func NotRunning(now time.Time, err error) Report {
	return Report{Status: "unhealthy", Reasons: []string{"not running: " + oneLine(err.Error())},
		Causes: []string{CauseDaemon}, Intake: "unknown", Checked: now.UTC()}
}
