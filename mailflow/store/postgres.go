package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// openPostgres connects to the PostgreSQL database named by dsn through
// pgx's database/sql driver (so the store's sqlx code stays as it is) and
// migrates it. Unlike SQLite's one writer, the pool has several
// connections: PostgreSQL locks rows, not the database, and the writes
// that must not interleave say so (row locks, ON CONFLICT, advisory locks).
func openPostgres(ctx context.Context, dsn string, limit int) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included.
		return nil, errors.New("open database: the postgres dsn cannot be parsed")
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "mailflow"
	}
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		// Times come back in UTC, as SQLite's do.
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}))
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	x := sqlx.NewDb(db, "pgx")
	pctx, cancel := withTimeout(ctx, cfg.ConnectTimeout+QueryTimeout)
	defer cancel()
	if err := x.PingContext(pctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("open database %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	c := newConn(x, Postgres)
	s := &Store{w: c, r: c, engine: Postgres}
	if err := s.migrateTo(ctx, limit); err != nil {
		x.Close()
		return nil, err
	}
	if limit != latestSchema {
		return s, nil
	}
	if err := s.loadSecret(ctx); err != nil {
		x.Close()
		return nil, err
	}
	return s, nil
}

// pgCode is the SQLSTATE of a PostgreSQL error ("" for any other error).
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
