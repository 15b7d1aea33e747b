package daemon

// Several instances on one PostgreSQL database. Every instance decides
// and sends: a mail is claimed row by row (store.ClaimUndecided,
// store.ClaimForSending), so two never decide or send the same one. The
// singleton work — watching the mailbox, ending server copies, the clock's
// jobs — runs only on the instance holding the mailbox's lease; the
// others wait and take over once it lapses (the holder renews it every
// leaseRenew; a dead holder's lease lapses leaseTTL after its last
// renewal, so another instance takes over within leaseTTL+leaseRenew).
// Each instance beats in the instances table; `mailflow status` lists
// them and the leases. On SQLite the lock file keeps to one daemon and
// none of this runs.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/store"
)

const (
	leaseTTL   = 15 * time.Second
	leaseRenew = 5 * time.Second
	// sharedPoll is how often the decider and the sender look for work
	// queued by another instance (they are not woken by it).
	sharedPoll = time.Second
)

// shared reports whether other instances may run on the same database.
func (d *Daemon) shared() bool { return d.st.Engine() == store.Postgres }

// newInstanceID names this process: host, pid and a random suffix (a pid
// is reused after a restart, the suffix is not).
func newInstanceID() (id, host string) {
	host, _ = os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b)), host
}

// leaseName is the lease of the mailbox this daemon watches.
func (d *Daemon) leaseName() string {
	return fmt.Sprintf("intake %s@%s:%d/%s", d.cfg.IMAP.Username, d.cfg.IMAP.Host, d.cfg.IMAP.Port, d.cfg.IMAP.Mailbox)
}

// InstanceID is this daemon's name in the instances and leases tables.
func (d *Daemon) InstanceID() string { return d.instance }

// beat records the instance's heartbeat every leaseRenew until ctx ends,
// then records the stop and gives up its leases.
func (d *Daemon) beat(ctx context.Context) error {
	started := time.Now()
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		if err := d.st.Heartbeat(ctx, d.instance, d.host, os.Getpid(), started, time.Now()); err != nil && ctx.Err() == nil {
			d.log.Warn("heartbeat failed", "err", err)
		}
		select {
		case <-ctx.Done():
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := d.st.StopInstance(stopCtx, d.instance, time.Now()); err != nil {
				d.log.Warn("recording the stop failed; the leases lapse by themselves", "err", err)
			}
			return nil
		case <-t.C:
		}
	}
}

type loop struct {
	name string
	f    func(context.Context) error
}

// lead runs loops while this instance holds the mailbox lease, and waits
// for the lease while another does. Losing the lease (a renewal that
// failed for longer than it leaves to spare) stops the loops at once.
func (d *Daemon) lead(ctx context.Context, loops []loop) error {
	name := d.leaseName()
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	waitTick := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	logged := false
	for {
		got, err := d.st.AcquireLease(ctx, name, d.instance, leaseTTL, time.Now())
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.log.Warn("mailbox lease: cannot ask", "err", err)
		}
		if !got {
			if !logged {
				d.log.Info("another instance watches the mailbox; deciding and sending here, taking over if it stops", "lease", name)
				logged = true
			}
			if !waitTick() {
				return nil
			}
			continue
		}
		logged = false
		held := time.Now()
		d.log.Info("holding the mailbox lease: intake, eraser and jobs run here", "lease", name, "instance", d.instance)
		lctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, l := range loops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := supervise.Loop(lctx, d.log, l.name, l.f); err != nil {
					d.log.Error("loop stopped", "loop", l.name, "err", err)
				}
			}()
		}
		for lost := false; !lost; {
			if !waitTick() {
				cancel()
				wg.Wait()
				rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = d.st.ReleaseLease(rctx, name, d.instance)
				rcancel()
				return nil
			}
			got, err := d.st.AcquireLease(ctx, name, d.instance, leaseTTL, time.Now())
			switch {
			case err == nil && got:
				held = time.Now()
			case err == nil:
				lost = true
				d.log.Error("mailbox lease taken by another instance; intake stops here", "lease", name)
			case time.Since(held) >= leaseTTL-leaseRenew:
				// Not renewed for so long that it may lapse before the next
				// try: stop before another instance can start.
				lost = true
				d.log.Error("mailbox lease could not be renewed; intake stops here", "lease", name, "err", err)
			default:
				d.log.Warn("mailbox lease renewal failed; retrying", "err", err)
			}
		}
		cancel()
		wg.Wait()
	}
}
