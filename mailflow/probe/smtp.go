package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strings"

	"github.com/wneessen/go-mail/smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/oauth"
)

// SMTP checks the submission server: connect as the outbox does, greet
// with EHLO, switch to TLS when smtp.tls is starttls, and authenticate
// with smtp.auth. Nothing is sent.
func SMTP(ctx context.Context, cfg *config.Config, opts Options) *Report {
	c := cfg.SMTP
	r := &Report{Service: "smtp", Addr: addr(c.Host, c.Port), TLS: c.TLS, User: c.Username}
	p, cancel := newProber(ctx, r, c.Host, c.Timeout, cfg, opts)
	defer cancel()

	useAuth := c.Username != "" || config.UsesOAuth2(c.Auth)
	var password string
	if useAuth && !config.UsesOAuth2(c.Auth) {
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
	}
	conn, ok := p.connect(implicit)
	if !ok {
		return r
	}
	defer conn.Close()

	sc, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		p.fail(StageGreeting, p.greetingError(err), "no SMTP server greeted there: check smtp.port; "+p.portHint())
		return r
	}
	defer sc.Close()
	helo := heloName(c.From)
	if err := sc.Hello(helo); err != nil {
		p.fail(StageGreeting, fmt.Errorf("EHLO %s refused: %w", helo, p.timedOut(err)), "")
		return r
	}
	p.ok(StageGreeting, "EHLO %s: %s", helo, oneLine(sc.HelloResponse()))

	if c.TLS == config.TLSStartTLS {
		if has, _ := sc.Extension("STARTTLS"); !has {
			p.fail(StageStartTLS, errors.New("the server does not offer STARTTLS"), p.portHint())
			return r
		}
		if err := sc.StartTLS(tlsConf); err != nil {
			var reply *textproto.Error
			if errors.As(err, &reply) {
				p.fail(StageStartTLS, fmt.Errorf("the server refused STARTTLS: %w", err), "")
			} else {
				p.tlsFailed(err, "STARTTLS")
			}
			return r
		}
		st, _ := sc.TLSConnectionState()
		p.ok(StageStartTLS, "%s", describeTLS(st, tlsConf))
	}

	if !useAuth {
		if has, mechs := sc.Extension("AUTH"); has {
			p.skip(StageAuth, "smtp.username is empty, so mail goes out without AUTH (the server offers %s)", mechs)
		} else {
			p.skip(StageAuth, "smtp.username is empty, so mail goes out without AUTH")
		}
		sc.Quit()
		return r
	}
	if !p.smtpAuth(sc, cfg, password, opts) {
		return r
	}
	sc.Quit()
	return r
}

// greetingError explains a server that did not send 220.
func (p *prober) greetingError(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return fmt.Errorf("the server greeted with %d %s instead of 220", reply.Code, oneLine(reply.Msg))
	}
	if errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "EOF") {
		return errors.New("the server closed the connection without a greeting")
	}
	return p.timedOut(err)
}

