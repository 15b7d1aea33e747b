// Package sandbox owns the embedded mail server for trying mailflow with no
// mail account: an in-memory IMAP server (go-imap's imapmemserver) and an
// SMTP server (go-smtp) that delivers into it. Every address is an account
// (created on first use), all share one password, and all mail is lost when
// the process ends. It listens on loopback only and is never for production.
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Defaults used when the matching Options field is empty; they match
// config.Default().
const (
	DefaultIMAPAddr = "127.0.0.1:1143"
	DefaultSMTPAddr = "127.0.0.1:1025"
	DefaultPassword = "sandbox"
)

// Folders every sandbox account starts with, besides INBOX. They are the
// folders mailflow moves mail to.
var defaultFolders = []string{"Human", "Processed"}

// Options configure a sandbox Server.
type Options struct {
	// IMAPAddr and SMTPAddr are loopback listen addresses; a port of 0 picks
	// a free one (see Server.IMAPAddr and Server.SMTPAddr).
	IMAPAddr string
	SMTPAddr string
	// Users are the accounts created at start (mail addresses; the login is
	// the full address). More appear when mail arrives for them or when
	// someone logs in with the shared password.
	Users []string
	// Password is the password of every account.
	Password string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a running sandbox: IMAP and SMTP on loopback, one in-memory
// store of accounts.
type Server struct {
	password string
	log      *slog.Logger

	imap      *imapserver.Server
	imapLn    net.Listener
	imapDone  chan struct{}
	smtp      *SMTPServer
	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	users map[string]*imapmemserver.User
}

// Start creates the accounts and starts both servers. ctx bounds only the
// start; the servers run until Close.
func Start(ctx context.Context, opts Options) (*Server, error) {
	s := &Server{
		password: opts.Password,
		log:      opts.Logger,
		users:    make(map[string]*imapmemserver.User),
	}
	if s.password == "" {
		s.password = DefaultPassword
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "sandbox")
	for _, u := range opts.Users {
		if _, err := s.account(u); err != nil {
			return nil, fmt.Errorf("sandbox: start: %w", err)
		}
	}

	imapAddr := opts.IMAPAddr
	if imapAddr == "" {
		imapAddr = DefaultIMAPAddr
	}
	ln, err := listenLoopback(ctx, imapAddr)
	if err != nil {
		return nil, fmt.Errorf("sandbox imap: %w", err)
	}
	s.imapLn = ln
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{server: s}, nil, nil
		},
		// IMAP4rev1 like Dovecot 2.3, so that mailflow meets the same
		// protocol here as in production; plus every extension
		// imapmemserver implements. IDLE, UNSELECT, ENABLE and
		// LITERAL- come with IMAP4rev1 in imapserver.
		Caps: imap.CapSet{
			imap.CapIMAP4rev1:    {},
			imap.CapNamespace:    {},
			imap.CapUIDPlus:      {},
			imap.CapMove:         {},
			imap.CapESearch:      {},
			imap.CapSearchRes:    {},
			imap.CapListExtended: {},
			imap.CapListStatus:   {},
			imap.CapStatusSize:   {},
			imap.CapBinary:       {},
			imap.CapLiteralPlus:  {},
		},
		Logger:       printfLogger{log: s.log.With("server", "imap")},
		InsecureAuth: true,
	})
	s.imapDone = make(chan struct{})
	go func() {
		defer close(s.imapDone)
		if err := s.imap.Serve(ln); err != nil {
			s.log.Error("sandbox imap: serve", "addr", ln.Addr().String(), "err", err)
		}
	}()

	smtpAddr := opts.SMTPAddr
	if smtpAddr == "" {
		smtpAddr = DefaultSMTPAddr
	}
	s.smtp = NewSMTPServer(smtpAddr, s.Deliver)
	s.smtp.Logger = s.log.With("server", "smtp")
	if err := s.smtp.Start(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.log.Info("sandbox mail server started (not for production)",
		"imap", s.IMAPAddr(), "smtp", s.SMTPAddr(), "users", len(opts.Users))
	return s, nil
}

// IMAPAddr is the bound IMAP address (host:port).
func (s *Server) IMAPAddr() string { return s.imapLn.Addr().String() }

// SMTPAddr is the bound SMTP address (host:port).
func (s *Server) SMTPAddr() string { return s.smtp.Addr() }

// Password is the password of every account.
func (s *Server) Password() string { return s.password }

