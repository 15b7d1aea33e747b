package config

import "strings"

// Trust says what proves that a mail asking to change a booking comes from
// whom it claims (docs/trust.md). A From header alone never does.
type Trust struct {
	// Require is the proof a change needs: TrustCapability (a reply to one
	// of our own Message-IDs sent to that address for that booking),
	// TrustAuthenticated (that, or an authenticated sender: DMARC pass
	// reported by a trusted server, or our own DKIM check), or TrustBoth
	// (a capability from an authenticated sender).
	Require string `yaml:"require"`
	// AuthservIDs are the authserv-ids of the receiving servers whose
	// Authentication-Results headers count; headers naming any other are
	// ignored, since anyone can write one into a mail.
	AuthservIDs []string `yaml:"authserv_ids"`
	// DKIM makes mailflow verify DKIM signatures itself (for servers that
	// add no Authentication-Results); a valid signature of the From domain
	// counts as authenticated.
	DKIM bool `yaml:"dkim"`
}

// Proofs trust.require accepts.
const (
	TrustCapability    = "capability"
	TrustAuthenticated = "authenticated"
	TrustBoth          = "both"
)

// checkTrust validates the trust section and fills in its default.
func (c *Config) checkTrust(bad func(key, format string, args ...any)) {
	c.Trust.Require = strings.ToLower(strings.TrimSpace(c.Trust.Require))
	switch c.Trust.Require {
	case "":
		c.Trust.Require = TrustCapability
	case TrustCapability, TrustAuthenticated, TrustBoth:
	default:
		bad("trust.require", "%q is not capability, authenticated or both", c.Trust.Require)
	}
	for i, id := range c.Trust.AuthservIDs {
		id = strings.ToLower(strings.TrimSpace(id))
		if id == "" || strings.ContainsAny(id, " \t;") {
			bad("trust.authserv_ids", "entry %d (%q) is not an authserv-id (a host name such as mx.example.com)", i, c.Trust.AuthservIDs[i])
		}
		c.Trust.AuthservIDs[i] = id
	}
	if c.Trust.Require != TrustCapability && len(c.Trust.AuthservIDs) == 0 && !c.Trust.DKIM {
		bad("trust.require", "%s needs trust.authserv_ids or trust.dkim: nothing could ever authenticate a sender, so no change by mail would be possible", c.Trust.Require)
	}
}
