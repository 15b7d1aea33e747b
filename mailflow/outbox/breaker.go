package outbox

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// breakerWindow is the window of the per-address and per-domain holds.
const breakerWindow = time.Hour

// breaker keeps back replies to what a mail loop looks like: many replies
// to one address, or to one domain that is not a big shared provider.
// Distinct customers are never held, however many write at once; a rate
// far above the desk's usual one raises an alarm but holds nothing.
// Held mail stays pending in the outbox and goes out when its window frees.
type breaker struct {
	addressPerHour, domainPerHour int
	shared                        map[string]bool
	alarmMails                    int
	alarmWindow                   time.Duration

	mu       sync.Mutex
	holds    map[string]time.Time // "address at DOMAIN" / "domain DOMAIN" → until
	alarm    bool
	baseline float64 // usual replies per alarm window over the past week
	baseAt   time.Time
}

func newBreaker(l config.Limits) *breaker {
	b := &breaker{addressPerHour: l.AddressPerHour, domainPerHour: l.DomainPerHour, shared: map[string]bool{},
		alarmMails: l.BreakerMails, alarmWindow: l.BreakerWindow, holds: map[string]time.Time{}}
	for _, d := range l.SharedDomains {
		b.shared[strings.ToLower(d)] = true
	}
	return b
}

// open reports whether any hold is active at now.
func (b *breaker) open(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, until := range b.holds {
		if !until.After(now) {
			delete(b.holds, k)
			continue
		}
		return true
	}
	return false
}

// describe is the breaker's state for `mailflow status`.
func (b *breaker) describe(now time.Time) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var parts []string
	for k, until := range b.holds {
		if until.After(now) {
			parts = append(parts, fmt.Sprintf("holding replies to %s until %s", k, until.UTC().Format(time.RFC3339)))
		}
	}
	if len(parts) == 0 {
		return "closed"
	}
	return strings.Join(parts, "; ")
}

// holdMail decides whether m must wait, and if so holds it in the store.
// It reports whether the mail was held.
// prev is the attempt made just before, not yet recorded: a sent one
// counts too.
func (s *Sender) holdMail(ctx context.Context, m store.OutboxMail, prev *unrecordedAttempt) (bool, error) {
	if !store.IsReply(m.Purpose) {
		return false, nil // our own agendas, reminders and notices loop nowhere
	}
	b := s.breaker
	now := s.now()
	addr := strings.ToLower(m.Recipient)
	_, domain, _ := strings.Cut(addr, "@")
	checks := []struct {
		key, address, domain string
		limit                int
	}{{"one address at " + domain, addr, "", b.addressPerHour}}
	if !b.shared[domain] {
		checks = append(checks, struct {
			key, address, domain string
			limit                int
		}{"domain " + domain, "", domain, b.domainPerHour})
	}
	for _, c := range checks {
		w, err := s.st.RepliesSent(ctx, c.address, c.domain, now.Add(-breakerWindow), c.limit, breakerWindow)
		if err != nil {
			return false, err
		}
		if prev != nil && prev.attempt.OK && store.IsReply(prev.mail.Purpose) {
			pa := strings.ToLower(prev.mail.Recipient)
			_, pd, _ := strings.Cut(pa, "@")
			if (c.address != "" && pa == c.address) || (c.domain != "" && pd == c.domain) {
				w.Sent++
				if w.FreesAt.IsZero() {
					w.FreesAt = now.Add(breakerWindow)
				}
			}
		}
		if w.Sent < c.limit {
			continue
		}
		why := fmt.Sprintf("held by the breaker: %d replies to %s within %s (a mail loop?)", w.Sent, c.key, breakerWindow)
		if err := s.st.Hold(ctx, m.ID, w.FreesAt, why); err != nil {
			return false, err
		}
		s.tripped(ctx, c.key, w.FreesAt, why)
		return true, nil
	}
	return false, nil
}

// tripped records a hold; a new one is logged, shown and counted once.
func (s *Sender) tripped(ctx context.Context, key string, until time.Time, why string) {
	b := s.breaker
	b.mu.Lock()
	_, known := b.holds[key]
	if !known || until.After(b.holds[key]) {
		b.holds[key] = until
	}
	b.mu.Unlock()
	s.lastBreakerOpen.Store(true)
	if known {
		return
	}
	s.metrics.BreakerOpen(true)
	s.log.Error("circuit breaker: replies held back (a mail loop?); the outbox keeps them", "to", key, "until", until.UTC().Format(time.RFC3339), "why", why)
	s.setStatus(store.StatusBreaker, b.describe(s.now()))
	s.setStatus(store.StatusBreakerTrip, s.now().UTC().Format(time.RFC3339)+" "+why)
}

// refreshBreaker drops ended holds (logging the close) and sounds or ends
// the flood alarm. It runs once per pass.
func (s *Sender) refreshBreaker(ctx context.Context) {
	b := s.breaker
	now := s.now()
	wasOpen := s.lastBreakerOpen.Load()
	open := b.open(now)
	s.lastBreakerOpen.Store(open)
	if wasOpen && !open {
		s.metrics.BreakerOpen(false)
		s.log.Info("circuit breaker closed: held replies go out")
		s.setStatus(store.StatusBreaker, "closed")
	}
	// The usual rate, from the past week, refreshed hourly.
	if b.baseAt.IsZero() || now.Sub(b.baseAt) > time.Hour {
		week, err := s.st.RepliesSent(ctx, "", "", now.Add(-7*24*time.Hour), 0, 0)
		if err == nil {
			b.baseline = float64(week.Sent) / float64(7*24*time.Hour/b.alarmWindow)
			b.baseAt = now
		}
	}
	recent, err := s.st.RepliesSent(ctx, "", "", now.Add(-b.alarmWindow), 0, 0)
	if err != nil {
		return
	}
	limit := max(float64(b.alarmMails), 10*b.baseline)
	switch alarm := float64(recent.Sent) > limit; {
	case alarm && !b.alarm:
		b.alarm = true
		s.log.Warn("reply rate far above usual (nothing is held back for it; loops are held per address and domain)",
			"replies", recent.Sent, "window", b.alarmWindow, "usual", fmt.Sprintf("%.1f", b.baseline))
		s.setStatus(store.StatusFloodAlarm, fmt.Sprintf("%d replies within %s, usual %.1f", recent.Sent, b.alarmWindow, b.baseline))
		s.metrics.FloodAlarm(true)
	case !alarm && b.alarm:
		b.alarm = false
		s.setStatus(store.StatusFloodAlarm, "")
		s.metrics.FloodAlarm(false)
	}
}
