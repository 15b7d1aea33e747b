package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Appointment statuses.
const (
	StatusBooked    = "booked"
	StatusCancelled = "cancelled"
	StatusDone      = "done"
)

// Appointment is a booked remote session.
type Appointment struct {
	ID           int64          `db:"id"`
	Ref          string         `db:"ref"`
	Customer     string         `db:"customer"`
	CustomerName string         `db:"customer_name"`
	Technician   string         `db:"technician"`
	Start        time.Time      `db:"start_at"`
	End          time.Time      `db:"end_at"`
	Status       string         `db:"status"`
	Language     string         `db:"language"`
	Reason       string         `db:"reason"`
	AnyDeskID    sql.NullString `db:"anydesk_id"`
	IncomingID   sql.NullInt64  `db:"incoming_id"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	// Sequence counts changes, for the calendar invitation's SEQUENCE.
	Sequence int `db:"sequence"`
	// DoneAt and CancelledAt are when the session ended; retention counts
	// from there.
	DoneAt      sql.NullTime `db:"done_at"`
	CancelledAt sql.NullTime `db:"cancelled_at"`
	// Protocol is what the technician wrote when marking the session done,
	// and any notes, oldest first.
	Protocol string `db:"protocol"`
}

// Busy is the part of a booked appointment that blocks a technician.
type Busy struct {
	Start      time.Time `db:"start_at"`
	End        time.Time `db:"end_at"`
	Technician string    `db:"technician"`
}

// bookedNear lists booked sessions overlapping [from, to): arguments to,
// from minus a day, from.
const bookedNear = `SELECT start_at, end_at, technician FROM appointments INDEXED BY appointments_booked_start
	WHERE status = 'booked' AND start_at < ? AND start_at > ? AND end_at > ? ORDER BY start_at`

// Booked lists the booked sessions that overlap [from, to), any technician.
// Only the columns booking needs are read: it runs for every request.
func (tx *Tx) Booked(ctx context.Context, from, to time.Time) ([]Busy, error) {
	var bs []Busy
	// No session lasts a day: the lower bound keeps the read to the index
	// range of the days asked about, however much history there is.
	err := tx.tx.SelectContext(ctx, &bs, bookedNear, utc(to), utc(from.Add(-24*time.Hour)), utc(from))
	if err != nil {
		return nil, fmt.Errorf("list booked appointments: %w", err)
	}
	return bs, nil
}

// Book inserts a booked appointment, assigning its reference. It returns
// ErrSlotTaken when the technician already has a session at that start.
func (tx *Tx) Book(ctx context.Context, a *Appointment) error {
	next, err := tx.nextBookingNumber(ctx)
	if err != nil {
		return err
	}
	now := utc(time.Now())
	a.ID, a.Ref, a.Status, a.CreatedAt, a.UpdatedAt = next, fmt.Sprintf("FW-%d", 1000+next), StatusBooked, now, now
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO appointments
		(id, ref, customer, customer_name, technician, start_at, end_at, status, language, reason, anydesk_id, incoming_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Ref, a.Customer, a.CustomerName, a.Technician, utc(a.Start), utc(a.End), a.Status, a.Language, a.Reason,
		a.AnyDeskID, a.IncomingID, now, now)
	if isUniqueViolation(err) {
		return fmt.Errorf("book %s for %s: %w", a.Start.Format(time.RFC3339), a.Technician, ErrSlotTaken)
	}
	if err != nil {
		return fmt.Errorf("book appointment: %w", err)
	}
	return nil
}

// NextAppointmentOf returns the customer's booked appointment that ends
// soonest after now (the one an incoming ID belongs to).
func (tx *Tx) NextAppointmentOf(ctx context.Context, customer string, now time.Time) (*Appointment, error) {
	var a Appointment
	err := tx.tx.GetContext(ctx, &a, `SELECT * FROM appointments WHERE customer = ? AND status = 'booked' AND end_at > ?
		ORDER BY start_at LIMIT 1`, customer, utc(now))
	if err != nil {
		return nil, fmt.Errorf("next appointment of customer: %w", notFound(err))
	}
	return &a, nil
}

// SetAnyDeskID links an ID to an appointment.
func (tx *Tx) SetAnyDeskID(ctx context.Context, id int64, anydesk string) error {
	_, err := tx.tx.ExecContext(ctx, "UPDATE appointments SET anydesk_id = ?, updated_at = ? WHERE id = ?", anydesk, utc(time.Now()), id)
	if err != nil {
		return fmt.Errorf("link id to appointment %d: %w", id, err)
	}
	return nil
}

// Appointments lists appointments starting in [from, to), all statuses.
func (s *Store) Appointments(ctx context.Context, from, to time.Time) ([]Appointment, error) {
	var as []Appointment
	err := s.r.SelectContext(ctx, &as, "SELECT * FROM appointments WHERE start_at >= ? AND start_at < ? ORDER BY start_at, technician", utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("list appointments: %w", err)
	}
	return as, nil
}

// ProposedSlot is one slot offered in a proposal.
type ProposedSlot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Proposal is a set of slots offered to a customer.
type Proposal struct {
	ID            int64          `db:"id"`
	IncomingID    sql.NullInt64  `db:"incoming_id"` // none when asked for on a web page
	Customer      string         `db:"customer"`
	MessageID     string         `db:"message_id"`
	SlotsJSON     string         `db:"slots"`
	ExpiresAt     time.Time      `db:"expires_at"`
	CreatedAt     time.Time      `db:"created_at"`
	ClosedAt      sql.NullTime   `db:"closed_at"`
	AppointmentID sql.NullInt64  `db:"appointment_id"`
	Slots         []ProposedSlot `db:"-"`
}

// Propose stores the slots offered to a customer; appointmentID is set
// when the proposal would move an existing appointment (0 otherwise). Older
// open proposals of the customer are closed: only the newest counts.
func (tx *Tx) Propose(ctx context.Context, incomingID int64, customer, messageID string, slots []ProposedSlot, expires time.Time, appointmentID int64) error {
	js, err := json.Marshal(slots)
	if err != nil {
		return fmt.Errorf("encode proposal: %w", err)
	}
	now := utc(time.Now())
	if _, err := tx.tx.ExecContext(ctx, "UPDATE proposals SET closed_at = ? WHERE customer = ? AND closed_at IS NULL", now, customer); err != nil {
		return fmt.Errorf("close older proposals: %w", err)
	}
	var in sql.NullInt64
	if incomingID != 0 {
		in = sql.NullInt64{Int64: incomingID, Valid: true}
	}
	var appt sql.NullInt64
	if appointmentID != 0 {
		appt = sql.NullInt64{Int64: appointmentID, Valid: true}
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO proposals (incoming_id, customer, message_id, slots, expires_at, created_at, appointment_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		in, customer, messageID, string(js), utc(expires), now, appt)
	if err != nil {
		return fmt.Errorf("store proposal: %w", err)
	}
	return nil
}

// OpenProposal finds the customer's open, unexpired proposal: the one a
// mail in thread (In-Reply-To and References) answers, else the newest.
func (tx *Tx) OpenProposal(ctx context.Context, customer string, thread []string, now time.Time) (*Proposal, error) {
	var ps []Proposal
	err := tx.tx.SelectContext(ctx, &ps, `SELECT * FROM proposals WHERE customer = ? AND closed_at IS NULL AND expires_at > ? ORDER BY id DESC`,
		customer, utc(now))
	if err != nil {
		return nil, fmt.Errorf("open proposals: %w", err)
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	pick := &ps[0]
	for i := range ps {
		for _, id := range thread {
			if id != "" && ps[i].MessageID == id {
				pick = &ps[i]
			}
		}
	}
	if err := json.Unmarshal([]byte(pick.SlotsJSON), &pick.Slots); err != nil {
		return nil, fmt.Errorf("decode proposal %d: %w", pick.ID, err)
	}
	return pick, nil
}

// CloseProposal marks a proposal as answered.
func (tx *Tx) CloseProposal(ctx context.Context, id int64) error {
	if _, err := tx.tx.ExecContext(ctx, "UPDATE proposals SET closed_at = ? WHERE id = ?", utc(time.Now()), id); err != nil {
		return fmt.Errorf("close proposal %d: %w", id, err)
	}
	return nil
}

// LinkMail records that we sent messageID to recipient about an
// appointment: a reply in its thread finds the appointment, and proves
// that the replier reads recipient's mail (see SentTo).
func (tx *Tx) LinkMail(ctx context.Context, messageID string, appointmentID int64, recipient string) error {
	_, err := tx.tx.ExecContext(ctx, "INSERT INTO appointment_mails (message_id, appointment_id, recipient) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		messageID, appointmentID, strings.ToLower(strings.TrimSpace(recipient)))
	if err != nil {
		return fmt.Errorf("link mail to appointment %d: %w", appointmentID, err)
	}
	return nil
}

// FindAppointment finds the appointment a customer's mail is about: by
// booking reference, else by a Message-ID of ours in its thread, else the
// customer's next booked appointment. Only the customer's own appointments
// are found.
func (tx *Tx) FindAppointment(ctx context.Context, customer, ref string, thread []string, now time.Time) (*Appointment, error) {
	var a Appointment
	if ref != "" {
		err := tx.tx.GetContext(ctx, &a, "SELECT * FROM appointments WHERE ref = ? AND customer = ?", ref, customer)
		if err == nil {
			return &a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("appointment %s: %w", ref, err)
		}
	}
	for _, id := range thread {
		if id == "" {
			continue
		}
		err := tx.tx.GetContext(ctx, &a, `SELECT a.* FROM appointments a JOIN appointment_mails m ON m.appointment_id = a.id
			WHERE m.message_id = ? AND a.customer = ?`, id, customer)
		if err == nil {
			return &a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("appointment of thread: %w", err)
		}
	}
	return tx.NextAppointmentOf(ctx, customer, now)
}

// Cancel cancels a booked appointment and counts the change.
func (tx *Tx) Cancel(ctx context.Context, a *Appointment) error {
	now := utc(time.Now())
	res, err := tx.tx.ExecContext(ctx, `UPDATE appointments SET status = 'cancelled', sequence = sequence + 1, cancelled_at = ?, updated_at = ?
		WHERE id = ? AND status = 'booked'`, now, now, a.ID)
	if err != nil {
		return fmt.Errorf("cancel %s: %w", a.Ref, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("cancel %s: %w", a.Ref, ErrNotFound)
	}
	a.Status, a.Sequence = StatusCancelled, a.Sequence+1
	a.CancelledAt = sql.NullTime{Time: now, Valid: true}
	return nil
}

// Move gives a booked appointment a new time (and technician), counting the
// change. It fails with ErrSlotTaken when that would double-book.
func (tx *Tx) Move(ctx context.Context, a *Appointment, start, end time.Time, technician string) error {
	_, err := tx.tx.ExecContext(ctx, "UPDATE appointments SET start_at = ?, end_at = ?, technician = ?, sequence = sequence + 1, updated_at = ? WHERE id = ? AND status = 'booked'",
		utc(start), utc(end), technician, utc(time.Now()), a.ID)
	if isUniqueViolation(err) {
		return fmt.Errorf("move %s: %w", a.Ref, ErrSlotTaken)
	}
	if err != nil {
		return fmt.Errorf("move %s: %w", a.Ref, err)
	}
	a.Start, a.End, a.Technician, a.Sequence = start, end, technician, a.Sequence+1
	return nil
}

// AppointmentByRef returns one appointment.
func (s *Store) AppointmentByRef(ctx context.Context, ref string) (*Appointment, error) {
	var a Appointment
	if err := s.r.GetContext(ctx, &a, "SELECT * FROM appointments WHERE ref = ?", ref); err != nil {
		return nil, fmt.Errorf("appointment %s: %w", ref, notFound(err))
	}
	return &a, nil
}

// AppointmentByID returns one appointment inside a transaction.
func (tx *Tx) AppointmentByID(ctx context.Context, id int64) (*Appointment, error) {
	var a Appointment
	if err := tx.tx.GetContext(ctx, &a, "SELECT * FROM appointments WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("appointment %d: %w", id, notFound(err))
	}
	return &a, nil
}

// AppointmentByRef returns one appointment inside a transaction.
func (tx *Tx) AppointmentByRef(ctx context.Context, ref string) (*Appointment, error) {
	var a Appointment
	if err := tx.tx.GetContext(ctx, &a, "SELECT * FROM appointments WHERE ref = ?", ref); err != nil {
		return nil, fmt.Errorf("appointment %s: %w", ref, notFound(err))
	}
	return &a, nil
}

// CustomerFacts says whether a sender ever booked with us and whether they
// have a booked appointment still ahead (for rules).
func (tx *Tx) CustomerFacts(ctx context.Context, customer string, now time.Time) (known, open bool, err error) {
	var row struct {
		Known int `db:"known"`
		Open  int `db:"open"`
	}
	err = tx.tx.GetContext(ctx, &row, `SELECT count(*) AS known,
		coalesce(sum(CASE WHEN status = 'booked' AND end_at > ? THEN 1 ELSE 0 END), 0) AS open
		FROM appointments WHERE customer = ?`, utc(now), customer)
	if err != nil {
		return false, false, fmt.Errorf("customer facts: %w", err)
	}
	return row.Known > 0, row.Open > 0, nil
}

// ErrNotBooked is returned when a change needs a booked appointment and the
// appointment is done or cancelled already.
var ErrNotBooked = errors.New("not booked")

// maxProtocolEntry caps one protocol entry: a technician's reply may carry
// a long signature or a forwarded thread, and the protocol is meant to say
// what was done, not to keep the mail.
const maxProtocolEntry = 8 << 10

// Session endings MarkDone records in the protocol.
const (
	EndDone   = "done"
	EndNoShow = "no-show"
)

// MarkDone marks a booked appointment done at now and appends a protocol
// entry of kind (EndDone or EndNoShow) with text (may be empty). With
// idRetentionDays 0 the AnyDesk ID is erased in this same transaction, with
// every copy of it in stored mail (see EraseAnyDeskID); otherwise Purge
// erases it once the period has passed. It returns what became of the ID,
// for the audit. After the commit, call Checkpoint so that no copy stays
// behind in the -wal file. a is updated.
func (tx *Tx) MarkDone(ctx context.Context, a *Appointment, kind, text string, now time.Time, idRetentionDays int) (string, error) {
	at := utc(now)
	entry := protocolEntry(at, kind, text)
	res, err := tx.tx.ExecContext(ctx, `UPDATE appointments SET status = 'done', done_at = ?, sequence = sequence + 1, updated_at = ?,
		protocol = CASE WHEN protocol = '' THEN ? ELSE protocol || char(10) || ? END
		WHERE id = ? AND status = 'booked'`, at, at, entry, entry, a.ID)
	if err != nil {
		return "", fmt.Errorf("mark %s done: %w", a.Ref, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", tx.notBooked(ctx, a)
	}
	outcome := fmt.Sprintf("anydesk id kept %d days", idRetentionDays)
	if idRetentionDays <= 0 {
		erased, err := tx.EraseAnyDeskID(ctx, a.ID, now)
		if err != nil {
			return "", err
		}
		outcome = "no anydesk id"
		if erased {
			outcome = "anydesk id erased"
		}
	}
	return outcome, tx.reload(ctx, a)
}

// AddNote appends text to an appointment's session protocol, whatever its
// status: a technician may document a session after marking it done. An
// empty note changes nothing.
func (tx *Tx) AddNote(ctx context.Context, a *Appointment, text string, now time.Time) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	at := utc(now)
	entry := protocolEntry(at, "note", text)
	_, err := tx.tx.ExecContext(ctx, `UPDATE appointments SET updated_at = ?,
		protocol = CASE WHEN protocol = '' THEN ? ELSE protocol || char(10) || ? END WHERE id = ?`, at, entry, entry, a.ID)
	if err != nil {
		return fmt.Errorf("add note to %s: %w", a.Ref, err)
	}
	return tx.reload(ctx, a)
}

// protocolEntry is one dated line (or paragraph) of a session protocol. The
// time is UTC: the store does not know the desk's zone, and an explicit
// zone cannot be misread.
func protocolEntry(at time.Time, kind, text string) string {
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	if len(text) > maxProtocolEntry {
		cut := maxProtocolEntry
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + " […]"
	}
	head := at.UTC().Format("2006-01-02 15:04 UTC") + " " + kind
	if text == "" {
		return head
	}
	return head + ": " + text
}

func (tx *Tx) notBooked(ctx context.Context, a *Appointment) error {
	var status string
	if err := tx.tx.GetContext(ctx, &status, "SELECT status FROM appointments WHERE id = ?", a.ID); err != nil {
		return fmt.Errorf("appointment %s: %w", a.Ref, notFound(err))
	}
	return fmt.Errorf("appointment %s is %s: %w", a.Ref, status, ErrNotBooked)
}

func (tx *Tx) reload(ctx context.Context, a *Appointment) error {
	if err := tx.tx.GetContext(ctx, a, "SELECT * FROM appointments WHERE id = ?", a.ID); err != nil {
		return fmt.Errorf("reload appointment %s: %w", a.Ref, notFound(err))
	}
	return nil
}
