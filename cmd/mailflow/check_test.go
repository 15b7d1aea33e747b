package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/sandbox"
)

// TestCheckConnect runs `mailflow check -connect` against a sandbox mail
// server started here, as an operator would against a real one.
func TestCheckConnect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Options{IMAPAddr: "127.0.0.1:0", SMTPAddr: "127.0.0.1:0",
		Users: []string{"support@example.com"}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	write := func(imapAddr, smtpAddr, password string) string {
		ih, ip, _ := net.SplitHostPort(imapAddr)
		sh, sp, _ := net.SplitHostPort(smtpAddr)
		os.WriteFile(filepath.Join(dir, "pw"), []byte(password+"\n"), 0o600)
		cfg := fmt.Sprintf(`imap: {host: %s, port: %s, tls: none, username: support@example.com, password_file: pw}
smtp: {host: %s, port: %s, tls: none, username: support@example.com, auth: plain, password_file: pw, from: support@example.com}
technicians: [{name: A, email: a@example.com}]
`, ih, ip, sh, sp)
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	cfg := write(sb.IMAPAddr(), sb.SMTPAddr(), sb.Password())
	code, out, errs := run(t, "", "check", "-connect", "-config", cfg)
	if code != 0 || !strings.Contains(out, "\nimap: ok\n") || !strings.Contains(out, "\nsmtp: ok\n") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "mailflow.db")); err == nil {
		t.Error("check -connect created a database")
	}

	// Without -connect nothing is dialled.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	cfg = write(closed, closed, "wrong")
	if code, out, errs := run(t, "", "check", "-config", cfg); code != 0 || strings.Contains(out, "imap") {
		t.Fatalf("plain check: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(t, "", "check", "-connect", "-timeout", "5s", "-config", cfg)
	if code != 1 || !strings.Contains(out, "imap: failed at tcp") || !strings.Contains(out, "smtp: failed at tcp") ||
		!strings.Contains(errs, "connection check failed") {
		t.Fatalf("closed ports: exit %d\n%s\n%s", code, out, errs)
	}

	cfg = write(sb.IMAPAddr(), closed, "wrong")
	code, out, _ = run(t, "", "check", "-connect", "-config", cfg)
	if code != 1 || !strings.Contains(out, "imap: failed at auth") {
		t.Fatalf("wrong password: exit %d\n%s", code, out)
	}
}
