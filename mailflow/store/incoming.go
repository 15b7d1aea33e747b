package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Cursor is where intake resumes: the last UID stored for a mailbox at a
// given UIDVALIDITY.
type Cursor struct {
	Mailbox     string `db:"mailbox"`
	UIDValidity uint32 `db:"uid_validity"`
	LastUID     uint32 `db:"last_uid"`
}

// Fetched is one mail as intake got it from the server.
type Fetched struct {
	UID       uint32
	MessageID string
	BodyHash  string
	Size      int64
	Raw       []byte // nil when the mail was too large to fetch
	Sender    string // lowercased From address, for erasure and rate limits
	// Redacted is set when the header names the mail a redacted copy
	// (X-Mailflow-Redacted): with a Message-ID already stored it is ours,
	// put back by retention, even when the database no longer knows its
	// hash (restored from a backup older than the copy).
	Redacted bool
}

// Incoming is a stored mail.
type Incoming struct {
	ID          int64          `db:"id"`
	Mailbox     string         `db:"mailbox"`
	UIDValidity uint32         `db:"uid_validity"`
	UID         uint32         `db:"uid"`
	MessageID   string         `db:"message_id"`
	BodyHash    string         `db:"body_hash"`
	Size        int64          `db:"size"`
	Raw         []byte         `db:"raw"`
	Sender      string         `db:"sender"`
	ReceivedAt  time.Time      `db:"received_at"`
	State       string         `db:"state"`
	Outcome     sql.NullString `db:"outcome"`
	Rule        sql.NullString `db:"rule"`
	Detail      sql.NullString `db:"detail"`
	DuplicateOf sql.NullInt64  `db:"duplicate_of"`
	DestFolder  sql.NullString `db:"dest_folder"`
	DecidedAt   sql.NullTime   `db:"decided_at"`
	DisposedAt  sql.NullTime   `db:"disposed_at"`
	// PurgedAt is when retention or erasure dropped Raw.
	PurgedAt sql.NullTime `db:"purged_at"`
	// RawKey names the key Raw is sealed under at rest (PostgreSQL only).
	RawKey sql.NullInt64 `db:"raw_key"`
}

// Key is the stable identity of a stored mail used to derive outgoing
// Message-IDs: it survives restarts and is the same on every replay.
func (in *Incoming) Key() string {
	return fmt.Sprintf("%s/%d/%d", in.Mailbox, in.UIDValidity, in.UID)
}

// OutcomeDuplicate is recorded for a mail whose Message-ID and body were
// already stored under another UID (a second delivery or a rescan).
const OutcomeDuplicate = "duplicate"

// RedactedCopyDetail marks the duplicate row of a redacted copy that
// retention put back into a folder intake watches.
const RedactedCopyDetail = "redacted copy put back by retention"

// Cursor returns the mailbox's cursor; ok is false before the first mail.
func (s *Store) Cursor(ctx context.Context, mailbox string) (c Cursor, ok bool, err error) {
	err = s.w.GetContext(ctx, &c, "SELECT mailbox, uid_validity, last_uid FROM cursor WHERE mailbox = ?", mailbox)
	if errors.Is(err, sql.ErrNoRows) {
		return Cursor{Mailbox: mailbox}, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read cursor %s: %w", mailbox, err)
	}
	return c, true, nil
}

// SaveCursor moves the cursor without storing mail (first start, rescans).
func (s *Store) SaveCursor(ctx context.Context, c Cursor) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.saveCursor(ctx, c) })
}

func (tx *Tx) saveCursor(ctx context.Context, c Cursor) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO cursor (mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
		c.Mailbox, c.UIDValidity, c.LastUID, utc(time.Now()))
	if err != nil {
		return fmt.Errorf("save cursor %s: %w", c.Mailbox, err)
	}
	return nil
}

