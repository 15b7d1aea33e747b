package probe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/sandbox"
)

// quiet is a logger for servers the tests start.
var quiet = slog.New(slog.DiscardHandler)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startSandbox runs mailflow's sandbox on free loopback ports and returns
// a config that points at it the way a real server is configured
// (sandbox.enabled off, host and port set, SMTP AUTH PLAIN).
func startSandbox(t *testing.T) (*sandbox.Server, *config.Config) {
	t.Helper()
	sb, err := sandbox.Start(testContext(t), sandbox.Options{
		IMAPAddr: "127.0.0.1:0", SMTPAddr: "127.0.0.1:0",
		Users: []string{"support@example.com"}, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfg := config.Default()
	cfg.IMAP.Host, cfg.IMAP.Port = hostPort(t, sb.IMAPAddr())
	cfg.IMAP.Username, cfg.IMAP.Password = "support@example.com", sb.Password()
	cfg.IMAP.ProcessedFolder = "Processed"
	cfg.SMTP.Host, cfg.SMTP.Port = hostPort(t, sb.SMTPAddr())
	cfg.SMTP.Username, cfg.SMTP.Password, cfg.SMTP.Auth = "support@example.com", sb.Password(), config.AuthPlain
	cfg.SMTP.From = "support@example.com"
	return sb, cfg
}

func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return h, n
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port := hostPort(t, ln.Addr().String())
	ln.Close()
	return port
}

// wantStage fails the test unless r failed in stage.
func wantStage(t *testing.T, r *Report, stage Stage) {
	t.Helper()
	var out bytes.Buffer
	r.Print(&out)
	if r.OK() {
		t.Fatalf("%s passed, want a failure in %s:\n%s", r.Service, stage, out.String())
	}
	if r.Err.Stage != stage {
		t.Fatalf("%s failed in %s, want %s:\n%s", r.Service, r.Err.Stage, stage, out.String())
	}
	last := r.Steps[len(r.Steps)-1]
	if last.Stage != stage || last.Status != StatusFail {
		t.Errorf("the last step is %+v, want the failed %s", last, stage)
	}
	if !strings.Contains(out.String(), "failed at "+string(stage)) {
		t.Errorf("the printed report does not say where it failed:\n%s", out.String())
	}
	t.Logf("report:\n%s", out.String())
}

func TestSandboxPasses(t *testing.T) {
	_, cfg := startSandbox(t)
	ctx := testContext(t)
	for _, r := range []*Report{IMAP(ctx, cfg, Options{}), SMTP(ctx, cfg, Options{})} {
		var out bytes.Buffer
		r.Print(&out)
		if !r.OK() {
			t.Fatalf("%s failed:\n%s", r.Service, out.String())
		}
		if !strings.HasSuffix(out.String(), r.Service+": ok\n") {
			t.Errorf("report does not end in ok:\n%s", out.String())
		}
		t.Logf("report:\n%s", out.String())
	}
	r := IMAP(ctx, cfg, Options{})
	got := map[Stage]string{}
	for _, s := range r.Steps {
		got[s.Stage] = s.Status + " " + s.Detail
	}
	for stage, want := range map[Stage]string{
		StageTCP: "ok", StageTLS: "-", StageGreeting: "ok * OK", StageAuth: "ok logged in as support@example.com (LOGIN)",
		StageMailbox: "ok INBOX: 0 mails", StageFolders: "ok Processed exists; Human exists",
	} {
		if !strings.HasPrefix(got[stage], want) {
			t.Errorf("%s: %q, want it to start with %q", stage, got[stage], want)
		}
	}
}

func TestSMTPWithoutUsernameSkipsAuth(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.SMTP.Username, cfg.SMTP.Auth = "", ""
	r := SMTP(testContext(t), cfg, Options{})
	if !r.OK() {
		t.Fatalf("failed: %v", r.Err)
	}
	if last := r.Steps[len(r.Steps)-1]; last.Stage != StageAuth || last.Status != StatusSkip {
		t.Errorf("last step %+v, want a skipped auth", last)
	}
}

func TestClosedPortIsATCPError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Port, cfg.SMTP.Port = closedPort(t), closedPort(t)
	ctx := testContext(t)
	for _, r := range []*Report{IMAP(ctx, cfg, Options{}), SMTP(ctx, cfg, Options{})} {
		wantStage(t, r, StageTCP)
		if !strings.Contains(r.Err.Error(), "refused") {
			t.Errorf("error %q does not say the connection was refused", r.Err)
		}
		if !strings.Contains(r.Err.Hint, "port") {
			t.Errorf("hint %q does not point at the port", r.Err.Hint)
		}
	}
	cfg.Sandbox.Enabled = true
	if r := IMAP(ctx, cfg, Options{}); r.OK() || !strings.Contains(r.Err.Hint, "mailflow run") {
		t.Errorf("with the sandbox on, the hint should say it runs inside `mailflow run`: %+v", r.Err)
	}
}

