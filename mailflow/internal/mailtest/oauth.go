package mailtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// OAuthProvider is a fake OAuth2 provider on 127.0.0.1 for one test: a
// token endpoint (refresh_token and device_code grants), a device
// authorization endpoint and an RFC 7662 introspection endpoint, which a
// Dovecot from StartDovecotOAuth asks whether an access token is valid.
// It knows one user; every token it issues is for that user.
type OAuthProvider struct {
	// TokenURL, DeviceAuthURL and IntrospectionURL are its endpoints.
	TokenURL, DeviceAuthURL, IntrospectionURL string
	// ClientID is the only client it accepts.
	ClientID string
	// User is whose tokens it issues (the introspection "username").
	User string

	srv *httptest.Server

	mu            sync.Mutex
	refresh       map[string]bool      // refresh token → valid
	access        map[string]time.Time // access token → expiry
	rotate        bool
	expiresIn     int
	failStatus    int // token endpoint answers this (0: works)
	tokenRequests int
	introspected  int
	pendingPolls  int               // device grant: pending answers before success
	devices       map[string]string // device code → user code
	n             int
}

// StartOAuthProvider starts the fake provider for user; it stops when the
// test ends. It issues access tokens valid for an hour and does not rotate
// refresh tokens until SetRotate.
func StartOAuthProvider(t testing.TB, user string) *OAuthProvider {
	t.Helper()
	p := &OAuthProvider{
		ClientID:     "mailflow-test-client",
		User:         user,
		refresh:      map[string]bool{},
		access:       map[string]time.Time{},
		expiresIn:    3600,
		pendingPolls: 1,
		devices:      map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("POST /devicecode", p.deviceCode)
	mux.HandleFunc("POST /introspect", p.introspect)
	mux.HandleFunc("GET /introspect/{token}", p.introspect)
	p.srv = httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(p.srv.Close)
	p.TokenURL = p.srv.URL + "/token"
	p.DeviceAuthURL = p.srv.URL + "/devicecode"
	p.IntrospectionURL = p.srv.URL + "/introspect"
	return p
}

// IssueRefreshToken returns a new valid refresh token, as a sign-in would.
func (p *OAuthProvider) IssueRefreshToken() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.newRefreshLocked()
}

// SetRotate makes every refresh return a new refresh token and invalidate
// the one it was given (as Microsoft and many others do).
func (p *OAuthProvider) SetRotate(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rotate = on
}

// SetExpiresIn sets the lifetime of access tokens issued from now on.
func (p *OAuthProvider) SetExpiresIn(seconds int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expiresIn = seconds
}

// SetFailing makes the token endpoint answer status (e.g. 500, or 400 with
// invalid_grant) to every request; 0 makes it work again.
func (p *OAuthProvider) SetFailing(status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failStatus = status
}

// SetPendingPolls sets how often a device-code poll is answered
// authorization_pending before the sign-in counts as done (default 1).
func (p *OAuthProvider) SetPendingPolls(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pendingPolls = n
}

// RevokeAccessTokens makes every access token issued so far invalid.
func (p *OAuthProvider) RevokeAccessTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.access)
}

// RefreshTokenValid reports whether the provider would accept rt now.
func (p *OAuthProvider) RefreshTokenValid(rt string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refresh[rt]
}

// AccessTokenValid reports whether tok is a live access token, and whose.
func (p *OAuthProvider) AccessTokenValid(tok string) (user string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	exp, ok := p.access[tok]
	if !ok || time.Now().After(exp) {
		return "", false
	}
	return p.User, true
}

// TokenRequests is how many requests reached the token endpoint.
func (p *OAuthProvider) TokenRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenRequests
}

// Introspections is how many introspection requests were answered.
func (p *OAuthProvider) Introspections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.introspected
}

func (p *OAuthProvider) newRefreshLocked() string {
	rt := "rt-" + p.randomLocked()
	p.refresh[rt] = true
	return rt
}

func (p *OAuthProvider) randomLocked() string {
	p.n++
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b) + "-" + strconv.Itoa(p.n)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (p *OAuthProvider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokenRequests++
	if p.failStatus != 0 {
		if p.failStatus == http.StatusBadRequest {
			oauthError(w, p.failStatus, "invalid_grant", "AADSTS70000: the grant is expired or revoked")
		} else {
			http.Error(w, "upstream trouble", p.failStatus)
		}
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if r.PostForm.Get("client_id") != p.ClientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	resp := map[string]any{"token_type": "Bearer", "expires_in": p.expiresIn, "scope": "mail"}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		if !p.refresh[rt] {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "refresh token unknown, revoked or rotated")
			return
		}
		if p.rotate {
			delete(p.refresh, rt)
			resp["refresh_token"] = p.newRefreshLocked()
		}
	case "urn:ietf:params:oauth:grant-type:device_code":
		if _, ok := p.devices[r.PostForm.Get("device_code")]; !ok {
			oauthError(w, http.StatusBadRequest, "expired_token", "unknown device code")
			return
		}
		if p.pendingPolls > 0 {
			p.pendingPolls--
			oauthError(w, http.StatusBadRequest, "authorization_pending", "waiting for the user")
			return
		}
		delete(p.devices, r.PostForm.Get("device_code"))
		resp["refresh_token"] = p.newRefreshLocked()
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", r.PostForm.Get("grant_type"))
		return
	}
	at := "at-" + p.randomLocked()
	p.access[at] = time.Now().Add(time.Duration(p.expiresIn) * time.Second)
	resp["access_token"] = at
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func (p *OAuthProvider) deviceCode(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") != p.ClientID {
		oauthError(w, http.StatusBadRequest, "invalid_client", "unknown client")
		return
	}
	dc := "dc-" + p.randomLocked()
	uc := "WDJB-MJHT"
	p.devices[dc] = uc
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"device_code":      dc,
		"user_code":        uc,
		"verification_uri": p.srv.URL + "/device",
		"expires_in":       600,
		"interval":         1,
	})
}

// introspect answers RFC 7662 style: {"active":true,"username":...}.
// Dovecot asks with POST token=... (introspection_mode = post) or with
// the token appended to the URL (get).
func (p *OAuthProvider) introspect(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	if tok == "" {
		if err := r.ParseForm(); err == nil {
			tok = r.PostForm.Get("token")
		}
	}
	user, ok := p.AccessTokenValid(tok)
	p.mu.Lock()
	p.introspected++
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		json.NewEncoder(w).Encode(map[string]any{"active": false})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"active": true, "username": user, "scope": "mail"})
}