// smtpAuth authenticates as the outbox does (go-mail's mechanisms; for
// smtp.auth auto the one go-mail would pick from what the server offers).
func (p *prober) smtpAuth(sc *smtp.Client, cfg *config.Config, password string, opts Options) bool {
	c := cfg.SMTP
	has, offered := sc.Extension("AUTH")
	if !has {
		p.fail(StageAuth, errors.New("the server offers no AUTH on this connection"), "many servers offer AUTH only after TLS: set smtp.tls to starttls or implicit")
		return false
	}
	_, encrypted := sc.TLSConnectionState()
	var (
		auth smtp.Auth
		mech string
		sasl oauth.Client
	)
	switch {
	case config.UsesOAuth2(c.Auth):
		tok, ok := p.token(cfg, opts)
		if !ok {
			return false
		}
		var err error
		if sasl, err = oauth.NewClient(c.Auth, c.Username, tok, c.Host, c.Port); err != nil {
			p.fail(StageAuth, err, "")
			return false
		}
		auth, mech = saslAuth{sasl}, strings.ToUpper(c.Auth)
	case c.Auth == config.AuthPlain:
		auth, mech = smtp.PlainAuth("", c.Username, password, c.Host, c.TLS == config.TLSNone), "PLAIN"
	case c.Auth == config.AuthLogin:
		auth, mech = smtp.LoginAuth(c.Username, password, c.Host, c.TLS == config.TLSNone), "LOGIN"
	default:
		mech = discover(offered, encrypted)
		if mech == "" {
			why := "mailflow knows none of them"
			if !encrypted {
				why = "without TLS mailflow sends a password only by SCRAM-SHA-256, SCRAM-SHA-1, NTLM or CRAM-MD5"
			}
			p.fail(StageAuth, fmt.Errorf("the server offers AUTH %s, but %s", offered, why),
				"set smtp.auth to plain or login, or use TLS")
			return false
		}
		var err error
		if auth, err = passwordAuth(sc, mech, c.Host, c.Username, password); err != nil {
			p.fail(StageAuth, err, "")
			return false
		}
	}
	if !slices.ContainsFunc(strings.Fields(offered), func(m string) bool { return strings.EqualFold(m, mech) }) {
		p.fail(StageAuth, fmt.Errorf("smtp.auth wants %s, but the server offers %s", mech, offered), "set smtp.auth to one the server offers, or auto")
		return false
	}
	err := sc.Auth(auth)
	if err == nil {
		p.ok(StageAuth, "authenticated as %s (%s)", c.Username, mech)
		return true
	}
	err = p.timedOut(err)
	if sasl != nil && sasl.ServerError() != "" {
		err = fmt.Errorf("%w (the server refused the token: %s)", err, sasl.ServerError())
	}
	var reply *textproto.Error
	hint := ""
	if errors.As(err, &reply) {
		err = fmt.Errorf("the server refused AUTH %s for %s: %w", mech, c.Username, err)
		hint = providerHint(c.Host, c.Auth, reply.Msg)
		if hint == "" {
			hint = "check smtp.username and the password (password_file, password_env or password)"
			if config.UsesOAuth2(c.Auth) {
				hint = "the token was refused: is smtp.username the account that signed in with `mailflow oauth login`, and does the app have the SMTP permission?"
			}
		}
	}
	p.fail(StageAuth, err, hint)
	return false
}

// discover picks a mechanism from the server's list the way go-mail's
// SMTPAuthAutoDiscover does, which is what the outbox uses for
// smtp.auth auto.
func discover(offered string, encrypted bool) string {
	prefer := []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "NTLM", "CRAM-MD5", "PLAIN", "LOGIN"}
	if !encrypted {
		prefer = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "NTLM", "CRAM-MD5"}
	}
	mechs := strings.Fields(offered)
	for _, m := range prefer {
		if slices.Contains(mechs, m) {
			return m
		}
	}
	return ""
}

// passwordAuth returns go-mail's client for a password mechanism.
func passwordAuth(sc *smtp.Client, mech, host, user, password string) (smtp.Auth, error) {
	switch mech {
	case "PLAIN":
		return smtp.PlainAuth("", user, password, host, false), nil
	case "LOGIN":
		return smtp.LoginAuth(user, password, host, false), nil
	case "CRAM-MD5":
		return smtp.CRAMMD5Auth(user, password), nil
	case "NTLM":
		return smtp.NTLMAuth(user, password, ""), nil
	case "SCRAM-SHA-1":
		return smtp.ScramSHA1Auth(user, password), nil
	case "SCRAM-SHA-256":
		return smtp.ScramSHA256Auth(user, password), nil
	}
	st, err := sc.GetTLSConnectionState()
	if err != nil {
		return nil, fmt.Errorf("%s needs the TLS state: %w", mech, err)
	}
	if mech == "SCRAM-SHA-1-PLUS" {
		return smtp.ScramSHA1PlusAuth(user, password, st), nil
	}
	return smtp.ScramSHA256PlusAuth(user, password, st), nil
}

// saslAuth runs one of mailflow's token SASL clients as go-mail's smtp.Auth.
type saslAuth struct{ c oauth.Client }

func (a saslAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return a.c.Start() }

func (a saslAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	return a.c.Next(challenge)
}

// heloName is the name the outbox greets with: the domain of smtp.from,
// else localhost.
func heloName(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		if h := from[i+1:]; h != "" && net.ParseIP(h) == nil {
			return h
		}
	}
	return "localhost"
}
