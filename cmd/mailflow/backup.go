package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

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
