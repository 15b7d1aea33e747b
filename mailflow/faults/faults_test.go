package faults

import (
	"database/sql"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/internal/failpoint"
)

const backlogSize = 300

// TestKillAtFailpoints: a 300-mail backlog; the daemon is killed with
// SIGKILL at one point of a mail's way and started again. Nothing may be
// lost; only a mail whose SMTP 250 was not yet recorded may be doubled.
func TestKillAtFailpoints(t *testing.T) {
	for _, c := range []struct {
		point      string
		hit        int
		maxDoubled int
	}{
		{failpoint.AfterFetch, 3, 1},
		{failpoint.AfterStore, 3, 1},
		{failpoint.InDecide, 150, 1},
		{failpoint.AfterClaim, 150, 1},
		{failpoint.AfterSMTP, 150, 1},
	} {
		t.Run(c.point, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			customers := e.backlog("k", backlogSize)
			p := e.start("MAILFLOW_FAILPOINT=" + c.point + ":" + itoa(c.hit))
			if code := p.waitExit(t); code != -9 {
				t.Fatalf("exit %d; want killed by the failpoint (SIGKILL)", code)
			}
			start := time.Now()
			again := e.start()
			e.waitAnswered(customers)
			e.settle(backlogSize)
			lost, doubled := e.count(customers)
			// The sender runs beside intake and decider, so a kill at any
			// point may also catch it between an SMTP 250 and its record:
			// that mail, and only that one, is sent again (and says so).
			resent := resentAfterCrash(again.out.String())
			report(t, "kill -9 at %s (pass %d) over %d mails: lost %d, doubled %d (in flight at the kill and sent again: %d), all answered %.1fs after restart",
				c.point, c.hit, backlogSize, lost, doubled, resent, time.Since(start).Seconds())
			if lost != 0 || doubled > c.maxDoubled || doubled > resent {
				t.Fatalf("lost %d, doubled %d (at most %d, and only mails in flight at the kill: %d)", lost, doubled, c.maxDoubled, resent)
			}
		})
	}
}

// TestDiskFull: the database's disk fills up while mail keeps coming. No
// customer gets a second copy, /healthz says why, and once space is back
// everything waiting is answered exactly once.
func TestDiskFull(t *testing.T) {
	e := newEnv(t, envOptions{})
	full := filepath.Join(e.dir, "disk-is-full")
	e.start("MAILFLOW_FAILPOINT_DBFULL=" + full)
	first := e.backlog("a", 20)
	e.waitAnswered(first)
	e.settle(len(first))

	if err := os.WriteFile(full, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	second := e.backlog("b", 40)
	toUnhealthy := e.waitHealth(503, health.CauseDatabase)
	// While full: whatever went out, went out once.
	if _, doubled := e.count(append(append([]string{}, first...), second...)); doubled != 0 {
		t.Fatalf("%d customers got a second copy while the disk was full", doubled)
	}
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.waitAnswered(second)
	e.settle(len(first) + len(second))
	recovered := time.Since(start)
	toHealthy := e.waitHealth(200, "")
	all := append(first, second...)
	lost, doubled := e.count(all)
	report(t, "disk full with %d mails arriving: lost %d, doubled %d; /healthz 503 (database) %.1fs after the disk filled; all answered %.1fs after space was freed; healthy again after %.1fs more",
		len(second), lost, doubled, toUnhealthy.Seconds(), recovered.Seconds(), toHealthy.Seconds())
	if lost != 0 || doubled != 0 {
		t.Fatalf("lost %d, doubled %d", lost, doubled)
	}
}

// TestSecondInstanceRefused: a second `mailflow run` on the same database
// exits non-zero at once, naming the holder; two started at the same
// instant leave exactly one running, and every mail is answered once.
func TestSecondInstanceRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.start()
	e.waitHealth(200, "")
	started := time.Now()
	b := e.start()
	code := b.waitExit(t)
	took := time.Since(started)
	out := b.out.String()
	if code == 0 || !strings.Contains(out, "held by pid "+itoa(a.cmd.Process.Pid)) {
		t.Fatalf("second instance: exit %d, output:\n%s", code, out)
	}
	a.stop()

	// Both at once.
	p1, p2 := e.start(), e.start()
	var exited, running *proc
	waitFor(t, "one of two simultaneous starts to exit", func() bool {
		select {
		case <-p1.exited:
			exited, running = p1, p2
			return true
		case <-p2.exited:
			exited, running = p2, p1
			return true
		default:
			return false
		}
	})
	if code := exited.waitExit(t); code == 0 || !strings.Contains(exited.out.String(), "in use by another mailflow") {
		t.Fatalf("the loser of a simultaneous start: exit %d\n%s", code, exited.out.String())
	}
	customers := e.backlog("s", 50)
	e.waitAnswered(customers)
	e.settle(len(customers))
	select {
	case <-running.exited:
		t.Fatalf("the winner exited:\n%s", running.out.String())
	default:
	}
	lost, doubled := e.count(customers)
	report(t, "second run refused (exit %d) %.2fs after start; simultaneous starts: one refused; 50 mails: lost %d, doubled %d", code, took.Seconds(), lost, doubled)
	if lost != 0 || doubled != 0 {
		t.Fatalf("lost %d, doubled %d", lost, doubled)
	}
}

