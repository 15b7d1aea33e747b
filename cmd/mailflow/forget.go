package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	fmt.Fprintf(stdout, "database: %d appointment(s), %d mail(s) received, %d mail(s) sent, %d proposal(s) deleted; %d other mail(s), note(s) or status line(s) cleaned\n",
		r.Appointments, r.Incoming, r.Outbox, r.Proposals, r.Scrubbed)
	fmt.Fprintln(stdout, "database: WAL checkpointed and truncated; audit: customer.forgotten (their earlier audit rows no longer carry any hash of the address)")
	if !cfg.Retention.ExpungeOnForget {
		fmt.Fprintln(stdout, "imap: their mail stays on the server (retention.expunge_on_forget is off)")
		// The queued erasures are settled as kept, so the backlog does not
		// wait for them.
		_, err := mailbox.NewEraser(cfg, st, slog.New(slog.DiscardHandler)).All(ctx, time.Now())
		return err
	}
	// Their stored mail, found by Message-ID and body in every folder
	// (redacted copies included), then anything else from their address
	// that was never stored (mail from before mailflow started).
	rep, eraseErr := mailbox.NewEraser(cfg, st, slog.New(slog.DiscardHandler)).All(ctx, time.Now())
	gone, err := mailbox.ExpungeFrom(ctx, cfg, addr)
	for f, n := range gone {
		rep.Expunged[f] += n
	}
	err = errors.Join(eraseErr, err)
	for _, f := range mailbox.Folders(cfg.IMAP) {
		if err == nil || rep.Expunged[f] > 0 {
			fmt.Fprintf(stdout, "imap: %d mail(s) expunged from %s\n", rep.Expunged[f], f)
		}
	}
	if err != nil {
		// The database part is done and repeating it is harmless, so the
		// way out is simply running the command again (a running daemon
		// also retries the queued erasures with backoff).
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
	// The server copies of those mails (retention.server).
	rep, err := mailbox.NewEraser(cfg, st, slog.New(slog.DiscardHandler)).All(ctx, time.Now())
	for _, f := range rep.Folders() {
		fmt.Fprintf(stdout, "imap: %d mail(s) expunged from %s, %d redacted copy(ies) put back\n", rep.Expunged[f], f, rep.Redacted[f])
	}
	if rep.Kept > 0 {
		fmt.Fprintf(stdout, "imap: %d mail(s) kept on the server (retention.server: keep)\n", rep.Kept)
	}
	if err != nil {
		// Not a failure of the purge: the erasures are queued in the
		// database and the daemon retries them with backoff.
		b, _ := st.ErasureBacklog(ctx)
		fmt.Fprintf(stdout, "imap: not done now, %d erasure(s) stay queued and are retried (mailflow status shows them): %v\n", b.Pending, err)
	}
	return nil
}
