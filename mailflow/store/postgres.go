package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	schema := ownSchema(cfg.RuntimeParams["search_path"])
	if schema != "" {
		if err := createSchema(ctx, cfg, schema); err != nil {
			return nil, err
		}
	}
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
	s := &Store{w: c, r: c, engine: Postgres, schema: schema}
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

// schemaName is what a schema of the store's own may be called: one
// plain lower-case identifier, so it is the same quoted or not.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ownSchema is the schema a connection's search_path (the dsn's
// search_path parameter) confines the store to, or "" when it names none
// or the default public schema. A list of schemas is the operator's own
// arrangement: used as it is, nothing created.
func ownSchema(searchPath string) string {
	name := strings.TrimSpace(searchPath)
	if name == "public" || !schemaName.MatchString(name) || strings.HasPrefix(name, "pg_") {
		return ""
	}
	return name
}

// createSchema creates the store's schema unless it exists, on a
// connection of its own before the pool opens (so no pooled connection
// has looked the search_path up while it was missing). It runs under the
// schema's migration lock: instances of one desk starting together
// would otherwise collide in the catalog. An existing schema is not
// created again, so a role without CREATE on the database can use
// schemas an administrator made.
func createSchema(ctx context.Context, cfg *pgx.ConnConfig, schema string) error {
	ctx, cancel := withTimeout(ctx, cfg.ConnectTimeout+WriteTimeout)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open database %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock("+schemaLockSpace+", hashtext($1))", schema); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		_, err := tx.Exec(ctx, "CREATE SCHEMA "+schema)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

// pgCode is the SQLSTATE of a PostgreSQL error ("" for any other error).
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
