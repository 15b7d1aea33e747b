package store

// Privacy: what PRODUCT.md promises customers about their data, in SQL.
//
//   - An AnyDesk ID lives until its session is done or cancelled (plus
//     retention.anydesk_id_days). Erasing it clears the column and every
//     copy of it: the mail that brought it, the technician's notice, quotes
//     of it in later mail, protocols (EraseAnyDeskID).
//   - Raw mail lives until the session it belongs to ended plus
//     retention.raw_mail_days; mail about no session counts from when it
//     arrived or went out (Purge). The row itself (keys, outcome) stays so
//     the mail is still recognised and never answered twice.
//   - `mailflow forget` erases one customer everywhere (Forget).
//
// secure_delete is on (see pragmas), so SQLite zeroes what it frees; the
// WAL is checkpointed and truncated afterwards so no older page image with
// the data stays in the -wal file.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Retention is how long personal data outlives its session, in days: the
// config's retention section.
type Retention struct {
	// AnyDeskIDDays after a session was done or cancelled its ID is erased.
	AnyDeskIDDays int
	// RawMailDays after a session ended (or, for mail about no session,
	// after the mail came or went) raw mail bytes are dropped.
	RawMailDays int
}

// PurgeResult counts what one Purge erased.
type PurgeResult struct {
	AnyDeskIDs  int // appointments whose AnyDesk ID was erased
	IncomingRaw int // received mails whose raw bytes were dropped
	OutboxRaw   int // sent or dead mails whose raw bytes were dropped
	// Batches is how many transactions the purge took; Longest how long
	// the longest held the writer (the others' wait at most).
	Batches int
	Longest time.Duration
}

// Total is the number of erased items.
func (r PurgeResult) Total() int { return r.AnyDeskIDs + r.IncomingRaw + r.OutboxRaw }

func (r PurgeResult) String() string {
	return fmt.Sprintf("anydesk_ids=%d incoming_raw=%d outbox_raw=%d", r.AnyDeskIDs, r.IncomingRaw, r.OutboxRaw)
}

// ErrCheckpointBusy is returned when readers kept the WAL from being
// folded back and truncated: erased data may still sit in the -wal file
// until the next checkpoint.
var ErrCheckpointBusy = errors.New("wal checkpoint blocked by readers")

// Purge applies the retention policy as of now and reports what it erased:
//
//   - the AnyDesk IDs of appointments done or cancelled at least
//     AnyDeskIDDays ago (with their copies, see EraseAnyDeskID);
//   - raw bytes of decided incoming mail and of sent or dead outbox mail
//     older than RawMailDays, when every appointment the mail belongs to was
//     done or cancelled at least RawMailDays ago, or it belongs to none.
//
// Mail is never purged while its customer has a session booked ahead, nor
// while a session it belongs to is still booked; undecided mail and mail
// still to be sent keep their bytes. When anything was erased, one audit
// row records the counts (nothing personal) and the WAL is checkpointed.
// It is safe to run at any time and as often as wanted: the jobs runner
// calls it hourly, `mailflow purge` by hand.
func (s *Store) Purge(ctx context.Context, now time.Time, p Retention) (PurgeResult, error) {
	var r PurgeResult
	if p.AnyDeskIDDays < 0 || p.RawMailDays < 0 {
		return r, fmt.Errorf("purge: negative retention %+v", p)
	}
	// Small batches, each its own transaction, so the one writer is never
	// held long: intake, decider and sender get their turn between them.
	// A batch that took long makes the next one smaller.
	limit := purgeBatch
	var ck *checkpointer
	timed := func(fn func(*Tx) error) error {
		t0 := time.Now()
		err := s.InTx(ctx, fn)
		took := time.Since(t0)
		r.Batches++
		r.Longest = max(r.Longest, took)
		switch {
		case took > purgeSlow && limit > purgeBatch/8:
			limit /= 2
		case took < purgeSlow/3 && limit < purgeBatch:
			limit = min(purgeBatch, limit*2)
		}
		if ck == nil {
			ck = s.checkpointAside(ctx)
		}
		ck.batchDone(ctx)
		return err
	}
	defer func() {
		if ck != nil {
			ck.close(ctx)
		}
	}()
	for {
		var n, asked int
		err := timed(func(tx *Tx) error {
			var err error
			asked = limit
			n, err = tx.purgeIDs(ctx, now, p, asked)
			return err
		})
		if err != nil {
			return r, err
		}
		r.AnyDeskIDs += n
		if n < asked {
			break
		}
	}
	args := map[string]any{"cut": utc(now.Add(-days(p.RawMailDays))), "now": utc(now)}
	for _, step := range []struct {
		query string
		count *int
		what  string
	}{{purgeIncoming, &r.IncomingRaw, "raw incoming mail"}, {purgeOutbox, &r.OutboxRaw, "raw outgoing mail"}} {
		for {
			var n, asked int
			err := timed(func(tx *Tx) error {
				var err error
				asked = limit
				args["limit"] = asked
				n, err = tx.namedExec(ctx, step.query, args)
				return err
			})
			if err != nil {
				return r, fmt.Errorf("purge %s: %w", step.what, err)
			}
			*step.count += n
			if n < asked {
				break
			}
		}
	}
	if ck != nil {
		ck.close(ctx) // the pin would keep the final checkpoint from finishing
		ck = nil
	}
	if r.Total() > 0 {
		err := s.InTx(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, AuditEntry{At: now, Actor: ActorSystem, Action: "retention.purge", Outcome: r.String()})
		})
		if err != nil {
			return r, err
		}
		if err := s.checkpointFully(ctx); err != nil {
			return r, err
		}
	}
	return r, nil
}

