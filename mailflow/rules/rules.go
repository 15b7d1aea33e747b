// Package rules loads the operator's rules (rules/*.yaml) and evaluates them
// against an understood mail: the first matching rule names the action. It
// decides *what* to do, never does it.
package rules

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/mailflow/mailflow/mailflow/understand"
	defaults "github.com/mailflow/mailflow/rules"
)

// Action is what a rule tells mailflow to do.
type Action string

// The actions.
const (
	ActionBook         Action = "book"
	ActionRecordID     Action = "record_id"
	ActionRouteToHuman Action = "route_to_human"
	ActionIgnore       Action = "ignore"
	ActionAccept       Action = "accept"
	ActionCancel       Action = "cancel"
	ActionReschedule   Action = "reschedule"
)

var actions = map[Action]bool{
	ActionBook: true, ActionRecordID: true, ActionRouteToHuman: true, ActionIgnore: true,
	ActionAccept: true, ActionCancel: true, ActionReschedule: true,
}

// Rule is one entry of a rules file.
type Rule struct {
	Name string `yaml:"name"`
	When When   `yaml:"when"`
	Then Then   `yaml:"then"`

	// File and Line say where the rule was written, for check and try.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// When holds a rule's conditions; unset ones match anything.
type When struct {
	Intent  Intents `yaml:"intent"`
	Auto    *bool   `yaml:"auto"`
	Bulk    *bool   `yaml:"bulk"`
	HasTime *bool   `yaml:"has_time"`
	HasID   *bool   `yaml:"has_id"`
}

// Intents accepts a single intent or a list.
type Intents []understand.Intent

// UnmarshalYAML reads `intent: x` and `intent: [x, y]` alike.
func (is *Intents) UnmarshalYAML(b []byte) error {
	var one string
	if err := yaml.Unmarshal(b, &one); err == nil {
		*is = Intents{understand.Intent(one)}
		return nil
	}
	var many []string
	if err := yaml.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("intent must be a name or a list of names")
	}
	for _, m := range many {
		*is = append(*is, understand.Intent(m))
	}
	return nil
}

// Then is a rule's action.
type Then struct {
	Action Action `yaml:"action"`
}

// Facts are what a rule can look at.
type Facts struct {
	Reading understand.Reading
	Auto    bool
	Bulk    bool
}

// Set is an ordered list of rules.
type Set struct{ rules []Rule }

var knownIntents = map[understand.Intent]bool{
	understand.IntentAppointment: true, understand.IntentAnyDeskID: true, understand.IntentCancel: true,
	understand.IntentReschedule: true, understand.IntentAccept: true, understand.IntentQuestion: true,
	understand.IntentAutoReply: true, understand.IntentBounce: true, understand.IntentBulk: true,
}

// Load reads every *.yaml file of dir in name order; dir "" loads the
// built-in defaults. Errors carry file:line.
func Load(dir string) (*Set, error) {
	var fsys fs.FS = defaults.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("rules %s: no *.yaml files", dir)
	}
	sort.Strings(names)
	set := &Set{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		display := name
		if dir != "" {
			display = path.Join(dir, name)
		}
		rs, err := Parse(display, b)
		if err != nil {
			return nil, err
		}
		set.rules = append(set.rules, rs...)
	}
	return set, nil
}

// Parse reads one rules file.
func Parse(name string, b []byte) ([]Rule, error) {
	var rs []Rule
	if err := yaml.UnmarshalWithOptions(b, &rs, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimSpace(yaml.FormatError(err, false, true)))
	}
	lines := ruleLines(b)
	var errs []string
	for i := range rs {
		r := &rs[i]
		r.File = name
		if i < len(lines) {
			r.Line = lines[i]
		}
		where := fmt.Sprintf("%s:%d", name, r.Line)
		if r.Name == "" {
			errs = append(errs, where+": rule has no name")
		}
		if !actions[r.Then.Action] {
			errs = append(errs, fmt.Sprintf("%s: rule %q: action %q is not one of book, accept, cancel, reschedule, record_id, route_to_human, ignore", where, r.Name, r.Then.Action))
		}
		for _, in := range r.When.Intent {
			if !knownIntents[in] {
				errs = append(errs, fmt.Sprintf("%s: rule %q: unknown intent %q", where, r.Name, in))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return rs, nil
}

// ruleLines finds the line of each top-level list item, so errors found
// after decoding can still point at the rule.
func ruleLines(b []byte) []int {
	var out []int
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "- ") || l == "-" {
			out = append(out, i+1)
		}
	}
	return out
}

// Rules returns the loaded rules in order.
func (s *Set) Rules() []Rule { return s.rules }

// Decide returns the first rule that matches. With no match (a rules folder
// without a catch-all) the mail goes to a human: nothing is ever dropped.
func (s *Set) Decide(f Facts) Rule {
	for _, r := range s.rules {
		if r.When.matches(f) {
			return r
		}
	}
	return Rule{Name: "no-rule-matched", Then: Then{Action: ActionRouteToHuman}}
}

func (w When) matches(f Facts) bool {
	if len(w.Intent) > 0 {
		ok := false
		for _, in := range w.Intent {
			ok = ok || in == f.Reading.Intent
		}
		if !ok {
			return false
		}
	}
	return is(w.Auto, f.Auto) && is(w.Bulk, f.Bulk) &&
		is(w.HasTime, len(f.Reading.Requested) > 0) && is(w.HasID, f.Reading.AnyDeskID != "")
}

func is(want *bool, got bool) bool { return want == nil || *want == got }
