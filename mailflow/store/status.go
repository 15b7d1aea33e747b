package store

import (
	"context"
	"fmt"
	"time"
)

// StatusValue is one runtime fact, such as the intake state.
type StatusValue struct {
	Key       string    `db:"key"`
	Value     string    `db:"value"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Status keys written by the daemon.
const (
	StatusIntakeState   = "intake.state"     // idle, polling, fetching, reconnecting, stopped
	StatusIntakeBeat    = "intake.heartbeat" // last time the intake loop was alive
	StatusIntakeLastErr = "intake.last_error"
	StatusLastMail      = "intake.last_mail"
	StatusLastPoll      = "intake.last_poll"
	StatusOutboxLastErr = "outbox.last_error"
	StatusOutboxFailing = "outbox.failing_since" // RFC 3339, "" when delivery works
	StatusProbe         = "status.write_probe"   // written by `mailflow status` to learn whether writes work
	StatusBreaker       = "outbox.breaker"       // "closed", or what it holds back until when
	StatusBreakerTrip   = "outbox.breaker_trip"  // when and why it last started holding (the team lead's alert)
	StatusFloodAlarm    = "outbox.flood_alarm"   // "" or the reply rate far above usual
)

// SetStatus records a runtime fact.
func (s *Store) SetStatus(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO status (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, utc(time.Now()))
	if err != nil {
		return fmt.Errorf("set status %s: %w", key, s.noteWrite(err))
	}
	return nil
}

// Status returns all runtime facts.
func (s *Store) Status(ctx context.Context) (map[string]StatusValue, error) {
	var vs []StatusValue
	if err := s.r.SelectContext(ctx, &vs, "SELECT key, value, updated_at FROM status"); err != nil {
		return nil, fmt.Errorf("read status: %w", err)
	}
	m := make(map[string]StatusValue, len(vs))
	for _, v := range vs {
		m[v.Key] = v
	}
	return m, nil
}
