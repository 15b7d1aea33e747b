// Package mailtest starts real mail servers for integration tests: a Dovecot
// IMAP server from a throw-away config on a loopback port, and beside it the
// sandbox SMTP server delivering into that Dovecot, so a test can send mail,
// watch an INBOX and read what mailflow answered.
//
// It is ordinary (non-test) code so that any package's tests can import it;
// nothing outside tests may.
package mailtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/sandbox"
)

// Password is the one password every Dovecot user has (static passdb).
const Password = "mailtest-secret"

// Timings of the harness itself.
const (
	startTimeout = 15 * time.Second       // Dovecot up and greeting
	stopGrace    = 250 * time.Millisecond // SIGTERM until SIGKILL, see process.stop
	opTimeout    = 30 * time.Second       // one helper call (Deliver, Fetch, ...) at most
	startTries   = 5                      // fresh ports tried when a bind fails
)

// Dovecot is a running Dovecot (Debian's dovecot-imapd, 2.3) for one test,
// with an SMTP server that delivers into it. Any user name logs in with
// Password; its Maildir is created on first use. Mailboxes other than INBOX
// must be created (CreateMailbox), as on a fresh real account.
type Dovecot struct {
	// IMAPAddr is Dovecot's plain-text IMAP address (127.0.0.1:port).
	IMAPAddr string
	// SMTPAddr is the SMTP server that APPENDs every accepted message, with a
	// Return-Path line in front, into each recipient's INBOX here.
	SMTPAddr string
	// Password is the password of every user.
	Password string

	bin      string
	oauthURL string // introspection URL of the oauth2 passdb ("": none)
	dir      string // config, log, state (t.TempDir)
	root     string // short dir under /tmp: base_dir ("run") and Maildirs ("mail")
	confPath string
	logPath  string
	port     int
	smtp     *sandbox.SMTPServer

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one Dovecot master; its waiter goroutine ends with the process.
type process struct {
	cmd    *exec.Cmd
	output *SyncBuffer // stdout+stderr: fatal config errors land here
	exited chan struct{}
	err    error // of cmd.Wait, readable after exited is closed
}

// MailHome is the directory of user's Maildir (user as it logs in), for
// tests that search what the server keeps byte for byte.
func (d *Dovecot) MailHome(user string) string {
	return filepath.Join(d.root, "mail", strings.ToLower(user))
}

// StartDovecot starts Dovecot and the SMTP server and stops both when the
// test ends, printing Dovecot's log if the test failed. Without a dovecot
// binary the test is skipped, or fails when CI=true.
func StartDovecot(t testing.TB) *Dovecot {
	t.Helper()
	return startDovecot(t, "")
}

// StartDovecotOAuth is StartDovecot with XOAUTH2 and OAUTHBEARER enabled:
// Dovecot's oauth2 passdb accepts a bearer token when a POST of it to
// introspectionURL (RFC 7662, e.g. OAuthProvider.IntrospectionURL) answers
// {"active": true, "username": USER} for the user logging in. PLAIN and
// LOGIN with Password keep working.
func StartDovecotOAuth(t testing.TB, introspectionURL string) *Dovecot {
	t.Helper()
	return startDovecot(t, introspectionURL)
}

func startDovecot(t testing.TB, oauthURL string) *Dovecot {
	t.Helper()
	bin := findDovecot()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailtest: dovecot not installed: apt-get install dovecot-imapd")
		}
		t.Skip("mailtest: dovecot not installed (apt-get install dovecot-imapd); skipping")
	}

	d := &Dovecot{
		Password: Password,
		bin:      bin,
		oauthURL: oauthURL,
		dir:      t.TempDir(),
	}
	d.confPath = filepath.Join(d.dir, "dovecot.conf")
	d.logPath = filepath.Join(d.dir, "dovecot.log")
	ids, err := currentIdentity()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if err := d.makeRoot(ids); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	// Registered first so that it runs after Dovecot has stopped.
	t.Cleanup(func() { os.RemoveAll(d.root) })
	if d.oauthURL != "" {
		// In root, not dir: the auth process (an unprivileged user when
		// the tests run as root) reads it. It holds no secret.
		if err := os.WriteFile(d.oauthConfPath(), []byte(d.oauthConfig()), 0o644); err != nil {
			t.Fatalf("mailtest: write dovecot oauth2 config: %v", err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	var lastErr error
	for try := 0; try < startTries; try++ {
		port, err := freePort(ctx)
		if err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		d.port = port
		d.IMAPAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := os.WriteFile(d.confPath, []byte(d.config(ids)), 0o644); err != nil {
			t.Fatalf("mailtest: write dovecot config: %v", err)
		}
		lastErr = d.start(ctx)
		if lastErr == nil {
			break
		}
		if ctx.Err() != nil || !errors.Is(lastErr, errBind) {
			break
		}
	}
	if lastErr != nil {
		d.dumpLog(t)
		t.Fatalf("mailtest: start dovecot: %v", lastErr)
	}

	d.smtp = sandbox.NewSMTPServer("127.0.0.1:0", d.deliverSMTP)
	d.smtp.Logger = testLogger(t)
	if err := d.smtp.Start(ctx); err != nil {
		d.Stop()
		t.Fatalf("mailtest: start smtp: %v", err)
	}
	d.SMTPAddr = d.smtp.Addr()

	t.Cleanup(func() {
		if err := d.smtp.Close(); err != nil {
			t.Errorf("mailtest: close smtp: %v", err)
		}
		d.Stop()
		if t.Failed() {
			d.dumpLog(t)
		}
	})
	return d
}

// Stop stops Dovecot (SIGTERM to all its processes, SIGKILL to what is left
// after 250 ms) and waits for it.
// Mail stays on disk; Restart brings the same server back. The SMTP server
// keeps running and answers 451 while Dovecot is down.
func (d *Dovecot) Stop() {
	d.mu.Lock()
	p := d.proc
	d.proc = nil
	d.mu.Unlock()
	if p == nil {
		return
	}
	p.stop()
}

// Restart stops Dovecot if it runs and starts it again on the same port with
// the same mail, e.g. to test that a client reconnects.
func (d *Dovecot) Restart(t testing.TB) {
	t.Helper()
	d.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	// The port was ours a moment ago; give a slow kernel a few chances.
	var err error
	for {
		if err = d.start(ctx); err == nil {
			return
		}
		if !errors.Is(err, errBind) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	d.dumpLog(t)
	t.Fatalf("mailtest: restart dovecot on %s: %v", d.IMAPAddr, err)
}

// errBind marks a start that failed because the port was taken.
var errBind = errors.New("imap port already in use")

// start runs `dovecot -F -c CONF` and waits until the IMAP port greets.
func (d *Dovecot) start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc != nil {
		return errors.New("dovecot already running")
	}
	logStart := fileSize(d.logPath)

	out := &SyncBuffer{}
	cmd := exec.Command(d.bin, "-F", "-c", d.confPath)
	cmd.Dir = d.dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", d.bin, err)
	}
	p := &process{cmd: cmd, output: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()

	fatal := func() string { return fatalLine(out.String() + readFrom(d.logPath, logStart)) }
	if err := waitGreeting(ctx, d.IMAPAddr, p.exited, fatal); err != nil {
		p.stop()
		log := readFrom(d.logPath, logStart)
		detail := strings.TrimSpace(out.String() + "\n" + log)
		if strings.Contains(detail, "Address already in use") {
			return fmt.Errorf("%s: %w", d.IMAPAddr, errBind)
		}
		return fmt.Errorf("wait for %s: %w (dovecot %v; it said: %s)", d.IMAPAddr, err, p.exitStatus(), lastLines(detail, 10))
	}
	d.proc = p
	return nil
}

// exitStatus describes how the process ended; call it after stop.
func (p *process) exitStatus() string {
	select {
	case <-p.exited:
		if p.err == nil {
			return "exited"
		}
		return p.err.Error()
	default:
		return "still running"
	}
}

func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	signalGroup(p.cmd.Process, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopGrace):
		// The children are gone or going; the master only waits on a
		// one-second timer to notice. Nothing is lost by killing it: every
		// APPEND a test saw completed is on disk (page cache) already.
		signalGroup(p.cmd.Process, syscall.SIGKILL)
		<-p.exited
	}
}

