package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// auditRecord is one exported audit row. Times are in the desk's zone,
// which is how the desk reads them.
type auditRecord struct {
	ID         int64  `json:"id"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	Action     string `json:"action"`
	Ref        string `json:"ref"`
	IncomingID *int64 `json:"incoming_id"`
	Outcome    string `json:"outcome"`
}

// cmdAudit exports the audit log: `mailflow audit [-from D] [-to D] [-format csv|json]`.
func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("audit", stderr)
	fromDay := fs.String("from", "", "first day to export (YYYY-MM-DD, desk time; default: the beginning)")
	toDay := fs.String("to", "", "last day to export, inclusive (YYYY-MM-DD, desk time; default: the end)")
	format := fs.String("format", "csv", "csv, or json (one array)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return &exitError{2, fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *format != "csv" && *format != "json" {
		return &exitError{2, fmt.Errorf("-format %q: use csv or json", *format)}
	}
	st, cfg, err := openExisting(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	loc := cfg.Location()
	// Without bounds everything is exported.
	from, to := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if *fromDay != "" {
		if from, err = time.ParseInLocation(time.DateOnly, *fromDay, loc); err != nil {
			return &exitError{2, fmt.Errorf("-from: %w", err)}
		}
	}
	if *toDay != "" {
		last, err := time.ParseInLocation(time.DateOnly, *toDay, loc)
		if err != nil {
			return &exitError{2, fmt.Errorf("-to: %w", err)}
		}
		to = time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	}
	if !to.After(from) {
		return &exitError{2, fmt.Errorf("-to %s is before -from %s", *toDay, *fromDay)}
	}
	es, err := st.AuditLog(ctx, from, to)
	if err != nil {
		return err
	}
	recs := make([]auditRecord, len(es))
	for i, e := range es {
		recs[i] = auditRecord{ID: e.ID, At: e.At.In(loc).Format(time.RFC3339), Actor: e.Actor, Action: e.Action, Ref: e.Ref, IncomingID: e.IncomingID, Outcome: e.Outcome}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(recs); err != nil {
			return fmt.Errorf("write audit log: %w", err)
		}
		return nil
	}
	w := csv.NewWriter(stdout)
	w.Write([]string{"id", "at", "actor", "action", "ref", "incoming_id", "outcome"})
	for _, r := range recs {
		in := ""
		if r.IncomingID != nil {
			in = strconv.FormatInt(*r.IncomingID, 10)
		}
		w.Write([]string{strconv.FormatInt(r.ID, 10), r.At, cell(r.Actor), cell(r.Action), cell(r.Ref), in, cell(r.Outcome)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from running a value as a formula: rule names
// and outcomes are operator text, and the export is meant to be opened.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
