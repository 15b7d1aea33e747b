package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mailflow/mailflow/mailflow/daemon"
	"github.com/mailflow/mailflow/mailflow/jobs"
)

// cmdAgenda prints the agendas of a day or, with -send, queues them in the
// outbox for the running daemon to deliver. Sending goes through the same
// job keys as the daemon's agenda, so nobody gets a day's agenda twice.
func cmdAgenda(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("agenda", stderr)
	date := fs.String("date", "", "the day (YYYY-MM-DD, default today)")
	tech := fs.String("technician", "", "only this technician's agenda (mail address), or \"team\" for the team lead's")
	send := fs.Bool("send", false, "queue the agenda mails instead of printing them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitError{2, fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	loc := cfg.Location()
	desk, _, composer, err := daemon.Parts(cfg)
	if err != nil {
		return err
	}
	now := time.Now().In(loc)
	day := now
	if *date != "" {
		if day, err = time.ParseInLocation(time.DateOnly, *date, loc); err != nil {
			return &exitError{2, fmt.Errorf("-date: %w", err)}
		}
	}
	runner, err := jobs.New(cfg, st, desk, composer, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	if !*send {
		mails, err := runner.Agendas(ctx, day, *tech, now)
		if err != nil {
			return agendaError(err)
		}
		if len(mails) == 0 {
			fmt.Fprintf(stdout, "no agenda: nobody works on %s\n", day.Format("Mon 2006-01-02"))
			return nil
		}
		for i, m := range mails {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			state := "not sent yet"
			if m.Done {
				state = "already sent"
			}
			fmt.Fprintf(stdout, "To: %s (%s)\nSubject: %s\n\n%s", m.To, state, m.Subject, m.Text)
		}
		return nil
	}
	mails, err := runner.SendAgendas(ctx, day, *tech, now)
	for _, m := range mails {
		switch {
		case m.Queued:
			fmt.Fprintf(stdout, "%s: queued, %d session(s)\n", m.To, m.Sessions)
		case m.Done:
			fmt.Fprintf(stdout, "%s: already sent, not sent again\n", m.To)
		}
	}
	if err != nil {
		return agendaError(err)
	}
	if len(mails) == 0 {
		fmt.Fprintf(stdout, "no agenda: nobody works on %s\n", day.Format("Mon 2006-01-02"))
	}
	return nil
}

// agendaError turns a wrong request into a usage error (exit 2).
func agendaError(err error) error {
	if errors.Is(err, jobs.ErrPastDay) || errors.Is(err, jobs.ErrNoRecipient) {
		return &exitError{2, err}
	}
	return err
}