// purgeBatch is how many rows one purge transaction changes at most;
// after a batch that held the writer longer than purgeSlow the next one is
// half as big (down to an eighth), after a quick one twice as big again.
const (
	purgeBatch = 100
	purgeSlow  = 25 * time.Millisecond
)

// checkpointer keeps SQLite's automatic checkpoint off the writer while a
// purge runs. That checkpoint runs inside the commit that crosses 1,000
// WAL pages and copies them all into the database file: 100 ms and more
// on a busy disk, all of it holding the one writer. Instead a connection
// of its own checkpoints every few batches; a checkpoint takes no write
// lock, so intake, decider and sender go on meanwhile.
//
// A read transaction of its own (the pin) keeps the WAL from starting over
// at its beginning during the purge: the commit that restarts the WAL after
// a complete checkpoint syncs the WAL header to disk first, a wait of
// 50–110 ms measured here, and it would fall on whichever write of the
// writer came next. The pin is moved up to the WAL's end just before each
// checkpoint, so each still copies everything written so far; the WAL
// grows by the purge's changes and the final full checkpoint truncates it.
type checkpointer struct {
	s       *Store
	db      *sqlx.DB
	pin     *sql.Tx
	batches int
}

// checkpointEvery is how many purge batches (at most ~40 WAL pages each)
// go between two checkpoints.
const checkpointEvery = 8

func (s *Store) checkpointAside(ctx context.Context) *checkpointer {
	c := &checkpointer{s: s}
	if s.path == ":memory:" || s.engine == Postgres {
		return c // PostgreSQL checkpoints on its own, outside our writes
	}
	// Deferred: the pin's BEGIN must not take the write lock.
	db, err := sqlx.Open(driverName, "file:"+(&url.URL{Path: s.path}).EscapedPath()+"?"+strings.Replace(pragmas, "_txlock=immediate", "_txlock=deferred", 1))
	if err != nil {
		return c // the writer keeps checkpointing as usual
	}
	db.SetMaxOpenConns(2) // the pin and the checkpoint
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		db.Close()
		return c
	}
	c.db = db
	c.repin(ctx)
	return c
}

// repin ends the pin's read transaction and starts a new one at the WAL's
// current end. Without a pin the purge only pays the restarts again.
func (c *checkpointer) repin(ctx context.Context) {
	if c.pin != nil {
		c.pin.Rollback()
		c.pin = nil
	}
	tx, err := c.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return
	}
	var n int
	// A read transaction takes its snapshot at its first read.
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM cursor").Scan(&n); err != nil {
		tx.Rollback()
		return
	}
	c.pin = tx
}

