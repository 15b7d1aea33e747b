package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/daemon"
	"github.com/mailflow/mailflow/mailflow/pipeline"
	"github.com/mailflow/mailflow/mailflow/store"
)

// tryReport is one line of `mailflow try -json` (DESIGN §3: a contract).
type tryReport struct {
	File      string    `json:"file"`
	MessageID string    `json:"message_id"`
	From      string    `json:"from"`
	Language  string    `json:"language"`
	Intent    string    `json:"intent"`
	Requested []tryWish `json:"requested"`
	AnyDeskID *string   `json:"anydesk_id"`
	Reason    string    `json:"reason,omitempty"`
	// Confidence and Reasons say how sure the reading is and why; an
	// unsure reading is proposed back to the customer, never booked.
	Confidence float64   `json:"confidence"`
	Reasons    []string  `json:"reasons"`
	Rule       string    `json:"rule"`
	Action     string    `json:"action"`
	Outcome    string    `json:"outcome"`
	Slot       *trySlot  `json:"slot,omitempty"`
	Proposals  []trySlot `json:"proposals,omitempty"`
	Why        string    `json:"why,omitempty"`
	Reply      *tryReply `json:"reply"`
	Detail     string    `json:"detail,omitempty"`
	Error      string    `json:"error,omitempty"`
	Signals    []string  `json:"signals,omitempty"`
}

type tryWish struct {
	Start     string  `json:"start"`
	End       *string `json:"end"`
	Precision string  `json:"precision"`
	// AnyHour: a day the customer said any time of suits (booked at its
	// first free slot); a day without it is offered hour by hour.
	AnyHour bool `json:"any_hour,omitempty"`
	// NoDay: a time of day said without a day; in answer to our offer it
	// is put on the offered day.
	NoDay bool `json:"no_day,omitempty"`
}

type trySlot struct {
	Start      string `json:"start"`
	End        string `json:"end"`
	Technician string `json:"technician,omitempty"`
}

type tryReply struct {
	Template string `json:"template"`
	Subject  string `json:"subject"`
	To       string `json:"to"`
}

func cmdTry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("try", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per file, one per line")
	nowFlag := fs.String("now", "", "decide as if it were this time (RFC 3339); default: now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &exitError{2, errors.New("name at least one .eml file")}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return &exitError{2, fmt.Errorf("-now: %w", err)}
		}
	}
	desk, rs, c, err := daemon.Parts(cfg)
	if err != nil {
		return err
	}
	// The real bookings count when there are any; a fresh machine has no
	// database yet, and try must not create one.
	driver, source, err := cfg.Database.Source()
	if err != nil || driver == store.SQLite {
		driver, source = store.SQLite, cfg.Database.Path
		if _, err := os.Stat(source); err != nil {
			source = ":memory:"
		}
	}
	st, err := store.Open(ctx, driver, source)
	if err != nil {
		return err
	}
	defer st.Close()
	p := pipeline.New(cfg, st, desk, rs, c, newLogger(&config.Config{Log: config.Log{Level: "error"}}, stderr))
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, file := range fs.Args() {
		rep := tryReport{File: file, Requested: []tryWish{}}
		raw, err := os.ReadFile(file)
		if err == nil {
			var res *pipeline.Result
			res, err = p.Try(ctx, raw, now)
			if err == nil {
				rep.fill(res, desk.Location())
			}
		}
		if err != nil {
			failed++
			rep.Error = err.Error()
		}
		if *asJSON {
			if err := enc.Encode(rep); err != nil {
				return err
			}
			continue
		}
		rep.print(stdout)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be tried", failed, fs.NArg())
	}
	return nil
}

