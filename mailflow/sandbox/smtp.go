package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Defaults of an SMTPServer; each can be changed on the value before Start.
const (
	DefaultMaxMessageBytes = 32 << 20
	DefaultDeliverTimeout  = 30 * time.Second
)

// DeliverFunc hands one accepted message to its destination. raw is the
// message exactly as the client sent it, with one "Return-Path: <from>" line
// put in front (as a final delivery agent does). from is "" for the null
// sender (MAIL FROM:<>). An error makes the SMTP server answer 451, so the
// client keeps the message and retries.
type DeliverFunc func(ctx context.Context, from string, to []string, raw []byte) error

// SMTPServer is a small SMTP server for the sandbox and for tests: it accepts
// any (or no) authentication and any recipient on a loopback address and
// calls a DeliverFunc for every message. It is not a mail relay and must
// never face the network.
type SMTPServer struct {
	// Logger gets one line per delivery and server errors; nil means
	// slog.Default(). Set before Start.
	Logger *slog.Logger
	// MaxMessageBytes caps one message (DefaultMaxMessageBytes when 0).
	MaxMessageBytes int64
	// DeliverTimeout bounds one DeliverFunc call (DefaultDeliverTimeout
	// when 0).
	DeliverTimeout time.Duration

	addr    string
	deliver DeliverFunc

	// ctx is cancelled by Close so that running deliveries give up.
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	started   bool
	closed    bool
	srv       *smtp.Server
	ln        net.Listener
	serveDone chan struct{}
	inflight  sync.WaitGroup // DeliverFunc calls; Add only under mu while !closed
}

// NewSMTPServer returns a server that will listen on addr (a loopback
// address; ":0" or "127.0.0.1:0" picks a free port, see Addr) once started.
func NewSMTPServer(addr string, deliver DeliverFunc) *SMTPServer {
	ctx, cancel := context.WithCancel(context.Background())
	return &SMTPServer{addr: addr, deliver: deliver, ctx: ctx, cancel: cancel}
}

// Start binds the address and serves connections in the background until
// Close. ctx bounds only the start itself.
func (s *SMTPServer) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("sandbox smtp: start: server closed")
	}
	if s.started {
		return errors.New("sandbox smtp: start: already started")
	}
	if s.deliver == nil {
		return errors.New("sandbox smtp: start: no DeliverFunc")
	}
	ln, err := listenLoopback(ctx, s.addr)
	if err != nil {
		return fmt.Errorf("sandbox smtp: %w", err)
	}

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = s.maxMessageBytes()
	srv.MaxRecipients = 100
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = printfLogger{log: s.logger().With("component", "sandbox-smtp")}

	s.started = true
	s.srv = srv
	s.ln = ln
	s.serveDone = make(chan struct{})
	go func() {
		defer close(s.serveDone)
		if err := srv.Serve(ln); err != nil {
			s.logger().Error("sandbox smtp: serve", "addr", ln.Addr().String(), "err", err)
		}
	}()
	s.logger().Info("sandbox smtp listening", "addr", ln.Addr().String())
	return nil
}

// Addr is the address the server is bound to ("" before Start).
func (s *SMTPServer) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops listening, drops open connections, cancels running deliveries
// and waits for them and for the accept loop to end. It is safe to call more
// than once.
func (s *SMTPServer) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv, done := s.srv, s.serveDone
	s.mu.Unlock()

	s.cancel()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	// The accept goroutine may not have handed ln to go-smtp yet, in which
	// case srv.Close did not close it; closing it here ends Serve either way.
	s.ln.Close()
	<-done
	s.inflight.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("sandbox smtp: close: %w", err)
	}
	return nil
}

func (s *SMTPServer) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *SMTPServer) maxMessageBytes() int64 {
	if s.MaxMessageBytes > 0 {
		return s.MaxMessageBytes
	}
	return DefaultMaxMessageBytes
}

