// Package probe checks that the mail servers in a configuration can be
// reached and accept mailflow's login: `mailflow check -connect`.
//
// A probe connects the way intake and the outbox do (the same TLS modes,
// TLS settings, client libraries and login mechanisms) but takes the way
// one step at a time: name lookup, TCP connect, TLS handshake, greeting,
// STARTTLS, token, login, mailbox. So a failure names its step, and the
// operator learns "the certificate is for another name" rather than "dial
// failed". A probe changes nothing on the server: the mailbox is opened
// read-only and nothing is sent. It may store a rotated OAuth2 refresh
// token, as every token refresh does.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// Stage is a step of a connection check. A failed check reports the stage
// it failed in, so callers (and tests) can tell the causes apart.
type Stage string

// The stages, in the order a check goes through them.
const (
	StageSecret      Stage = "secret"      // the password or client secret could not be read
	StageDNS         Stage = "dns"         // the host name does not resolve
	StageTCP         Stage = "tcp"         // nothing answers on host:port
	StageTLS         Stage = "tls"         // the TLS handshake failed
	StageCertificate Stage = "certificate" // the server's certificate is not trusted for the host
	StageGreeting    Stage = "greeting"    // the server does not speak IMAP or SMTP there
	StageStartTLS    Stage = "starttls"    // the server will not switch to TLS
	StageToken       Stage = "token"       // no OAuth2 access token
	StageAuth        Stage = "auth"        // the login was refused
	StageMailbox     Stage = "mailbox"     // the mailbox to watch does not exist
	StageFolders     Stage = "folders"     // processed_folder and human_folder (never fails)
)

// Step statuses.
const (
	StatusOK   = "ok"
	StatusSkip = "-"
	StatusFail = "FAIL"
)

// Step is one line of a report.
type Step struct {
	Stage  Stage
	Status string // StatusOK, StatusSkip or StatusFail
	Detail string
}

// Error is a failed check: the stage, the cause, and what to do about it.
type Error struct {
	Service string // "imap" or "smtp"
	Stage   Stage
	Err     error
	Hint    string // may be empty
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %v", e.Service, e.Stage, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Report is the outcome of checking one server.
type Report struct {
	Service string // "imap" or "smtp"
	Addr    string // host:port
	TLS     string // the configured TLS mode
	User    string // the login name ("" when there is none)
	Steps   []Step
	Err     *Error // nil when every step passed
}

// OK reports whether every step passed.
func (r *Report) OK() bool { return r.Err == nil }

// Print writes the report for a terminal.
func (r *Report) Print(w io.Writer) {
	head := fmt.Sprintf("%s %s (tls %s", r.Service, r.Addr, r.TLS)
	if r.User != "" {
		head += ", user " + r.User
	}
	fmt.Fprintln(w, head+")")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range r.Steps {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Status, s.Stage, s.Detail)
	}
	tw.Flush()
	if r.Err != nil && r.Err.Hint != "" {
		fmt.Fprintf(w, "  hint: %s\n", r.Err.Hint)
	}
	if r.OK() {
		fmt.Fprintf(w, "%s: ok\n", r.Service)
	} else {
		fmt.Fprintf(w, "%s: failed at %s\n", r.Service, r.Err.Stage)
	}
}

// TokenSource hands out OAuth2 access tokens (*oauth.Source does).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Options tune a check. The zero value checks as the daemon would connect.
type Options struct {
	// Timeout bounds the whole check of one server. Zero means the
	// configured imap.command_timeout or smtp.timeout.
	Timeout time.Duration
	// Resolver looks up host names (nil: the system's).
	Resolver *net.Resolver
	// Tokens replaces the token source built from the oauth2 section.
	Tokens TokenSource
}

// prober carries one check's state and writes its report.
type prober struct {
	r        *Report
	ctx      context.Context
	timeout  time.Duration
	resolver *net.Resolver
	host     string
	sandbox  bool // the host is mailflow's own sandbox, which runs inside `mailflow run`
}

