package oauth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

const user = "support@example.com"

// fixture is a provider, a refresh token file holding a valid token, and
// the oauth2 config that points at both.
type fixture struct {
	p    *mailtest.OAuthProvider
	cfg  config.OAuth2
	file string
	rt   string // the refresh token written at start
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p := mailtest.StartOAuthProvider(t, user)
	f := &fixture{p: p, file: filepath.Join(t.TempDir(), "refresh-token"), rt: p.IssueRefreshToken()}
	if err := os.WriteFile(f.file, []byte(f.rt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.cfg = config.OAuth2{Provider: "generic", ClientID: p.ClientID, TokenURL: p.TokenURL, DeviceAuthURL: p.DeviceAuthURL, RefreshTokenFile: f.file}
	return f
}

// clock is a settable time for a Source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// reports collects what a Source reports.
type reports struct {
	mu   sync.Mutex
	errs []error
}

func (r *reports) report(err error) { r.mu.Lock(); defer r.mu.Unlock(); r.errs = append(r.errs, err) }
func (r *reports) last() (error, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		return nil, 0
	}
	return r.errs[len(r.errs)-1], len(r.errs)
}

// syncBuf is a log sink safe for concurrent writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestRotatedRefreshTokenIsStoredAtOnce(t *testing.T) {
	f := newFixture(t)
	f.p.SetRotate(true)
	s := New(f.cfg, Options{})
	tok, err := s.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.p.AccessTokenValid(tok); !ok {
		t.Fatalf("access token %q not valid at the provider", tok)
	}
	stored, err := ReadRefreshToken(f.file)
	if err != nil {
		t.Fatal(err)
	}
	if stored == f.rt || !f.p.RefreshTokenValid(stored) {
		t.Errorf("file holds %q: want the new, valid refresh token", stored)
	}
	if f.p.RefreshTokenValid(f.rt) {
		t.Error("the provider still accepts the old refresh token: the test proves nothing")
	}
	fi, err := os.Stat(f.file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(f.file), ".*tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A second source (a restart) goes on from the stored token.
	if _, err := New(f.cfg, Options{}).Token(ctx(t)); err != nil {
		t.Errorf("after a restart: %v", err)
	}
}

func TestUnrotatedTokenLeavesFileAlone(t *testing.T) {
	f := newFixture(t)
	before, _ := os.Stat(f.file)
	time.Sleep(10 * time.Millisecond)
	if _, err := New(f.cfg, Options{}).Token(ctx(t)); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(f.file)
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("the file was rewritten though the token did not change")
	}
}

func TestAccessTokenReusedUntilShortlyBeforeExpiry(t *testing.T) {
	f := newFixture(t)
	f.p.SetExpiresIn(3600)
	c := &clock{t: time.Now()}
	s := New(f.cfg, Options{})
	s.now = c.now
	first, err := s.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	c.add(50 * time.Minute)
	if tok, _ := s.Token(ctx(t)); tok != first || f.p.TokenRequests() != 1 {
		t.Errorf("refreshed %d times within the token's life", f.p.TokenRequests()-1)
	}
	c.add(6 * time.Minute) // 4 minutes left: inside the 5 minute margin
	second, err := s.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if second == first || f.p.TokenRequests() != 2 {
		t.Errorf("not refreshed 4 minutes before expiry (%d requests)", f.p.TokenRequests())
	}
}

func TestShortLivedTokensRefreshAtThreeQuarters(t *testing.T) {
	f := newFixture(t)
	f.p.SetExpiresIn(60)
	c := &clock{t: time.Now()}
	s := New(f.cfg, Options{})
	s.now = c.now
	first, _ := s.Token(ctx(t))
	c.add(40 * time.Second)
	if tok, _ := s.Token(ctx(t)); tok != first {
		t.Error("refreshed at 40 of 60 s")
	}
	c.add(10 * time.Second)
	if tok, _ := s.Token(ctx(t)); tok == first {
		t.Error("not refreshed at 50 of 60 s")
	}
}

