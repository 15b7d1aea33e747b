package store

// Raw mail at rest on PostgreSQL is sealed under a key per mail (see
// migrations/postgres/0040_data_keys.sql for why, and for the triggers that
// delete a key with its mail's bytes). SQLite stores raw mail in the clear
// and erases it byte for byte instead (secure_delete, WAL truncation).

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// sealedMagic starts every sealed value: "mfe1", then the key's id (8
// bytes, big endian), the GCM nonce and the ciphertext. The id and magic
// are authenticated, so a value cannot be moved under another key.
var sealedMagic = []byte("mfe1")

const sealedHeader = 4 + 8

// keyOwner is the keyed hash data keys are filed under: one customer's
// keys can be found (forget) without their address being stored with them.
func (s *Store) keyOwner(addr string) string {
	return hex.EncodeToString(s.Keyed("data-key-owner", strings.ToLower(strings.TrimSpace(addr)))[:16])
}

// sealRaw returns what to store for raw mail of owner: on PostgreSQL the
// sealed bytes and the id of the new key; elsewhere (and for nil or empty
// mail) raw itself.
func (tx *Tx) sealRaw(ctx context.Context, owner string, raw []byte) ([]byte, sql.NullInt64, error) {
	if tx.s.engine != Postgres || len(raw) == 0 {
		return raw, sql.NullInt64{}, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, sql.NullInt64{}, fmt.Errorf("draw data key: %w", err)
	}
	var id int64
	if err := tx.tx.GetContext(ctx, &id, "INSERT INTO data_keys (owner, key, created_at) VALUES (?, ?, ?) RETURNING id",
		tx.s.keyOwner(owner), key, utc(time.Now())); err != nil {
		return nil, sql.NullInt64{}, fmt.Errorf("store data key: %w", err)
	}
	sealed, err := seal(key, id, raw)
	if err != nil {
		return nil, sql.NullInt64{}, err
	}
	return sealed, sql.NullInt64{Int64: id, Valid: true}, nil
}

func seal(key []byte, id int64, plain []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	head := make([]byte, sealedHeader, sealedHeader+aead.NonceSize()+len(plain)+aead.Overhead())
	copy(head, sealedMagic)
	binary.BigEndian.PutUint64(head[4:], uint64(id))
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("draw nonce: %w", err)
	}
	out := append(head, nonce...)
	return aead.Seal(out, nonce, plain, head), nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	return cipher.NewGCM(b)
}

// ErrShredded is returned when sealed mail is read whose key was deleted.
var ErrShredded = errors.New("mail was erased (its key is deleted)")

// isSealed reports whether b is a sealed value.
func isSealed(b []byte) bool { return len(b) > sealedHeader && bytes.HasPrefix(b, sealedMagic) }

// openRaw returns the clear bytes of a stored raw value: sealed values are
// opened with their key (nil when the key is gone: the mail was erased),
// anything else is returned as it is.
func openRaw(ctx context.Context, r runner, raw []byte) ([]byte, error) {
	if !isSealed(raw) {
		return raw, nil
	}
	id := int64(binary.BigEndian.Uint64(raw[4:sealedHeader]))
	var key []byte
	err := r.GetContext(ctx, &key, "SELECT key FROM data_keys WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read data key %d: %w", id, err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	rest := raw[sealedHeader:]
	if len(rest) < aead.NonceSize() {
		return nil, fmt.Errorf("sealed mail %d: too short", id)
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], raw[:sealedHeader])
	if err != nil {
		return nil, fmt.Errorf("open sealed mail %d: %w", id, err)
	}
	return plain, nil
}

// openIncoming and openOutbox replace sealed raw bytes by the clear ones.
func openIncoming(ctx context.Context, r runner, in *Incoming) error {
	plain, err := openRaw(ctx, r, in.Raw)
	if err != nil {
		return fmt.Errorf("incoming %d: %w", in.ID, err)
	}
	in.Raw = plain
	return nil
}

func openOutbox(ctx context.Context, r runner, ms []OutboxMail) error {
	for i := range ms {
		plain, err := openRaw(ctx, r, ms[i].Raw)
		if err != nil {
			return fmt.Errorf("outbox %d: %w", ms[i].ID, err)
		}
		if plain == nil {
			plain = []byte{}
		}
		ms[i].Raw = plain
	}
	return nil
}
