package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

// cmdForget erases one customer: `mailflow forget ADDRESS`.
func cmdForget(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("forget", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Flags may also follow the address (mailflow forget ADDRESS -config F).
	var addr string
	if fs.NArg() > 0 {
		addr = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if addr == "" || fs.NArg() != 0 {
		return &exitError{2, fmt.Errorf("name exactly one customer address, e.g. mailflow forget maria@kunde.at")}
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Forget(ctx, addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "forgot %s: %d appointment(s), %d mail(s) received, %d mail(s) sent, %d proposal(s) deleted; %d other mail(s), note(s) or status line(s) cleaned\n",
		addr, r.Appointments, r.Incoming, r.Outbox, r.Proposals, r.Scrubbed)
	fmt.Fprintln(stdout, "audit: customer.forgotten (their earlier audit rows no longer carry any hash of the address)")
	if !cfg.Retention.ExpungeOnForget {
		fmt.Fprintln(stdout, "imap: their mail stays on the server (retention.expunge_on_forget is off)")
		return nil
	}
	gone, err := mailbox.ExpungeFrom(ctx, cfg, addr)
	folders := make([]string, 0, len(gone))
	for f := range gone {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	for _, f := range folders {
		fmt.Fprintf(stdout, "imap: %d mail(s) expunged from %s\n", gone[f], f)
	}
	if err != nil {
		// The database part is done and repeating it is harmless, so the
		// way out is simply running the command again.
		return fmt.Errorf("the database is erased, but expunging the mailbox failed (run forget again): %w", err)
	}
	return nil
}

// cmdPurge applies the retention policy now: `mailflow purge`.
func cmdPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("purge", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return &exitError{2, fmt.Errorf("purge takes no arguments")}
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Purge(ctx, time.Now(), store.Retention{AnyDeskIDDays: cfg.Retention.AnyDeskIDDays, RawMailDays: cfg.Retention.RawMailDays})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "purged %d AnyDesk ID(s), raw bytes of %d received and %d sent mail(s) (IDs after %d day(s), raw mail after %d day(s))\n",
		r.AnyDeskIDs, r.IncomingRaw, r.OutboxRaw, cfg.Retention.AnyDeskIDDays, cfg.Retention.RawMailDays)
	return nil
}
