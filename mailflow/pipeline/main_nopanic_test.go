package pipeline

import (
	"testing"

	"github.com/mailflow/mailflow/mailflow/internal/supervise/nopanic"
)

// TestMain fails the run when a goroutine recovered a panic no test expected.
func TestMain(m *testing.M) { nopanic.Run(m) }
