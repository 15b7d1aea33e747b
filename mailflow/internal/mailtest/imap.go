package mailtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Login dials Dovecot and logs in as user. ctx bounds the dial and the login
// only; the caller owns the client and must Close it.
func (d *Dovecot) Login(ctx context.Context, user string, opts *imapclient.Options) (*imapclient.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", d.IMAPAddr)
	if err != nil {
		return nil, fmt.Errorf("mailtest: dial imap %s: %w", d.IMAPAddr, err)
	}
	c := imapclient.New(conn, opts)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	err = c.Login(user, d.Password).Wait()
	if !stop() || err != nil {
		c.Close()
		return nil, fmt.Errorf("mailtest: login %s: %w", user, orCtxErr(ctx, err))
	}
	return c, nil
}

// session runs fn on a fresh logged-in connection. Every wait inside fn is
// bounded by ctx (plus opTimeout): when it ends the connection is closed,
// which fails any pending command.
func (d *Dovecot) session(ctx context.Context, user string, fn func(c *imapclient.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	c, err := d.Login(ctx, user, nil)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		stop()
		c.Close()
	}()
	if err := fn(c); err != nil {
		return orCtxErr(ctx, err)
	}
	if err := c.Logout().Wait(); err != nil {
		return fmt.Errorf("logout: %w", orCtxErr(ctx, err))
	}
	return nil
}

// Deliver APPENDs raw, byte for byte, to user's INBOX.
func (d *Dovecot) Deliver(ctx context.Context, to string, raw []byte) error {
	err := d.session(ctx, to, func(c *imapclient.Client) error {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			cmd.Close()
			return fmt.Errorf("write: %w", err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		if _, err := cmd.Wait(); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mailtest: append to INBOX of %s: %w", to, err)
	}
	return nil
}

// deliverSMTP is the SMTP server's DeliverFunc.
func (d *Dovecot) deliverSMTP(ctx context.Context, from string, to []string, raw []byte) error {
	for _, rcpt := range to {
		if err := d.Deliver(ctx, rcpt, raw); err != nil {
			return err
		}
	}
	return nil
}

// Fetch returns the raw bytes of every message in mailbox, in UID order,
// without setting \Seen.
func (d *Dovecot) Fetch(ctx context.Context, user, mailbox string) ([][]byte, error) {
	var out [][]byte
	err := d.session(ctx, user, func(c *imapclient.Client) error {
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			return fmt.Errorf("examine: %w", err)
		}
		if sel.NumMessages == 0 {
			// An empty set would be a protocol error.
			return nil
		}
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
			UID:         true,
			BodySection: []*imap.FetchItemBodySection{section},
		}).Collect()
		if err != nil {
			return fmt.Errorf("uid fetch: %w", err)
		}
		slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int {
			return compareUID(a.UID, b.UID)
		})
		for _, m := range msgs {
			body := m.FindBodySection(section)
			if body == nil {
				return fmt.Errorf("uid %d: no body in FETCH response", m.UID)
			}
			out = append(out, body)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mailtest: fetch %s of %s: %w", mailbox, user, err)
	}
	return out, nil
}

// Count returns how many messages mailbox holds (STATUS MESSAGES).
func (d *Dovecot) Count(ctx context.Context, user, mailbox string) (int, error) {
	var n int
	err := d.session(ctx, user, func(c *imapclient.Client) error {
		st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			return err
		}
		if st.NumMessages == nil {
			return errors.New("STATUS without MESSAGES")
		}
		n = int(*st.NumMessages)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mailtest: count %s of %s: %w", mailbox, user, err)
	}
	return n, nil
}

// CreateMailbox creates mailbox for user; one that exists already is fine.
func (d *Dovecot) CreateMailbox(ctx context.Context, user, name string) error {
	err := d.session(ctx, user, func(c *imapclient.Client) error {
		err := c.Create(name, nil).Wait()
		var imapErr *imap.Error
		if errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeAlreadyExists {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("mailtest: create mailbox %s for %s: %w", name, user, err)
	}
	return nil
}

// Mailboxes lists user's mailboxes, sorted.
func (d *Dovecot) Mailboxes(ctx context.Context, user string) ([]string, error) {
	var names []string
	err := d.session(ctx, user, func(c *imapclient.Client) error {
		list, err := c.List("", "*", nil).Collect()
		if err != nil {
			return err
		}
		for _, l := range list {
			names = append(names, l.Mailbox)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mailtest: list mailboxes of %s: %w", user, err)
	}
	slices.Sort(names)
	return names, nil
}

func compareUID(a, b imap.UID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// orCtxErr prefers the context's error: once ctx ended the connection was
// closed under the command, and "use of closed connection" hides why.
func orCtxErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if err == nil {
			return ctxErr
		}
		return fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return err
}
