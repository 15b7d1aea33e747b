package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base))
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Retention; r.AnyDeskIDDays != 0 || r.RawMailDays != 30 || !r.ExpungeOnForget || r.Server != ServerRedact {
		t.Fatalf("defaults %+v: want IDs erased at done, raw mail 30 days, expunge on forget, server copies redacted", r)
	}
	if cfg.TechnicianNotice.ID != NoticeIDMail {
		t.Fatalf("technician_notice.id defaults to %q, want mail until the session page exists", cfg.TechnicianNotice.ID)
	}
	cfg, err = Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base+"retention: {anydesk_id_days: 2, expunge_on_forget: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Retention; r.AnyDeskIDDays != 2 || r.RawMailDays != 30 || !r.ExpungeOnForget || r.AnyDeskIDPeriod() != 48*time.Hour || r.RawMailPeriod() != 30*24*time.Hour {
		t.Fatalf("%+v", r)
	}
	ex, err := Load(filepath.Join("..", "..", "config.example.yaml"))
	if err != nil || ex.Retention != Default().Retention {
		t.Fatalf("the example should show the defaults: %+v %v", ex.Retention, err)
	}
	for _, c := range []struct{ yaml, want string }{
		{"retention: {anydesk_id_days: -1}\n", "retention.anydesk_id_days: -1 is not between 0 and 90"},
		{"retention: {server: delete}\n", `retention.server: "delete" is not expunge, redact or keep`},
		{"technician_notice: {id: link}\n", "technician_notice.id: link needs http.public_url"},
		{"technician_notice: {id: sms}\n", `technician_notice.id: "sms" is not mail or link`},
		{"retention: {anydesk_id_days: 365}\n", "retention.anydesk_id_days"},
		{"retention: {raw_mail_days: -5}\n", "retention.raw_mail_days"},
		{"retention: {raw_days: 5}\n", "raw_days"},
	} {
		_, err := Parse("t.yaml", []byte("sandbox: {enabled: true}\n"+base+c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
}