// Users lists the accounts that exist now, sorted.
func (s *Server) Users() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.users))
	for name := range s.users {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Close stops both servers and waits for their accept loops and for running
// SMTP deliveries. Open IMAP connections are closed.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.smtp != nil {
			if err := s.smtp.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		// End the accept loop first and only then let imapserver close the
		// connections: imapserver.Serve adds to a WaitGroup that Close
		// waits on, which races when both run at once.
		if err := s.imapLn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("sandbox imap: close listener: %w", err))
		}
		<-s.imapDone
		if err := s.imap.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sandbox imap: close: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Deliver appends raw, unchanged, to the INBOX of every recipient, creating
// accounts as needed. It is the SMTP server's DeliverFunc and may be called
// directly by tests that need no SMTP round trip.
func (s *Server) Deliver(ctx context.Context, from string, to []string, raw []byte) error {
	for _, rcpt := range to {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sandbox: deliver to %s: %w", rcpt, err)
		}
		u, err := s.account(rcpt)
		if err != nil {
			return fmt.Errorf("sandbox: deliver: %w", err)
		}
		// Append queues the EXISTS update on the mailbox tracker, which
		// wakes every IDLE session on INBOX at once.
		if _, err := u.Append("INBOX", &literal{Reader: bytes.NewReader(raw), size: int64(len(raw))},
			&imap.AppendOptions{Time: time.Now()}); err != nil {
			return fmt.Errorf("sandbox: deliver to %s: %w", rcpt, err)
		}
	}
	return nil
}

// account returns the account for a mail address, creating it with INBOX,
// Human and Processed when it does not exist yet.
func (s *Server) account(address string) (*imapmemserver.User, error) {
	name, err := accountName(address)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[name]; ok {
		return u, nil
	}
	u := imapmemserver.NewUser(name, s.password)
	for _, mbox := range append([]string{"INBOX"}, defaultFolders...) {
		if err := u.Create(mbox, nil); err != nil {
			return nil, fmt.Errorf("create %s for %s: %w", mbox, name, err)
		}
	}
	s.users[name] = u
	s.log.Info("sandbox account created", "user", name)
	return u, nil
}

// accountName normalises an address to its login: trimmed and lower-cased,
// so that "Kunde@Example.com" and "kunde@example.com" share one INBOX.
func accountName(address string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(address))
	if name == "" || strings.ContainsAny(name, " \t\r\n\x00\"") {
		return "", fmt.Errorf("invalid account address %q", address)
	}
	return name, nil
}

// imapSession is one IMAP connection. It logs in against the sandbox's
// accounts; everything after login is imapmemserver's UserSession.
type imapSession struct {
	*imapmemserver.UserSession // nil until login
	server                     *Server
}

// Login accepts any address with the shared password and creates the
// account on first login, so a newcomer can point any client at the sandbox.
func (sess *imapSession) Login(username, password string) error {
	if password != sess.server.password {
		return imapserver.ErrAuthFailed
	}
	name, err := accountName(username)
	if err != nil {
		return imapserver.ErrAuthFailed
	}
	u, err := sess.server.account(name)
	if err != nil {
		return imapserver.ErrAuthFailed
	}
	if err := u.Login(name, password); err != nil {
		return err
	}
	sess.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

// idleRepoll is how often an IDLE session looks for updates it may have
// missed (see Idle).
const idleRepoll = time.Second

// Idle works around a race in go-imap's server (v2 beta): its IDLE starts
// listening for mailbox updates only after the client was told it is
// idling, so mail delivered in that gap waits, unannounced, for the next
// update. Here IDLE polls first and then listens in short rounds, polling
// between them, so no delivery goes unannounced for longer than a round.
func (sess *imapSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	for {
		if err := sess.UserSession.Poll(w, true); err != nil {
			return err
		}
		round := make(chan struct{})
		done := make(chan error, 1)
		go func() { done <- sess.UserSession.Idle(w, round) }()
		t := time.NewTimer(idleRepoll)
		select {
		case <-stop:
			t.Stop()
			close(round)
			return <-done
		case err := <-done:
			t.Stop()
			return err
		case <-t.C:
			close(round)
			if err := <-done; err != nil {
				return err
			}
		}
	}
}

// literal is the imap.LiteralReader imapmemserver's Append wants.
type literal struct {
	*bytes.Reader
	size int64
}

func (l *literal) Size() int64 { return l.size }
