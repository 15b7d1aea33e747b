package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

// errPostgresBackup: PostgreSQL has its own backup tools, which also
// keep a consistent copy while mailflow runs.
var errPostgresBackup = errors.New("database.driver is postgres: back it up with pg_dump or pg_basebackup (see docs/operator-guide.md)")

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("backup", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &exitError{2, fmt.Errorf("usage: mailflow backup [-config FILE] FILE")}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.Database.IsPostgres() {
		return errPostgresBackup
	}
	if err := store.Backup(ctx, cfg.Database.Path, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: backup of %s (checked, mode 0600)\n", fs.Arg(0), cfg.Database.Path)
	return nil
}

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("restore", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &exitError{2, fmt.Errorf("usage: mailflow restore [-config FILE] FILE")}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.Database.IsPostgres() {
		return errPostgresBackup
	}
	res, err := store.Restore(ctx, fs.Arg(0), cfg.Database.Path, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s restored from %s (schema %d; newer migrations run when mailflow starts)\n", cfg.Database.Path, fs.Arg(0), res.Schema)
	if res.Previous != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", res.Previous)
	}
	return nil
}
