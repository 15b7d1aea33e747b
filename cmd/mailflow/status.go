package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/daemon"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/store"
)

// openExisting loads the config and opens its database, refusing to create
// one: the reading commands must not leave an empty database behind by
// mistake.
func openExisting(ctx context.Context, cfgPath configFlags) (*store.Store, *config.Config, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	driver, source, err := cfg.Database.Source()
	if err != nil {
		return nil, nil, err
	}
	if driver == store.SQLite {
		if _, err := os.Stat(cfg.Database.Path); err != nil {
			return nil, nil, fmt.Errorf("no database at %s (has `mailflow run` been started with this config?)", cfg.Database.Path)
		}
	}
	st, err := store.Open(ctx, driver, source)
	if err != nil {
		return nil, nil, err
	}
	return st, cfg, nil
}

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs, cfgPath := flags("status", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	loc := cfg.Location()
	kv, err := st.Status(ctx)
	if err != nil {
		return err
	}
	ob, err := st.OutboxStats(ctx)
	if err != nil {
		return err
	}
	outcomes, err := st.OutcomeCounts(ctx)
	if err != nil {
		return err
	}
	// The same judgement as the daemon's /healthz: asked of the daemon
	// itself when it serves one (it knows what it could not write down),
	// else judged here from the database, the disk and the daemon lock.
	calq, err := st.CalendarSyncStats(ctx)
	if err != nil {
		return err
	}
	verdict, fromDaemon := askDaemon(ctx, cfg)
	if !fromDaemon {
		verdict = health.Check(health.Facts{Now: time.Now(), Status: kv, Outbox: ob, Live: localFacts(ctx, st, cfg), Calendar: calq}, health.FromConfig(cfg.HTTP))
	}
	if cfg.OneOfSeveral() {
		fmt.Fprintf(stdout, "desk %s (%s)\n", cfg.Slug, cfg.Name)
	}
	fmt.Fprintln(stdout, verdict.Verdict())
	defer func() {
		if err == nil && !verdict.Healthy {
			err = &exitError{1, errors.New(verdict.Verdict())}
		}
	}()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	show := func(label, key string) {
		v, ok := kv[key]
		if !ok {
			fmt.Fprintf(tw, "%s\t-\n", label)
			return
		}
		fmt.Fprintf(tw, "%s\t%s\t(%s ago)\n", label, v.Value, time.Since(v.UpdatedAt).Round(time.Second))
	}
	show("intake state", store.StatusIntakeState)
	show("intake heartbeat", store.StatusIntakeBeat)
	show("last poll", store.StatusLastPoll)
	show("last mail stored", store.StatusLastMail)
	show("last intake error", store.StatusIntakeLastErr)
	show("last imap login", store.StatusIntakeLogin)
	if v, ok := kv[store.StatusOAuthLastErr]; ok && v.Value != "" {
		show("oauth error", store.StatusOAuthLastErr)
	}
	fmt.Fprintf(tw, "outbox\t%d pending, %d sent, %d dead letters\n", ob.Pending, ob.Sent, ob.Dead)
	if !ob.OldestPending.IsZero() {
		fmt.Fprintf(tw, "oldest pending\t%s\t(%s ago)\n", ob.OldestPending.In(loc).Format(time.RFC3339), time.Since(ob.OldestPending).Round(time.Second))
	}
	show("last outbox error", store.StatusOutboxLastErr)
	eb, err := st.ErasureBacklog(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "server erasures\t%d pending, %d given up\n", eb.Pending, eb.GaveUp)
	if !eb.Oldest.IsZero() {
		fmt.Fprintf(tw, "oldest erasure\t%s\t(%s ago)\n", eb.Oldest.In(loc).Format(time.RFC3339), time.Since(eb.Oldest).Round(time.Second))
	}
	if eb.LastError != "" {
		fmt.Fprintf(tw, "last erasure error\t%s\n", eb.LastError)
	}
	showCalendars(tw, cfg, kv, calq, loc)
	show("circuit breaker", store.StatusBreaker)
	showPrefixed(tw, kv, "jobs.", "job ")
	if err := showInstances(ctx, tw, st); err != nil {
		return err
	}
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		label := k
		if label == "" {
			label = "undecided"
		}
		fmt.Fprintf(tw, "mail %s\t%d\n", label, outcomes[k])
	}
	return tw.Flush()
}

