package config

import (
	"strings"
	"testing"
	"time"
)

func TestHTTPKeys(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if h := cfg.HTTP; h.Addr != "" || h.IntakeSilence != 15*time.Minute || h.OutboxStuck != 15*time.Minute || h.ConnectGrace != 30*time.Second {
		t.Errorf("defaults %+v", h)
	}
	cfg, err = Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base+"http: {addr: \"127.0.0.1:9464\", intake_silence: 5m, outbox_stuck: 1h, connect_grace: 10s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if h := cfg.HTTP; h.Addr != "127.0.0.1:9464" || h.IntakeSilence != 5*time.Minute || h.OutboxStuck != time.Hour || h.ConnectGrace != 10*time.Second {
		t.Errorf("read %+v", h)
	}
	for _, c := range []struct {
		yaml, want string
	}{
		{"http: {addr: \"127.0.0.1\"}\n", "http.addr"},
		{"http: {addr: \"127.0.0.1:http-ish\"}\n", "http.addr"},
		{"http: {addr: \"127.0.0.1:70000\"}\n", "http.addr"},
		{"http: {intake_silence: 0s}\n", "intake_silence"},
		{"http: {addr: \"127.0.0.1:9464\", public_url: \"desk.example.com\"}\n", "http.public_url"},
		{"http: {addr: \"127.0.0.1:9464\", public_url: \"ftp://desk.example.com\"}\n", "http.public_url"},
		{"http: {public_url: \"https://desk.example.com\"}\n", "http.public_url"},
	} {
		_, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to mention %q", c.yaml, err, c.want)
		}
	}
	// Any host is valid; only loopback ones are quiet.
	for addr, loop := range map[string]bool{
		"127.0.0.1:9464": true, "[::1]:9464": true, "localhost:9464": true,
		"0.0.0.0:9464": false, ":9464": false, "192.0.2.7:9464": false, "monitor.example.com:9464": false,
	} {
		if _, err := Parse("test.yaml", []byte("sandbox: {enabled: true}\n"+base+"http: {addr: \""+addr+"\"}\n")); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
		if got := (HTTP{Addr: addr}).Loopback(); got != loop {
			t.Errorf("%s: loopback %v, want %v", addr, got, loop)
		}
	}
}
