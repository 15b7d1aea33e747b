package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// buildInfo is what `mailflow version` shows, stamped in with -ldflags.
type buildInfo struct {
	Version, Commit, Date string
}

// changelogVersion matches a release heading of docs/CHANGELOG.md:
// "## 0.9.0 (2026-12-02)" or "## 0.9.0 (unreleased)".
var changelogVersion = regexp.MustCompile(`^## ([0-9]+\.[0-9]+\.[0-9]+(?:~[0-9A-Za-z.]+)?)\b`)

// complete fills what the flags left open. The changelog is the one place
// a version is written down, so a release cannot ship without an entry.
func (b *buildInfo) complete(ctx context.Context, root string) error {
	if b.Version == "" {
		v, err := versionFromChangelog(filepath.Join(root, "docs", "CHANGELOG.md"))
		if err != nil {
			return err
		}
		b.Version = v
	}
	if !regexp.MustCompile(`^[0-9][0-9A-Za-z.+~]*$`).MatchString(b.Version) {
		return fmt.Errorf("version %q: a Debian version starts with a digit and has only letters, digits and . + ~", b.Version)
	}
	if b.Commit == "" {
		b.Commit = gitOutput(ctx, root, "rev-parse", "HEAD")
		if b.Commit == "" {
			b.Commit = "unknown"
		}
	}
	if b.Date == "" {
		switch epoch := os.Getenv("SOURCE_DATE_EPOCH"); {
		case epoch != "":
			n, err := strconv.ParseInt(epoch, 10, 64)
			if err != nil {
				return fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", epoch, err)
			}
			b.Date = time.Unix(n, 0).UTC().Format(time.RFC3339)
		default:
			if t, err := time.Parse(time.RFC3339, gitOutput(ctx, root, "log", "-1", "--format=%cI")); err == nil {
				b.Date = t.UTC().Format(time.RFC3339)
			} else {
				b.Date = time.Now().UTC().Format(time.RFC3339)
			}
		}
	}
	if _, err := time.Parse(time.RFC3339, b.Date); err != nil {
		return fmt.Errorf("date %q: %w", b.Date, err)
	}
	return nil
}

func versionFromChangelog(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("version: %w (or give -version)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := changelogVersion.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("%s has no release heading like \"## 1.2.3 (2026-12-02)\"", path)
}

// gitOutput runs git in root; "" when git or the repository is missing
// (a source tarball, a container build context without .git).
func gitOutput(ctx context.Context, root string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// buildBinary compiles cmd/mailflow with cgo (SQLite is C) and the
// build's facts stamped in. -trimpath keeps the build folder out of it.
func buildBinary(ctx context.Context, root, out string, b buildInfo) error {
	ldflags := fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s -X main.date=%s", b.Version, b.Commit, b.Date)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, "./cmd/mailflow")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/mailflow (needs a C compiler: apt-get install gcc libc6-dev): %w", err)
	}
	return nil
}
