package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Status keys behind health checks (see mailflow/health).
const (
	// StatusIntakeLogin is when intake last logged in and selected the
	// mailbox successfully.
	StatusIntakeLogin = "intake.last_login"
	// StatusIntakeDownSince is when intake last lost (or had not yet got)
	// its connection, RFC 3339; "" while connected.
	StatusIntakeDownSince = "intake.down_since"
	// StatusOutboxLogin is when the sender last connected (and, if
	// configured, authenticated) to the SMTP server.
	StatusOutboxLogin = "outbox.last_login"
	// StatusOAuthLastErr is the last token refresh failure (written by the
	// OAuth token source; "" or absent when none).
	StatusOAuthLastErr = "oauth.last_error"
)

// ReplyArrival returns when the customer mail that outbox mail id answers
// was stored. ok is false when the outbox mail answers no stored mail, or
// goes to someone other than that mail's sender (a technician's notice):
// only replies count towards the arrival→reply latency.
func (s *Store) ReplyArrival(ctx context.Context, id int64) (at time.Time, ok bool, err error) {
	err = s.r.GetContext(ctx, &at, `SELECT i.received_at FROM outbox o JOIN incoming i ON i.id = o.incoming_id
		WHERE o.id = ? AND i.sender != '' AND lower(o.recipient) = lower(i.sender)`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return at, false, nil
	}
	if err != nil {
		return at, false, fmt.Errorf("arrival of the mail outbox %d answers: %w", id, err)
	}
	return at, true, nil
}
