package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// IMAP checks the support mailbox: connect as intake does, log in with
// imap.auth, and open imap.mailbox read-only. It also says whether
// processed_folder and human_folder exist (intake creates them if not).
func IMAP(ctx context.Context, cfg *config.Config, opts Options) *Report {
	c := cfg.IMAP
	r := &Report{Service: "imap", Addr: addr(c.Host, c.Port), TLS: c.TLS, User: c.Username}
	p, cancel := newProber(ctx, r, c.Host, c.CommandTimeout, cfg, opts)
	defer cancel()

	var password string
	if !config.UsesOAuth2(c.Auth) {
		pw, err := c.Resolve()
		if err != nil {
			p.fail(StageSecret, err, "the password must be readable by the user mailflow runs as")
			return r
		}
		password = pw
	}

	tlsConf := tlsConfig(c.Host, c.InsecureSkipTLS)
	var implicit *tls.Config
	if c.TLS == config.TLSImplicit {
		implicit = tlsConf.Clone()
		implicit.NextProtos = []string{"imap"} // as imapclient.DialTLS does
	}
	conn, ok := p.connect(implicit)
	if !ok {
		return r
	}
	defer conn.Close()

	greeting, conn, err := readGreeting(conn)
	if err != nil {
		p.fail(StageGreeting, p.timedOut(err), "no IMAP server greeted there: check imap.port; "+p.portHint())
		return r
	}
	if strings.HasPrefix(strings.ToUpper(greeting), "* BYE") {
		p.fail(StageGreeting, fmt.Errorf("the server hung up at once: %s", oneLine(greeting)), "")
		return r
	}
	p.ok(StageGreeting, "%s", oneLine(greeting))

	copts := &imapclient.Options{TLSConfig: tlsConf, WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}
	var cl *imapclient.Client
	if c.TLS == config.TLSStartTLS {
		cl, err = imapclient.NewStartTLS(conn, copts)
		if err != nil {
			var refused *imap.Error
			if errors.As(err, &refused) {
				p.fail(StageStartTLS, fmt.Errorf("the server refused STARTTLS: %w", err), p.portHint())
			} else {
				p.tlsFailed(err, "STARTTLS")
			}
			return r
		}
		if tlsConf.InsecureSkipVerify {
			p.ok(StageStartTLS, "switched to TLS (certificate NOT verified: insecure_skip_verify)")
		} else {
			p.ok(StageStartTLS, "switched to TLS, certificate valid for %s", c.Host)
		}
	} else {
		cl = imapclient.New(conn, copts)
	}
	defer cl.Close()

	if !p.imapLogin(cl, cfg, password, opts) {
		return r
	}
	if !p.selectMailbox(cl, c.Mailbox) {
		return r
	}
	p.folders(cl, c)
	logout(cl)
	return r
}

// imapLogin logs in as intake does: LOGIN, AUTHENTICATE PLAIN, or a token.
func (p *prober) imapLogin(cl *imapclient.Client, cfg *config.Config, password string, opts Options) bool {
	c := cfg.IMAP
	mech := strings.ToUpper(c.Auth)
	if mech == "" {
		mech = "LOGIN"
	}
	var err error
	var sc oauth.Client
	switch {
	case config.UsesOAuth2(c.Auth):
		tok, ok := p.token(cfg, opts)
		if !ok {
			return false
		}
		if sc, err = oauth.NewClient(c.Auth, c.Username, tok, c.Host, c.Port); err == nil {
			err = p.wait(cl, func() error { return cl.Authenticate(sc) })
		}
	case strings.EqualFold(c.Auth, config.AuthPlain):
		err = p.wait(cl, func() error { return cl.Authenticate(sasl.NewPlainClient("", c.Username, password)) })
	default:
		err = p.wait(cl, func() error { return cl.Login(c.Username, password).Wait() })
	}
	if err == nil {
		p.ok(StageAuth, "logged in as %s (%s)", c.Username, mech)
		return true
	}
	err = p.timedOut(err)
	if sc != nil && sc.ServerError() != "" {
		err = fmt.Errorf("%w (the server refused the token: %s)", err, sc.ServerError())
	}
	var refused *imap.Error
	hint := ""
	if errors.As(err, &refused) {
		err = fmt.Errorf("the server refused %s for %s: %w", mech, c.Username, err)
		hint = providerHint(c.Host, c.Auth, refused.Text)
		if hint == "" {
			hint = "check imap.username and the password (password_file, password_env or password)"
			if config.UsesOAuth2(c.Auth) {
				hint = "the token was refused: is the mailbox the account that signed in with `mailflow oauth login`, and does the app have the IMAP permission?"
			}
		}
		if cl.Caps().Has(imap.CapLoginDisabled) {
			hint = "the server does not allow a login on an unencrypted connection: set imap.tls to starttls or implicit"
		}
	}
	p.fail(StageAuth, err, hint)
	return false
}

