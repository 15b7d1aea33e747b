package pipeline

import (
	"bytes"
	"context"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"

	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/message"
)

// auth is what the headers and signatures of a mail say about its sender;
// the desk weighs it (desk.Proof).
type auth struct {
	Authenticated bool
	Failed        bool
	Via           string
}

// dkimTimeout bounds the DNS lookups of our own DKIM check.
const dkimTimeout = 10 * time.Second

// authenticate reads what the operator's trusted servers reported about
// msg (Authentication-Results, RFC 8601) and, with trust.dkim, checks its
// DKIM signatures. Only the topmost Authentication-Results of a trusted
// authserv-id counts: it is the one our own server added last; any below
// it, and any naming another authserv-id, may have been written by the
// sender. DMARC pass counts only for the domain of the From address; a
// dmarc=fail, or a pass for another domain, marks the mail failed.
func (p *Pipeline) authenticate(ctx context.Context, raw []byte, msg *message.Message) auth {
	from := domainOf(msg.From.Address)
	var a auth
	for _, v := range msg.Header["Authentication-Results"] {
		id, results, err := authres.Parse(v)
		if err != nil || !p.trustedServer(id) {
			continue
		}
		for _, r := range results {
			dm, ok := r.(*authres.DMARCResult)
			if !ok {
				continue
			}
			switch {
			case dm.Value == authres.ResultPass && (dm.From == "" || strings.EqualFold(dm.From, from)):
				a.Authenticated, a.Via = true, "dmarc=pass "+strings.ToLower(id)
			case dm.Value == authres.ResultPass:
				return auth{Failed: true, Via: "dmarc=pass for another domain " + strings.ToLower(id)}
			case dm.Value == authres.ResultFail:
				return auth{Failed: true, Via: "dmarc=fail " + strings.ToLower(id)}
			}
		}
		break // only the topmost trusted header
	}
	if !a.Authenticated && p.cfg.Trust.DKIM && from != "" {
		if p.dkimAligned(ctx, raw, from) {
			a.Authenticated, a.Via = true, "dkim=pass (own check)"
		}
	}
	return a
}

func (p *Pipeline) trustedServer(id string) bool {
	for _, t := range p.cfg.Trust.AuthservIDs {
		if strings.EqualFold(t, strings.TrimSpace(id)) {
			return true
		}
	}
	return false
}

// dkimAligned reports whether raw carries a valid DKIM signature of the
// From domain or a parent of it (relaxed alignment).
func (p *Pipeline) dkimAligned(ctx context.Context, raw []byte, from string) bool {
	ctx, cancel := context.WithTimeout(ctx, dkimTimeout)
	defer cancel()
	lookup := p.lookupTXT
	if lookup == nil {
		lookup = net.DefaultResolver.LookupTXT
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT:        func(name string) ([]string, error) { return lookup(ctx, name) },
		MaxVerifications: 5,
	})
	if err != nil && len(vs) == 0 {
		p.log.Debug("dkim check failed", "err", err)
		return false
	}
	for _, v := range vs {
		d := strings.ToLower(v.Domain)
		if v.Err == nil && d != "" && (from == d || strings.HasSuffix(from, "."+d)) {
			return true
		}
	}
	return false
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// proof is what a mail brings to the desk: the Message-IDs it answers and
// what authenticate found.
func proof(msg *message.Message, a auth) desk.Proof {
	return desk.Proof{Answers: thread(msg), Authenticated: a.Authenticated, Failed: a.Failed, Via: a.Via}
}
