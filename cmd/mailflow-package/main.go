// Command mailflow-package builds mailflow's release artefacts from a
// checkout: the installed file tree (-stage DIR, what the container image
// copies) and the Debian package built from that same tree (-out DIR
// writes DIR/mailflow_VERSION_ARCH.deb). It owns the packaged layout, the
// packaged config and the maintainer scripts, so the .deb and the image
// cannot drift apart.
//
// Run it from the repository's top folder:
//
//	go run ./cmd/mailflow-package -out dist
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mailflow-package:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailflow-package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the Debian package mailflow_VERSION_ARCH.deb into this folder")
	stage := fs.String("stage", "", "write the installed file tree (usr/, etc/) into this folder (the container build uses it)")
	var b buildInfo
	fs.StringVar(&b.Version, "version", "", "version (default: the newest entry of docs/CHANGELOG.md)")
	fs.StringVar(&b.Commit, "commit", "", "commit (default: git rev-parse HEAD, else \"unknown\")")
	fs.StringVar(&b.Date, "date", "", "build date, RFC 3339 (default: SOURCE_DATE_EPOCH, else the commit's time, else now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 || (*out == "" && *stage == "") {
		fs.Usage()
		return fmt.Errorf("give -out DIR, -stage DIR or both")
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run me from the repository's top folder (no go.mod here)")
	}
	if err := b.complete(ctx, "."); err != nil {
		return err
	}
	tree := *stage
	if tree == "" {
		tmp, err := os.MkdirTemp("", "mailflow-stage-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		tree = tmp
	}
	if err := stageTree(ctx, ".", tree, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "staged mailflow %s (%s) in %s\n", b.Version, b.Commit, tree)
	if *out == "" {
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	deb, err := writeDeb(tree, *out, b)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(deb)
	fmt.Fprintln(stdout, abs)
	return nil
}