func TestFailingEndpointBacksOffReportsAndLogsOnce(t *testing.T) {
	f := newFixture(t)
	f.p.SetFailing(500)
	c := &clock{t: time.Now()}
	var logs syncBuf
	var r reports
	s := New(f.cfg, Options{Log: slog.New(slog.NewTextHandler(&logs, nil)), Report: r.report})
	s.now = c.now

	// A caller that retries every 100 ms for 5 minutes.
	var lastErr error
	for i := 0; i < 3000; i++ {
		_, lastErr = s.Token(ctx(t))
		if lastErr == nil {
			t.Fatal("token from a failing endpoint")
		}
		c.add(100 * time.Millisecond)
	}
	// 2 s doubling (±20 %) to 10 min: 0, ~2, ~6, ~14, ~30, ~62, ~126, ~254 s.
	if n := f.p.TokenRequests(); n < 5 || n > 10 {
		t.Errorf("%d token requests in 5 minutes of retries: want a backoff (about 8)", n)
	}
	if !errors.Is(lastErr, ErrBackoff) {
		t.Errorf("error while backing off: %v", lastErr)
	}
	if err, n := r.last(); err == nil || n != f.p.TokenRequests() {
		t.Errorf("reported %d times (last %v) for %d failures", n, err, f.p.TokenRequests())
	}
	if got := strings.Count(logs.String(), "level=ERROR"); got != 1 {
		t.Errorf("%d error lines for one failure streak:\n%s", got, logs.String())
	}

	f.p.SetFailing(0)
	c.add(maxRetry + time.Minute)
	if _, err := s.Token(ctx(t)); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if err, _ := r.last(); err != nil {
		t.Errorf("recovery reported as %v, want nil", err)
	}
	if !strings.Contains(logs.String(), "works again") {
		t.Errorf("recovery not logged:\n%s", logs.String())
	}
	// A new streak is logged again.
	f.p.SetFailing(500)
	c.add(2 * time.Hour)
	s.Token(ctx(t))
	if got := strings.Count(logs.String(), "level=ERROR"); got != 2 {
		t.Errorf("%d error lines after a second streak, want 2", got)
	}
}

func TestStillValidTokenServedWhileRefreshFails(t *testing.T) {
	f := newFixture(t)
	c := &clock{t: time.Now()}
	s := New(f.cfg, Options{})
	s.now = c.now
	first, err := s.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	f.p.SetFailing(503)
	c.add(57 * time.Minute) // due for refresh, 3 minutes left
	if tok, err := s.Token(ctx(t)); err != nil || tok != first {
		t.Errorf("got %q, %v: want the old token while it lives", tok, err)
	}
	c.add(3 * time.Minute)
	if _, err := s.Token(ctx(t)); err == nil {
		t.Error("an expired token was handed out")
	}
}

func TestRevokedRefreshTokenSaysWhatToDo(t *testing.T) {
	f := newFixture(t)
	f.p.SetFailing(400) // invalid_grant
	var logs syncBuf
	_, err := New(f.cfg, Options{Log: slog.New(slog.NewTextHandler(&logs, nil))}).Token(ctx(t))
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" || te.Status != 400 {
		t.Fatalf("error %v, want a TokenError invalid_grant", err)
	}
	if !strings.Contains(logs.String(), "mailflow oauth login") {
		t.Errorf("no hint to log in again:\n%s", logs.String())
	}
	if strings.Contains(err.Error(), f.rt) || strings.Contains(logs.String(), f.rt) {
		t.Error("the refresh token appears in the error or log")
	}
}

func TestMissingRefreshTokenFile(t *testing.T) {
	f := newFixture(t)
	os.Remove(f.file)
	_, err := New(f.cfg, Options{}).Token(ctx(t))
	if !errors.Is(err, ErrNoRefreshToken) || Hint(err) == "" {
		t.Errorf("error %v (hint %q)", err, Hint(err))
	}
	if f.p.TokenRequests() != 0 {
		t.Error("asked the provider without a refresh token")
	}
}

// Two sources on one file (intake and outbox) with a rotating provider:
// without the lock and the re-read, the second would spend a refresh token
// the first already replaced.
func TestSourcesSharingAFileNeverSpendAReplacedToken(t *testing.T) {
	f := newFixture(t)
	f.p.SetRotate(true)
	f.p.SetExpiresIn(1) // every call refreshes
	var failures atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		s := New(f.cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				s.access = "" // force a refresh on every call
				if _, err := s.Token(context.Background()); err != nil && !errors.Is(err, ErrBackoff) {
					failures.Add(1)
					t.Log(err)
				}
			}
		}()
	}
	wg.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d refreshes failed", failures.Load())
	}
	stored, _ := ReadRefreshToken(f.file)
	if !f.p.RefreshTokenValid(stored) {
		t.Error("the file ended with a spent refresh token")
	}
}

func TestWriteRefreshTokenRefusesGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rt")
	for _, bad := range []string{"", "a\nb"} {
		if err := WriteRefreshToken(p, bad); err == nil {
			t.Errorf("%q stored", bad)
		}
	}
	if err := WriteRefreshToken(filepath.Join(t.TempDir(), "missing-dir", "rt"), "x"); err == nil {
		t.Error("wrote into a missing folder")
	}
}