func newProber(ctx context.Context, r *Report, host string, timeout time.Duration, cfg *config.Config, opts Options) (*prober, context.CancelFunc) {
	if opts.Timeout > 0 {
		timeout = opts.Timeout
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	res := opts.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	return &prober{r: r, ctx: ctx, timeout: timeout, resolver: res, host: host, sandbox: cfg.Sandbox.Enabled}, cancel
}

func (p *prober) ok(stage Stage, format string, args ...any) {
	p.r.Steps = append(p.r.Steps, Step{Stage: stage, Status: StatusOK, Detail: fmt.Sprintf(format, args...)})
}

func (p *prober) skip(stage Stage, format string, args ...any) {
	p.r.Steps = append(p.r.Steps, Step{Stage: stage, Status: StatusSkip, Detail: fmt.Sprintf(format, args...)})
}

// fail records the failed step and the report's error.
func (p *prober) fail(stage Stage, err error, hint string) {
	p.r.Steps = append(p.r.Steps, Step{Stage: stage, Status: StatusFail, Detail: oneLine(err.Error())})
	p.r.Err = &Error{Service: p.r.Service, Stage: stage, Err: err, Hint: hint}
}

// timedOut turns an error caused by the check's deadline into a plain
// "no answer" error; others are returned as they are.
func (p *prober) timedOut(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("no answer within %s", p.timeout)
	}
	if errors.Is(err, net.ErrClosed) && p.ctx.Err() != nil {
		// The context closed the connection under a waiting command.
		return fmt.Errorf("no answer within %s", p.timeout)
	}
	return err
}

// connect looks the host up, connects, and for implicit TLS shakes hands.
// The connection it returns is closed when the check's context ends, and
// carries the check's deadline, so no read or write can hang past it.
func (p *prober) connect(tlsConf *tls.Config) (net.Conn, bool) {
	if ip := net.ParseIP(p.host); ip != nil {
		p.ok(StageDNS, "%s is an address, nothing to look up", p.host)
	} else {
		addrs, err := p.resolver.LookupHost(p.ctx, p.host)
		if err != nil {
			p.fail(StageDNS, dnsError(p.timedOut(err), p.host), fmt.Sprintf("check %s.host; the name must resolve on this machine (try: getent hosts %s)", p.r.Service, p.host))
			return nil, false
		}
		p.ok(StageDNS, "%s is %s", p.host, strings.Join(first(addrs, 3), ", "))
	}

	var d net.Dialer
	conn, err := d.DialContext(p.ctx, "tcp", p.r.Addr)
	if err != nil {
		p.fail(StageTCP, p.tcpError(err), p.tcpHint(err))
		return nil, false
	}
	context.AfterFunc(p.ctx, func() { conn.Close() })
	if dl, ok := p.ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	p.ok(StageTCP, "connected to %s", conn.RemoteAddr())

	if tlsConf == nil {
		if p.r.TLS == config.TLSStartTLS {
			p.skip(StageTLS, "later, by STARTTLS (%s.tls: starttls)", p.r.Service)
		} else {
			p.skip(StageTLS, "not used (%s.tls: %s)", p.r.Service, p.r.TLS)
		}
		return conn, true
	}
	tc := tls.Client(conn, tlsConf)
	if err := tc.HandshakeContext(p.ctx); err != nil {
		conn.Close()
		p.tlsFailed(err, "")
		return nil, false
	}
	p.ok(StageTLS, "%s", describeTLS(tc.ConnectionState(), tlsConf))
	return tc, true
}

// tlsFailed records a failed handshake as a certificate or a TLS problem.
// during is "" for implicit TLS, "STARTTLS" after a switch.
func (p *prober) tlsFailed(err error, during string) {
	err = p.timedOut(err)
	if cert, fix, ok := certProblem(err, p.host); ok {
		p.fail(StageCertificate, errors.New(cert), fmt.Sprintf(
			"%s; %s.insecure_skip_verify: true switches the check off, for tests only (anyone on the way could then read the password)", fix, p.r.Service))
		return
	}
	var rh tls.RecordHeaderError
	hint := ""
	if errors.As(err, &rh) {
		err = fmt.Errorf("the server did not answer in TLS: %w", err)
		if during == "" {
			hint = p.portHint()
		}
	}
	if during != "" {
		err = fmt.Errorf("after %s: %w", during, err)
	}
	p.fail(StageTLS, err, hint)
}

// portHint names the usual port of each TLS mode.
func (p *prober) portHint() string {
	if p.r.Service == "imap" {
		return "imap.tls implicit is for port 993, starttls for port 143 (and none only for a local test server)"
	}
	return "smtp.tls implicit is for port 465, starttls for port 587 (and none only for a local test server)"
}

func (p *prober) tcpError(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection to %s refused: nothing listens there", p.r.Addr)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("%s is unreachable from this machine: %w", p.r.Addr, err)
	}
	if e := p.timedOut(err); e != err {
		return fmt.Errorf("connect to %s: %w (a firewall may be dropping the connection)", p.r.Addr, e)
	}
	return err
}

func (p *prober) tcpHint(err error) string {
	if p.sandbox {
		return "sandbox.enabled is true: the sandbox mail server runs inside `mailflow run`; start the daemon first, or set sandbox.enabled: false and configure a real server"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Sprintf("check %s.port; %s", p.r.Service, p.portHint())
	}
	return fmt.Sprintf("check %s.host and %s.port, and that a firewall lets this machine reach the server", p.r.Service, p.r.Service)
}