func (s *SMTPServer) deliverTimeout() time.Duration {
	if s.DeliverTimeout > 0 {
		return s.DeliverTimeout
	}
	return DefaultDeliverTimeout
}

// beginDelivery registers one running DeliverFunc call; it fails once Close
// has begun so that Close's wait cannot miss a late starter.
func (s *SMTPServer) beginDelivery() (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	s.inflight.Add(1)
	return s.inflight.Done, true
}

var (
	errShuttingDown = &smtp.SMTPError{
		Code:         421,
		EnhancedCode: smtp.EnhancedCode{4, 3, 2},
		Message:      "Sandbox shutting down, try again later",
	}
	errDeliveryFailed = &smtp.SMTPError{
		Code:         451,
		EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message:      "Delivery failed, try again later",
	}
	errBadAddress = &smtp.SMTPError{
		Code:         553,
		EnhancedCode: smtp.EnhancedCode{5, 1, 7},
		Message:      "Malformed address",
	}
)

// smtpSession is one SMTP transaction state; go-smtp owns its lifetime.
type smtpSession struct {
	server *SMTPServer
	from   string
	to     []string
}

var _ smtp.AuthSession = (*smtpSession)(nil)

func (s *smtpSession) AuthMechanisms() []string { return []string{"PLAIN", "LOGIN"} }

// Auth accepts any credentials: the sandbox has no secrets to protect and a
// client configured with a password must still be able to send.
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(identity, username, password string) error { return nil }), nil
	case "LOGIN":
		return &anyLoginServer{}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	if strings.ContainsAny(from, "\r\n\x00") {
		return errBadAddress
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if to == "" || strings.ContainsAny(to, "\r\n\x00") {
		return errBadAddress
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		// go-smtp's own errors (size exceeded) carry their SMTP code.
		return err
	}
	raw := withReturnPath(s.from, body)

	release, ok := s.server.beginDelivery()
	if !ok {
		return errShuttingDown
	}
	defer release()

	ctx, cancel := context.WithTimeout(s.server.ctx, s.server.deliverTimeout())
	defer cancel()
	to := append([]string(nil), s.to...)
	log := s.server.logger()
	if err := s.server.deliver(ctx, s.from, to, raw); err != nil {
		log.Warn("sandbox smtp: delivery failed", "from", s.from, "to", to, "bytes", len(raw), "err", err)
		return errDeliveryFailed
	}
	log.Debug("sandbox smtp: delivered", "from", s.from, "to", to, "bytes", len(raw))
	return nil
}

func (s *smtpSession) Reset() {
	s.from = ""
	s.to = nil
}

func (s *smtpSession) Logout() error { return nil }

// withReturnPath puts "Return-Path: <from>" in front of the message and
// leaves every byte of the message itself alone. The line ending follows the
// message's first line so that a bare-LF message stays consistent.
func withReturnPath(from string, msg []byte) []byte {
	eol := "\r\n"
	if i := bytes.IndexByte(msg, '\n'); i >= 0 && (i == 0 || msg[i-1] != '\r') {
		eol = "\n"
	}
	header := "Return-Path: <" + from + ">" + eol
	out := make([]byte, 0, len(header)+len(msg))
	out = append(out, header...)
	return append(out, msg...)
}

// anyLoginServer is the server side of the (obsolete but common) LOGIN
// mechanism, which go-sasl only implements as a client. It accepts anything.
type anyLoginServer struct {
	step int
}

func (a *anyLoginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	// A client may send the username as initial response; skip a step then.
	if a.step == 0 && response != nil {
		a.step = 1
	}
	switch a.step {
	case 0:
		a.step = 1
		return []byte("Username:"), false, nil
	case 1:
		a.step = 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, nil
	}
}

// printfLogger adapts slog to the Printf-style loggers of go-smtp and
// go-imap's server.
type printfLogger struct {
	log *slog.Logger
}

func (l printfLogger) Printf(format string, v ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (l printfLogger) Println(v ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintln(v...)))
}
