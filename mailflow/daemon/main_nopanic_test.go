package daemon

import (
	"testing"

	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
	"github.com/mailflow/mailflow/mailflow/internal/supervise/nopanic"
)

// TestMain fails the run when a goroutine recovered a panic no test
// expected, and stops the PostgreSQL the tests shared (MAILFLOW_TEST_DB=postgres).
func TestMain(m *testing.M) { nopanic.Run(m, pgtest.StopShared) }
