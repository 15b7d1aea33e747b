package mailbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailflow/mailflow/mailflow/config"
)

// ErrNoUIDPlus is returned by ExpungeFrom when the server cannot expunge
// single mails by UID (UIDPLUS or IMAP4rev2): a plain EXPUNGE would also
// remove whatever else someone had flagged \Deleted.
var ErrNoUIDPlus = errors.New("imap server lacks UIDPLUS: cannot expunge single mails")

// ExpungeFrom deletes every mail whose From address is address from the
// support mailbox, the processed folder and the human folder, on a
// connection of its own (the watcher's may be in IDLE), and returns how
// many mails went per folder. `mailflow forget` (retention.expunge_on_forget)
// runs it after the Eraser, for mail from the customer that was never
// stored (it arrived before mailflow started, or above the size cap).
//
// SEARCH FROM matches substrings ("maria@x.at" also finds
// "anna.maria@x.at"), so each hit's envelope is checked for the exact
// address before it is flagged \Deleted and removed with UID EXPUNGE. A
// folder that does not exist is skipped. Every command runs under
// imap.command_timeout.
func ExpungeFrom(ctx context.Context, cfg *config.Config, address string) (map[string]int, error) {
	addr := strings.ToLower(strings.TrimSpace(address))
	if !strings.Contains(addr, "@") {
		return nil, fmt.Errorf("expunge mail from %q: not a mail address", address)
	}
	// The same login as intake, OAuth2 included (the token source shares
	// the refresh token file and its lock with the running daemon).
	w := &Watcher{cfg: cfg.IMAP, log: slog.New(slog.DiscardHandler)}
	w.tokens = w.newTokens(cfg)
	cn, err := w.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		done := make(chan struct{})
		go func() { cn.c.Logout().Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(goodbyeTimeout):
		}
		cn.c.Close()
	}()
	caps := cn.c.Caps()
	if !caps.Has(imap.CapUIDPlus) && !caps.Has(imap.CapIMAP4rev2) {
		return nil, ErrNoUIDPlus
	}
	gone := map[string]int{}
	for _, folder := range expungeFolders(cfg.IMAP) {
		n, err := expungeIn(ctx, cn, folder, addr)
		if err != nil {
			return gone, fmt.Errorf("expunge mail from the customer in %s: %w", folder, err)
		}
		gone[folder] = n
	}
	return gone, nil
}

// Folders lists the folders mailflow files mail into (imap.mailbox,
// processed_folder, human_folder), each once.
func Folders(c config.IMAP) []string { return expungeFolders(c) }

// expungeFolders lists the folders mailflow files mail into, each once.
func expungeFolders(c config.IMAP) []string {
	var fs []string
	for _, f := range []string{c.Mailbox, c.ProcessedFolder, c.HumanFolder} {
		if f == "" || slices.ContainsFunc(fs, func(g string) bool { return sameFolder(f, g) }) {
			continue
		}
		fs = append(fs, f)
	}
	return fs
}

// sameFolder compares folder names; INBOX is case-insensitive (RFC 3501).
func sameFolder(a, b string) bool {
	if strings.EqualFold(a, "INBOX") {
		return strings.EqualFold(b, "INBOX")
	}
	return a == b
}

func expungeIn(ctx context.Context, cn *conn, folder, addr string) (int, error) {
	// Not every server names a missing folder with [NONEXISTENT] (Dovecot
	// 2.3 answers a bare NO), so ask first.
	found, err := wait(ctx, cn, "list "+folder, cn.timeout, func() ([]*imap.ListData, error) {
		return cn.c.List("", folder, nil).Collect()
	})
	if err != nil {
		return 0, err
	}
	if len(found) == 0 {
		return 0, nil
	}
	_, err = wait(ctx, cn, "select "+folder, cn.timeout, func() (*imap.SelectData, error) {
		return cn.c.Select(folder, nil).Wait()
	})
	if err != nil {
		return 0, err
	}
	crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: addr}}}
	data, err := wait(ctx, cn, "search from", cn.timeout, func() (*imap.SearchData, error) {
		return cn.c.UIDSearch(crit, nil).Wait()
	})
	if err != nil {
		return 0, err
	}
	hits := data.AllUIDs()
	if len(hits) == 0 {
		return 0, nil
	}
	msgs, err := wait(ctx, cn, "fetch envelopes", cn.timeout, func() ([]*imapclient.FetchMessageBuffer, error) {
		return cn.c.Fetch(imap.UIDSetNum(hits...), &imap.FetchOptions{UID: true, Envelope: true}).Collect()
	})
	if err != nil {
		return 0, err
	}
	var theirs []imap.UID
	for _, m := range msgs {
		if m.Envelope != nil && slices.ContainsFunc(m.Envelope.From, func(a imap.Address) bool { return strings.EqualFold(a.Addr(), addr) }) {
			theirs = append(theirs, m.UID)
		}
	}
	if len(theirs) == 0 {
		return 0, nil
	}
	set := imap.UIDSetNum(theirs...)
	err = waitCmd(ctx, cn, "flag deleted", func() error {
		return cn.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	})
	if err != nil {
		return 0, err
	}
	expunged, err := wait(ctx, cn, "uid expunge", cn.timeout, func() ([]uint32, error) {
		return cn.c.UIDExpunge(set).Collect()
	})
	if err != nil {
		return 0, err
	}
	return len(expunged), nil
}
