package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkMailRoundTrip is the database's share of one answered mail on
// each engine: store it as fetched, claim and decide it with its reply
// queued, claim the reply for sending and record the delivery — the
// writes the daemon makes per mail, without IMAP, SMTP or understanding.
//
//	go test ./mailflow/store -run '^$' -bench MailRoundTrip
func BenchmarkMailRoundTrip(b *testing.B) {
	for _, engine := range []string{SQLite, Postgres} {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			st := openEngineTB(b, engine)
			raw := []byte("From: Kundin <k@firma.example>\r\nSubject: Fernwartung\r\n\r\nGuten Tag, hätten Sie am Montag um 10 Uhr Zeit?\r\n")
			b.ResetTimer()
			for i := range b.N {
				uid := uint32(i + 1)
				fresh, err := st.SaveFetched(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: uid},
					[]Fetched{{UID: uid, MessageID: fmt.Sprintf("<%d@firma.example>", i), BodyHash: fmt.Sprint(i), Raw: raw, Sender: "k@firma.example", Size: int64(len(raw))}}, "Processed")
				if err != nil || len(fresh) != 1 {
					b.Fatal(fresh, err)
				}
				err = st.InTx(ctx, func(tx *Tx) error {
					if ok, err := tx.ClaimUndecided(ctx, fresh[0]); err != nil || !ok {
						return fmt.Errorf("claim: %v %w", ok, err)
					}
					in, err := tx.Incoming(ctx, fresh[0])
					if err != nil {
						return err
					}
					if _, _, err := tx.MailsTo(ctx, in.Sender, time.Now().Add(-24*time.Hour), "", 0); err != nil {
						return err
					}
					if _, err := tx.Enqueue(ctx, &OutboxMail{MessageID: fmt.Sprintf("<r%d@example.com>", i), Purpose: "reply", Sender: "support@example.com",
						Recipient: in.Sender, Raw: raw}); err != nil {
						return err
					}
					return tx.Decide(ctx, in.ID, Outcome{Outcome: "replied", Rule: "bench"})
				})
				if err != nil {
					b.Fatal(err)
				}
				due, err := st.DueMail(ctx, time.Now(), 1)
				if err != nil || len(due) != 1 {
					b.Fatal(len(due), err)
				}
				if ok, err := st.RecordAndClaim(ctx, 0, nil, due[0].ID, time.Now()); err != nil || !ok {
					b.Fatal(ok, err)
				}
				if err := st.RecordAttempt(ctx, due[0].ID, Attempt{OK: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
