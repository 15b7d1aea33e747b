package pipeline

import (
	"context"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// command is what a technician asked for by replying.
type command int

const (
	cmdNone command = iota
	cmdDone
	cmdNote
	cmdCancel
	cmdReschedule
	cmdNoShow
)

// commandWords start a command line; German and English, as technicians
// write them on a phone.
var commandWords = []struct {
	words []string
	cmd   command
}{
	{[]string{"nicht erschienen", "nicht gekommen", "no-show", "no show", "noshow"}, cmdNoShow},
	{[]string{"erledigt", "done", "fertig", "abgeschlossen"}, cmdDone},
	{[]string{"notiz:", "notiz ", "note:", "note "}, cmdNote},
	{[]string{"absagen", "abgesagt", "cancel", "storno", "stornieren"}, cmdCancel},
	{[]string{"verschieben", "reschedule", "move to", "verlegen"}, cmdReschedule},
}

// parseCommand reads the first non-empty line of a technician's mail. The
// rest of that line and the lines below are the command's text (a protocol
// or a note).
func parseCommand(text string) (command, string) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		first := strings.TrimSpace(l)
		if first == "" {
			continue
		}
		lower := strings.ToLower(first)
		for _, cw := range commandWords {
			for _, w := range cw.words {
				if strings.HasPrefix(lower, w) {
					rest := strings.TrimLeft(strings.TrimSpace(first[len(w):]), ":-–, ")
					more := strings.TrimSpace(strings.Join(lines[i+1:], "\n"))
					return cw.cmd, strings.TrimSpace(rest + "\n" + more)
				}
			}
		}
		return cmdNone, ""
	}
	return cmdNone, ""
}

// technicianCommand hands a desk member's reply to a notice or an agenda
// to the desk: done (with protocol), no-show, note, cancel (the customer is
// told), or reschedule (the customer gets proposals). The desk decides
// whether this sender may; a mail that is no command, or names no booking,
// goes to a human folder untouched.
func (p *Pipeline) technicianCommand(ctx context.Context, tx *store.Tx, in *store.Incoming, msg *message.Message, reading understand.Reading, au auth, now time.Time, res *Result) error {
	res.Rule, res.Action = "technician-command", rules.ActionRouteToHuman
	cmd, text := parseCommand(msg.Text)
	if cmd == cmdNone {
		res.Outcome, res.DestFolder, res.Detail = OutcomeHuman, p.cfg.IMAP.HumanFolder, "mail from a technician without a command"
		return nil
	}
	req := p.request(in, msg, reading, au, p.core.RoleOf(msg.From.Address), now)
	req.Text = text
	// The customer's side of a change is answered in their language.
	req.Language = ""
	act := map[command]func(context.Context, *store.Tx, desk.Request) (*desk.Result, error){
		cmdDone: p.core.Done, cmdNoShow: p.core.NoShow, cmdNote: p.core.Note, cmdCancel: p.core.Cancel, cmdReschedule: p.core.Reschedule,
	}[cmd]
	dr, err := act(ctx, tx, req)
	if err != nil {
		return err
	}
	p.take(res, dr)
	return nil
}