// askDaemon gets the running daemon's /healthz verdict, when http.addr is
// set and it answers.
func askDaemon(ctx context.Context, cfg *config.Config) (health.Report, bool) {
	var rep health.Report
	if cfg.HTTP.Addr == "" {
		return rep, false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addr := cfg.HTTP.Addr
	// A listener on every interface (":9464", "0.0.0.0:9464") is asked on loopback.
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	path := "/healthz"
	if cfg.OneOfSeveral() {
		path = "/d/" + cfg.Slug + "/healthz" // the desk's own verdict
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return rep, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rep, false
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&rep); err != nil || rep.Status == "" {
		return rep, false
	}
	return rep, true
}

// localFacts measures what the daemon would know itself: whether the
// database takes a write, the free disk space, and whether a daemon holds
// the database at all.
func localFacts(ctx context.Context, st *store.Store, cfg *config.Config) health.Live {
	var l health.Live
	if err := st.SetStatus(ctx, store.StatusProbe, time.Now().UTC().Format(time.RFC3339)); store.IsWriteRefused(err) {
		l.WritesRefusedSince, l.WritesErr = time.Now(), err
	}
	if !cfg.Database.IsPostgres() {
		if free := health.DiskFree(cfg.Database.Path); free >= 0 {
			l.DiskFree, l.DiskChecked = free, true
		}
	}
	if held, err := st.DaemonRunning(ctx); err == nil && !held {
		l.NoDaemon = true
	}
	return l
}

func cmdAppointments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "list":
		return appointmentsList(ctx, args, stdout, stderr)
	case "show", "cancel", "done", "no-show", "note":
		return appointmentsChange(ctx, verb, args, stdout, stderr)
	}
	return &exitError{2, fmt.Errorf("unknown verb %q: use list, show, cancel, done, no-show or note", verb)}
}

func appointmentsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("appointments list", stderr)
	date := fs.String("date", "", "first day to list (YYYY-MM-DD, default today)")
	days := fs.Int("days", 14, "how many days to list")
	tech := fs.String("technician", "", "only this technician's sessions (mail address)")
	all := fs.Bool("all", false, "also cancelled and done sessions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	loc := cfg.Location()
	from := time.Now().In(loc)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	if *date != "" {
		if from, err = time.ParseInLocation(time.DateOnly, *date, loc); err != nil {
			return &exitError{2, fmt.Errorf("-date: %w", err)}
		}
	}
	as, err := st.Appointments(ctx, from, from.AddDate(0, 0, *days))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTART\tSTATUS\tTECHNICIAN\tCUSTOMER\tID")
	for _, a := range as {
		if *tech != "" && !strings.EqualFold(a.Technician, *tech) || !*all && a.Status != store.StatusBooked {
			continue
		}
		id := "-"
		if a.AnyDeskID.Valid {
			id = "received"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Ref, a.Start.In(loc).Format("Mon 2006-01-02 15:04"), a.Status, a.Technician, a.Customer, id)
	}
	return tw.Flush()
}

