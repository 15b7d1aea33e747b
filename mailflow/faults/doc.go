// Package faults is mailflow's fault suite: it builds the real binary and
// runs it against a real Dovecot and a scripted SMTP server, then breaks
// things the way production does — kill -9 at named points of a mail's way
// (internal/failpoint), a full disk, a second daemon on the same database,
// a connection that freezes without closing, a server that goes away and
// comes back, SMTP 4xx/5xx and a connection cut after DATA — and counts
// what a customer would notice: replies lost, replies doubled, time to
// notice and to recover. Each test prints those figures.
//
// It holds tests only; `go test ./mailflow/faults -v` runs it.
package faults
