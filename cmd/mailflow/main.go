// Command mailflow is the remote-support desk's mail daemon and its tools.
// This file only parses flags; the work happens in mailflow/...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/mailflow/mailflow/mailflow/config"
)

// Set at build time by cmd/mailflow-package (-ldflags "-X main.version=...
// -X main.commit=... -X main.date=..."); empty in a plain `go build`, where
// cmdVersion falls back to what the Go toolchain recorded.
var (
	version = ""
	commit  = ""
	date    = ""
)

type command struct {
	name, args, help string
	run              func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "", "run the daemon (with sandbox.enabled it also runs the embedded mail server); SIGHUP reloads config, rules and templates", cmdRun},
		{"check", "[-connect] [-timeout D]", "validate config, secrets, rules and templates (file:line); -connect also logs in to IMAP and SMTP", cmdCheck},
		{"try", "[-json] [-now RFC3339] FILE.eml...", "show what mailflow understands and would do; sends and changes nothing", cmdTry},
		{"status", "", "intake heartbeat, queue sizes, last errors", cmdStatus},
		{"agenda", "[-date YYYY-MM-DD] [-technician EMAIL|team] [-send]", "print the technicians' agenda of a day, or with -send queue it (once per technician and day, like the daemon)", cmdAgenda},
		{"appointments", "[list [-date YYYY-MM-DD] [-days N] [-technician EMAIL] [-all] | show REF | cancel [-notify=false] REF | done [-text PROTOCOL] REF | no-show REF | note -text NOTE REF]", "look at and change bookings by hand", cmdAppointments},
		{"audit", "[-from YYYY-MM-DD] [-to YYYY-MM-DD] [-format csv|json]", "export the audit log (what happened; hashed addresses, no personal data)", cmdAudit},
		{"forget", "ADDRESS", "erase one customer everywhere (database and WAL; the IMAP mailbox too with retention.expunge_on_forget)", cmdForget},
		{"purge", "", "apply the retention policy now (the daemon does it hourly)", cmdPurge},
		{"backup", "FILE", "write a consistent copy of the database to FILE (0600) while mailflow runs", cmdBackup},
		{"restore", "FILE", "replace the database with the backup FILE; refused while mailflow runs", cmdRestore},
		{"oauth", "login [-provider microsoft|google|generic]", "sign in once with the OAuth2 device code and store the refresh token (oauth2.refresh_token_file)", cmdOAuth},
		{"version", "", "print the version", cmdVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "mailflow %s: %v\n", c.name, err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	fmt.Fprintf(stderr, "mailflow: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mailflow COMMAND [-config FILE] [-desk SLUG] [flags]")
	fmt.Fprintln(w, "\nThe config is -config FILE, else ./config.yaml, else ./config.example.yaml.\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n  %-14s   %s\n", c.name, c.args, "", c.help)
	}
}

// flags returns a flag set with the shared -config and -desk flags.
func flags(name string, stderr io.Writer) (*flag.FlagSet, *configFlags) {
	fs := flag.NewFlagSet("mailflow "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &configFlags{}
	fs.StringVar(&f.path, "config", "", "config file (default ./config.yaml, then ./config.example.yaml)")
	fs.StringVar(&f.desk, "desk", "", "the desk (its slug) when the config serves several (default: the only one)")
	return fs, f
}

// configFlags say which config file, and which of its desks, a command
// acts on.
type configFlags struct {
	path string
	desk string
}

// loadFile loads the whole config file, every desk of it.
func loadFile(f configFlags) (*config.Config, error) {
	p, err := config.Find(f.path)
	if err != nil {
		return nil, err
	}
	return config.Load(p)
}

// loadConfig loads the config of the one desk the command acts on: the
// only one, or the one -desk names (an error lists the choices).
func loadConfig(f configFlags) (*config.Config, error) {
	file, err := loadFile(f)
	if err != nil {
		return nil, err
	}
	return file.DeskBySlug(f.desk)
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.Log.Format
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if strings.EqualFold(format, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailflow version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	b := currentBuild()
	fmt.Fprintf(stdout, "mailflow %s\ncommit %s\nbuilt %s\n%s\n", b.version, b.commit, b.date, b.goVersion)
	return nil
}

// build says which source a binary was made from, for bug reports.
type build struct{ version, commit, date, goVersion string }

// currentBuild prefers what the release build stamped in and otherwise
// reads the module version and the VCS facts `go build` records in a
// checkout (absent with -buildvcs=false: then "unknown").
func currentBuild() build {
	b := build{version: version, commit: commit, date: date, goVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.version = bi.Main.Version
		}
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.commit == "" {
					b.commit = s.Value
				}
			case "vcs.time":
				if b.date == "" {
					b.date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && commit == "" && b.commit != "" {
			b.commit += " (modified)"
		}
	}
	for _, f := range []*string{&b.version, &b.commit, &b.date} {
		if *f == "" {
			*f = "unknown"
		}
	}
	if b.version == "unknown" {
		b.version = "devel"
	}
	return b
}