// TestFrozenConnection: a proxy between mailflow and Dovecot stops
// forwarding without closing anything (a frozen NAT or firewall). Intake
// must notice in under a minute and, once the path works again, go on.
func TestFrozenConnection(t *testing.T) {
	px := newProxy(t)
	e := newEnv(t, envOptions{imapAddr: px.addr})
	px.target = e.d.IMAPAddr
	e.start()
	waitFor(t, "intake idle", func() bool { return e.intakeState() == "idle" })
	warm := e.backlog("w", 1)
	e.waitAnswered(warm)

	px.freeze(true)
	frozen := time.Now()
	waitFor(t, "intake to notice the dead connection", func() bool { return e.intakeState() == "reconnecting" })
	detect := time.Since(frozen)
	px.freeze(false)
	thawed := time.Now()
	waitFor(t, "intake idle again", func() bool { return e.intakeState() == "idle" })
	back := time.Since(thawed)
	later := e.backlog("f", 5)
	e.waitAnswered(later)
	e.settle(len(warm) + len(later))
	lost, doubled := e.count(append(warm, later...))
	report(t, "silently dead IMAP connection noticed after %.1fs; back %.1fs after the path works again; lost %d, doubled %d", detect.Seconds(), back.Seconds(), lost, doubled)
	if detect > time.Minute {
		t.Errorf("a dead connection went unnoticed for %s (want under a minute)", detect.Round(time.Second))
	}
	if lost != 0 || doubled != 0 {
		t.Fatalf("lost %d, doubled %d", lost, doubled)
	}
}

// TestServerBack: Dovecot goes away for a while; mailflow is back within
// seconds of it returning, and mail that arrived meanwhile is answered.
func TestServerBack(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.start()
	waitFor(t, "intake idle", func() bool { return e.intakeState() == "idle" })
	e.d.Stop()
	waitFor(t, "intake to see the outage", func() bool { return e.intakeState() == "reconnecting" })
	toUnhealthy := e.waitHealth(503, health.CauseIntake)
	// Long enough for the backoff to reach its cap.
	time.Sleep(20 * time.Second)
	e.d.Restart(t)
	restarted := time.Now()
	waitFor(t, "intake idle again", func() bool { return e.intakeState() == "idle" })
	back := time.Since(restarted)
	customers := e.backlog("r", 10)
	e.waitAnswered(customers)
	lost, doubled := e.count(customers)
	report(t, "IMAP server down 20s+: /healthz 503 (intake) after %.1fs; back %.1fs after the server returned; lost %d, doubled %d", toUnhealthy.Seconds(), back.Seconds(), lost, doubled)
	if back > 20*time.Second {
		t.Errorf("back %s after the server returned (backoff cap 8 s)", back.Round(time.Second))
	}
	if lost != 0 || doubled != 0 {
		t.Fatalf("lost %d, doubled %d", lost, doubled)
	}
}

