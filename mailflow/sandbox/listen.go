package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// ErrNotLoopback is returned when a sandbox server is asked to listen on an
// address other than a loopback one. The sandbox accepts any login and any
// recipient, so it must never be reachable from another machine.
var ErrNotLoopback = errors.New("sandbox: address is not a loopback address")

// listenLoopback listens on addr after making sure it is a loopback address.
// An empty host (":1025", ":0") means 127.0.0.1, never all interfaces.
func listenLoopback(ctx context.Context, addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen address %q: %w", addr, err)
	}
	switch host {
	case "":
		host = "127.0.0.1"
	case "localhost":
	default:
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("listen %q: %w", addr, ErrNotLoopback)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen %q: %w", addr, err)
	}
	// "localhost" may resolve to something odd on a misconfigured host;
	// check what we really bound.
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("listen %q bound %s: %w", addr, ln.Addr(), ErrNotLoopback)
	}
	return ln, nil
}