// appointmentsChange shows one appointment or changes it through the desk
// core, as the operator (the command line on the server is its proof). A
// cancellation is mailed to the customer through the outbox (the running
// daemon sends it), with the calendar cancellation attached.
func appointmentsChange(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("appointments "+verb, stderr)
	notify := fs.Bool("notify", true, "cancel: tell the customer by mail")
	text := fs.String("text", "", "done, no-show: the protocol; note: the note")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &exitError{2, fmt.Errorf("name one booking reference, e.g. mailflow appointments %s FW-1001", verb)}
	}
	ref := strings.ToUpper(fs.Arg(0))
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	loc := cfg.Location()
	if verb == "show" {
		a, err := st.AppointmentByRef(ctx, ref)
		if err != nil {
			return err
		}
		id := "not yet"
		switch {
		case a.AnyDeskID.Valid:
			id = "received"
		case a.Status != store.StatusBooked:
			// Retention may have erased it; whether one ever came is not kept.
			id = "none (or erased)"
		}
		fmt.Fprintf(stdout, "%s  %s\nstart       %s\nend         %s\ntechnician  %s\ncustomer    %s <%s>\nreason      %s\nanydesk id  %s\nlanguage    %s\nchanges     %d\n",
			a.Ref, a.Status, a.Start.In(loc).Format("Mon 2006-01-02 15:04"), a.End.In(loc).Format("15:04"), a.Technician,
			a.CustomerName, a.Customer, a.Reason, id, a.Language, a.Sequence)
		if a.DoneAt.Valid {
			fmt.Fprintf(stdout, "done at     %s\n", a.DoneAt.Time.In(loc).Format("Mon 2006-01-02 15:04"))
		}
		if a.Protocol != "" {
			fmt.Fprintf(stdout, "protocol\n  %s\n", strings.ReplaceAll(a.Protocol, "\n", "\n  "))
		}
		return nil
	}
	slots, _, composer, err := daemon.Parts(cfg)
	if err != nil {
		return err
	}
	core := desk.New(cfg, st, slots, composer)
	now := time.Now()
	// The key makes the mail's Message-ID; the changes counter keeps a
	// second cancellation of a re-used reference apart (there is none:
	// references are never reused, but the key costs nothing).
	req := desk.Request{
		Actor: desk.Actor{Role: desk.RoleOperator}, Proof: desk.Proof{Operator: true, Via: "command line"},
		Ref: ref, Key: "cli/" + verb + "/" + ref, Now: now, Text: *text, Quiet: !*notify,
	}
	act := map[string]func(context.Context, *store.Tx, desk.Request) (*desk.Result, error){
		"cancel": core.Cancel, "done": core.Done, "no-show": core.NoShow, "note": core.Note,
	}[verb]
	var res *desk.Result
	err = st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if res, err = act(ctx, tx, req); err != nil {
			return err
		}
		if err := res.Err(); err != nil {
			return err
		}
		return core.Record(ctx, tx, res, 0, res.Outcome)
	})
	if errors.Is(err, desk.ErrNotFound) {
		return fmt.Errorf("%s: %w", ref, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if res.Checkpoint {
		// An erased AnyDesk ID must be gone from the files when we return.
		if err := st.Checkpoint(ctx); err != nil {
			return err
		}
	}
	switch {
	case verb == "cancel" && *notify:
		fmt.Fprintf(stdout, "%s cancelled; the customer's mail is queued\n", ref)
	case verb == "cancel":
		fmt.Fprintf(stdout, "%s cancelled\n", ref)
	case verb == "note":
		fmt.Fprintf(stdout, "%s note saved\n", ref)
	default:
		fmt.Fprintf(stdout, "%s marked %s\n", ref, res.Outcome)
	}
	return nil
}

// showInstances lists the daemons sharing the database (PostgreSQL) with
// their heartbeats, and who holds which lease until when.
func showInstances(ctx context.Context, w io.Writer, st *store.Store) error {
	now := time.Now()
	is, err := st.Instances(ctx, now)
	if err != nil {
		return err
	}
	for _, in := range is {
		state := "alive"
		switch {
		case in.StoppedAt.Valid:
			state = "stopped " + in.StoppedAt.Time.UTC().Format(time.RFC3339)
		case now.Sub(in.HeartbeatAt) >= store.InstanceDeadAfter:
			state = "silent (dead?)"
		}
		fmt.Fprintf(w, "instance %s\t%s, heartbeat %s ago, up since %s\n", in.ID, state,
			now.Sub(in.HeartbeatAt).Round(time.Second), in.StartedAt.UTC().Format(time.RFC3339))
	}
	ls, err := st.Leases(ctx)
	if err != nil {
		return err
	}
	for _, l := range ls {
		left := l.ExpiresAt.Sub(now).Round(time.Second)
		what := fmt.Sprintf("held by %s since %s, renewed %s ago, expires in %s", l.Holder, l.AcquiredAt.UTC().Format(time.RFC3339),
			now.Sub(l.RenewedAt).Round(time.Second), left)
		if left <= 0 {
			what = fmt.Sprintf("lapsed %s ago (was %s's)", -left, l.Holder)
		}
		fmt.Fprintf(w, "lease %s\t%s\n", l.Name, what)
	}
	return nil
}