// TestSMTPFaults: temporary refusals are retried and delivered once;
// a permanent one is a dead letter after one attempt; a connection cut
// after DATA is retried blindly at most once; SMTP down turns /healthz 503.
func TestSMTPFaults(t *testing.T) {
	for _, c := range []struct {
		name      string
		script    func(n int) error
		wantCopy  int // copies the customer gets
		wantDead  bool
		wantTries int // DATA commands the server saw
	}{
		{"421", firstN(1, &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}), 1, false, 2},
		{"451", firstN(2, &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "local error"}), 1, false, 3},
		{"452", firstN(1, &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "no space"}), 1, false, 2},
		{"550", firstN(100, &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}), 0, true, 1},
		{"cut-after-data", firstN(1, errCut), 2, false, 2},
		{"cut-after-data-twice", firstN(2, errCut), 2, true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			e.sink.script = c.script
			e.start()
			customers := e.backlog("m", 1)
			e.settle(1)
			got := e.sink.repliesTo()[customers[0]]
			e.sink.mu.Lock()
			tries := e.sink.datas
			e.sink.mu.Unlock()
			dead := deadLetters(t, e)
			report(t, "copies %d, DATA attempts %d, dead letters %d", got, tries, dead)
			if got != c.wantCopy || tries != c.wantTries || (dead > 0) != c.wantDead {
				t.Fatalf("copies %d (want %d), attempts %d (want %d), dead %d (want %v)", got, c.wantCopy, tries, c.wantTries, dead, c.wantDead)
			}
		})
	}
	t.Run("down", func(t *testing.T) {
		// SMTP points at a port where nothing listens.
		e := newEnv(t, envOptions{smtpAddr: freeAddr(t)})
		e.start()
		e.backlog("d", 3)
		took := e.waitHealth(503, health.CauseSMTP)
		report(t, "smtp down with mail waiting: /healthz 503 (smtp) after %.1fs", took.Seconds())
	})
}

func firstN(n int, err error) func(int) error {
	return func(i int) error {
		if i <= n {
			return err
		}
		return nil
	}
}

func deadLetters(t *testing.T, e *env) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.dbPath+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM outbox WHERE state = 'dead'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

// resentAfterCrash reads how many in-flight mails the restarted daemon sent
// again (its log line after a crash), 0 when it logged none.
func resentAfterCrash(log string) int {
	const key = `"sent_again_once":`
	i := strings.Index(log, key)
	if i < 0 {
		return 0
	}
	rest := log[i+len(key):]
	j := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	n, _ := strconv.Atoi(rest[:max(j, 0)])
	return n
}

// proxy forwards TCP to target and can freeze: it then stops forwarding
// in both directions and leaves every connection open, as a dead NAT does.
type proxy struct {
	addr   string
	target string
	mu     sync.Mutex
	frozen bool
	thaw   chan struct{}
}

func newProxy(t *testing.T) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), thaw: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *proxy) freeze(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on == p.frozen {
		return
	}
	p.frozen = on
	if !on {
		close(p.thaw)
		p.thaw = make(chan struct{})
	}
}

// gate blocks while frozen; a connection that saw a freeze stays dead.
func (p *proxy) gate() bool {
	p.mu.Lock()
	frozen := p.frozen
	p.mu.Unlock()
	return !frozen
}

func (p *proxy) serve(c net.Conn) {
	defer c.Close()
	// A connection made while frozen waits for the thaw; one that was
	// frozen in use stays silent forever (never closed by us).
	for !p.gate() {
		p.mu.Lock()
		ch := p.thaw
		p.mu.Unlock()
		<-ch
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	stall := func() { select {} } // frozen for good: never forward, never close
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if !p.gate() {
					stall()
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go pipe(up, c)
	pipe(c, up)
}