// waitGreeting polls addr until it answers with an IMAP "* OK" greeting. It
// gives up at once when Dovecot exits or logs a fatal error: a failing
// service is only retried by Dovecot after seconds of throttling.
func waitGreeting(ctx context.Context, addr string, exited <-chan struct{}, fatal func() string) error {
	var lastErr error
	for {
		select {
		case <-exited:
			return errors.New("dovecot exited during start")
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), lastErr)
		default:
		}
		lastErr = readGreeting(ctx, addr)
		// A service that failed (say anvil) would make logins hang later.
		if line := fatal(); line != "" {
			return fmt.Errorf("dovecot failed: %s", line)
		}
		if lastErr == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("dovecot exited during start")
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), lastErr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// fatalLine returns the first fatal error in Dovecot's log output.
func fatalLine(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "Fatal:") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func readGreeting(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read greeting: %w", err)
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("unexpected greeting %q", line)
	}
	return nil
}

// identity is who Dovecot's processes and mail files run as.
type identity struct {
	uid, gid      string // mail_uid/mail_gid and the userdb's uid/gid
	root          bool   // the tests run as root
	internalUser  string // default_internal_user (auth, anvil, stats, ...)
	internalGroup string // default_internal_group
	loginUser     string // default_login_user (imap-login)
}

