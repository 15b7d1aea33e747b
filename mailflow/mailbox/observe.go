package mailbox

import (
	"io"

	"github.com/mailflow/mailflow/mailflow/metrics"
)

// SetMetrics makes the watcher count reconnects and stored mail and report
// its state. Call before Run.
func (w *Watcher) SetMetrics(m *metrics.Metrics) { w.metrics = m }

// SetDebugWriter logs the IMAP conversation to dw (go-imap's DebugWriter).
// dw sees passwords, tokens and mail: hand it a redacting writer
// (mailflow/redact). Call before Run.
func (w *Watcher) SetDebugWriter(dw io.Writer) { w.debug = dw }