// selectMailbox opens the mailbox read-only (EXAMINE), as a check must not
// change flags; when it is missing, the report lists what there is.
func (p *prober) selectMailbox(cl *imapclient.Client, name string) bool {
	var sel *imap.SelectData
	err := p.wait(cl, func() (err error) {
		sel, err = cl.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	})
	if err == nil {
		p.ok(StageMailbox, "%s: %d mails (UIDVALIDITY %d)", name, sel.NumMessages, sel.UIDValidity)
		return true
	}
	var refused *imap.Error
	if !errors.As(err, &refused) {
		p.fail(StageMailbox, p.timedOut(err), "")
		return false
	}
	hint := "check imap.mailbox"
	if names := p.listFolders(cl); len(names) > 0 {
		hint += "; the folders on the server are: " + strings.Join(first(names, 20), ", ")
	}
	p.fail(StageMailbox, fmt.Errorf("cannot open mailbox %q: %w", name, err), hint)
	return false
}

// folders reports whether the folders mail is filed into exist.
func (p *prober) folders(cl *imapclient.Client, c config.IMAP) {
	var parts []string
	for _, f := range []struct{ key, name string }{{"processed_folder", c.ProcessedFolder}, {"human_folder", c.HumanFolder}} {
		if f.name == "" {
			continue
		}
		var found []*imap.ListData
		err := p.wait(cl, func() (err error) {
			found, err = cl.List("", f.name, nil).Collect()
			return err
		})
		switch {
		case err != nil:
			parts = append(parts, fmt.Sprintf("%s: cannot tell (%v)", f.name, oneLine(err.Error())))
		case len(found) == 0:
			parts = append(parts, f.name+" will be created at start")
		default:
			parts = append(parts, f.name+" exists")
		}
	}
	if len(parts) == 0 {
		p.skip(StageFolders, "none configured: decided mail stays in %s, flagged seen", c.Mailbox)
		return
	}
	p.ok(StageFolders, "%s", strings.Join(parts, "; "))
}

// listFolders lists every folder's name (nil if the server will not say).
func (p *prober) listFolders(cl *imapclient.Client) []string {
	var all []*imap.ListData
	if err := p.wait(cl, func() (err error) {
		all, err = cl.List("", "*", nil).Collect()
		return err
	}); err != nil {
		return nil
	}
	names := make([]string, 0, len(all))
	for _, l := range all {
		if !slices.Contains(l.Attrs, imap.MailboxAttrNoSelect) {
			names = append(names, l.Mailbox)
		}
	}
	slices.Sort(names)
	return names
}

// wait runs one command and waits for it, at most until the check's
// deadline: the connection carries that deadline, and the context closes
// it, so a silent server ends the wait too.
func (p *prober) wait(cl *imapclient.Client, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-p.ctx.Done():
		cl.Close()
		<-done
		return p.ctx.Err()
	}
}

// logout says goodbye, briefly.
func logout(cl *imapclient.Client) {
	done := make(chan struct{})
	go func() { cl.Logout().Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// readGreeting reads the server's first line and returns it, with a
// connection that still delivers that line to the IMAP client.
func readGreeting(conn net.Conn) (string, net.Conn, error) {
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", nil, errors.New("the server closed the connection without a greeting")
		}
		return "", nil, err
	}
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "* ") {
		return "", nil, fmt.Errorf("not an IMAP greeting: %q", clip(line, 80))
	}
	return line, replayConn{Conn: conn, r: io.MultiReader(strings.NewReader(line+"\r\n"), br)}, nil
}

// replayConn is a connection whose first bytes were already read once.
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c replayConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
