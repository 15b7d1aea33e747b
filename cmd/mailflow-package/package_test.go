package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/config"
)

// TestPackagedConfig: /etc/mailflow/config.yaml is the example with the
// sandbox off and the package's paths, loads without error and keeps every
// comment of the example.
func TestPackagedConfig(t *testing.T) {
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := packagedConfig(string(example))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("/etc/mailflow/config.yaml", []byte(got))
	if err != nil {
		t.Fatalf("packaged config does not load: %v", err)
	}
	for _, tc := range []struct {
		key, got, want string
	}{
		{"database.path", cfg.Database.Path, "/var/lib/mailflow/mailflow.db"},
		{"rules.dir", cfg.Rules.Dir, "/usr/share/mailflow/rules"},
		{"templates.dir", cfg.Templates.Dir, "/usr/share/mailflow/templates"},
		{"imap.password_file", cfg.IMAP.PasswordFile, "/etc/mailflow/imap-password"},
		{"smtp.password_file", cfg.SMTP.PasswordFile, "/etc/mailflow/smtp-password"},
		{"imap.tls", cfg.IMAP.TLS, "implicit"},
		{"smtp.tls", cfg.SMTP.TLS, "starttls"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, tc.got, tc.want)
		}
	}
	if cfg.Sandbox.Enabled {
		t.Error("the packaged config runs the sandbox")
	}
	if n := strings.Count(got, "FILL IN"); n < 5 {
		t.Errorf("%d FILL IN marks, want one on every line the admin must set", n)
	}
	// Nothing of the example's explanations is lost: below the new
	// heading, only the edited lines differ.
	ex := strings.Split(string(example), "\n")
	pk := strings.Split(got, "\n")
	pk = pk[len(pk)-len(ex):]
	changed := 0
	for i := range ex {
		if ex[i] != pk[i] {
			changed++
		}
	}
	if changed != 13 {
		t.Errorf("%d lines of the example changed, want the 13 edits", changed)
	}
}

func TestPackagedConfigNeedsEveryLine(t *testing.T) {
	example, _ := os.ReadFile("../../config.example.yaml")
	broken := strings.Replace(string(example), "  path: mailflow.db", "  file: mailflow.db", 1)
	if _, err := packagedConfig(broken); err == nil || !strings.Contains(err.Error(), "database.path") {
		t.Fatalf("err %v, want one naming database.path", err)
	}
}

// TestContainerUsesTheSharedBuild: the image is built by the script CI
// runs, and copies the layout this command stages.
func TestContainerUsesTheSharedBuild(t *testing.T) {
	b, err := os.ReadFile("../../docs/container/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	if !strings.Contains(df, "\nRUN .ci/build /stage ") {
		t.Error("the Dockerfile does not build with .ci/build /stage")
	}
	for _, p := range []string{binPath, configPath, shareDir} {
		if !strings.Contains(df, "COPY --from=build /stage/"+p+" ") {
			t.Errorf("the Dockerfile does not copy /stage/%s", p)
		}
	}
}

func TestMaintainerScriptsParse(t *testing.T) {
	entries, err := debian.ReadDir("debian")
	if err != nil || len(entries) != 4 {
		t.Fatalf("maintainer scripts: %v %v", entries, err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			out, err := exec.Command("sh", "-n", filepath.Join("debian", e.Name())).CombinedOutput()
			if err != nil {
				t.Errorf("sh -n: %v\n%s", err, out)
			}
		})
	}
}

func TestVersionFromChangelog(t *testing.T) {
	for _, tc := range []struct{ text, want, err string }{
		{"# Changelog\n\n## 1.2.3 (2026-12-02)\n\n## 1.2.2 (2026-11-01)\n", "1.2.3", ""},
		{"# Changelog\n\n## 1.0.0~rc1 (unreleased)\n", "1.0.0~rc1", ""},
		{"# Changelog\n\nnothing yet\n", "", "no release heading"},
	} {
		p := filepath.Join(t.TempDir(), "CHANGELOG.md")
		os.WriteFile(p, []byte(tc.text), 0o644)
		got, err := versionFromChangelog(p)
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: %q, %v; want %q, %q", tc.text, got, err, tc.want, tc.err)
		}
	}
}
