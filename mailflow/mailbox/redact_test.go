package mailbox_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/message"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current code")

// TestRedact pins the redacted copy that replaces a mail on the server
// byte for byte, and checks what it promises: the threading headers as
// they were, no AnyDesk ID in any spelling or encoding, no display name,
// Cc, body or attachment, and the same bytes on every retry.
func TestRedact(t *testing.T) {
	at := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	for _, name := range []string{"multipart", "encoded-subject", "no-headers"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "redact", name+".eml"))
			if err != nil {
				t.Fatal(err)
			}
			got := mailbox.Redact(raw, at)
			checkGolden(t, filepath.Join("testdata", "golden", "redacted."+name+".eml"), got)
			if again := mailbox.Redact(raw, at); !bytes.Equal(again, got) {
				t.Fatal("a retry builds other bytes: it would put back a second copy")
			}
			for _, never := range []string{"123456789", "123 456 789", "123-456-789", "MTIzNDU2Nzg5", "Maria", "Huber", "chef@", "Anhang", "Drucker"} {
				if bytes.Contains(got, []byte(never)) {
					t.Errorf("the redacted copy still holds %q:\n%s", never, got)
				}
			}
			origID, _ := message.Fingerprint(raw)
			copyID, _ := message.Fingerprint(got)
			if origID != copyID {
				t.Errorf("Message-ID %q became %q", origID, copyID)
			}
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
