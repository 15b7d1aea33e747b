package mailtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

func TestTiming2(t *testing.T) {
	for i := 0; i < 8; i++ {
		ctx := context.Background()
		s := time.Now()
		d := mailtest.StartDovecot(t)
		a := time.Since(s)
		s = time.Now()
		for _, name := range []string{"Processed", "Human", "Processed"} {
			d.CreateMailbox(ctx, support, name)
		}
		b := time.Since(s)
		s = time.Now()
		d.Mailboxes(ctx, support)
		c := time.Since(s)
		s = time.Now()
		d.Fetch(ctx, support, "Nonexistent")
		e := time.Since(s)
		s = time.Now()
		d.Stop()
		f := time.Since(s)
		t.Logf("start %v create %v list %v fetchmissing %v stop %v", a, b, c, e, f)
	}
}
