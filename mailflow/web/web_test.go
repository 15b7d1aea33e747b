package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/store"
)

// fixture is the pages on a test server with one booking of Maria's.
type fixture struct {
	srv  *httptest.Server
	st   *store.Store
	d    *desk.Desk
	now  time.Time
	appt *store.Appointment
	tok  string // the customer link token of Maria's confirmation
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureAt(t, "")
}

// newFixtureAt serves the pages under root, as one desk of several.
func newFixtureAt(t *testing.T, root string) *fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("test.yaml", []byte(`
sandbox: {enabled: true}
technicians: [{name: Anna, email: anna@example.com}, {name: Bernd, email: bernd@example.com}]
http: {addr: "127.0.0.1:9464", public_url: "http://127.0.0.1:9464"}
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.SQLite, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	slots, err := booking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, d: desk.New(cfg, st, slots, c), now: time.Date(2026, 11, 24, 9, 0, 0, 0, slots.Location())}
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, slots.Location())
	msgID := "<0123456789abcdef0123456789abcdef@example.com>"
	err = st.InTx(ctx, func(tx *store.Tx) error {
		f.appt = &store.Appointment{Customer: "maria@kunde.at", CustomerName: "Maria", Technician: "anna@example.com", Start: start, End: start.Add(30 * time.Minute), Language: "de"}
		if err := tx.Book(ctx, f.appt); err != nil {
			return err
		}
		return tx.LinkMail(ctx, msgID, f.appt.ID, "maria@kunde.at")
	})
	if err != nil {
		t.Fatal(err)
	}
	f.tok = f.d.Composer().LinkToken(msgID)
	s, err := New(Deps{Store: st, Desk: func() *desk.Desk { return f.d }, Config: func() *config.Config { return cfg },
		Health: func(context.Context) (health.Report, error) { return health.Report{Healthy: true}, nil },
		Now:    func() time.Time { return f.now }, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Register(mux)
	var h http.Handler = mux
	if root != "" {
		// Mounted as the daemon's fleet does: under root, stripped.
		outer := http.NewServeMux()
		outer.Handle(root+"/", http.StripPrefix(root, mux))
		h = outer
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// client is a browser: cookies kept, redirects not followed.
func (f *fixture) client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get returns status and body; form posts the form with the page's token
// (taken from a GET of page first).
func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, c *http.Client, page, action string, v url.Values) (int, string) {
	t.Helper()
	_, body := get(t, c, page)
	if m := csrfRe.FindStringSubmatch(body); m != nil && v.Get("csrf") == "" {
		v.Set("csrf", m[1])
	}
	resp, err := c.PostForm(action, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *fixture) outbox(t *testing.T) []store.OutboxMail {
	t.Helper()
	ms, err := f.st.Outbox(context.Background(), "pending")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestLoginTellsNobodyWhoWorksHere: every address gets the same page; only
// a technician's gets a mail, and a form without its token nothing.
func TestLoginTellsNobodyWhoWorksHere(t *testing.T) {
	f := newFixture(t)
	u := f.srv.URL
	var pages []string
	for _, c := range []struct {
		email string
		mails int
	}{{"nobody@example.com", 0}, {"maria@kunde.at", 0}, {"not an address", 0}, {"Anna@Example.com", 1}} {
		code, body := post(t, f.client(t), u+"/login", u+"/login", url.Values{"email": {c.email}})
		if code != http.StatusOK {
			t.Fatalf("%s: status %d", c.email, code)
		}
		pages = append(pages, regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(body, ""))
		if n := len(f.outbox(t)); n != c.mails {
			t.Fatalf("after %s: %d mails queued, want %d", c.email, n, c.mails)
		}
	}
	for _, p := range pages[1:] {
		if p != pages[0] {
			t.Fatalf("pages differ by address:\n%s\n---\n%s", pages[0], p)
		}
	}
	code, _ := post(t, f.client(t), u+"/login", u+"/login", url.Values{"email": {"anna@example.com"}, "csrf": {"forged-token-forged-token-forged-token"}})
	if code != http.StatusForbidden || len(f.outbox(t)) != 1 {
		t.Fatalf("a forged form: status %d, %d mails", code, len(f.outbox(t)))
	}
}

// TestLoginIsRateLimited: a client asking again and again is stopped.
func TestLoginIsRateLimited(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	var last int
	for i := 0; i < 8; i++ {
		last, _ = post(t, c, f.srv.URL+"/login", f.srv.URL+"/login", url.Values{"email": {"bernd@example.com"}})
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("eighth request: status %d, want 429", last)
	}
	if n := len(f.outbox(t)); n > 3 {
		t.Fatalf("%d sign-in mails to one address within minutes", n)
	}
}

func (f *fixture) signInLink(t *testing.T) string {
	t.Helper()
	ms := f.outbox(t)
	l := regexp.MustCompile(`/login/[A-Za-z0-9_-]+`).FindString(string(ms[len(ms)-1].Raw))
	if l == "" {
		t.Fatal("no link in the sign-in mail")
	}
	return f.srv.URL + l
}

// TestSignInLinkOnceAndFor15Minutes: opening the link changes nothing
// (mail scanners); confirming signs in once; a late link is dead.
func TestSignInLinkOnceAndFor15Minutes(t *testing.T) {
	f := newFixture(t)
	u := f.srv.URL
	c := f.client(t)
	if code, _ := get(t, c, u+"/"); code != http.StatusSeeOther {
		t.Fatalf("agenda without a session: status %d", code)
	}
	post(t, c, u+"/login", u+"/login", url.Values{"email": {"anna@example.com"}})
	link := f.signInLink(t)
	get(t, f.client(t), link) // a scanner
	code, _ := post(t, c, link, link, url.Values{})
	if code != http.StatusSeeOther {
		t.Fatalf("sign in: status %d", code)
	}
	if code, body := get(t, c, u+"/"); code != http.StatusOK || !strings.Contains(body, f.appt.Ref) {
		t.Fatalf("agenda: status %d, lacks %s", code, f.appt.Ref)
	}
	if code, _ := post(t, f.client(t), link, link, url.Values{}); code != http.StatusGone {
		t.Fatalf("second use: status %d", code)
	}
	post(t, c, u+"/login", u+"/login", url.Values{"email": {"anna@example.com"}})
	late := f.signInLink(t)
	f.now = f.now.Add(16 * time.Minute)
	if code, _ := post(t, f.client(t), late, late, url.Values{}); code != http.StatusGone {
		t.Fatalf("after 16 minutes: status %d", code)
	}
}

// TestOtherTechniciansSessionIsHidden: Bernd sees nothing of Anna's
// session and cannot act on it.
func TestOtherTechniciansSessionIsHidden(t *testing.T) {
	f := newFixture(t)
	u := f.srv.URL
	c := f.client(t)
	post(t, c, u+"/login", u+"/login", url.Values{"email": {"bernd@example.com"}})
	link := f.signInLink(t)
	post(t, c, link, link, url.Values{})
	if code, body := get(t, c, u+"/s/"+f.appt.Ref); code != http.StatusNotFound || strings.Contains(body, "maria@kunde.at") {
		t.Fatalf("other's session: status %d", code)
	}
	if code, _ := post(t, c, u+"/", u+"/s/"+f.appt.Ref+"/cancel", url.Values{}); code == http.StatusOK {
		t.Fatal("cancel of another's session answered 200")
	}
	if a, _ := f.st.AppointmentByRef(context.Background(), f.appt.Ref); a.Status != store.StatusBooked {
		t.Fatalf("another technician changed it: %s", a.Status)
	}
}

// TestCustomerLink: GET shows, POST with the page's token cancels and
// queues the calendar cancellation; a forged token or form does nothing.
func TestCustomerLink(t *testing.T) {
	f := newFixture(t)
	u := f.srv.URL
	c := f.client(t)
	booked := func() string {
		a, err := f.st.AppointmentByRef(context.Background(), f.appt.Ref)
		if err != nil {
			t.Fatal(err)
		}
		return a.Status
	}
	page := u + "/l/" + f.tok + "/cancel"
	for _, p := range []string{u + "/l/" + f.tok, page, u + "/l/" + f.tok + "/move"} {
		if code, body := get(t, c, p); code != http.StatusOK || !strings.Contains(body, f.appt.Ref) {
			t.Fatalf("GET %s: status %d", p, code)
		}
	}
	forged := u + "/l/" + strings.Replace(f.tok, ".", "0.", 1) + "/cancel"
	if code, _ := get(t, c, forged); code != http.StatusNotFound {
		t.Fatalf("forged token: status %d", code)
	}
	if code, _ := post(t, c, page, page, url.Values{"csrf": {"forged-token-forged-token-forged-token"}}); code != http.StatusForbidden {
		t.Fatalf("forged form: status %d", code)
	}
	if s := booked(); s != store.StatusBooked {
		t.Fatalf("before confirming: %s", s)
	}
	if code, _ := post(t, c, page, page, url.Values{}); code != http.StatusOK {
		t.Fatalf("confirm: status %d", code)
	}
	if s := booked(); s != store.StatusCancelled {
		t.Fatalf("after confirming: %s", s)
	}
	ms := f.outbox(t)
	if len(ms) != 1 || ms[0].Recipient != "maria@kunde.at" || !strings.Contains(string(ms[0].Raw), "METHOD:CANCEL") {
		t.Fatalf("queued %d mails; want the cancellation to Maria", len(ms))
	}
	if code, _ := get(t, c, page); code != http.StatusGone {
		t.Fatalf("link after the cancellation: status %d", code)
	}
}

// TestMessagesComplete: every word exists in both languages.
func TestMessagesComplete(t *testing.T) {
	for k := range messages["de"] {
		if _, ok := messages["en"][k]; !ok {
			t.Errorf("%q has no English text", k)
		}
	}
	for k := range messages["en"] {
		if _, ok := messages["de"][k]; !ok {
			t.Errorf("%q has no German text", k)
		}
	}
}

// signIn signs c in as addr.
func (f *fixture) signIn(t *testing.T, c *http.Client, addr string) {
	t.Helper()
	u := f.srv.URL
	post(t, c, u+"/login", u+"/login", url.Values{"email": {addr}})
	link := f.signInLink(t)
	if code, _ := post(t, c, link, link, url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", addr, code)
	}
}

// TestMoveThenPick: the technician moves the session from its page (the
// customer is offered slots), and the customer picks option 2 through
// the link in that proposal: the session moves there.
func TestMoveThenPick(t *testing.T) {
	f := newFixture(t)
	u := f.srv.URL
	c := f.client(t)
	f.signIn(t, c, "anna@example.com")
	_, page := get(t, c, u+"/s/"+f.appt.Ref)
	slot := regexp.MustCompile(`name="slot" id="slot-3" value="([^"]+)"`).FindStringSubmatch(page)
	if slot == nil {
		t.Fatalf("no slot picker on the session page")
	}
	code, body := post(t, c, u+"/s/"+f.appt.Ref, u+"/s/"+f.appt.Ref+"/move", url.Values{"slot": {slot[1]}})
	if code != http.StatusOK || !strings.Contains(body, messages["de"]["done_move"]) {
		t.Fatalf("move: status %d\n%s", code, body)
	}
	var proposal *store.OutboxMail
	for _, m := range f.outbox(t) {
		if m.Recipient == "maria@kunde.at" {
			proposal = &m
		}
	}
	if proposal == nil {
		t.Fatal("no proposal to the customer")
	}
	pick := regexp.MustCompile(`/l/[0-9a-f]+\.[A-Za-z0-9_-]+/pick/2`).FindString(strings.ReplaceAll(string(proposal.Raw), "=\r\n", ""))
	if pick == "" {
		t.Fatalf("no link to option 2 in the proposal")
	}
	before, _ := f.st.AppointmentByRef(context.Background(), f.appt.Ref)
	customer := f.client(t)
	if code, _ := post(t, customer, u+pick, u+pick, url.Values{}); code != http.StatusOK {
		t.Fatalf("pick: status %d", code)
	}
	after, _ := f.st.AppointmentByRef(context.Background(), f.appt.Ref)
	if after.Status != store.StatusBooked || after.Start.Equal(before.Start) {
		t.Fatalf("after picking: %s at %s (was %s)", after.Status, after.Start, before.Start)
	}
	if code, _ := get(t, customer, u+pick); code != http.StatusGone {
		t.Fatalf("the answered proposal's link: status %d", code)
	}
}

