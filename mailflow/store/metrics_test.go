package store

import (
	"context"
	"testing"
	"time"
)

func TestReplyArrival(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		cur := Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: 1}
		ids, err := s.SaveFetched(ctx, cur, []Fetched{{UID: 1, MessageID: "<a@x>", BodyHash: "h", Raw: []byte("x"), Sender: "kunde@example.org"}}, "")
		if err != nil || len(ids) != 1 {
			t.Fatal(ids, err)
		}
		queue := func(msgID, to string, incoming int64) int64 {
			t.Helper()
			m := &OutboxMail{MessageID: msgID, Purpose: "test", Sender: "support@example.com", Recipient: to, Raw: []byte("x")}
			m.IncomingID.Int64, m.IncomingID.Valid = incoming, incoming != 0
			err := s.InTx(ctx, func(tx *Tx) error { _, err := tx.Enqueue(ctx, m); return err })
			if err != nil {
				t.Fatal(err)
			}
			ms, err := s.Outbox(ctx, OutboxPending)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range ms {
				if o.MessageID == msgID {
					return o.ID
				}
			}
			t.Fatalf("%s not queued", msgID)
			return 0
		}
		reply := queue("<r@y>", "Kunde@Example.org", ids[0])
		notice := queue("<n@y>", "anna@example.com", ids[0])
		agenda := queue("<g@y>", "kunde@example.org", 0)

		at, ok, err := s.ReplyArrival(ctx, reply)
		if err != nil || !ok || time.Since(at) > time.Minute || time.Since(at) < 0 {
			t.Errorf("reply: %v %v %v", at, ok, err)
		}
		for name, id := range map[string]int64{"notice": notice, "agenda": agenda, "missing": 999} {
			if _, ok, err := s.ReplyArrival(ctx, id); ok || err != nil {
				t.Errorf("%s: ok=%v err=%v, want no arrival", name, ok, err)
			}
		}
	})
}
