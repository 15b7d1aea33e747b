package mailbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/store"
)

// BenchmarkEraserPass times one eraser pass over a full batch (200 mails
// whose raw bytes the purge just dropped) on Dovecot, with 1,000 other
// mails in the folder, per retention.server mode.
func BenchmarkEraserPass(b *testing.B) {
	const due, others = 200, 1000
	d := mailtest.StartDovecot(b)
	ctx := context.Background()
	var filler [][]byte
	for i := range others {
		filler = append(filler, mailBy("peter@firma.example", fmt.Sprintf("other-%d", i)))
	}
	if err := d.CreateMailbox(ctx, support, "Processed"); err != nil {
		b.Fatal(err)
	}
	appendTo(b, d, "Processed", filler...)
	for _, mode := range []string{config.ServerExpunge, config.ServerRedact} {
		b.Run(mode, func(b *testing.B) {
			cfg := testConfig(b, d.IMAPAddr, map[string]string{"processed_folder": "Processed"})
			cfg.Retention.Server = mode
			for n := range b.N {
				b.StopTimer()
				st := openStore(b)
				var raws [][]byte
				for i := range due {
					raws = append(raws, customerMail(fmt.Sprintf("%s-%d-%d", mode, n, i), "ID 123 456 789\r\n"))
				}
				appendTo(b, d, "Processed", raws...)
				err := st.InTx(ctx, func(tx *store.Tx) error {
					for i, raw := range raws {
						mid, hash := message.Fingerprint(raw)
						in, err := tx.InsertIncoming(ctx, store.Cursor{Mailbox: "INBOX", UIDValidity: 1}, store.Fetched{UID: uint32(i + 1), MessageID: mid, BodyHash: hash, Raw: raw})
						if err != nil {
							return err
						}
						if err := tx.Decide(ctx, in.ID, store.Outcome{Outcome: "replied"}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := st.Purge(ctx, time.Now().Add(time.Minute), store.Retention{}); err != nil {
					b.Fatal(err)
				}
				er := mailbox.NewEraser(cfg, st, testLogger(b))
				b.StartTimer()
				rep, err := er.Once(ctx, time.Now().Add(time.Minute))
				b.StopTimer()
				if err != nil || rep.Done != due {
					b.Fatalf("pass: %+v %v", rep, err)
				}
			}
			b.ReportMetric(float64(due)*float64(b.N)/b.Elapsed().Seconds(), "erasures/s")
		})
	}
}
