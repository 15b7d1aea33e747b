package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTrust(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Trust.Require != TrustCapability || cfg.Trust.DKIM || len(cfg.Trust.AuthservIDs) != 0 {
		t.Fatalf("default %+v: want capability only", cfg.Trust)
	}
	cfg, err = Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base+"trust: {require: Both, authserv_ids: [' MX.Example.com']}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Trust.Require != TrustBoth || !slices.Equal(cfg.Trust.AuthservIDs, []string{"mx.example.com"}) {
		t.Fatalf("%+v", cfg.Trust)
	}
	ex, err := Load(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil || ex.Trust.Require != TrustCapability {
		t.Fatalf("the example should show the default: %+v %v", ex.Trust, err)
	}
	for _, c := range []struct{ yaml, want string }{
		{"trust: {require: dmarc}\n", `trust.require: "dmarc" is not capability, authenticated or both`},
		{"trust: {require: authenticated}\n", "trust.require: authenticated needs trust.authserv_ids or trust.dkim"},
		{"trust: {require: both, authserv_ids: ['mx.example.com; dmarc=pass']}\n", "trust.authserv_ids: entry 0"},
		{"trust: {required: both}\n", "required"},
	} {
		_, err := Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
	if _, err := Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base+"trust: {require: authenticated, dkim: true}\n")); err != nil {
		t.Errorf("own DKIM check alone is a source of authentication: %v", err)
	}
}
