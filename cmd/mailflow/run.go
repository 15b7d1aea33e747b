package main

import (
	"context"
	"fmt"
	"io"

	"github.com/mailflow/mailflow/mailflow/daemon"
)

func cmdRun(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs, cfgPath := flags("run", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	log.Info("config loaded", "file", cfg.Path)
	d, err := daemon.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Run(ctx); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}

func cmdCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("check", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	_, rs, c, err := daemon.Parts(cfg)
	if err != nil {
		return err
	}
	if err := c.Check(); err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	if err := rs.CheckTemplates(c.Templates()); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	fmt.Fprintf(stdout, "%s: ok (%d rules, templates rendered, %d technician(s))\n", cfg.Path, len(rs.Rules()), len(cfg.Technicians))
	return nil
}