func TestWrongIMAPPasswordIsAnAuthError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Password = "not-the-password"
	r := IMAP(testContext(t), cfg, Options{})
	wantStage(t, r, StageAuth)
	var refused *imap.Error
	if !errors.As(r.Err, &refused) {
		t.Errorf("error %v does not carry the server's answer", r.Err)
	}
	if !strings.Contains(r.Err.Hint, "imap.username") {
		t.Errorf("hint %q", r.Err.Hint)
	}
}

func TestPlainIMAPAuthToo(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Auth = config.AuthPlain
	if r := IMAP(testContext(t), cfg, Options{}); !r.OK() {
		t.Fatalf("AUTHENTICATE PLAIN failed: %v", r.Err)
	}
	cfg.IMAP.Password = "wrong"
	wantStage(t, IMAP(testContext(t), cfg, Options{}), StageAuth)
}

func TestMissingMailboxListsTheFolders(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Mailbox = "Support"
	r := IMAP(testContext(t), cfg, Options{})
	wantStage(t, r, StageMailbox)
	if !strings.Contains(r.Err.Error(), `"Support"`) {
		t.Errorf("error %q does not name the mailbox", r.Err)
	}
	if !strings.Contains(r.Err.Hint, "INBOX") {
		t.Errorf("hint %q does not list the folders there are", r.Err.Hint)
	}
}

func TestMissingFoldersAreOnlyNoted(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.ProcessedFolder = "Erledigt"
	r := IMAP(testContext(t), cfg, Options{})
	if !r.OK() {
		t.Fatalf("failed: %v", r.Err)
	}
	if last := r.Steps[len(r.Steps)-1]; !strings.Contains(last.Detail, "Erledigt will be created at start") {
		t.Errorf("folders step %+v", last)
	}
}

// rejectingSMTP is an SMTP server that refuses every AUTH with reply.
func rejectingSMTP(t *testing.T, reply *gosmtp.SMTPError) (string, int) {
	t.Helper()
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &rejectSession{reply: reply}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = discardLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return hostPort(t, ln.Addr().String())
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

type rejectSession struct{ reply *gosmtp.SMTPError }

func (s *rejectSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *rejectSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, _, _ string) error { return s.reply }), nil
}
func (s *rejectSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *rejectSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *rejectSession) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (s *rejectSession) Reset()                                 {}
func (s *rejectSession) Logout() error                          { return nil }

func TestWrongSMTPPasswordIsAnAuthError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.SMTP.Host, cfg.SMTP.Port = rejectingSMTP(t, &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"})
	r := SMTP(testContext(t), cfg, Options{})
	wantStage(t, r, StageAuth)
	if !strings.Contains(r.Err.Error(), "535") || !strings.Contains(r.Err.Hint, "smtp.username") {
		t.Errorf("error %q, hint %q", r.Err, r.Err.Hint)
	}
}

func TestMicrosoftSMTPAuthOffIsExplained(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.SMTP.Host, cfg.SMTP.Port = rejectingSMTP(t, &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 139},
		Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."})
	r := SMTP(testContext(t), cfg, Options{})
	wantStage(t, r, StageAuth)
	if !strings.Contains(r.Err.Hint, "authenticated SMTP") {
		t.Errorf("hint %q does not say to enable authenticated SMTP", r.Err.Hint)
	}
}

func TestAutoAuthWithoutTLSMatchesTheOutbox(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.SMTP.Auth = config.AuthAuto
	r := SMTP(testContext(t), cfg, Options{})
	wantStage(t, r, StageAuth)
	if !strings.Contains(r.Err.Error(), "PLAIN LOGIN") {
		t.Errorf("error %q does not say what the server offers", r.Err)
	}
}

func TestUnknownHostIsADNSError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Host = "no-such-host.invalid"
	r := IMAP(testContext(t), cfg, Options{Timeout: 10 * time.Second})
	wantStage(t, r, StageDNS)
	if !strings.Contains(r.Err.Hint, "imap.host") {
		t.Errorf("hint %q", r.Err.Hint)
	}
}

func TestImplicitTLSOnAPlainPortIsATLSError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.TLS, cfg.SMTP.TLS = config.TLSImplicit, config.TLSImplicit
	ctx := testContext(t)
	for _, r := range []*Report{IMAP(ctx, cfg, Options{Timeout: 5 * time.Second}), SMTP(ctx, cfg, Options{Timeout: 5 * time.Second})} {
		wantStage(t, r, StageTLS)
		if !strings.Contains(r.Err.Hint, "implicit is for port") {
			t.Errorf("hint %q does not name the ports", r.Err.Hint)
		}
	}
}

func TestStartTLSNotOffered(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.SMTP.TLS = config.TLSStartTLS
	wantStage(t, SMTP(testContext(t), cfg, Options{}), StageStartTLS)
	cfg.IMAP.TLS = config.TLSStartTLS
	wantStage(t, IMAP(testContext(t), cfg, Options{}), StageStartTLS)
}

