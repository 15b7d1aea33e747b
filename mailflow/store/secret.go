package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// secretBytes is the size of the installation secret (256 bits).
const secretBytes = 32

// loadSecret reads the installation's HMAC key, drawing it on first start.
// It lives in the database, not in the config: it must survive exactly as
// long as the data it keys (a restore brings back both together), and an
// operator never has to handle it.
func (s *Store) loadSecret(ctx context.Context) error {
	var key []byte
	err := s.w.GetContext(ctx, &key, "SELECT value FROM installation WHERE key = 'hmac'")
	if errors.Is(err, sql.ErrNoRows) {
		key = make([]byte, secretBytes)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("draw installation secret: %w", err)
		}
		// ON CONFLICT: a second process starting at the same moment keeps
		// the first one's key; both read it back below.
		if _, err := s.w.ExecContext(ctx, "INSERT INTO installation (key, value) VALUES ('hmac', ?) ON CONFLICT DO NOTHING", key); err != nil {
			return fmt.Errorf("store installation secret: %w", err)
		}
		err = s.w.GetContext(ctx, &key, "SELECT value FROM installation WHERE key = 'hmac'")
	}
	if err != nil {
		return fmt.Errorf("read installation secret: %w", err)
	}
	if len(key) < secretBytes {
		return fmt.Errorf("installation secret is %d bytes, want %d", len(key), secretBytes)
	}
	s.secret = key
	return nil
}

// Keyed returns HMAC-SHA256 under the installation secret of the parts
// (joined with NUL, after a domain label so that one use can never stand
// in for another). Our Message-IDs are derived from it: stable when a
// decision is replayed, yet impossible to guess without the database.
func (s *Store) Keyed(label string, parts ...string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(label))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// IDSecret is the key compose derives our Message-IDs from (itself derived,
// so compose never holds the master secret).
func (s *Store) IDSecret() []byte { return s.Keyed("message-id") }

// HashAddress is how a sender appears in logs and in the audit log: 128
// bits of an HMAC of the address, stable within this installation so one
// customer's events can be followed, but not recomputable from an address
// without the database (and, after forget, not present anywhere).
func (s *Store) HashAddress(addr string) string {
	return "c:" + hex.EncodeToString(s.Keyed("actor", strings.ToLower(strings.TrimSpace(addr)))[:16])
}

// HashAddress is Store.HashAddress inside a transaction.
func (tx *Tx) HashAddress(addr string) string { return tx.s.HashAddress(addr) }

// legacyHash is the unkeyed 48-bit hash earlier versions wrote into the
// audit log; forget removes it too.
func legacyHash(addr string) string {
	sum := sha256.Sum256([]byte("mailflow-actor\x00" + strings.ToLower(strings.TrimSpace(addr))))
	return "c:" + hex.EncodeToString(sum[:6])
}
