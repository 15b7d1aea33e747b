package faults

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	_ "github.com/mattn/go-sqlite3"

	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
)

const support = "support@example.com"

// deadline only stops a broken test: every wait is for an event.
const deadline = 3 * time.Minute

var binary string

// TestMain builds the real binary once; every test runs it as a process.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mailflow-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "mailflow")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/mailflow/mailflow/cmd/mailflow").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build mailflow: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	pgtest.StopShared()
	os.RemoveAll(dir)
	os.Exit(code)
}

// delivery is one mail the sink accepted.
type delivery struct {
	to, messageID, inReplyTo string
}

// sink is a scripted SMTP server standing in for the desk's mail server.
// script decides the fate of each DATA (n counts from 1): nil accepts,
// an *smtp.SMTPError refuses with that reply, errCut reads the whole mail
// and drops the connection without any reply.
type sink struct {
	mu     sync.Mutex
	got    []delivery
	datas  int
	script func(n int) error
	addr   string
}

var errCut = errors.New("cut the connection after DATA")

func startSink(t testing.TB) *sink {
	t.Helper()
	s := &sink{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.addr = ln.Addr().String()
	return s
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s, c: c}, nil }

type sinkSession struct {
	s    *sink
	c    *smtp.Conn
	rcpt string
}

func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.rcpt = strings.ToLower(to)
	return nil
}
func (x *sinkSession) Reset()        {}
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.datas++
	n := x.s.datas
	script := x.s.script
	x.s.mu.Unlock()
	var verdict error
	if script != nil {
		verdict = script(n)
	}
	if verdict != nil && !errors.Is(verdict, errCut) {
		return verdict
	}
	x.s.mu.Lock()
	x.s.got = append(x.s.got, delivery{to: x.rcpt, messageID: header(raw, "Message-ID"), inReplyTo: header(raw, "In-Reply-To")})
	x.s.mu.Unlock()
	if errors.Is(verdict, errCut) {
		x.c.Conn().Close() // the mail is here; the reply never comes
		return verdict
	}
	return nil
}

// repliesTo counts the mails each address got.
func (s *sink) repliesTo() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for _, d := range s.got {
		m[d.to]++
	}
	return m
}