// selfSignedTLS listens with TLS and a certificate nobody trusts; it
// accepts connections and completes handshakes until the test ends.
func selfSignedTLS(t *testing.T) (string, int) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.example.test"},
		Issuer:       pkix.Name{CommonName: "mail.example.test"},
		DNSNames:     []string{"mail.example.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.(*tls.Conn).Handshake()
				c.Write([]byte("* OK ready\r\n"))
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return hostPort(t, ln.Addr().String())
}

func TestUntrustedCertificateIsACertificateError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Host, cfg.IMAP.Port = selfSignedTLS(t)
	cfg.IMAP.TLS = config.TLSImplicit
	r := IMAP(testContext(t), cfg, Options{Timeout: 5 * time.Second})
	wantStage(t, r, StageCertificate)
	if !strings.Contains(r.Err.Error(), "authority") || !strings.Contains(r.Err.Hint, "insecure_skip_verify") {
		t.Errorf("error %q, hint %q", r.Err, r.Err.Hint)
	}
	// With the check off the handshake passes, and the report says so.
	cfg.IMAP.InsecureSkipTLS = true
	r = IMAP(testContext(t), cfg, Options{Timeout: 2 * time.Second})
	for _, s := range r.Steps {
		if s.Stage == StageTLS && (s.Status != StatusOK || !strings.Contains(s.Detail, "NOT verified")) {
			t.Errorf("tls step %+v", s)
		}
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // say nothing until the test ends
		}
	}()
	_, cfg := startSandbox(t)
	cfg.IMAP.Host, cfg.IMAP.Port = hostPort(t, ln.Addr().String())
	start := time.Now()
	r := IMAP(testContext(t), cfg, Options{Timeout: 300 * time.Millisecond})
	wantStage(t, r, StageGreeting)
	if !strings.Contains(r.Err.Error(), "no answer within 300ms") {
		t.Errorf("error %q", r.Err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

type failingTokens struct{ err error }

func (f failingTokens) Token(context.Context) (string, error) { return "", f.err }

type fixedToken string

func (f fixedToken) Token(context.Context) (string, error) { return string(f), nil }

func TestTokenFailureIsATokenError(t *testing.T) {
	_, cfg := startSandbox(t)
	cfg.IMAP.Auth, cfg.SMTP.Auth = config.AuthXOAUTH2, config.AuthXOAUTH2
	ctx := testContext(t)
	opts := Options{Tokens: failingTokens{errors.New("token endpoint answered 400 Bad Request: invalid_grant")}}
	for _, r := range []*Report{IMAP(ctx, cfg, opts), SMTP(ctx, cfg, opts)} {
		wantStage(t, r, StageToken)
	}
	// A token the server does not take is an auth failure; the sandbox
	// offers no XOAUTH2 at all, which the report says for SMTP.
	opts = Options{Tokens: fixedToken("not-a-real-token")}
	wantStage(t, IMAP(ctx, cfg, opts), StageAuth)
	r := SMTP(ctx, cfg, opts)
	wantStage(t, r, StageAuth)
	if !strings.Contains(r.Err.Error(), "offers PLAIN LOGIN") {
		t.Errorf("error %q", r.Err)
	}
}

func TestCertificateProblemsAreExplained(t *testing.T) {
	cert := &x509.Certificate{DNSNames: []string{"outlook.office365.com"}, Issuer: pkix.Name{CommonName: "Some CA"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		err       error
		want, fix string
	}{
		{x509.HostnameError{Certificate: cert, Host: "mail.example.com"}, `not valid for "mail.example.com" (it names outlook.office365.com)`, "names as the host"},
		{x509.UnknownAuthorityError{Cert: cert}, `does not trust (issued by "Some CA")`, "trust store"},
		{x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}, "expired or not yet valid (valid 2025-01-01 to 2026-01-01)", "renew"},
		{&tls.CertificateVerificationError{Err: errors.New("odd")}, "rejected: odd", "check"},
	} {
		got, fix, ok := certProblem(c.err, "mail.example.com")
		if !ok || !strings.Contains(got, c.want) || !strings.Contains(fix, c.fix) {
			t.Errorf("%T: %q / %q, want %q / %q", c.err, got, fix, c.want, c.fix)
		}
	}
	if _, _, ok := certProblem(errors.New("connection reset"), "h"); ok {
		t.Error("a plain error taken for a certificate problem")
	}
}

func TestProviderHints(t *testing.T) {
	for _, c := range []struct{ host, auth, reply, want string }{
		{"outlook.office365.com", "", "AUTHENTICATE failed.", "xoauth2"},
		{"smtp.office365.com", "", "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", "authenticated SMTP"},
		{"imap.gmail.com", "", "[AUTHENTICATIONFAILED] Invalid credentials", "app password"},
		{"outlook.office365.com", "xoauth2", "AUTHENTICATE failed.", ""},
		{"mail.example.com", "", "Invalid credentials", ""},
	} {
		if got := providerHint(c.host, c.auth, c.reply); (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s %q: hint %q, want one with %q", c.host, c.auth, got, c.want)
		}
	}
}
