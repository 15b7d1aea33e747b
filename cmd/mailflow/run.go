package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/daemon"
	"github.com/mailflow/mailflow/mailflow/probe"
)

func cmdRun(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs, cfgPath := flags("run", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	file, err := loadFile(*cfgPath)
	if err != nil {
		return err
	}
	log := newLogger(file, stderr)
	log.Info("config loaded", "file", file.Path)
	if file.Several() {
		// Several desks: one supervised pipeline each, in this process
		// (-desk runs one of them alone, at its place on the listener).
		run := file
		if cfgPath.desk != "" {
			one, err := file.DeskBySlug(cfgPath.desk)
			if err != nil {
				return err
			}
			run = file.Only(one)
		}
		if err := daemon.NewFleet(run, log).Run(ctx); err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
		return nil
	}
	cfg, err := file.DeskBySlug(cfgPath.desk)
	if err != nil {
		return err
	}
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
	var desks []*config.Config
	if cfgPath.desk == "" {
		file, err := loadFile(*cfgPath)
		if err != nil {
			return err
		}
		desks = file.Desks()
	} else {
		cfg, err := loadConfig(*cfgPath)
		if err != nil {
			return err
		}
		desks = []*config.Config{cfg}
	}
	for _, cfg := range desks {
		if err := checkDesk(ctx, cfg, *connect, *timeout, stdout); err != nil {
			if cfg.OneOfSeveral() {
				return fmt.Errorf("desk %s: %w", cfg.Slug, err)
			}
			return err
		}
	}
	return nil
}

// checkDesk is `mailflow check` for one desk.
func checkDesk(ctx context.Context, cfg *config.Config, connect bool, timeout time.Duration, stdout io.Writer) error {
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
	name := cfg.Path
	if cfg.OneOfSeveral() {
		name += " desk " + cfg.Slug
	}
	fmt.Fprintf(stdout, "%s: ok (%d rules, templates rendered, %d technician(s))\n", name, len(rs.Rules()), len(cfg.Technicians))
	if !connect {
		return nil
	}
	var failed []string
	for _, check := range []func(context.Context, *config.Config, probe.Options) *probe.Report{probe.IMAP, probe.SMTP} {
		r := check(ctx, cfg, probe.Options{Timeout: timeout})
		fmt.Fprintln(stdout)
		r.Print(stdout)
		if !r.OK() {
			failed = append(failed, r.Err.Error())
		}
	}
	if len(failed) > 0 {
		return &exitError{1, fmt.Errorf("connection check failed: %s", strings.Join(failed, "; "))}
	}
	return nil
}
