package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrLoginUsed is returned for a sign-in link that is unknown, used or
// expired: the page says the same for all three.
var ErrLoginUsed = errors.New("sign-in link unknown, used or expired")

// AddLogin stores a one-time sign-in link (by the hash of its token) and
// drops links and sessions long expired, so the tables stay small.
func (s *Store) AddLogin(ctx context.Context, tokenHash, email string, now, expires time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM web_logins WHERE expires_at < ?", utc(now.Add(-24*time.Hour))); err != nil {
			return fmt.Errorf("drop old sign-in links: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE expires_at < ?", utc(now)); err != nil {
			return fmt.Errorf("drop old sessions: %w", err)
		}
		_, err := tx.tx.ExecContext(ctx, "INSERT INTO web_logins (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)",
			tokenHash, strings.ToLower(email), utc(now), utc(expires))
		if err != nil {
			return fmt.Errorf("store sign-in link: %w", err)
		}
		return nil
	})
}

// UseLogin spends a sign-in link and opens a session in one transaction:
// a second use, or a use after expiry, gets ErrLoginUsed.
func (s *Store) UseLogin(ctx context.Context, tokenHash, sessionHash, csrf string, now, sessionExpires time.Time) (email string, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		err := tx.tx.GetContext(ctx, &email, `UPDATE web_logins SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING email`, utc(now), tokenHash, utc(now))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrLoginUsed
		}
		if err != nil {
			return fmt.Errorf("use sign-in link: %w", err)
		}
		_, err = tx.tx.ExecContext(ctx, "INSERT INTO web_sessions (id_hash, email, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			sessionHash, email, csrf, utc(now), utc(sessionExpires))
		if err != nil {
			return fmt.Errorf("open session: %w", err)
		}
		return nil
	})
	return email, err
}

// WebSession is a signed-in browser.
type WebSession struct {
	Email     string    `db:"email"`
	CSRF      string    `db:"csrf"`
	ExpiresAt time.Time `db:"expires_at"`
}

// Session returns the live session with this id hash, or ErrNotFound.
func (s *Store) Session(ctx context.Context, idHash string, now time.Time) (*WebSession, error) {
	var ws WebSession
	err := s.r.GetContext(ctx, &ws, "SELECT email, csrf, expires_at FROM web_sessions WHERE id_hash = ? AND expires_at > ?", idHash, utc(now))
	if err != nil {
		return nil, fmt.Errorf("read session: %w", notFound(err))
	}
	return &ws, nil
}

// EndSession signs a browser out.
func (s *Store) EndSession(ctx context.Context, idHash string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE id_hash = ?", idHash); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return nil
	})
}

// CustomerHistory lists a customer's appointments, newest first (at most
// limit), protocols included: what a technician reads before a session.
func (s *Store) CustomerHistory(ctx context.Context, customer string, limit int) ([]Appointment, error) {
	var as []Appointment
	err := s.r.SelectContext(ctx, &as, "SELECT * FROM appointments WHERE customer = ? ORDER BY start_at DESC LIMIT ?",
		strings.ToLower(customer), limit)
	if err != nil {
		return nil, fmt.Errorf("customer history: %w", err)
	}
	return as, nil
}

// MailLink is one of our mails about a booking and whom it went to: what a
// self-service link in that mail stands for.
type MailLink struct {
	AppointmentID int64  `db:"appointment_id"`
	Recipient     string `db:"recipient"`
}

// MailAbout returns the booking one of our mails is about and its
// recipient, or ErrNotFound (also for mails from before recipients were
// kept: they prove nothing).
func (s *Store) MailAbout(ctx context.Context, messageID string) (*MailLink, error) {
	var l MailLink
	err := s.r.GetContext(ctx, &l, "SELECT appointment_id, recipient FROM appointment_mails WHERE message_id = ? AND coalesce(recipient, '') <> ''", messageID)
	if err != nil {
		return nil, fmt.Errorf("mail about: %w", notFound(err))
	}
	return &l, nil
}

// ProposalByMail returns the proposal our mail messageID offered, open or
// not, or ErrNotFound.
func (s *Store) ProposalByMail(ctx context.Context, messageID string) (*Proposal, error) {
	var p Proposal
	if err := s.r.GetContext(ctx, &p, "SELECT * FROM proposals WHERE message_id = ? ORDER BY id DESC LIMIT 1", messageID); err != nil {
		return nil, fmt.Errorf("proposal by mail: %w", notFound(err))
	}
	if err := json.Unmarshal([]byte(p.SlotsJSON), &p.Slots); err != nil {
		return nil, fmt.Errorf("decode proposal %d: %w", p.ID, err)
	}
	return &p, nil
}

// AppointmentByID reads one appointment outside a transaction.
func (s *Store) AppointmentByID(ctx context.Context, id int64) (*Appointment, error) {
	var a Appointment
	if err := s.r.GetContext(ctx, &a, "SELECT * FROM appointments WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("appointment %d: %w", id, notFound(err))
	}
	return &a, nil
}

// HumanSince counts the mails sent to a person (human_folder) since t.
func (s *Store) HumanSince(ctx context.Context, t time.Time) (int, error) {
	var n int
	err := s.r.GetContext(ctx, &n, "SELECT count(*) FROM incoming WHERE state = 'decided' AND dest_folder IS NOT NULL AND outcome = 'forwarded-to-human' AND decided_at >= ?", utc(t))
	if err != nil {
		return 0, fmt.Errorf("count mail for a person: %w", err)
	}
	return n, nil
}
