// Package pgtest owns the PostgreSQL server of a test binary: Debian's
// postgresql (initdb and postgres) started on a free loopback port in a
// temporary folder, once per `go test` package run, and stopped when the
// run ends. Each test gets a fresh database of its own.
//
// PostgreSQL refuses to run as root, and CI runs as root: then the server
// runs as the user nobody, in a folder handed to it.
//
// When the binaries are missing a test is skipped, except under CI=true,
// where it fails: CI installs the package (.ci/run).
package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL of the test binary.
type Server struct {
	bin     string // folder of initdb, postgres, pg_dump
	dir     string // everything of the server: data, socket, log
	port    int
	cmd     *exec.Cmd
	exited  chan struct{}
	cred    *syscall.Credential // nobody, when running as root
	counter atomic.Int64
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
	sharedMu   sync.Mutex
)

// Main runs the package's tests and stops the shared server (if one was
// started) afterwards: call it from TestMain as os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	StopShared()
	return code
}

// StopShared stops the shared server if a test started it.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stop:", err)
		}
		shared = nil
	}
}

// EnvDatabase names the environment variable that runs a package's
// end-to-end tests on PostgreSQL (MAILFLOW_TEST_DB=postgres) instead of
// SQLite, the default.
const EnvDatabase = "MAILFLOW_TEST_DB"

// Postgres reports whether the tests run on PostgreSQL (see EnvDatabase).
func Postgres() bool { return os.Getenv(EnvDatabase) == "postgres" }

// DatabaseYAML is the database section of a test config for the engine
// chosen by EnvDatabase: a fresh PostgreSQL database, or a SQLite file
// in the config's folder.
func DatabaseYAML(t testing.TB) string {
	t.Helper()
	if Postgres() {
		return fmt.Sprintf("database: {driver: postgres, dsn: %q}\n", DSN(t))
	}
	return "database: {path: mailflow.db}\n"
}

// Shared returns the test binary's server, starting it on first use. It
// skips the test when PostgreSQL is not installed (fails under CI=true).
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedOnce.Do(func() {
		sharedMu.Lock()
		defer sharedMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared, sharedErr = Start(ctx)
	})
	if errors.Is(sharedErr, ErrNotInstalled) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("postgresql is required under CI: %v", sharedErr)
		}
		t.Skipf("postgresql: %v", sharedErr)
	}
	if sharedErr != nil {
		t.Fatalf("start postgresql: %v", sharedErr)
	}
	return shared
}

// DSN returns a fresh, empty database on the shared server for this test.
func DSN(t testing.TB) string {
	t.Helper()
	return Shared(t).NewDatabase(t)
}

// ErrNotInstalled is returned by Start when no PostgreSQL binaries are found.
var ErrNotInstalled = errors.New("postgresql is not installed (initdb not found; apt-get install postgresql)")

// binDir finds PostgreSQL's programs: $MAILFLOW_PG_BIN, else the newest
// /usr/lib/postgresql/N/bin (Debian keeps initdb off the PATH), else PATH.
func binDir() (string, error) {
	if d := os.Getenv("MAILFLOW_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNotInstalled
}

// Start initialises a cluster in a new temporary folder and starts its
// server on a free loopback port, returning once it accepts connections.
func Start(ctx context.Context) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", "mailflow-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{bin: bin, dir: dir, exited: make(chan struct{})}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root and no user nobody to run postgres as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	if err := s.initdb(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A port taken between picking and binding makes the server exit;
	// a few picks cover that race.
	for try := 0; ; try++ {
		err = s.start(ctx)
		if err == nil {
			return s, nil
		}
		if try == 4 || ctx.Err() != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

func (s *Server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

func (s *Server) initdb(ctx context.Context) error {
	cmd := s.command(ctx, "initdb", "-D", s.DataDir(), "-U", "mailflow", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	return nil
}

// start runs postgres on a free port and waits for its "ready" line.
func (s *Server) start(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	s.exited = make(chan struct{})
	cmd := s.command(context.Background(), "postgres", "-D", s.DataDir(), "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+s.dir,
		// A test server: speed over durability, and enough connections
		// for several daemons at once.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	// A test binary that panics or is killed never reaches Stop: the
	// server goes with it (its backends follow the postmaster).
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	dieWithParent(cmd.SysProcAttr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	s.cmd = cmd
	ready := make(chan struct{})
	var logTail []string
	var logMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			logTail = append(logTail, line)
			if len(logTail) > 20 {
				logTail = logTail[1:]
			}
			logMu.Unlock()
			if strings.Contains(line, "database system is ready to accept connections") {
				once.Do(func() { close(ready) })
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	exited := s.exited
	go func() {
		cmd.Wait()
		close(exited)
	}()
	select {
	case <-ready:
		return nil
	case <-exited:
		logMu.Lock()
		defer logMu.Unlock()
		return fmt.Errorf("pgtest: postgres exited at start:\n%s", strings.Join(logTail, "\n"))
	case <-ctx.Done():
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("pgtest: postgres did not start: %w", ctx.Err())
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// DataDir is the cluster's data folder (tests search its files).
func (s *Server) DataDir() string { return filepath.Join(s.dir, "data") }

// Port is the server's loopback port.
func (s *Server) Port() int { return s.port }

// Bin is the folder of PostgreSQL's programs (pg_dump and the like).
func (s *Server) Bin() string { return s.bin }

// DSNFor is the connection string of database name.
func (s *Server) DSNFor(name string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=mailflow dbname=%s sslmode=disable", s.port, name)
}

// Admin runs sql on the maintenance database.
func (s *Server) Admin(ctx context.Context, sql string) error {
	c, err := pgx.Connect(ctx, s.DSNFor("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: connect: %w", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgtest: %s: %w", sql, err)
	}
	return nil
}

// NewDatabase creates an empty database for t and returns its DSN.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Admin(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatal(err)
	}
	return s.DSNFor(name)
}

// Run runs one of PostgreSQL's programs (pg_dump, psql) as the server's
// user and returns its output.
func (s *Server) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := s.command(ctx, name, args...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out, fmt.Errorf("%s: %w: %s", name, err, ee.Stderr)
		}
		return out, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// Stop shuts the server down (fast shutdown) and removes its folder.
func (s *Server) Stop() error {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	return os.RemoveAll(s.dir)
}

// removeStale deletes the folders of servers whose test binary died
// before it could (the server died with it, see dieWithParent): those
// whose postmaster.pid names a process that no longer runs. A folder
// still being set up has no postmaster.pid and is left alone.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "mailflow-pgtest-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid"))
		if err != nil {
			continue
		}
		line, _, _ := strings.Cut(string(b), "\n")
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}
