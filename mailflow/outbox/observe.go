package outbox

import (
	"context"

	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/store"
)

// SetMetrics makes the sender count deliveries and failures, time replies
// against their customer's mail and report the breaker. Call before Run.
func (s *Sender) SetMetrics(m *metrics.Metrics) { s.metrics = m }

// observe counts one recorded attempt. A delivered reply to a stored mail
// is timed from that mail's arrival to now (the attempt's time).
func (s *Sender) observe(ctx context.Context, m store.OutboxMail, a store.Attempt) {
	if s.metrics == nil {
		return
	}
	if !a.OK {
		s.metrics.SendFailed()
		return
	}
	s.metrics.Sent()
	if !m.IncomingID.Valid {
		return
	}
	arrived, ok, err := s.st.ReplyArrival(context.WithoutCancel(ctx), m.ID)
	if err != nil {
		s.log.Debug("reply latency not measured", "outbox", m.ID, "err", err)
		return
	}
	if ok {
		s.metrics.ReplyLatency(a.At.Sub(arrived))
	}
}
