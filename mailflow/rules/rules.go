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
	// ActionReply sends Then.Reply's template and books nothing.
	ActionReply Action = "reply"
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

// When holds a rule's conditions; unset ones match anything, and all set
// ones must hold. Text conditions match case-insensitively when the field
// contains any of the listed words.
type When struct {
	Intent          Intents `yaml:"intent"`
	Language        string  `yaml:"language"`
	Auto            *bool   `yaml:"auto"`
	Bulk            *bool   `yaml:"bulk"`
	Bounce          *bool   `yaml:"bounce"`
	Machine         *bool   `yaml:"machine"`
	HasTime         *bool   `yaml:"has_time"`
	HasID           *bool   `yaml:"has_id"`
	KnownCustomer   *bool   `yaml:"known_customer"`
	OpenAppointment *bool   `yaml:"open_appointment"`
	From            Words   `yaml:"from"`
	Subject         Words   `yaml:"subject"`
	Body            Words   `yaml:"body"`
}

// Words accepts a single word or a list; matching is by lower-case substring.
type Words []string

// UnmarshalYAML reads `body: x` and `body: [x, y]` alike.
func (ws *Words) UnmarshalYAML(b []byte) error {
	var one string
	if err := yaml.Unmarshal(b, &one); err == nil {
		*ws = Words{strings.ToLower(one)}
		return nil
	}
	var many []string
	if err := yaml.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("must be a word or a list of words")
	}
	for _, m := range many {
		*ws = append(*ws, strings.ToLower(m))
	}
	return nil
}

func (ws Words) match(text string) bool {
	if len(ws) == 0 {
		return true
	}
	text = strings.ToLower(text)
	for _, w := range ws {
		if w != "" && strings.Contains(text, w) {
			return true
		}
	}
	return false
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

// Then is what a rule does: one action, or a reply template, or routing to
// a human's folder; a reply may be combined with routing (a polite
// "a person will answer" plus the folder), and notify_technician may join
// any of them.
type Then struct {
	Action           Action `yaml:"action"`
	Reply            string `yaml:"reply"`
	RouteToHuman     string `yaml:"route_to_human"`
	NotifyTechnician bool   `yaml:"notify_technician"`
}

// Facts are what a rule can look at.
type Facts struct {
	Reading         understand.Reading
	Auto            bool
	Bulk            bool
	Bounce          bool
	Machine         bool // a program's report (cron, monitoring, VCS, fax, form post)
	From            string
	Subject         string
	Body            string
	KnownCustomer   bool
	OpenAppointment bool
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
		switch {
		case r.Then.Action == "" && r.Then.Reply != "":
			r.Then.Action = ActionReply
		case r.Then.Action == "" && r.Then.RouteToHuman != "":
			r.Then.Action = ActionRouteToHuman
		case r.Then.Action == "":
			errs = append(errs, fmt.Sprintf("%s: rule %q: then needs an action, a reply or route_to_human", where, r.Name))
		case !actions[r.Then.Action]:
			errs = append(errs, fmt.Sprintf("%s: rule %q: action %q is not one of book, accept, cancel, reschedule, record_id, route_to_human, ignore", where, r.Name, r.Then.Action))
		case r.Then.Reply != "" && r.Then.Action != ActionReply:
			errs = append(errs, fmt.Sprintf("%s: rule %q: reply and action %s do not go together (the action sends its own mail)", where, r.Name, r.Then.Action))
		}
		if r.When.Language != "" && r.When.Language != "de" && r.When.Language != "en" {
			errs = append(errs, fmt.Sprintf("%s: rule %q: language %q is not de or en", where, r.Name, r.When.Language))
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

// CheckTemplates reports rules whose reply names a template that does not
// exist (for `mailflow check`).
func (s *Set) CheckTemplates(known []string) error {
	have := map[string]bool{}
	for _, k := range known {
		have[k] = true
	}
	var errs []string
	for _, r := range s.rules {
		if r.Then.Reply != "" && !have[r.Then.Reply] {
			errs = append(errs, fmt.Sprintf("%s:%d: rule %q: no template %q (have: %s)", r.File, r.Line, r.Name, r.Then.Reply, strings.Join(known, ", ")))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
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
	if w.Language != "" && w.Language != f.Reading.Language {
		return false
	}
	return is(w.Auto, f.Auto) && is(w.Bulk, f.Bulk) && is(w.Bounce, f.Bounce) && is(w.Machine, f.Machine) &&
		is(w.HasTime, len(f.Reading.Requested) > 0) && is(w.HasID, f.Reading.AnyDeskID != "") &&
		is(w.KnownCustomer, f.KnownCustomer) && is(w.OpenAppointment, f.OpenAppointment) &&
		w.From.match(f.From) && w.Subject.match(f.Subject) && w.Body.match(f.Body)
}

func is(want *bool, got bool) bool { return want == nil || *want == got }
