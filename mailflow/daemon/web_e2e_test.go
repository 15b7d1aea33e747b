package daemon

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/store"
)

// chromium finds Debian's chromium. Under CI=true a missing browser fails
// the test: CI installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// browserCtx starts a headless chromium with its own profile folder.
func browserCtx(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return bctx
}

// freePort is a loopback port nobody listens on, so public_url can name
// it before the daemon binds it.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// screenshots is where the browser test writes its pictures.
func screenshots(t *testing.T) string {
	dir := os.Getenv("MAILFLOW_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// TestBrowserDesk drives the desk's pages in a real browser against a real
// mail server: a technician signs in with the link mailed to them, sees
// the session, reveals and copies the ID on its day and marks the session
// done (the ID leaves the database); a customer opens the cancel link from
// their confirmation (nothing changes), confirms, and gets the calendar
// cancellation by mail.
func TestBrowserDesk(t *testing.T) {
	chromium(t)
	dc := mailtest.StartDovecot(t)
	addr := freePort(t)
	base := "http://" + addr
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, fmt.Sprintf("http: {addr: %q, public_url: %q}\n", addr, base))
	cfg.Desk.Holidays, cfg.Desk.MinNotice = "none", time.Minute
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		cfg.Desk.Hours[d] = []string{"00:00-23:30"}
	}
	r := start(t, cfg)
	st := r.d.Store()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := screenshots(t)

	const maria, hans, tech, id = "maria@kunde.example.org", "hans@kunde.example.org", "anna@example.com", "123456789"
	when := freeSlots0(t, cfg)
	if end := time.Date(when.Year(), when.Month(), when.Day(), 23, 30, 0, 0, cfg.Location()); when.Add(90 * time.Minute).After(end) {
		// hans asks an hour after maria, and the day's hours end at
		// 23:30: late in the evening both wishes lie tomorrow (hans's
		// 23:30 was once proposed elsewhere when the test ran after 22:30).
		when = time.Date(when.Year(), when.Month(), when.Day()+1, 0, 0, 0, 0, cfg.Location())
	}
	if err := dc.Deliver(ctx, support, request(maria, "<want-m@kunde.example.org>", when)); err != nil {
		t.Fatal(err)
	}
	if err := dc.Deliver(ctx, support, request(hans, "<want-h@kunde.example.org>", when.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	waitSent(t, st, 2, time.Minute)
	mconf, _ := dc.Fetch(ctx, maria, "INBOX")
	mref := bookingRef(t, header(t, mconf[0], "Subject"))
	idMail := "From: Maria <" + maria + ">\r\nTo: " + support + "\r\nSubject: Re: [" + mref + "] Termin\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMessage-ID: <id@kunde.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHier ist meine AnyDesk-ID: 123 456 789\r\n"
	if err := dc.Deliver(ctx, support, []byte(idMail)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, func() bool {
		a, err := st.AppointmentByRef(ctx, mref)
		return err == nil && a.AnyDeskID.Valid
	}, "the ID linked to "+mref)

	b := browserCtx(t, ctx)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(b, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	both := func(url, name, waitSel string) {
		t.Helper()
		for _, lang := range []string{"en", "de"} {
			do(name+" "+lang, chromedp.Navigate(url+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS(waitSel)))
			shot(name + "." + lang)
		}
	}

	// Sign in: the form, then the link from the mailbox.
	both(base+"/login", "01-login", "#email")
	do("ask for a link", chromedp.SendKeys(chromedp.CSS("#email"), tech), chromedp.Click(chromedp.CSS("form.card button")),
		chromedp.WaitVisible(chromedp.CSS("p[role=status]")))
	shot("02-link-sent.de")
	var link string
	linkRe := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/[A-Za-z0-9_-]+`)
	waitFor(t, time.Minute, func() bool {
		mails, err := dc.Fetch(ctx, tech, "INBOX")
		if err != nil {
			return false
		}
		for _, m := range mails {
			if l := linkRe.FindString(decodeQP(string(m))); l != "" {
				link = l
			}
		}
		return link != ""
	}, "the sign-in link in "+tech+"'s mailbox")
	do("open the sign-in link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#signin")))
	shot("03-signin.de")
	do("sign in", chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#week-h")))
	both(base+"/", "04-agenda", "#week-h")
	if s := text("table.sessions"); !strings.Contains(s, mref) {
		t.Fatalf("the agenda lacks %s:\n%s", mref, s)
	}
	// The link is spent.
	do("reuse the sign-in link", chromedp.Navigate(link), chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("p[role=status]")))
	if h := text("h1"); !strings.Contains(h, "nicht mehr gültig") {
		t.Fatalf("a used link shows %q", h)
	}

	// The session, the ID in full today, copied. (Minutes before
	// midnight the first free slot is tomorrow's: then the page must hide
	// all but the last digits.)
	if day := "2006-01-02"; when.In(cfg.Location()).Format(day) != time.Now().In(cfg.Location()).Format(day) {
		both(base+"/s/"+mref, "05-session", "#mark-done")
		if body := text("body"); strings.Contains(body, id) || !strings.Contains(body, "*** *** 789") {
			t.Fatal("a session of another day shows the ID in full, or not masked")
		}
	} else {
		revealAndCopy(b, t, base, mref, id, both)
	}
	// Done with a protocol: the ID leaves the database.
	do("mark done", chromedp.SendKeys(chromedp.CSS("#protocol"), "Exportfilter repariert."), chromedp.Click(chromedp.CSS("#mark-done")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")))
	shot("06-session-done.de")
	a, err := st.AppointmentByRef(ctx, mref)
	if err != nil || a.Status != store.StatusDone || a.AnyDeskID.Valid || !strings.Contains(a.Protocol, "Exportfilter repariert") {
		t.Fatalf("after done on the page: %+v (%v)", a, err)
	}
	if body := text("body"); strings.Contains(body, id) {
		t.Fatal("the page still shows the ID after done")
	}

	// The customer: the cancel link from the confirmation.
	hconf, _ := dc.Fetch(ctx, hans, "INBOX")
	if len(hconf) != 1 {
		t.Fatalf("hans has %d mails, want the confirmation", len(hconf))
	}
	href2 := regexp.MustCompile(regexp.QuoteMeta(base) + `/l/[0-9a-f]+\.[A-Za-z0-9_-]+/cancel`).FindString(decodeQP(string(hconf[0])))
	if href2 == "" {
		t.Fatalf("no cancel link in the confirmation:\n%s", decodeQP(string(hconf[0])))
	}
	both(strings.TrimSuffix(href2, "/cancel"), "07-customer-overview", "a.button")
	both(href2, "08-customer-cancel", "#confirm")
	hrefAppt := func() *store.Appointment {
		as, err := st.Appointments(ctx, when.Add(-time.Minute), when.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for i := range as {
			if as[i].Customer == hans {
				return &as[i]
			}
		}
		t.Fatal("hans has no appointment")
		return nil
	}
	if a := hrefAppt(); a.Status != store.StatusBooked {
		t.Fatalf("opening the link changed the booking: %s", a.Status)
	}
	do("confirm the cancellation", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("p[role=status]")))
	shot("09-customer-cancelled.de")
	if a := hrefAppt(); a.Status != store.StatusCancelled {
		t.Fatalf("after confirming: %s", a.Status)
	}
	waitFor(t, time.Minute, func() bool {
		mails, err := dc.Fetch(ctx, hans, "INBOX")
		if err != nil || len(mails) < 2 {
			return false
		}
		return strings.Contains(string(mails[len(mails)-1]), "METHOD:CANCEL")
	}, "the cancellation with METHOD:CANCEL in hans's mailbox")
	// The link is spent with its booking.
	do("open the link again", chromedp.Navigate(href2), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h := text("h1"); !strings.Contains(h, "abgelaufen") {
		t.Fatalf("a link of a cancelled booking shows %q", h)
	}

	entries, err := st.AuditLog(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range entries {
		seen[e.Action] = e.Actor + " " + e.Outcome
		if strings.Contains(e.Actor, "@") {
			t.Errorf("audit entry names a plain address: %+v", e)
		}
	}
	for action, want := range map[string]string{"web.sign-in-link": "technician", "web.signed-in": "technician", "appointment.done": "web session", "appointment.cancelled": "web link"} {
		if !strings.Contains(seen[action], want) {
			t.Errorf("audit %s = %q, want it to mention %q", action, seen[action], want)
		}
	}
}

// revealAndCopy checks the ID in full on the session's day, its anydesk:
// link, and that the copy button puts it on the clipboard.
func revealAndCopy(b context.Context, t *testing.T, base, ref, id string, both func(url, name, waitSel string)) {
	t.Helper()
	both(base+"/s/"+ref, "05-session", "#anydesk-id")
	got, err := chromedp.Run(b, chromedp.Value(chromedp.CSS("#anydesk-id")))
	if err != nil || got != id {
		t.Fatalf("the ID field shows %q (%v), want %s", got, err, id)
	}
	href, err := chromedp.Run(b, chromedp.AttributeValue(chromedp.CSS("a[href^='anydesk:']"), "href"))
	if err != nil || href.Value != "anydesk:"+id {
		t.Fatalf("anydesk link %+v (%v)", href, err)
	}
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(b, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: base,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS("#copy"))); err != nil {
		t.Fatalf("copy the ID: %v", err)
	}
	waitFor(t, 30*time.Second, func() bool {
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#copy")))
		return err == nil && s == "Kopiert"
	}, "the copy button to say Kopiert")
	clip, err := chromedp.Run(b, chromedp.Evaluate[string]("navigator.clipboard.readText()", chromedp.EvalAwaitPromise))
	if err != nil || clip != id {
		t.Fatalf("clipboard holds %q (%v), want the ID", clip, err)
	}
}
