// Package web owns the desk's web pages on the daemon's http listener:
// passwordless sign-in for technicians and the team lead, their agenda
// and session pages, and the pages behind the self-service links in
// customer mail. It holds no booking logic: every change is a call to
// mailflow/desk with an Actor and a Proof (a web session for the desk's
// people, the link's mail as a capability for customers), recorded by
// desk.Record like a change that came by mail.
package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/store"
)

//go:embed pages
var pagesFS embed.FS

// Lifetimes of what the pages hand out.
const (
	loginValid   = 15 * time.Minute
	sessionValid = 12 * time.Hour
)

// Cookie names.
const (
	sessionCookie = "mailflow_session"
	csrfCookie    = "mailflow_csrf"
	langCookie    = "mailflow_lang"
)

// Deps is what the pages need from the running daemon. Desk and Config
// are asked for on every request, so a reload (SIGHUP) is seen at once.
type Deps struct {
	Store  *store.Store
	Desk   func() *desk.Desk
	Config func() *config.Config
	// Health judges the daemon as /healthz does.
	Health func(context.Context) (health.Report, error)
	// Wake nudges the sender after mail was queued.
	Wake func()
	Log  *slog.Logger
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
	// Root is the path the pages live under: "" for /, "/d/SLUG" for one
	// desk of several on one listener, which strips it before the pages
	// see the request. Links, forms, redirects and cookies stay inside
	// it, so the desks' sign-ins never mix.
	Root string
}

// Server serves the pages.
type Server struct {
	deps  Deps
	pages map[string]*template.Template
	login *limiter // POST /login per client
	mails *limiter // sign-in mails per address
	links *limiter // link endpoints per client
}

// New parses the embedded pages.
func New(deps Deps) (*Server, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if deps.Wake == nil {
		deps.Wake = func() {}
	}
	s := &Server{deps: deps, pages: map[string]*template.Template{},
		login: newLimiter(5, 15*time.Minute), mails: newLimiter(3, 15*time.Minute), links: newLimiter(30, time.Minute)}
	names, err := fs.Glob(pagesFS, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("web pages: %w", err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "pages/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).Funcs(template.FuncMap{"root": func() string { return deps.Root }}).ParseFS(pagesFS, "pages/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web page %s: %w", base, err)
		}
		s.pages[base] = t
	}
	return s, nil
}

// Register adds the pages to mux (beside /healthz and /metrics). With a
// Root, mux is mounted under it with the root stripped (as the daemon's
// fleet does), so the patterns stay the same.
func (s *Server) Register(mux *http.ServeMux) {
	h := func(f http.HandlerFunc) http.Handler { return s.secure(f) }
	mux.Handle("GET /static/style.css", h(s.serveCSS))
	mux.Handle("GET /login", h(s.loginPage))
	mux.Handle("POST /login", h(s.loginPost))
	mux.Handle("GET /login/{token}", h(s.limited(s.signInPage)))
	mux.Handle("POST /login/{token}", h(s.limited(s.signInPost)))
	mux.Handle("POST /logout", h(s.staff(s.logout)))
	mux.Handle("GET /{$}", h(s.staff(s.agenda)))
	mux.Handle("GET /s/{ref}", h(s.staff(s.sessionPage)))
	mux.Handle("POST /s/{ref}/{action}", h(s.staff(s.sessionAction)))
	mux.Handle("GET /l/{token}", h(s.limited(s.linkPage)))
	mux.Handle("GET /l/{token}/{action}", h(s.limited(s.linkPage)))
	mux.Handle("GET /l/{token}/{action}/{n}", h(s.limited(s.linkPage)))
	mux.Handle("POST /l/{token}/{action}", h(s.limited(s.linkPost)))
	mux.Handle("POST /l/{token}/{action}/{n}", h(s.limited(s.linkPost)))
}

// secure sets the headers every page carries: no caching of personal
// data, no framing, no outside resources, scripts only with the page's
// nonce.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := randomToken(16)
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; script-src 'nonce-"+nonce+"'")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
}

type nonceKey struct{}

// limited refuses a client that opens links too fast (guessing tokens).
func (s *Server) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.links.allow("ip:"+clientIP(r), s.deps.Now()) {
			s.tooMany(w, r)
			return
		}
		next(w, r)
	}
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "60")
	s.render(w, r, http.StatusTooManyRequests, "message", s.lang(r, ""), map[string]any{"Title": "too_many", "Text": "too_many_text"})
}

// clientIP is the peer's address. Behind a reverse proxy every client is
// the proxy; the limits then hold for all together, which still stops
// guessing.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secureCookies: Secure on every cookie when the pages are reached by
// https (public_url or a TLS connection).
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.deps.Config().HTTP.PublicURL, "https://")
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: s.deps.Root + "/", HttpOnly: true, Secure: s.secureCookies(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge.Seconds())})
}

// formToken is the CSRF token of a page without a session: a random
// cookie that the form must repeat (a foreign site can neither read the
// cookie nor, with SameSite=Strict, send it).
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := randomToken(24)
	s.setCookie(w, r, csrfCookie, tok, 24*time.Hour)
	return tok
}

// checkForm reports whether the posted form carries the token expected.
func checkForm(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) anonymousFormOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && checkForm(r, c.Value)
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on supported systems; a token we cannot
		// draw must not be a predictable one.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// limiter counts events per key in fixed windows.
type limiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	seen   map[string]*bucket
}

type bucket struct {
	start time.Time
	n     int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, seen: map[string]*bucket{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) > 10000 {
		// Forget finished windows, so the map cannot grow without bound.
		for k, b := range l.seen {
			if now.Sub(b.start) >= l.window {
				delete(l.seen, k)
			}
		}
	}
	b, ok := l.seen[key]
	if !ok || now.Sub(b.start) >= l.window {
		l.seen[key] = &bucket{start: now, n: 1}
		return true
	}
	if b.n >= l.max {
		return false
	}
	b.n++
	return true
}

// render writes a page in lang.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, lang string, data map[string]any) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Lang"] = lang
	data["L"] = messages[lang]
	data["Nonce"], _ = r.Context().Value(nonceKey{}).(string)
	data["Path"] = s.deps.Root + r.URL.Path
	data["Company"] = s.deps.Config().Desk.Company
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		s.deps.Log.Warn("web page not rendered", "page", page, "err", err)
	}
}

// lang is the page language: ?lang=, then the language cookie, then the
// booking's (for customers), then the browser's, then the desk's.
func (s *Server) lang(r *http.Request, fallback string) string {
	for _, l := range []string{r.URL.Query().Get("lang"), cookieValue(r, langCookie), fallback} {
		if l == "de" || l == "en" {
			return l
		}
	}
	al := strings.ToLower(r.Header.Get("Accept-Language"))
	switch {
	case strings.HasPrefix(al, "de"):
		return "de"
	case strings.HasPrefix(al, "en"):
		return "en"
	}
	if l := s.deps.Config().Desk.Language; l == "en" {
		return l
	}
	return "de"
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) serveCSS(w http.ResponseWriter, r *http.Request) {
	b, err := pagesFS.ReadFile("pages/style.css")
	if err != nil {
		http.Error(w, "no stylesheet", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(b)
}

// errPage shows a failure without details (they are logged).
func (s *Server) errPage(w http.ResponseWriter, r *http.Request, lang string, err error) {
	s.deps.Log.Error("web request failed", "path", r.URL.Path, "err", err)
	s.render(w, r, http.StatusInternalServerError, "message", lang, map[string]any{"Title": "error", "Text": "error_text"})
}

var errNoSession = errors.New("no session")
