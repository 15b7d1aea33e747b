package health

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

var (
	now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	th  = Thresholds{ConnectGrace: 30 * time.Second, IntakeSilence: 15 * time.Minute, OutboxStuck: 15 * time.Minute}
)

// status builds a status table: key → (value, age).
func status(kv ...any) map[string]store.StatusValue {
	m := map[string]store.StatusValue{}
	for i := 0; i+2 < len(kv); i += 3 {
		k, v, age := kv[i].(string), kv[i+1].(string), kv[i+2].(time.Duration)
		m[k] = store.StatusValue{Key: k, Value: v, UpdatedAt: now.Add(-age)}
	}
	return m
}

// idle is a healthy intake: logged in 2 h ago, idle, heartbeat a minute ago.
func idle(extra ...any) map[string]store.StatusValue {
	return status(append([]any{
		store.StatusIntakeState, "idle", 5 * time.Minute,
		store.StatusIntakeBeat, now.Format(time.RFC3339), time.Minute,
		store.StatusIntakeLogin, "", 2 * time.Hour,
		store.StatusIntakeDownSince, "", 2 * time.Hour,
	}, extra...)...)
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		facts Facts
		want  []string // substrings of the reasons, in order; none = healthy
	}{
		{name: "healthy", facts: Facts{Status: idle()}},
		{
			name:  "healthy with an old sent mail and a fresh pending one",
			facts: Facts{Status: idle(), Outbox: store.OutboxStats{Pending: 1, Sent: 9, OldestPending: now.Add(-time.Minute)}},
		},
		{
			name: "reconnecting briefly is fine",
			facts: Facts{Status: idle(store.StatusIntakeState, "reconnecting", 2*time.Second,
				store.StatusIntakeDownSince, now.Add(-10*time.Second).Format(time.RFC3339), 10*time.Second)},
		},
		{
			name: "reconnecting for long: the server is unreachable",
			facts: Facts{Status: idle(store.StatusIntakeState, "connecting", 2*time.Second,
				store.StatusIntakeDownSince, now.Add(-2*time.Minute).Format(time.RFC3339), 2*time.Minute,
				store.StatusIntakeLastErr, "dial imap 127.0.0.1:1143 (none): connection refused", 3*time.Second)},
			want: []string{"intake not connected for 2m0s (connecting): dial imap 127.0.0.1:1143 (none): connection refused"},
		},
		{
			name: "an error from before the outage is not quoted",
			facts: Facts{Status: idle(store.StatusIntakeState, "reconnecting", time.Second,
				store.StatusIntakeDownSince, now.Add(-time.Minute).Format(time.RFC3339), time.Minute,
				store.StatusIntakeLastErr, "old trouble", time.Hour)},
			want: []string{"intake not connected for 1m0s (reconnecting)"},
		},
		{
			name:  "stopped",
			facts: Facts{Status: idle(store.StatusIntakeState, "stopped", 3*time.Minute)},
			want:  []string{"intake stopped 3m0s ago"},
		},
		{
			name:  "never started",
			facts: Facts{Status: status()},
			want:  []string{"intake has not started"},
		},
		{
			name:  "a daemon just started has a grace period",
			facts: Facts{Status: status(), Started: now.Add(-5 * time.Second)},
		},
		{
			name: "a daemon just started ignores the last run's stopped state and old heartbeat",
			facts: Facts{Status: status(store.StatusIntakeState, "stopped", time.Hour,
				store.StatusIntakeBeat, "", 20*time.Minute), Started: now.Add(-5 * time.Second)},
		},
		{
			name:  "a daemon that never got intake going",
			facts: Facts{Status: status(), Started: now.Add(-time.Minute)},
			want:  []string{"intake has not started"},
		},
		{
			name:  "silent intake",
			facts: Facts{Status: idle(store.StatusIntakeBeat, "", 20*time.Minute)},
			want:  []string{"intake silent for 20m0s"},
		},
		{
			name:  "outbox stuck",
			facts: Facts{Status: idle(), Outbox: store.OutboxStats{Pending: 3, OldestPending: now.Add(-16 * time.Minute)}},
			want:  []string{"outbox stuck: oldest of 3 pending mails is 16m0s old"},
		},
		{
			name:  "token refresh failing since the last login",
			facts: Facts{Status: idle(store.StatusOAuthLastErr, "oauth2: \"invalid_grant\" refresh token expired", 10*time.Minute)},
			want:  []string{`oauth token refresh failing (10m0s ago): oauth2: "invalid_grant" refresh token expired`},
		},
		{
			name: "a token error before the last login is over",
			facts: Facts{Status: idle(store.StatusOAuthLastErr, "invalid_grant", 3*time.Hour,
				store.StatusIntakeLogin, "", time.Hour)},
		},
		{
			name: "an smtp login after the token error counts too",
			facts: Facts{Status: idle(store.StatusOAuthLastErr, "invalid_grant", 30*time.Minute,
				store.StatusOutboxLogin, "", time.Minute)},
		},
		{
			name:  "a cleared token error",
			facts: Facts{Status: idle(store.StatusOAuthLastErr, "", time.Minute)},
		},
		{
			name: "several reasons at once",
			facts: Facts{Status: idle(store.StatusIntakeState, "reconnecting", time.Second,
				store.StatusIntakeDownSince, now.Add(-time.Hour).Format(time.RFC3339), time.Hour,
				store.StatusIntakeBeat, "", time.Hour),
				Outbox: store.OutboxStats{Pending: 1, OldestPending: now.Add(-time.Hour)}},
			want: []string{"intake not connected for 1h0m0s", "intake silent for 1h0m0s", "outbox stuck"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.facts.Now = now
			r := Check(c.facts, th)
			if r.Healthy != (len(c.want) == 0) || (r.Status == "ok") != r.Healthy {
				t.Fatalf("healthy=%v status=%q reasons=%q", r.Healthy, r.Status, r.Reasons)
			}
			if len(r.Reasons) != len(c.want) {
				t.Fatalf("reasons %q, want %d like %q", r.Reasons, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(r.Reasons[i], w) {
					t.Errorf("reason %d = %q, want it to contain %q", i, r.Reasons[i], w)
				}
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	if v := (Report{Healthy: true}).Verdict(); v != "healthy" {
		t.Errorf("verdict %q", v)
	}
	if v := (Report{Reasons: []string{"a", "b"}}).Verdict(); v != "unhealthy: a; b" {
		t.Errorf("verdict %q", v)
	}
}

func TestLongErrorsStayOneLine(t *testing.T) {
	r := Check(Facts{Now: now, Status: idle(store.StatusOAuthLastErr, "line one\nline two "+strings.Repeat("x", 500), time.Minute)}, th)
	if len(r.Reasons) != 1 || strings.Contains(r.Reasons[0], "\n") || len([]rune(r.Reasons[0])) > 300 {
		t.Errorf("reason %q", r.Reasons)
	}
}

// TestGatherFromStore reads real status rows and outbox state.
func TestGatherFromStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for k, v := range map[string]string{store.StatusIntakeState: "idle", store.StatusIntakeBeat: "x", store.StatusIntakeLogin: "x"} {
		if err := st.SetStatus(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Enqueue(ctx, &store.OutboxMail{MessageID: "<h@x>", Purpose: "test", Sender: "a@x", Recipient: "b@x", Raw: []byte("x")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Gather(ctx, st, time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r := Check(f, th); !r.Healthy || r.Intake != "idle" || r.Pending != 1 {
		t.Errorf("fresh store: %+v", r)
	}
	f.Now = f.Now.Add(time.Hour)
	if r := Check(f, th); r.Healthy || len(r.Reasons) != 2 {
		t.Errorf("an hour later: %+v", r)
	}
}

func TestCombineNamesTheFailingDesk(t *testing.T) {
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	ok := Report{Healthy: true, Status: "ok", Intake: "idle"}
	bad := Report{Status: "unhealthy", Reasons: []string{"intake: reconnecting for 2m0s: login failed"}, Causes: []string{CauseIntake}}
	cases := []struct {
		name      string
		desks     []DeskReport
		healthy   bool
		verdict   string
		unhealthy []string
	}{
		{"all well", []DeskReport{{Slug: "a", Report: ok}, {Slug: "b", Report: ok}}, true, "healthy", nil},
		{"one failing", []DeskReport{{Slug: "a", Report: ok}, {Slug: "b", Report: bad}}, false, "unhealthy: desk b: intake: reconnecting for 2m0s: login failed", []string{"b"}},
		{"not running", []DeskReport{{Slug: "a", Report: NotRunning(now, errors.New("database locked\nby pid 7"))}, {Slug: "b", Report: ok}}, false, "unhealthy: desk a: not running: database locked by pid 7", []string{"a"}},
	}
	for _, c := range cases {
		r := Combine(now, c.desks)
		if r.Healthy != c.healthy || r.Verdict() != c.verdict || !slices.Equal(r.Unhealthy, c.unhealthy) {
			t.Errorf("%s: healthy %v, verdict %q, unhealthy %v", c.name, r.Healthy, r.Verdict(), r.Unhealthy)
		}
	}
}