// SaveFetched stores a batch of fetched mails and advances the cursor to
// cursor in one transaction: once it returns, the mails are safe and may be
// flagged or moved on the server. A mail already stored at the same UID is
// skipped; one whose Message-ID and body hash match an earlier mail is kept
// but recorded as a duplicate, so it is never answered twice. It returns the
// IDs of the rows that still need a decision.
func (s *Store) SaveFetched(ctx context.Context, cursor Cursor, mails []Fetched, processedFolder string) ([]int64, error) {
	var fresh []int64
	err := s.InTx(ctx, func(tx *Tx) error {
		fresh = fresh[:0]
		now := utc(time.Now())
		for _, m := range mails {
			var exists int
			err := tx.tx.GetContext(ctx, &exists, "SELECT count(*) FROM incoming WHERE mailbox = ? AND uid_validity = ? AND uid = ?",
				cursor.Mailbox, cursor.UIDValidity, m.UID)
			if err != nil {
				return fmt.Errorf("look up uid %d: %w", m.UID, err)
			}
			if exists > 0 {
				continue
			}
			// A redacted copy the eraser put back (retention.server redact)
			// is known already: recorded, never decided, and no bytes kept.
			copyOf, orig, err := tx.redactedCopyOf(ctx, m.MessageID, m.BodyHash, m.Redacted)
			if err != nil {
				return err
			}
			if copyOf {
				_, err = tx.tx.ExecContext(ctx, `INSERT INTO incoming
					(mailbox, uid_validity, uid, message_id, body_hash, size, raw, sender, received_at, state, outcome, detail, decided_at, duplicate_of, dest_folder, purged_at)
					VALUES (?, ?, ?, ?, ?, ?, NULL, '', ?, 'decided', ?, ?, ?, ?, ?, ?)`,
					cursor.Mailbox, cursor.UIDValidity, m.UID, m.MessageID, m.BodyHash, m.Size, now,
					OutcomeDuplicate, RedactedCopyDetail, now, orig, processedFolder, now)
				if err != nil {
					return fmt.Errorf("store redacted copy uid %d: %w", m.UID, err)
				}
				continue
			}
			var original sql.NullInt64
			if m.MessageID != "" || m.BodyHash != "" {
				err := tx.tx.GetContext(ctx, &original, "SELECT min(id) FROM incoming WHERE message_id = ? AND body_hash = ?", m.MessageID, m.BodyHash)
				if err != nil {
					return fmt.Errorf("look up duplicate of uid %d: %w", m.UID, err)
				}
			}
			if original.Valid {
				raw, key, err := tx.sealRaw(ctx, m.Sender, m.Raw)
				if err != nil {
					return err
				}
				_, err = tx.tx.ExecContext(ctx, `INSERT INTO incoming
					(mailbox, uid_validity, uid, message_id, body_hash, size, raw, raw_key, sender, received_at, state, outcome, decided_at, duplicate_of, dest_folder)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'decided', ?, ?, ?, ?)`,
					cursor.Mailbox, cursor.UIDValidity, m.UID, m.MessageID, m.BodyHash, m.Size, raw, key, m.Sender, now,
					OutcomeDuplicate, now, original.Int64, processedFolder)
				if err != nil {
					return fmt.Errorf("store duplicate uid %d: %w", m.UID, err)
				}
				continue
			}
			in, err := tx.InsertIncoming(ctx, cursor, m)
			if err != nil {
				return err
			}
			fresh = append(fresh, in.ID)
		}
		return tx.saveCursor(ctx, cursor)
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// InsertIncoming stores one new mail awaiting a decision and returns it.
func (tx *Tx) InsertIncoming(ctx context.Context, c Cursor, m Fetched) (*Incoming, error) {
	in := &Incoming{Mailbox: c.Mailbox, UIDValidity: c.UIDValidity, UID: m.UID, MessageID: m.MessageID, BodyHash: m.BodyHash,
		Size: m.Size, Raw: m.Raw, Sender: m.Sender, ReceivedAt: utc(time.Now()), State: "new"}
	raw, key, err := tx.sealRaw(ctx, m.Sender, m.Raw)
	if err != nil {
		return nil, err
	}
	in.RawKey = key
	err = tx.tx.GetContext(ctx, &in.ID, `INSERT INTO incoming
		(mailbox, uid_validity, uid, message_id, body_hash, size, raw, raw_key, sender, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Mailbox, in.UIDValidity, in.UID, in.MessageID, in.BodyHash, in.Size, raw, key, in.Sender, in.ReceivedAt)
	if err != nil {
		return nil, fmt.Errorf("store uid %d: %w", m.UID, err)
	}
	return in, nil
}

// Incoming returns one stored mail.
func (s *Store) Incoming(ctx context.Context, id int64) (*Incoming, error) {
	var in Incoming
	if err := s.w.GetContext(ctx, &in, "SELECT * FROM incoming WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("read incoming %d: %w", id, notFound(err))
	}
	return &in, openIncoming(ctx, s.w.runner, &in)
}

// Undecided lists the IDs of stored mails without an outcome, oldest first:
// after a crash these are decided again, which is safe because a decision
// and its effects commit together.
func (s *Store) Undecided(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := s.w.SelectContext(ctx, &ids, "SELECT id FROM incoming WHERE state = 'new' ORDER BY id"); err != nil {
		return nil, fmt.Errorf("list undecided mail: %w", err)
	}
	return ids, nil
}

// ErrAlreadyDecided is returned by Decide for a mail that has an outcome.
var ErrAlreadyDecided = errors.New("mail already decided")

// Outcome is the recorded result for one incoming mail.
type Outcome struct {
	Outcome    string
	Rule       string
	Detail     string
	DestFolder string // "" = leave in the mailbox, only flag \Seen
}

// Decide records the mail's outcome. It fails with ErrAlreadyDecided when
// another transaction decided it first, so the caller's effects roll back.
func (tx *Tx) Decide(ctx context.Context, id int64, o Outcome) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE incoming SET state = 'decided', outcome = ?, rule = ?, detail = ?, dest_folder = ?, decided_at = ?
		WHERE id = ? AND state = 'new'`, o.Outcome, o.Rule, o.Detail, o.DestFolder, utc(time.Now()), id)
	if err != nil {
		return fmt.Errorf("record outcome of mail %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("mail %d: %w", id, ErrAlreadyDecided)
	}
	return nil
}

// Disposal is a decided mail still to be flagged or moved on the server.
type Disposal struct {
	ID         int64  `db:"id"`
	UID        uint32 `db:"uid"`
	DestFolder string `db:"dest_folder"`
}

// Undisposed lists decided mails of this mailbox generation that have not
// yet been flagged \Seen or moved.
func (s *Store) Undisposed(ctx context.Context, mailbox string, uidValidity uint32) ([]Disposal, error) {
	var ds []Disposal
	err := s.w.SelectContext(ctx, &ds, `SELECT id, uid, coalesce(dest_folder, '') AS dest_folder FROM incoming
		WHERE mailbox = ? AND uid_validity = ? AND state = 'decided' AND disposed_at IS NULL ORDER BY uid`, mailbox, uidValidity)
	if err != nil {
		return nil, fmt.Errorf("list undisposed mail: %w", err)
	}
	return ds, nil
}

// MarkDisposed records that the server-side flag or move was done.
func (s *Store) MarkDisposed(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, utc(time.Now()))
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.w.ExecContext(ctx, "UPDATE incoming SET disposed_at = ? WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return fmt.Errorf("mark %d mails disposed: %w", len(ids), s.noteWrite(err))
	}
	return nil
}

// OutcomeCounts counts stored mails per outcome ("" for undecided).
func (s *Store) OutcomeCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Outcome string `db:"outcome"`
		N       int    `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &rows, "SELECT coalesce(outcome, '') AS outcome, count(*) AS n FROM incoming GROUP BY 1"); err != nil {
		return nil, fmt.Errorf("count outcomes: %w", err)
	}
	m := make(map[string]int, len(rows))
	for _, r := range rows {
		m[r.Outcome] = r.N
	}
	return m, nil
}