// currentIdentity picks the users Dovecot runs as. A normal user runs every
// process as itself (rootless Dovecot) and owns the mail. Root cannot: Dovecot
// refuses uid 0 for mail processes ("userdb returned 0 as uid") and imap-login
// refuses to run as root. So as root the internal processes and the mail
// belong to Debian's "dovecot" user and imap-login runs as "dovenull"; where
// those do not exist, "nobody" takes both roles.
func currentIdentity() (identity, error) {
	u, err := user.Current()
	if err != nil {
		return identity{}, fmt.Errorf("current user: %w", err)
	}
	if u.Uid != "0" {
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return identity{}, fmt.Errorf("group %s of %s: %w", u.Gid, u.Username, err)
		}
		return identity{
			uid: u.Uid, gid: u.Gid,
			internalUser: u.Username, internalGroup: g.Name, loginUser: u.Username,
		}, nil
	}
	internal, err := firstUser("dovecot", "nobody")
	if err != nil {
		return identity{}, err
	}
	g, err := user.LookupGroupId(internal.Gid)
	if err != nil {
		return identity{}, fmt.Errorf("group %s of %s: %w", internal.Gid, internal.Username, err)
	}
	login, err := firstUser("dovenull", "nobody")
	if err != nil {
		return identity{}, err
	}
	return identity{
		uid: internal.Uid, gid: internal.Gid, root: true,
		internalUser: internal.Username, internalGroup: g.Name, loginUser: login.Username,
	}, nil
}

// makeRoot creates the short directory holding base_dir and the Maildirs.
// It is short because unix socket paths in base_dir must fit in 108 bytes
// and t.TempDir() paths carry the test name. As root it is opened to the
// unprivileged users and the mail directory is given to the mail user.
func (d *Dovecot) makeRoot(id identity) error {
	root, err := os.MkdirTemp(shortTempDir(), "mfdc")
	if err != nil {
		return fmt.Errorf("dovecot dir: %w", err)
	}
	d.root = root
	mail := filepath.Join(root, "mail")
	if err := os.Mkdir(mail, 0o700); err != nil {
		return fmt.Errorf("dovecot mail dir: %w", err)
	}
	if !id.root {
		return nil
	}
	if err := os.Chmod(root, 0o755); err != nil {
		return fmt.Errorf("dovecot dir: %w", err)
	}
	uid, err := strconv.Atoi(id.uid)
	if err != nil {
		return fmt.Errorf("mail uid %q: %w", id.uid, err)
	}
	gid, err := strconv.Atoi(id.gid)
	if err != nil {
		return fmt.Errorf("mail gid %q: %w", id.gid, err)
	}
	if err := os.Chown(mail, uid, gid); err != nil {
		return fmt.Errorf("dovecot mail dir: %w", err)
	}
	return nil
}

func firstUser(names ...string) (*user.User, error) {
	for _, name := range names {
		if u, err := user.Lookup(name); err == nil {
			return u, nil
		}
	}
	return nil, fmt.Errorf("none of the users %v exists to run dovecot's unprivileged processes as root", names)
}