func header(raw []byte, name string) string {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, l := range strings.Split(string(head), "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// env is one desk: a Dovecot with the support mailbox, a sink, a config
// and a database, and the daemon processes started on them.
type env struct {
	t        testing.TB
	d        *mailtest.Dovecot
	sink     *sink
	dir      string
	cfgPath  string
	dbPath   string
	httpAddr string
}

type envOptions struct {
	imapAddr string            // what mailflow dials (default: Dovecot itself)
	smtpAddr string            // where mailflow delivers (default: the sink)
	smtp     map[string]string // extra smtp keys
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	e := &env{t: t, d: mailtest.StartDovecot(t), sink: startSink(t), dir: t.TempDir()}
	e.cfgPath = filepath.Join(e.dir, "config.yaml")
	e.dbPath = filepath.Join(e.dir, "mailflow.db")
	e.httpAddr = freeAddr(t)
	imapAddr := o.imapAddr
	if imapAddr == "" {
		imapAddr = e.d.IMAPAddr
	}
	ih, ip, _ := net.SplitHostPort(imapAddr)
	smtpAddr := o.smtpAddr
	if smtpAddr == "" {
		smtpAddr = e.sink.addr
	}
	sh, sp, _ := net.SplitHostPort(smtpAddr)
	smtpKeys := fmt.Sprintf("host: %s, port: %s, tls: none, from: %s, retry_backoff: 1s", sh, sp, support)
	for k, v := range o.smtp {
		smtpKeys += ", " + k + ": " + v
	}
	y := fmt.Sprintf(`imap: {host: %s, port: %s, tls: none, username: %s, password: %q, processed_folder: Processed, human_folder: Human}
smtp: {%s}
database: {path: mailflow.db}
http: {addr: %q, connect_grace: 10s}
limits: {breaker_mails: 100000, per_sender_per_day: 1000}
jobs: {agenda_time: none}
technicians: [{name: Anna Berger, email: anna@example.com}, {name: Ben Graf, email: ben@example.com}]
log: {level: info}
`, ih, ip, support, mailtest.Password, smtpKeys, e.httpAddr)
	if err := os.WriteFile(e.cfgPath, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is one running mailflow.
type proc struct {
	cmd    *exec.Cmd
	out    *mailtest.SyncBuffer
	exited chan struct{}
	err    error
}

// start runs `mailflow run` with extra environment variables.
func (e *env) start(environ ...string) *proc {
	e.t.Helper()
	p := &proc{out: &mailtest.SyncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(binary, "run", "-config", e.cfgPath)
	p.cmd.Env = append(os.Environ(), environ...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	e.t.Cleanup(func() {
		p.stop()
		if e.t.Failed() {
			e.t.Logf("mailflow pid %d log (last lines):\n%s", p.cmd.Process.Pid, tail(p.out.String(), 40))
		}
	})
	return p
}

// stop ends the process like systemd does (SIGTERM) and waits.
func (p *proc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(45 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// waitExit waits for the process to end on its own and returns its exit code.
func (p *proc) waitExit(t testing.TB) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(deadline):
		t.Fatal("mailflow did not exit")
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 0
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// customer i's address.
func customer(prefix string, i int) string {
	return fmt.Sprintf("%s%03d@kunde%03d.example.org", prefix, i, i)
}

// backlog puts n customer requests into the support INBOX in one IMAP
// session and returns the customers' addresses.
func (e *env) backlog(prefix string, n int) []string {
	e.t.Helper()
	return e.backlogTo(support, prefix, n)
}

// backlogTo is backlog into the INBOX of the mailbox user.
func (e *env) backlogTo(user, prefix string, n int) []string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	c, err := e.d.Login(ctx, user, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	var out []string
	for i := range n {
		addr := customer(prefix, i)
		raw := []byte("From: Kundin " + strconv.Itoa(i) + " <" + addr + ">\r\n" +
			"To: " + user + "\r\n" +
			"Subject: Fernwartung\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
			"Message-ID: <" + prefix + strconv.Itoa(i) + "@kunde.example.org>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Guten Tag,\r\nwir bräuchten nächste Woche am Vormittag eine Fernwartung.\r\nLG\r\n")
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			e.t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			e.t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, addr)
	}
	return out
}

// waitAnswered waits until every customer got at least one mail.
func (e *env) waitAnswered(customers []string) time.Duration {
	e.t.Helper()
	start := time.Now()
	waitFor(e.t, fmt.Sprintf("replies to all %d customers", len(customers)), func() bool {
		got := e.sink.repliesTo()
		for _, c := range customers {
			if got[c] == 0 {
				return false
			}
		}
		return true
	})
	return time.Since(start)
}

// settle waits until the database holds at least n mails and has nothing
// left to do: every stored mail decided, no mail waiting or in flight.
func (e *env) settle(n int) {
	e.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.dbPath+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	waitFor(e.t, "database settled (all decided, outbox empty)", func() bool {
		var stored, undecided, pending int
		if err := db.QueryRow("SELECT count(*) FROM incoming").Scan(&stored); err != nil || stored < n {
			return false
		}
		if err := db.QueryRow("SELECT count(*) FROM incoming WHERE state = 'new'").Scan(&undecided); err != nil {
			return false
		}
		if err := db.QueryRow("SELECT count(*) FROM outbox WHERE state = 'pending'").Scan(&pending); err != nil {
			return false
		}
		return undecided == 0 && pending == 0
	})
}

// count says how many customers got no reply and how many more than one.
func (e *env) count(customers []string) (lost, doubled int) {
	got := e.sink.repliesTo()
	for _, c := range customers {
		switch n := got[c]; {
		case n == 0:
			lost++
		case n > 1:
			doubled++
		}
	}
	return lost, doubled
}

// health asks the daemon's /healthz.
func (e *env) health() (int, health.Report, error) {
	var rep health.Report
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + e.httpAddr + "/healthz")
	if err != nil {
		return 0, rep, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&rep)
	return resp.StatusCode, rep, err
}

// waitHealth waits until /healthz answers code (and, for 503, names cause).
func (e *env) waitHealth(code int, cause string) time.Duration {
	e.t.Helper()
	start := time.Now()
	var last string
	waitFor(e.t, fmt.Sprintf("/healthz %d %s (last: %s)", code, cause, last), func() bool {
		got, rep, err := e.health()
		if err != nil {
			last = err.Error()
			return false
		}
		last = fmt.Sprintf("%d %v", got, rep.Reasons)
		if got != code {
			return false
		}
		if cause == "" {
			return true
		}
		for _, c := range rep.Causes {
			if c == cause {
				return true
			}
		}
		return false
	})
	return time.Since(start)
}

// intakeState reads intake.state from the database.
func (e *env) intakeState() string {
	db, err := sql.Open("sqlite3", "file:"+e.dbPath+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return ""
	}
	defer db.Close()
	var v string
	_ = db.QueryRow("SELECT value FROM status WHERE key = 'intake.state'").Scan(&v)
	return v
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// report prints one line of figures for the issue note.
func report(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	fmt.Printf("FAULT %s: %s\n", t.Name(), line)
}
