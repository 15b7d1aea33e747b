package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/store"
)

// dueAlerts mails the team lead once when the outbox's circuit breaker
// starts holding replies (the sender records each trip in the status
// table; it has no composer and must not build mail). Without a team lead
// the trip is in the log, status and metrics only.
func (r *Runner) dueAlerts(ctx context.Context, now time.Time) (int, error) {
	lead := strings.TrimSpace(r.cfg.Jobs.TeamLead)
	if lead == "" {
		return 0, nil
	}
	kv, err := r.st.Status(ctx)
	if err != nil {
		return 0, err
	}
	trip := kv[store.StatusBreakerTrip].Value
	if trip == "" {
		return 0, nil
	}
	sum := sha256.Sum256([]byte(trip))
	key := "alert:breaker:" + hex.EncodeToString(sum[:8])
	queued := false
	err = r.st.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimJob(ctx, key, now)
		if err != nil || !ok {
			return err
		}
		when, why, _ := strings.Cut(trip, " ")
		subject, text := "Mail loop? mailflow holds replies back", fmt.Sprintf(
			"mailflow's circuit breaker started holding replies back at %s:\n\n    %s\n\n"+
				"Only mail to that address or domain waits; it stays in the outbox and goes out\n"+
				"when the hour frees. Other customers are not affected. `mailflow status` shows\n"+
				"what is held. If this is a real customer company writing that much, add its\n"+
				"domain to limits.shared_domains or raise limits.domain_per_hour.\n", when, why)
		if r.cfg.Desk.Language == "de" {
			subject, text = "Mail-Schleife? mailflow hält Antworten zurück", fmt.Sprintf(
				"Die Sicherung von mailflow hält seit %s Antworten zurück:\n\n    %s\n\n"+
					"Nur Mail an diese Adresse oder Domain wartet; sie bleibt im Postausgang und\n"+
					"geht hinaus, sobald die Stunde frei wird. Andere Kunden sind nicht betroffen.\n"+
					"`mailflow status` zeigt, was zurückgehalten wird. Schreibt eine echte\n"+
					"Kundenfirma so viel, ihre Domain bei limits.shared_domains eintragen oder\n"+
					"limits.domain_per_hour erhöhen.\n", when, why)
		}
		out, err := r.composer.RenderAlert(compose.Alert{To: mail.Address{Address: lead}, Key: key, Subject: subject, Text: text, Date: now})
		if err != nil {
			return err
		}
		// Purpose "technician-notice": our own people, not a reply; the
		// breaker and the caps do not count it, so an alert about a hold
		// is never held itself.
		_, err = tx.Enqueue(ctx, &store.OutboxMail{MessageID: out.MessageID, Purpose: "technician-notice", Sender: out.From, Recipient: out.To, Raw: out.Raw})
		queued = err == nil
		return err
	})
	if err != nil || !queued {
		return 0, err
	}
	r.log.Info("breaker alert queued for the team lead")
	return 1, nil
}
