package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailflow/mailflow/mailflow/calendar"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// cmdCalendar: `mailflow calendar feeds` prints each technician's ICS feed
// address (ics_feed: true), to hand to them for subscribing.
func cmdCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("calendar", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 && fs.Arg(0) == "feeds" {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	} else {
		return &exitError{2, fmt.Errorf("usage: mailflow calendar feeds")}
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	feed := calendar.NewFeed(cfg, st, nil)
	if feed == nil {
		fmt.Fprintln(stdout, "no technician has calendar.ics_feed: true")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, t := range cfg.Technicians {
		if t.Calendar != nil && t.Calendar.ICSFeed {
			fmt.Fprintf(tw, "%s\t%s\n", t.Email, feed.URL(t.Email))
		}
	}
	return tw.Flush()
}

// showCalendars adds the technicians' calendars to `mailflow status`: each
// one's state as the daemon last wrote it, and the queue of writes.
func showCalendars(tw io.Writer, cfg *config.Config, kv map[string]store.StatusValue, q store.CalendarSyncStats, loc *time.Location) {
	shown := false
	for _, t := range cfg.Technicians {
		p := t.Calendar.Provider()
		if p == "" {
			continue
		}
		shown = true
		state := "not read yet"
		if v, ok := kv["calendar."+strings.ToLower(t.Email)]; ok {
			if strings.TrimSpace(v.Value) == "" {
				state = fmt.Sprintf("ok (%s ago)", time.Since(v.UpdatedAt).Round(time.Second))
			} else {
				state = "unreachable, booking goes by the config alone: " + v.Value
			}
		}
		fmt.Fprintf(tw, "calendar %s\t%s: %s\n", t.Email, p, state)
	}
	if shown || q.Pending > 0 {
		fmt.Fprintf(tw, "calendar writes\t%d pending\n", q.Pending)
		if !q.Oldest.IsZero() {
			fmt.Fprintf(tw, "oldest calendar write\t%s\t(%s ago)\n", q.Oldest.In(loc).Format(time.RFC3339), time.Since(q.Oldest).Round(time.Second))
		}
		if q.LastError != "" {
			fmt.Fprintf(tw, "last calendar error\t%s\n", q.LastError)
		}
	}
}

// checkCalendars is `mailflow check -connect` for the technicians' own
// calendars (calendar.Check).
func checkCalendars(ctx context.Context, cfg *config.Config, timeout time.Duration, stdout io.Writer) []string {
	return calendar.Check(ctx, cfg, timeout, stdout)
}
