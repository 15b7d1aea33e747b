package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

// openExisting opens the configured database, refusing to create one: the
// reading commands must not leave an empty database behind by mistake.
func openExisting(ctx context.Context, cfgPath string) (*store.Store, *time.Location, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(cfg.Database.Path); err != nil {
		return nil, nil, fmt.Errorf("no database at %s (has `mailflow run` been started with this config?)", cfg.Database.Path)
	}
	st, err := store.Open(ctx, cfg.Database.Path)
	if err != nil {
		return nil, nil, err
	}
	return st, cfg.Location(), nil
}

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("status", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, loc, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	kv, err := st.Status(ctx)
	if err != nil {
		return err
	}
	ob, err := st.OutboxStats(ctx)
	if err != nil {
		return err
	}
	outcomes, err := st.OutcomeCounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	show := func(label, key string) {
		v, ok := kv[key]
		if !ok {
			fmt.Fprintf(tw, "%s\t-\n", label)
			return
		}
		fmt.Fprintf(tw, "%s\t%s\t(%s ago)\n", label, v.Value, time.Since(v.UpdatedAt).Round(time.Second))
	}
	show("intake state", store.StatusIntakeState)
	show("intake heartbeat", store.StatusIntakeBeat)
	show("last poll", store.StatusLastPoll)
	show("last mail stored", store.StatusLastMail)
	show("last intake error", store.StatusIntakeLastErr)
	fmt.Fprintf(tw, "outbox\t%d pending, %d sent, %d dead letters\n", ob.Pending, ob.Sent, ob.Dead)
	if !ob.OldestPending.IsZero() {
		fmt.Fprintf(tw, "oldest pending\t%s\t(%s ago)\n", ob.OldestPending.In(loc).Format(time.RFC3339), time.Since(ob.OldestPending).Round(time.Second))
	}
	show("last outbox error", store.StatusOutboxLastErr)
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		label := k
		if label == "" {
			label = "undecided"
		}
		fmt.Fprintf(tw, "mail %s\t%d\n", label, outcomes[k])
	}
	return tw.Flush()
}

func cmdAppointments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "list" {
		args = args[1:]
	}
	fs, cfgPath := flags("appointments", stderr)
	date := fs.String("date", "", "first day to list (YYYY-MM-DD, default today)")
	days := fs.Int("days", 14, "how many days to list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, loc, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	from := time.Now().In(loc)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	if *date != "" {
		if from, err = time.ParseInLocation(time.DateOnly, *date, loc); err != nil {
			return &exitError{2, fmt.Errorf("-date: %w", err)}
		}
	}
	as, err := st.Appointments(ctx, from, from.AddDate(0, 0, *days))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTART\tSTATUS\tTECHNICIAN\tCUSTOMER\tID")
	for _, a := range as {
		id := "-"
		if a.AnyDeskID.Valid {
			id = "received"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Ref, a.Start.In(loc).Format("Mon 2006-01-02 15:04"), a.Status, a.Technician, a.Customer, id)
	}
	return tw.Flush()
}
