package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The installed layout. The container image copies the same tree.
const (
	binPath      = "usr/bin/mailflow"
	ctlPath      = "usr/sbin/mailflowctl"
	configPath   = "etc/mailflow/config.yaml"
	unitPath     = "usr/lib/systemd/system/mailflow.service"
	shareDir     = "usr/share/mailflow"
	docDir       = "usr/share/doc/mailflow"
	stateDir     = "/var/lib/mailflow"
	imapSecret   = "/etc/mailflow/imap-password"
	smtpSecret   = "/etc/mailflow/smtp-password"
	templatesDir = "/" + shareDir + "/templates"
	rulesDir     = "/" + shareDir + "/rules"
)

// extras holds what the package installs besides the repository's files.
//
//go:embed files/*
var extras embed.FS

// stageTree writes the installed file tree under dir.
func stageTree(ctx context.Context, root, dir string, b buildInfo) error {
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(binPath)), 0o755); err != nil {
		return err
	}
	if err := buildBinary(ctx, root, filepath.Join(dir, binPath), b); err != nil {
		return err
	}
	example, err := os.ReadFile(filepath.Join(root, "config.example.yaml"))
	if err != nil {
		return err
	}
	cfg, err := packagedConfig(string(example))
	if err != nil {
		return fmt.Errorf("packaged config from config.example.yaml: %w", err)
	}
	if err := writeFile(dir, configPath, []byte(cfg), 0o644); err != nil {
		return err
	}
	ctl, err := extras.ReadFile("files/mailflowctl")
	if err != nil {
		return err
	}
	if err := writeFile(dir, ctlPath, ctl, 0o755); err != nil {
		return err
	}
	for _, c := range []struct{ src, dst string }{
		{"docs/mailflow.service", unitPath},
		{"docs/operator-guide.md", docDir + "/operator-guide.md"},
		{"docs/CHANGELOG.md", docDir + "/CHANGELOG.md"},
		{"templates/README.md", templatesDir[1:] + "/README.md"},
	} {
		if err := copyFile(filepath.Join(root, c.src), dir, c.dst); err != nil {
			return err
		}
	}
	if err := copyMatching(root, "templates", "*/*.tmpl", dir, templatesDir[1:]); err != nil {
		return err
	}
	return copyMatching(root, "rules", "*.yaml", dir, rulesDir[1:])
}

// copyMatching copies the files of root/from matching pattern (the same
// globs the go:embed lines use) to dir/to, keeping relative paths.
func copyMatching(root, from, pattern, dir, to string) error {
	matches, err := fs.Glob(os.DirFS(filepath.Join(root, from)), pattern)
	if err != nil {
		return err
	}
	if len(matches) == 0 {
		return fmt.Errorf("no %s in %s", pattern, from)
	}
	for _, m := range matches {
		if err := copyFile(filepath.Join(root, from, m), dir, filepath.Join(to, m)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dir, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFile(dir, dst, b, 0o644)
}

func writeFile(dir, rel string, b []byte, mode os.FileMode) error {
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, b, mode); err != nil {
		return err
	}
	return os.Chmod(p, mode) // WriteFile keeps the mode of a file left from an earlier run
}

// packagedConfig turns config.example.yaml into /etc/mailflow/config.yaml:
// the same file, every comment kept, with the sandbox off and the paths of
// the installed layout. Each edit must find its line, so a reworded
// example fails the build instead of shipping a half-edited config.
func packagedConfig(example string) (string, error) {
	edits := []struct{ section, key, line string }{
		{"sandbox", "enabled", "enabled: false             # the package runs against your real mail server"},
		{"imap", "host", "host: imap.example.com     # FILL IN: your IMAP server"},
		{"imap", "port", "port: 993"},
		{"imap", "tls", "tls: implicit"},
		{"imap", "password_file", "password_file: " + imapSecret + "   # FILL IN: create it (0640 root:mailflow) with the password"},
		{"smtp", "host", "host: smtp.example.com     # FILL IN: your submission server"},
		{"smtp", "port", "port: 587"},
		{"smtp", "tls", "tls: starttls"},
		{"smtp", "username", "username: support@example.com   # FILL IN: the SMTP login"},
		{"smtp", "password_env", "password_file: " + smtpSecret + "   # FILL IN: create it (0640 root:mailflow) with the password"},
		{"database", "path", "path: " + stateDir + "/mailflow.db   # the state directory of the service (0700, user mailflow)"},
		{"rules", "dir", "dir: " + rulesDir + "   # shipped rules; copy to /etc/mailflow/rules and point here to change them"},
		{"templates", "dir", "dir: " + templatesDir + "   # shipped texts; see the operator guide to change one"},
	}
	lines := strings.Split(example, "\n")
	for _, e := range edits {
		i, err := findKey(lines, e.section, e.key)
		if err != nil {
			return "", err
		}
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " "))]
		lines[i] = indent + e.line
	}
	head := `# mailflow configuration, as installed by the Debian package.
#
# This is config.example.yaml with the sandbox off and the paths of the
# package: state in /var/lib/mailflow, the shipped rules and templates in
# /usr/share/mailflow. dpkg keeps your changes on upgrades (a conffile).
#
# Before the first start fill in the lines marked FILL IN (imap, smtp and
# the two password files), the desk and the technicians, then run
#   mailflow check -connect -config /etc/mailflow/config.yaml
#   systemctl enable --now mailflow
# After a change: systemctl reload mailflow (rules and templates too).
#
`
	return head + strings.Join(lines, "\n"), nil
}

// findKey returns the line of key (set or commented out) inside the
// top-level section.
func findKey(lines []string, section, key string) (int, error) {
	keyRe := regexp.MustCompile(`^\s+#?\s*` + regexp.QuoteMeta(key) + `:`)
	in := false
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, section+":"):
			in = true
		case in && l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "#"):
			in = false
		case in && keyRe.MatchString(l):
			return i, nil
		}
	}
	return 0, fmt.Errorf("no %s.%s line in config.example.yaml", section, key)
}