// TestCookiesBehindHTTPS: behind an https public_url every cookie is
// Secure; all are HttpOnly and SameSite=Strict.
func TestCookiesBehindHTTPS(t *testing.T) {
	for _, c := range []struct {
		public string
		secure bool
	}{{"https://desk.example.com", true}, {"http://127.0.0.1:9464", false}} {
		cfg := config.Default()
		cfg.HTTP.PublicURL = c.public
		s := &Server{deps: Deps{Config: func() *config.Config { return cfg }}}
		w := httptest.NewRecorder()
		s.formToken(w, httptest.NewRequest(http.MethodGet, "/login", nil))
		ck := w.Result().Cookies()
		if len(ck) != 1 || ck[0].Secure != c.secure || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
			t.Errorf("%s: cookies %+v", c.public, ck)
		}
	}
}

// TestPagesUnderDeskRoot: one desk of several serves its pages under
// /d/SLUG/; every link, form, redirect and cookie stays there, and nothing
// answers at the single-desk paths.
func TestPagesUnderDeskRoot(t *testing.T) {
	const root = "/d/alpha"
	f := newFixtureAt(t, root)
	c := f.client(t)
	code, body := get(t, c, f.srv.URL+root+"/l/"+f.tok)
	if code != http.StatusOK {
		t.Fatalf("link page under the desk's root: %d", code)
	}
	for _, want := range []string{`href="` + root + `/static/style.css"`, `href="` + root + `/l/` + f.tok + `/move"`} {
		if !strings.Contains(body, want) {
			t.Errorf("link page lacks %s", want)
		}
	}
	if strings.Contains(body, `href="/l/`) || strings.Contains(body, `action="/`) {
		t.Error("link page links outside the desk's root")
	}
	u, _ := url.Parse(f.srv.URL + root + "/")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == csrfCookie {
			goto cookieOK
		}
	}
	t.Error("the form cookie is not sent back under the desk's root")
cookieOK:
	if other, _ := url.Parse(f.srv.URL + "/d/beta/"); len(c.Jar.Cookies(other)) != 0 {
		t.Error("a desk's cookie reaches another desk's pages")
	}
	resp, err := c.Get(f.srv.URL + root + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != root+"/login" {
		t.Errorf("agenda without a session: %d to %q, want 303 to %s/login", resp.StatusCode, loc, root)
	}
	_, body = get(t, c, f.srv.URL+root+"/login")
	if !strings.Contains(body, `action="`+root+`/login"`) {
		t.Error("sign-in form posts outside the desk's root")
	}
	if !strings.Contains(body, `href="`+root+`/login?lang=`) {
		t.Error("the language switch leaves the desk's root")
	}
	if code, _ := get(t, c, f.srv.URL+"/l/"+f.tok); code != http.StatusNotFound {
		t.Errorf("single-desk path answers %d, want 404", code)
	}
}