func (c *checkpointer) batchDone(ctx context.Context) {
	if c.db == nil {
		return
	}
	if c.batches++; c.batches%checkpointEvery == 0 {
		c.repin(ctx)
		// PASSIVE: copies what no reader still needs, waits for nobody.
		// A failure only leaves more for the next one or the final one.
		c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

func (c *checkpointer) close(ctx context.Context) {
	if c.db == nil {
		return
	}
	if c.pin != nil {
		c.pin.Rollback()
	}
	c.db.Close()
	// SQLite's default: checkpoint once the WAL holds 1,000 pages.
	c.s.w.ExecContext(context.WithoutCancel(ctx), "PRAGMA wal_autocheckpoint = 1000")
}

// finishedBy is true for an appointment (alias a) that ended at or before
// :cut; a booked one never has.
const finishedBy = `((a.status = 'done' AND a.done_at <= :cut) OR (a.status = 'cancelled' AND a.cancelled_at <= :cut))`

// purgeIDs erases up to limit AnyDesk IDs whose time is up.
func (tx *Tx) purgeIDs(ctx context.Context, now time.Time, p Retention, limit int) (int, error) {
	idCut := utc(now.Add(-days(p.AnyDeskIDDays)))
	var ended []int64
	err := tx.tx.SelectContext(ctx, &ended, `SELECT id FROM appointments a WHERE anydesk_id IS NOT NULL AND `+strings.ReplaceAll(finishedBy, ":cut", "?")+` LIMIT ?`,
		idCut, idCut, limit)
	if err != nil {
		return 0, fmt.Errorf("purge: find ended appointments: %w", err)
	}
	n := 0
	for _, id := range ended {
		erased, err := tx.EraseAnyDeskID(ctx, id, now)
		if err != nil {
			return n, err
		}
		if erased {
			n++
		}
	}
	return n, nil
}

// A mail belongs to the appointment it created or whose reference its
// decision was audited with (a duplicate belongs where its original does).
// Candidates come from the incoming_purge index (rows still holding raw
// bytes, oldest first), a batch at a time.
var purgeIncoming = `UPDATE incoming SET raw = NULL, purged_at = :now WHERE id IN (
	SELECT i.id FROM incoming i INDEXED BY incoming_purge
	WHERE i.raw IS NOT NULL AND i.state = 'decided' AND i.received_at <= :cut
	AND NOT EXISTS (SELECT 1 FROM appointments a WHERE i.sender != '' AND a.customer = lower(i.sender) AND a.status = 'booked' AND a.end_at > :now)
	AND NOT EXISTS (SELECT 1 FROM appointments a
		WHERE (a.incoming_id IN (i.id, i.duplicate_of)
			OR a.ref IN (SELECT au.ref FROM audit au WHERE au.incoming_id IN (i.id, i.duplicate_of) AND au.ref != ''))
		AND NOT ` + finishedBy + `)
	LIMIT :limit)`

// An outgoing mail belongs to the appointments it was linked to and to
// those of the mail it answered.
var purgeOutbox = `UPDATE outbox SET raw = x'', purged_at = :now WHERE id IN (
	SELECT o.id FROM outbox o INDEXED BY outbox_purge
	WHERE o.state IN ('sent', 'dead') AND o.purged_at IS NULL AND coalesce(o.sent_at, o.created_at) <= :cut
	AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.customer = lower(o.recipient) AND a.status = 'booked' AND a.end_at > :now)
	AND NOT EXISTS (SELECT 1 FROM appointments a
		WHERE (a.id IN (SELECT m.appointment_id FROM appointment_mails m WHERE m.message_id = o.message_id)
			OR a.incoming_id = o.incoming_id
			OR a.ref IN (SELECT au.ref FROM audit au WHERE au.incoming_id = o.incoming_id AND au.ref != ''))
		AND NOT ` + finishedBy + `)
	LIMIT :limit)`

func (tx *Tx) namedExec(ctx context.Context, query string, args map[string]any) (int, error) {
	res, err := tx.tx.NamedExecContext(ctx, query, args)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// EraseAnyDeskID erases an appointment's AnyDesk ID: the column, and every
// copy in stored mail and notes. Mail that brought the ID (audited as
// mail.id-linked for this appointment) and the mail sent about it lose
// their raw bytes whatever encoding hid the digits; any other mail since
// the booking that shows the ID as written (123456789, 123 456 789,
// 123-456-789) loses its raw bytes when finished with, or has the digits
// masked while it still waits to be decided or sent. It reports whether
// there was an ID to erase. Call Checkpoint after the commit.
func (tx *Tx) EraseAnyDeskID(ctx context.Context, appointmentID int64, now time.Time) (bool, error) {
	var a struct {
		Ref       string         `db:"ref"`
		AnyDeskID sql.NullString `db:"anydesk_id"`
		CreatedAt time.Time      `db:"created_at"`
		Received  sql.NullTime   `db:"received_at"`
	}
	err := tx.tx.GetContext(ctx, &a, `SELECT a.ref, a.anydesk_id, a.created_at, i.received_at
		FROM appointments a LEFT JOIN incoming i ON i.id = a.incoming_id WHERE a.id = ?`, appointmentID)
	if err != nil {
		return false, fmt.Errorf("erase anydesk id of appointment %d: %w", appointmentID, notFound(err))
	}
	if !a.AnyDeskID.Valid || a.AnyDeskID.String == "" {
		return false, nil
	}
	at := utc(now)
	if _, err := tx.tx.ExecContext(ctx, "UPDATE appointments SET anydesk_id = NULL, updated_at = ? WHERE id = ?", at, appointmentID); err != nil {
		return false, fmt.Errorf("erase anydesk id of %s: %w", a.Ref, err)
	}
	// The ID cannot have been written before the booking's first mail; a
	// day's margin covers clock skew between Date and received_at.
	since := a.CreatedAt
	if a.Received.Valid && a.Received.Time.Before(since) {
		since = a.Received.Time
	}
	if _, err := tx.scrub(ctx, idMentions(a.AnyDeskID.String), since.Add(-24*time.Hour), now, false); err != nil {
		return false, fmt.Errorf("erase copies of the anydesk id of %s: %w", a.Ref, err)
	}
	carriers := `SELECT incoming_id FROM audit WHERE ref = ? AND action = 'mail.id-linked' AND incoming_id IS NOT NULL`
	if _, err := tx.tx.ExecContext(ctx, `UPDATE incoming SET raw = NULL, purged_at = ?
		WHERE raw IS NOT NULL AND state = 'decided' AND id IN (`+carriers+`)`, at, a.Ref); err != nil {
		return false, fmt.Errorf("erase the mail that brought the anydesk id of %s: %w", a.Ref, err)
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET raw = x'', purged_at = ?
		WHERE purged_at IS NULL AND state IN ('sent', 'dead') AND incoming_id IN (`+carriers+`)`, at, a.Ref); err != nil {
		return false, fmt.Errorf("erase the mail sent about the anydesk id of %s: %w", a.Ref, err)
	}
	return true, nil
}

// ForgetResult counts what Forget erased.
type ForgetResult struct {
	Appointments int // the customer's appointments, deleted
	Incoming     int // mails from the customer, deleted with their raw bytes
	Outbox       int // mails to the customer or about their sessions, deleted
	Proposals    int // slots offered to them, deleted
	Scrubbed     int // other mails, notes and status lines that named them or their AnyDesk ID, masked or dropped
}

// Total is the number of rows touched.
func (r ForgetResult) Total() int {
	return r.Appointments + r.Incoming + r.Outbox + r.Proposals + r.Scrubbed
}

func (r ForgetResult) String() string {
	return fmt.Sprintf("appointments=%d incoming=%d outbox=%d proposals=%d scrubbed=%d", r.Appointments, r.Incoming, r.Outbox, r.Proposals, r.Scrubbed)
}

// Forget erases one customer everywhere (`mailflow forget`): their mail
// (rows and raw bytes), mail sent to them or about their sessions, their
// proposals and appointments, and every mention of their address or of an
// AnyDesk ID they gave in other stored mail, protocols and status lines.
//
// Appointments are deleted, not anonymised: an anonymised session would
// still show in a technician's agenda and hold its slot, and the audit log
// already keeps that a session with this reference happened. A session
// still booked is thereby given up without a mail to the customer, who
// asked to be forgotten. The audit keeps that someone was forgotten
// (customer.forgotten, by the operator) and no hash of them: their earlier
// rows are re-labelled "forgotten". Afterwards the WAL is checkpointed and
// truncated; with secure_delete zeroing every freed cell and page, no byte
// of the data is left in the database files (the tests search them). No
// VACUUM: it is not needed for that and would hold the write lock for as
// long as rewriting the whole file takes. The IMAP mailbox is the caller's
// business (mailbox.ExpungeFrom).
func (s *Store) Forget(ctx context.Context, address string) (ForgetResult, error) {
	addr := strings.ToLower(strings.TrimSpace(address))
	if !strings.Contains(addr, "@") {
		return ForgetResult{}, fmt.Errorf("forget %q: not a mail address", address)
	}
	var r ForgetResult
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.forget(ctx, addr, time.Now())
		return err
	})
	if err != nil {
		return ForgetResult{}, err
	}
	if err := s.checkpointFully(ctx); err != nil {
		return r, err
	}
	return r, nil
}

// Subqueries naming the customer's rows; each takes the address once.
const (
	customerMail         = `SELECT id FROM incoming WHERE sender = ? COLLATE NOCASE`
	customerAppointments = `SELECT id FROM appointments WHERE customer = ?`
	// Mail to them or from them, answering their mail, or about their
	// sessions (the technician's notice). Takes the address four times.
	customerOutbox = `SELECT id FROM outbox WHERE recipient = ? COLLATE NOCASE OR sender = ? COLLATE NOCASE
		OR incoming_id IN (` + customerMail + `)
		OR message_id IN (SELECT message_id FROM appointment_mails WHERE appointment_id IN (` + customerAppointments + `))`
)

func (tx *Tx) forget(ctx context.Context, addr string, now time.Time) (ForgetResult, error) {
	var r ForgetResult
	exec := func(what, query string, args ...any) (int, error) {
		res, err := tx.tx.ExecContext(ctx, query, args...)
		if err != nil {
			return 0, fmt.Errorf("forget: %s: %w", what, err)
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
	var ids []string
	if err := tx.tx.SelectContext(ctx, &ids, `SELECT DISTINCT anydesk_id FROM appointments WHERE customer = ? AND anydesk_id IS NOT NULL AND anydesk_id != ''`, addr); err != nil {
		return r, fmt.Errorf("forget: their anydesk ids: %w", err)
	}
	var err error
	// Dependants first: the foreign keys would refuse the parents.
	if err := tx.deleteForeignDependants(ctx, "outbox", customerOutbox, addr, addr, addr, addr); err != nil {
		return r, err
	}
	if r.Outbox, err = exec("outgoing mail", `DELETE FROM outbox WHERE id IN (`+customerOutbox+`)`, addr, addr, addr, addr); err != nil {
		return r, err
	}
	if r.Proposals, err = exec("proposals", `DELETE FROM proposals WHERE customer = ? OR incoming_id IN (`+customerMail+`)
		OR appointment_id IN (`+customerAppointments+`)`, addr, addr, addr); err != nil {
		return r, err
	}
	if _, err = exec("unlink their mail", `UPDATE appointments SET incoming_id = NULL WHERE customer != ? AND incoming_id IN (`+customerMail+`)`, addr, addr); err != nil {
		return r, err
	}
	if err := tx.deleteForeignDependants(ctx, "appointments", customerAppointments, addr); err != nil {
		return r, err
	}
	if r.Appointments, err = exec("appointments", `DELETE FROM appointments WHERE customer = ?`, addr); err != nil {
		return r, err
	}
	if _, err = exec("unlink duplicates", `UPDATE incoming SET duplicate_of = NULL WHERE sender != ? COLLATE NOCASE AND duplicate_of IN (`+customerMail+`)`, addr, addr); err != nil {
		return r, err
	}
	if err := tx.deleteForeignDependants(ctx, "incoming", customerMail, addr); err != nil {
		return r, err
	}
	if r.Incoming, err = exec("incoming mail", `DELETE FROM incoming WHERE sender = ? COLLATE NOCASE`, addr); err != nil {
		return r, err
	}
	if tx.s.engine == Postgres {
		// The triggers deleted the keys of the rows just deleted; a key
		// of theirs sealing nothing any more goes as well.
		if _, err = exec("their data keys", `DELETE FROM data_keys WHERE owner = ?`, tx.s.keyOwner(addr)); err != nil {
			return r, err
		}
	}
	// Whatever is left that names them: a colleague's mail, a technician's
	// reply quoting a notice, an agenda, an SMTP error, a note.
	n, err := tx.scrub(ctx, mentions{needles: [][]byte{[]byte(addr)}, fold: true}, time.Time{}, now, true)
	if err != nil {
		return r, fmt.Errorf("forget: mentions of the address: %w", err)
	}
	r.Scrubbed += n
	for _, id := range ids {
		n, err := tx.scrub(ctx, idMentions(id), time.Time{}, now, true)
		if err != nil {
			return r, fmt.Errorf("forget: mentions of their anydesk id: %w", err)
		}
		r.Scrubbed += n
	}
	// Their hash goes too: a row under it would link their past events to
	// whoever computes it again (the legacy unkeyed one anyone could).
	if _, err = exec("audit actor", `UPDATE audit SET actor = ? WHERE actor IN (?, ?)`, ActorForgotten, tx.HashAddress(addr), legacyHash(addr)); err != nil {
		return r, err
	}
	return r, tx.Audit(ctx, AuditEntry{At: now, Actor: ActorOperator, Action: "customer.forgotten", Outcome: r.String()})
}

// knownTables are the tables forget clears by name; any other table with a
// foreign key to appointments or incoming (added by a later migration) has
// the rows that point at the customer's deleted too, so a new table cannot
// make forget fail on a constraint or keep a row about them.
var knownTables = map[string]bool{
	"appointments": true, "appointment_mails": true, "proposals": true, "incoming": true,
	"outbox": true, "outbox_attempts": true,
}

func (tx *Tx) deleteForeignDependants(ctx context.Context, parent, ids string, args ...any) error {
	fks, err := tx.foreignKeys(ctx)
	if err != nil {
		return err
	}
	for _, fk := range fks {
		if knownTables[fk.Child] || !strings.EqualFold(fk.Parent, parent) {
			continue
		}
		q := fmt.Sprintf(`DELETE FROM %q WHERE %q IN (%s)`, fk.Child, fk.From, ids)
		if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("forget: rows of %s about them: %w", fk.Child, err)
		}
	}
	return nil
}

// foreignKey is one column of table Child referring to table Parent.
type foreignKey struct {
	Child  string `db:"child"`
	From   string `db:"from"`
	Parent string `db:"parent"`
}

// foreignKeys lists the schema's single-column foreign keys from the
// engine's catalog.
func (tx *Tx) foreignKeys(ctx context.Context) ([]foreignKey, error) {
	var fks []foreignKey
	q := `SELECT m.name AS child, f."from" AS "from", f."table" AS parent
		FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if tx.s.engine == Postgres {
		q = `SELECT c.relname AS child, a.attname AS "from", p.relname AS parent
			FROM pg_constraint k
			JOIN pg_class c ON c.oid = k.conrelid
			JOIN pg_class p ON p.oid = k.confrelid
			JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
			WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`
	}
	if err := tx.tx.SelectContext(ctx, &fks, q); err != nil {
		return nil, fmt.Errorf("forget: list foreign keys: %w", err)
	}
	return fks, nil
}

// mentions is a datum to erase from stored text: an address (matched
// ignoring ASCII case) or an AnyDesk ID in the ways people write it.
type mentions struct {
	needles [][]byte // lower case when fold
	fold    bool
}

// idMentions are the spellings of an ID that understand accepts.
func idMentions(id string) mentions {
	m := mentions{needles: [][]byte{[]byte(id)}}
	if len(id) == 9 {
		for _, sep := range []string{" ", "-", "\u00a0"} {
			m.needles = append(m.needles, []byte(id[:3]+sep+id[3:6]+sep+id[6:]))
		}
	}
	return m
}

// where is an SQL condition true when column col (text, or a blob when
// blob is set) contains a needle. SQLite's instr compares blobs byte for
// byte; on PostgreSQL position() does for bytea and strpos() for text.
// lower() folds ASCII only, like mask (mailflow_lower_ascii for bytea).
func (m mentions) where(engine, col string, blob bool) (string, []any) {
	conds := make([]string, len(m.needles))
	args := make([]any, len(m.needles))
	for i, n := range m.needles {
		switch {
		case engine == Postgres && blob && m.fold:
			conds[i], args[i] = "position(? in mailflow_lower_ascii("+col+")) > 0", n
		case engine == Postgres && blob:
			conds[i], args[i] = "position(? in "+col+") > 0", n
		case engine == Postgres && m.fold:
			conds[i], args[i] = "strpos(lower("+col+"), ?) > 0", string(n)
		case engine == Postgres:
			conds[i], args[i] = "strpos("+col+", ?) > 0", string(n)
		case m.fold:
			conds[i], args[i] = "instr(lower("+col+"), ?) > 0", string(n)
		default:
			conds[i], args[i] = "instr("+col+", ?) > 0", n
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// mask overwrites every occurrence of a needle in a copy of b with x of the
// same length, so a mail's structure (line lengths, MIME boundaries)
// survives.
func (m mentions) mask(b []byte) []byte {
	out := bytes.Clone(b)
	hay := out
	if m.fold {
		hay = asciiLower(out)
	}
	for _, n := range m.needles {
		if len(n) == 0 {
			continue
		}
		for i := 0; ; {
			j := bytes.Index(hay[i:], n)
			if j < 0 {
				break
			}
			for k := i + j; k < i+j+len(n); k++ {
				out[k], hay[k] = 'x', 'x'
			}
			i += j + len(n)
		}
	}
	return out
}

func asciiLower(b []byte) []byte {
	l := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	return l
}

// textColumns may hold an address or an ID in free text.
var textColumns = []struct{ table, col string }{
	{"incoming", "detail"},
	{"outbox", "last_error"},
	{"outbox_attempts", "error"},
	{"appointments", "protocol"},
	{"appointments", "reason"},
	{"appointments", "customer_name"},
	{"status", "value"},
}

// scrub erases m from stored mail since then and from free-text columns,
// returning how many rows it touched. Mail that is finished with (decided,
// sent or dead) loses its raw bytes: a datum can hide in encodings a byte
// search does not see. Undecided mail keeps its bytes with the datum
// masked, so it can still be decided. Mail still to be sent is masked too,
// unless dropPending: a forgotten customer's name would still go out with
// it (an agenda listing them), so it is emptied and dead-lettered instead.
func (tx *Tx) scrub(ctx context.Context, m mentions, since, now time.Time, dropPending bool) (int, error) {
	at := utc(now)
	touched := 0
	ins, err := tx.rawHits(ctx, "incoming", "raw IS NOT NULL AND received_at >= ?", since, m)
	if err != nil {
		return 0, fmt.Errorf("search incoming mail: %w", err)
	}
	for _, h := range ins {
		if h.State == "decided" {
			if _, err := tx.tx.ExecContext(ctx, "UPDATE incoming SET raw = NULL, purged_at = ? WHERE id = ?", at, h.ID); err != nil {
				return 0, fmt.Errorf("drop raw of incoming %d: %w", h.ID, err)
			}
		} else if err := tx.maskBlob(ctx, "incoming", "raw", h.ID, m); err != nil {
			return 0, err
		}
		touched++
	}
	outs, err := tx.rawHits(ctx, "outbox", "length(raw) > 0 AND created_at >= ?", since, m)
	if err != nil {
		return 0, fmt.Errorf("search outgoing mail: %w", err)
	}
	for _, h := range outs {
		if h.State != OutboxPending || dropPending {
			if _, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET raw = x'', purged_at = ?,
				state = CASE state WHEN 'pending' THEN 'dead' ELSE state END,
				last_error = CASE state WHEN 'pending' THEN 'not sent: it named a customer who was forgotten' ELSE last_error END
				WHERE id = ?`, at, h.ID); err != nil {
				return 0, fmt.Errorf("drop raw of outbox %d: %w", h.ID, err)
			}
		} else if err := tx.maskBlob(ctx, "outbox", "raw", h.ID, m); err != nil {
			return 0, err
		}
		touched++
	}
	for _, c := range textColumns {
		cond, args := m.where(tx.s.engine, c.col, false)
		var rows []struct {
			Key  string `db:"rid"`
			Text string `db:"text"`
		}
		key := "id"
		if c.table == "status" {
			key = "key"
		}
		q := fmt.Sprintf("SELECT CAST(%q AS TEXT) AS rid, %q AS text FROM %q WHERE %s", key, c.col, c.table, cond)
		if err := tx.tx.SelectContext(ctx, &rows, q, args...); err != nil {
			return 0, fmt.Errorf("search %s.%s: %w", c.table, c.col, err)
		}
		for _, r := range rows {
			var keyArg any = r.Key
			if key == "id" {
				id, err := strconv.ParseInt(r.Key, 10, 64)
				if err != nil {
					return 0, fmt.Errorf("search %s.%s: id %q: %w", c.table, c.col, r.Key, err)
				}
				keyArg = id
			}
			q := fmt.Sprintf("UPDATE %q SET %q = ? WHERE %q = ?", c.table, c.col, key)
			if _, err := tx.tx.ExecContext(ctx, q, string(m.mask([]byte(r.Text))), keyArg); err != nil {
				return 0, fmt.Errorf("mask %s.%s: %w", c.table, c.col, err)
			}
			touched++
		}
	}
	return touched, nil
}

// hit is a stored mail whose raw bytes mention what is being erased.
type hit struct {
	ID    int64  `db:"id"`
	State string `db:"state"`
}

// rawHits lists the mails of table (incoming or outbox) matching cond
// (with since as its one argument) whose raw bytes hold a needle of m.
// SQLite searches in SQL; sealed mail (PostgreSQL) is opened and searched
// here, a page of rows at a time.
func (tx *Tx) rawHits(ctx context.Context, table, cond string, since time.Time, m mentions) ([]hit, error) {
	if tx.s.engine != Postgres {
		where, args := m.where(tx.s.engine, "raw", true)
		var hs []hit
		err := tx.tx.SelectContext(ctx, &hs, "SELECT id, state FROM "+table+" WHERE "+cond+" AND "+where, append([]any{utc(since)}, args...)...)
		return hs, err
	}
	var hs []hit
	for last := int64(0); ; {
		var rows []struct {
			hit
			Raw []byte `db:"raw"`
		}
		err := tx.tx.SelectContext(ctx, &rows, "SELECT id, state, raw FROM "+table+" WHERE "+cond+" AND id > ? ORDER BY id LIMIT 200", utc(since), last)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			plain, err := openRaw(ctx, tx.tx, r.Raw)
			if err != nil {
				return nil, err
			}
			if m.in(plain) {
				hs = append(hs, r.hit)
			}
			last = r.ID
		}
		if len(rows) < 200 {
			return hs, nil
		}
	}
}

// in reports whether b holds a needle.
func (m mentions) in(b []byte) bool {
	if m.fold {
		b = asciiLower(b)
	}
	for _, n := range m.needles {
		if len(n) > 0 && bytes.Contains(b, n) {
			return true
		}
	}
	return false
}

func (tx *Tx) maskBlob(ctx context.Context, table, col string, id int64, m mentions) error {
	var b []byte
	if err := tx.tx.GetContext(ctx, &b, fmt.Sprintf("SELECT %q FROM %q WHERE id = ?", col, table), id); err != nil {
		return fmt.Errorf("read %s %d: %w", table, id, err)
	}
	if tx.s.engine == Postgres && col == "raw" {
		// Opened, masked and sealed again under a new key; the trigger
		// deletes the old one, so the unmasked bytes are shredded.
		plain, err := openRaw(ctx, tx.tx, b)
		if err != nil {
			return fmt.Errorf("read %s %d: %w", table, id, err)
		}
		owner := "sender"
		if table == "outbox" {
			owner = "recipient"
		}
		var addr string
		if err := tx.tx.GetContext(ctx, &addr, fmt.Sprintf("SELECT %q FROM %q WHERE id = ?", owner, table), id); err != nil {
			return fmt.Errorf("read %s %d: %w", table, id, err)
		}
		raw, key, err := tx.sealRaw(ctx, addr, m.mask(plain))
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf("UPDATE %q SET raw = ?, raw_key = ? WHERE id = ?", table), raw, key, id); err != nil {
			return fmt.Errorf("mask %s %d: %w", table, id, err)
		}
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf("UPDATE %q SET %q = ? WHERE id = ?", table, col), m.mask(b), id); err != nil {
		return fmt.Errorf("mask %s %d: %w", table, id, err)
	}
	return nil
}

// checkpointFully folds the WAL into the database file and truncates it,
// retrying while readers hold old snapshots: unlike a plain checkpoint it
// only returns nil once no erased page image is left in the -wal file.
func (s *Store) checkpointFully(ctx context.Context) error {
	if s.engine == Postgres {
		// Deleted keys leave dead rows behind; VACUUM makes their space
		// reusable at once, so new keys soon overwrite it. (What makes the
		// erased mail unreadable is the key's deletion, not this.)
		if _, err := s.w.ExecContext(ctx, "VACUUM data_keys"); err != nil {
			return fmt.Errorf("vacuum data keys: %w", err)
		}
		return nil
	}
	if s.path == ":memory:" {
		return nil
	}
	for try := 0; ; try++ {
		var busy, logFrames, moved int
		if err := s.w.scanRow(ctx, "PRAGMA wal_checkpoint(TRUNCATE)", nil, &busy, &logFrames, &moved); err != nil {
			return fmt.Errorf("wal checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		if try == 50 {
			return fmt.Errorf("wal checkpoint: %w", ErrCheckpointBusy)
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wal checkpoint: %w", ctx.Err())
		case <-t.C:
		}
	}
}
