package mailbox

import (
	"io"

	"github.com/mailflow/mailflow/mailflow/metrics"
)

// SetMetrics makes the watcher count reconnects and stored mail and report
// its state. Call before Run.
func (w *Watcher) SetMetrics(m *metrics.Metrics) { w.metrics = m }

// SetDebugWriter logs the IMAP conversation (go-imap's DebugWriter) of
// every new connection to a writer from newWriter, one per connection so
// that a connection broken mid-response leaves nothing behind for the
// next. The writer sees passwords, tokens and mail: make it a redacting
// one (mailflow/redact). Call before Run.
func (w *Watcher) SetDebugWriter(newWriter func() io.Writer) { w.debug = newWriter }

func (w *Watcher) debugWriter() io.Writer {
	if w.debug == nil {
		return nil
	}
	return w.debug()
}