// dnsError says what went wrong with a lookup.
func dnsError(err error, host string) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return fmt.Errorf("no such host %q", host)
		case de.IsTimeout:
			return fmt.Errorf("looking up %q: the name server did not answer", host)
		}
	}
	return fmt.Errorf("looking up %q: %w", host, err)
}

// certProblem explains a certificate the handshake rejected, and what
// fixes it.
func certProblem(err error, host string) (problem, fix string, ok bool) {
	var (
		hostErr    x509.HostnameError
		authErr    x509.UnknownAuthorityError
		invalidErr x509.CertificateInvalidError
		verifyErr  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &hostErr):
		names := "no host names"
		if c := hostErr.Certificate; c != nil && len(c.DNSNames) > 0 {
			names = strings.Join(first(c.DNSNames, 4), ", ")
		}
		return fmt.Sprintf("the certificate is not valid for %q (it names %s)", host, names),
			"use one of the names the certificate names as the host", true
	case errors.As(err, &authErr):
		who := ""
		if c := authErr.Cert; c != nil {
			who = fmt.Sprintf(" (issued by %q)", c.Issuer.CommonName)
		}
		return "the certificate is signed by an authority this machine does not trust" + who + ": self-signed, or a private CA",
			"put the issuing CA into this machine's trust store (Debian: /usr/local/share/ca-certificates, then update-ca-certificates)", true
	case errors.As(err, &invalidErr):
		if invalidErr.Reason == x509.Expired && invalidErr.Cert != nil {
			c := invalidErr.Cert
			return fmt.Sprintf("the certificate is expired or not yet valid (valid %s to %s)", c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)),
				"the server's administrator must renew it (or this machine's clock is wrong)", true
		}
		return "the certificate is invalid: " + invalidErr.Error(), "the server's administrator must replace it", true
	case errors.As(err, &verifyErr):
		return "the certificate was rejected: " + verifyErr.Err.Error(), "check the server's certificate", true
	}
	return "", "", false
}

// describeTLS sums up a finished handshake.
func describeTLS(st tls.ConnectionState, conf *tls.Config) string {
	s := tls.VersionName(st.Version)
	if len(st.PeerCertificates) > 0 {
		c := st.PeerCertificates[0]
		s += fmt.Sprintf(", certificate for %s valid until %s", strings.Join(first(append([]string{}, c.DNSNames...), 2), ", "), c.NotAfter.Format(time.DateOnly))
	}
	if conf.InsecureSkipVerify {
		s += " (NOT verified: insecure_skip_verify)"
	}
	return s
}

// tlsConfig is the TLS configuration intake and outbox use.
func tlsConfig(host string, skipVerify bool) *tls.Config {
	return &tls.Config{ServerName: host, InsecureSkipVerify: skipVerify, MinVersion: tls.VersionTLS12}
}

func addr(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// oneLine keeps a server's multi-line answer on one report line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// providerHint adds what a big provider is known to want when it refuses
// a password.
func providerHint(host, auth, reply string) string {
	h := strings.ToLower(host)
	switch {
	case config.UsesOAuth2(auth):
		return ""
	case strings.Contains(reply, "5.7.139") || strings.Contains(reply, "SmtpClientAuthentication"):
		return "Microsoft 365 has authenticated SMTP turned off for this mailbox or the whole tenant: enable it for the mailbox (see the operator guide, Microsoft 365)"
	case strings.HasSuffix(h, ".office365.com") || strings.HasSuffix(h, ".outlook.com") || strings.HasSuffix(h, "outlook.office.com"):
		return "Microsoft 365 refuses passwords for IMAP (and soon for SMTP): use auth: xoauth2 with the oauth2 section (see the operator guide)"
	case strings.HasSuffix(h, ".gmail.com") || strings.HasSuffix(h, ".googlemail.com"):
		return "Google accepts only an app password or OAuth2 here, not the account's normal password"
	}
	return ""
}

// token fetches an access token for an OAuth2 login.
func (p *prober) token(cfg *config.Config, opts Options) (string, bool) {
	src := opts.Tokens
	if src == nil {
		src = oauth.New(cfg.OAuth2, oauth.Options{})
	}
	tok, err := src.Token(p.ctx)
	if err != nil {
		hint := oauth.Hint(err)
		if hint == "" {
			hint = "check the oauth2 section and that this machine reaches the provider's token endpoint"
		}
		p.fail(StageToken, p.timedOut(err), hint)
		return "", false
	}
	p.ok(StageToken, "access token from %s", cfg.OAuth2.Effective().TokenURL)
	return tok, true
}