func (r *tryReport) fill(res *pipeline.Result, loc *time.Location) {
	if m := res.Message; m != nil {
		r.MessageID, r.From = m.MessageID, m.From.Address
		r.Signals = m.SignalReasons
	}
	if res.NoReply != "" {
		r.Signals = append(r.Signals, res.NoReply)
	}
	rd := res.Reading
	r.Language, r.Intent, r.Reason = rd.Language, string(rd.Intent), rd.Reason
	r.Confidence, r.Reasons = rd.Confidence, append([]string{}, rd.Reasons...)
	for _, w := range rd.Requested {
		tw := tryWish{Start: w.Start.In(loc).Format(time.RFC3339), Precision: string(w.Precision), AnyHour: w.AnyHour, NoDay: w.NoDay}
		if w.End != nil {
			e := w.End.In(loc).Format(time.RFC3339)
			tw.End = &e
		}
		r.Requested = append(r.Requested, tw)
	}
	if rd.AnyDeskID != "" {
		id := rd.AnyDeskID
		r.AnyDeskID = &id
	}
	r.Rule, r.Action, r.Outcome, r.Detail = res.Rule, string(res.Action), res.Outcome, res.Detail
	switch res.Outcome {
	case pipeline.OutcomeBooked:
		r.Action = "book"
		a := res.Appointment
		r.Slot = &trySlot{Start: a.Start.In(loc).Format(time.RFC3339), End: a.End.In(loc).Format(time.RFC3339), Technician: a.Technician}
	case pipeline.OutcomeRescheduled, pipeline.OutcomeCancelled:
		r.Action = map[string]string{pipeline.OutcomeRescheduled: "reschedule", pipeline.OutcomeCancelled: "cancel"}[res.Outcome]
		a := res.Appointment
		r.Slot = &trySlot{Start: a.Start.In(loc).Format(time.RFC3339), End: a.End.In(loc).Format(time.RFC3339), Technician: a.Technician}
	case pipeline.OutcomeProposed:
		r.Action = "propose"
		r.Why = string(res.Why)
		for _, s := range res.Proposals {
			r.Proposals = append(r.Proposals, trySlot{Start: s.Start.In(loc).Format(time.RFC3339), End: s.End.In(loc).Format(time.RFC3339)})
		}
	}
	if len(res.Replies) > 0 {
		out := res.Replies[0]
		r.Reply = &tryReply{Template: res.Templates[0], Subject: out.Subject, To: out.To}
	}
}

func (r *tryReport) print(w io.Writer) {
	fmt.Fprintf(w, "== %s\n", filepath.Base(r.File))
	if r.Error != "" {
		fmt.Fprintf(w, "   error:     %s\n", r.Error)
		return
	}
	fmt.Fprintf(w, "   from:      %s  %s\n", r.From, r.MessageID)
	fmt.Fprintf(w, "   reading:   language %s, intent %s", r.Language, r.Intent)
	if r.Reason != "" {
		fmt.Fprintf(w, ", reason %q", r.Reason)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "   sure:      %.2f (%s)\n", r.Confidence, strings.Join(r.Reasons, "; "))
	for _, q := range r.Requested {
		end := ""
		if q.End != nil {
			end = " – " + *q.End
		}
		fmt.Fprintf(w, "   wants:     %s%s (%s)\n", q.Start, end, q.Precision)
	}
	if r.AnyDeskID != nil {
		fmt.Fprintf(w, "   anydesk:   %s\n", *r.AnyDeskID)
	}
	if len(r.Signals) > 0 {
		fmt.Fprintf(w, "   signals:   %s\n", strings.Join(r.Signals, "; "))
	}
	fmt.Fprintf(w, "   rule:      %s → %s (outcome %s)\n", r.Rule, r.Action, r.Outcome)
	if r.Slot != nil {
		fmt.Fprintf(w, "   books:     %s with %s\n", r.Slot.Start, r.Slot.Technician)
	}
	if r.Why != "" {
		fmt.Fprintf(w, "   because:   %s\n", r.Why)
	}
	for i, p := range r.Proposals {
		fmt.Fprintf(w, "   offer %d:   %s\n", i+1, p.Start)
	}
	if r.Reply != nil {
		fmt.Fprintf(w, "   reply:     %s to %s: %q\n", r.Reply.Template, r.Reply.To, r.Reply.Subject)
	} else {
		fmt.Fprintln(w, "   reply:     none")
	}
	if r.Detail != "" {
		fmt.Fprintf(w, "   detail:    %s\n", r.Detail)
	}
}
