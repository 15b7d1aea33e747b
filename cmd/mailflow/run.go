package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/daemon"
	"github.com/mailflow/mailflow/mailflow/probe"
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

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("check", stderr)
	connect := fs.Bool("connect", false, "also connect: IMAP login and mailbox, SMTP EHLO, STARTTLS and AUTH")
	timeout := fs.Duration("timeout", 0, "with -connect: time allowed per server (default: imap.command_timeout, smtp.timeout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return &exitError{2, fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := cfg.CheckSecrets(); err != nil {
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
	if !*connect {
		return nil
	}
	var failed []string
	for _, check := range []func(context.Context, *config.Config, probe.Options) *probe.Report{probe.IMAP, probe.SMTP} {
		r := check(ctx, cfg, probe.Options{Timeout: *timeout})
		fmt.Fprintln(stdout)
		r.Print(stdout)
		if !r.OK() {
			failed = append(failed, r.Err.Error())
		}
	}
	failed = append(failed, checkCalendars(ctx, cfg, *timeout, stdout)...)
	if len(failed) > 0 {
		return &exitError{1, fmt.Errorf("connection check failed: %s", strings.Join(failed, "; "))}
	}
	return nil
}