// config renders dovecot.conf. The choices and why:
//   - everything (base_dir, state_dir, log, Maildirs) lives in temp dirs, so
//     tests run in parallel and leave nothing behind;
//   - static passdb/userdb: any user name, one password, uid/gid of the test
//     user; user names are lower-cased (%Lu) like the sandbox does;
//   - no TLS, plaintext auth allowed, imaps disabled, 127.0.0.1 only;
//   - no chroot (imap-login, anvil, ipc, old-stats) so that a non-root
//     user can run Dovecot;
//   - mailbox_idle_check_interval = 1 secs: IDLE sees new mail within a
//     second even where inotify misses it (inotify normally makes it
//     immediate); imap_idle_notify_interval = 10 secs: the "* OK Still here"
//     keepalive during IDLE comes every 10 s instead of every 2 min, so
//     keepalive handling is exercised in ordinary tests without flooding
//     them; it does not affect how soon new mail is announced;
//   - auth_failure_delay = 0 and mail_fsync = never for speed.
func (d *Dovecot) config(id identity) string {
	firstUID, firstGID := id.uid, id.gid
	if id.root {
		// Dovecot refuses mail uids below first_valid_uid (default 500).
		firstUID, firstGID = "0", "0"
	}
	settings := [][2]string{
		{"protocols", "imap"},
		{"listen", "127.0.0.1"},
		{"base_dir", filepath.Join(d.root, "run")},
		{"state_dir", filepath.Join(d.dir, "state")},
		{"instance_name", fmt.Sprintf("mailtest-%d", d.port)},
		{"log_path", d.logPath},
		{"info_log_path", d.logPath},
		{"debug_log_path", d.logPath},
		{"ssl", "no"},
		{"disable_plaintext_auth", "no"},
		{"auth_mechanisms", d.authMechanisms()},
		{"auth_failure_delay", "0"},
		{"auth_verbose", "yes"},
		{"auth_username_format", "%Lu"},
		{"default_internal_user", id.internalUser},
		{"default_internal_group", id.internalGroup},
		{"default_login_user", id.loginUser},
		{"first_valid_uid", firstUID},
		{"first_valid_gid", firstGID},
		{"mail_uid", id.uid},
		{"mail_gid", id.gid},
		{"mail_location", "maildir:~/Maildir"},
		{"mail_fsync", "never"},
		{"mailbox_idle_check_interval", "1 secs"},
		{"imap_idle_notify_interval", "10 secs"},
	}
	var b strings.Builder
	b.WriteString("# Written by mailflow/internal/mailtest for one test; not for production.\n")
	for _, kv := range settings {
		fmt.Fprintf(&b, "%s = %s\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, `namespace inbox {
  inbox = yes
  separator = /
}
%spassdb {
  driver = static
  args = password=%s%s
}
userdb {
  driver = static
  args = uid=%s gid=%s home=%s/%%u
}
service anvil {
  chroot =%s
}
service ipc {
  chroot =
}
service old-stats {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %d
  }
  inet_listener imaps {
    port = 0
  }
}
`, d.oauthPassdb(), Password, d.staticMechanisms(), id.uid, id.gid, filepath.Join(d.root, "mail"), d.noPenalty(), d.port)
	return b.String()
}

func (d *Dovecot) authMechanisms() string {
	if d.oauthURL == "" {
		return "plain login"
	}
	return "plain login xoauth2 oauthbearer"
}

func (d *Dovecot) oauthConfPath() string { return filepath.Join(d.root, "dovecot-oauth2.conf.ext") }

// noPenalty turns off the auth penalty (after failed logins from one IP
// Dovecot delays the next by 2 s doubling to 15 s) where tests fail logins
// on purpose, the token tests: the auth process cannot reach anvil's
// penalty socket and so skips it.
func (d *Dovecot) noPenalty() string {
	if d.oauthURL == "" {
		return ""
	}
	return "\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }"
}

// staticMechanisms keeps the password passdb out of token logins.
func (d *Dovecot) staticMechanisms() string {
	if d.oauthURL == "" {
		return ""
	}
	return "\n  mechanisms = plain login"
}

// oauthPassdb is the oauth2 passdb, used only for the token mechanisms.
func (d *Dovecot) oauthPassdb() string {
	if d.oauthURL == "" {
		return ""
	}
	return fmt.Sprintf(`passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = %s
}
`, d.oauthConfPath())
}

// oauthConfig is dovecot-oauth2.conf.ext: every login is checked with a
// POST to the introspection endpoint (no tokeninfo_url, so no shortcut),
// which must say active = true and name the user logging in.
func (d *Dovecot) oauthConfig() string {
	return fmt.Sprintf(`# Written by mailflow/internal/mailtest for one test.
introspection_mode = post
introspection_url = %s
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
`, d.oauthURL)
}

// findDovecot looks in PATH, then where Debian puts it.
func findDovecot() string {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// freePort asks the kernel for a free loopback port. Another process can
// take it before Dovecot binds; StartDovecot retries then.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	return port, nil
}

// shortTempDir is $TMPDIR unless that is too long for socket paths.
func shortTempDir() string {
	if dir := os.TempDir(); len(dir) <= 40 {
		return dir
	}
	return "/tmp"
}

func (d *Dovecot) dumpLog(t testing.TB) {
	t.Helper()
	if b, err := os.ReadFile(d.logPath); err == nil && len(b) > 0 {
		t.Logf("dovecot log (%s):\n%s", d.logPath, b)
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func readFrom(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	return string(b[offset:])
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers: a child's
// output from exec's copying goroutines, or a daemon's log in a test.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testLogger sends warnings and errors of the harness's SMTP server to the
// test log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
