package mailtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Radicale is a CalDAV server (Debian's radicale) run for one test: on a
// loopback port, with its collections in a temp folder and htpasswd logins
// (plain passwords, each user sees only their own calendars).
type Radicale struct {
	// URL is the server root, "http://127.0.0.1:PORT".
	URL string
	// Password is every user's password.
	Password string

	dir  string
	cmd  *exec.Cmd
	out  *SyncBuffer
	done chan struct{}
}

// RadicaleUsers are the logins a Radicale test server knows.
var RadicaleUsers = []string{"anna", "ben", "cleo"}

// StartRadicale runs Radicale until the test ends. Without the radicale
// program the test is skipped, or fails when CI=true.
func StartRadicale(t testing.TB) *Radicale {
	t.Helper()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailtest: radicale not installed: apt-get install radicale")
		}
		t.Skip("mailtest: radicale not installed (apt-get install radicale); skipping")
	}
	r := &Radicale{Password: Password, dir: t.TempDir()}
	var users strings.Builder
	for _, u := range RadicaleUsers {
		fmt.Fprintf(&users, "%s:%s\n", u, r.Password)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "users"), []byte(users.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if lastErr = r.start(ctx, bin, port); lastErr == nil {
			t.Cleanup(r.stop)
			return r
		}
	}
	t.Fatalf("mailtest: start radicale: %v", lastErr)
	return nil
}

func (r *Radicale) start(ctx context.Context, bin string, port int) error {
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	conf := fmt.Sprintf(`[server]
hosts = %s
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = %s
[web]
type = none
[logging]
level = warning
mask_passwords = True
`, addr, filepath.Join(r.dir, "users"), filepath.Join(r.dir, "collections"))
	confPath := filepath.Join(r.dir, "radicale.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return err
	}
	r.out = &SyncBuffer{}
	r.cmd = exec.Command(bin, "--config", confPath)
	r.cmd.Dir = r.dir
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	r.cmd.SysProcAttr = childProcAttr()
	// Radicale reads ~/.config/radicale too: keep it out of this test's way.
	r.cmd.Env = append(os.Environ(), "HOME="+r.dir, "XDG_CONFIG_HOME="+r.dir)
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	r.done = make(chan struct{})
	go func() { r.cmd.Wait(); close(r.done) }()
	r.URL = "http://" + addr
	// Ready when it answers HTTP; given up at once when it exits.
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodOptions, r.URL+"/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-r.done:
			return fmt.Errorf("radicale exited: %s", lastLines(r.out.String(), 10))
		case <-ctx.Done():
			r.stop()
			return fmt.Errorf("radicale on %s did not answer: %w (it said: %s)", addr, ctx.Err(), lastLines(r.out.String(), 10))
		case <-time.After(20 * time.Millisecond): // poll interval while it starts
		}
	}
}

func (r *Radicale) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	select {
	case <-r.done:
		return
	default:
	}
	signalGroup(r.cmd.Process, syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		signalGroup(r.cmd.Process, syscall.SIGKILL)
		<-r.done
	}
}

// Log is what Radicale printed so far.
func (r *Radicale) Log() string { return r.out.String() }

// CalendarURL is the URL of user's calendar name (MakeCalendar creates it).
func (r *Radicale) CalendarURL(user, name string) string {
	return r.URL + "/" + user + "/" + name + "/"
}

// MakeCalendar creates user's calendar name (MKCALENDAR) and returns its URL.
func (r *Radicale) MakeCalendar(t testing.TB, user, name string) string {
	t.Helper()
	u := r.CalendarURL(user, name)
	body := `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>` + name + `</D:displayname>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set>
</C:mkcalendar>`
	req, err := http.NewRequest("MKCALENDAR", u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, r.Password)
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mkcalendar %s: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("mkcalendar %s: %s (radicale: %s)", u, resp.Status, lastLines(r.Log(), 5))
	}
	return u
}

// Put stores one calendar object (as a technician's own calendar app
// would) at path inside user's calendar name.
func (r *Radicale) Put(t testing.TB, user, name, file, ics string) {
	t.Helper()
	u := r.CalendarURL(user, name) + file
	req, err := http.NewRequest(http.MethodPut, u, strings.NewReader(ics))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, r.Password)
	req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("put %s: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("put %s: %s (radicale: %s)", u, resp.Status, lastLines(r.Log(), 5))
	}
}

// Stop ends the server before the test does (to test an outage).
func (r *Radicale) Stop() { r.stop() }

// Restart starts a stopped server again on the same port, with the same
// calendars.
func (r *Radicale) Restart(t testing.TB) {
	t.Helper()
	r.stop()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(r.URL, "http://"))
	var n int
	fmt.Sscan(port, &n)
	bin, _ := exec.LookPath("radicale")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.start(ctx, bin, n); err != nil {
		t.Fatalf("mailtest: restart radicale: %v", err)
	}
}
