package bots

import (
	"context"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// Whisperer is implemented by adapters that can show a message in a group
// to one member only (the console); Discord does it for interactions.
type Whisperer interface {
	Whispers() bool
}

// whisper is replyTarget for a reply meant for the sender's eyes only
// (Reply.Privately): where the platform cannot show it to them alone in a
// group (Telegram), it goes to them privately if Hearth may write to them.
func (r *Router) whisper(ctx context.Context, req *Request, reply Reply) outbox.Target {
	t := replyTarget(req, reply)
	if !reply.Privately || req.IsDirect() || req.Handle != "" {
		return t
	}
	if w, ok := r.adapters[req.Platform].(Whisperer); ok && w.Whispers() {
		return t
	}
	if ok, err := r.MayWritePrivately(ctx, req.Account()); err != nil || !ok {
		return t
	}
	return outbox.Target{Platform: req.Platform, UserID: req.From.ID, Lang: req.Lang}
}

// replyTarget answers in the chat the request came from: in place of the
// interaction or button when there is one, else as a reply to the command.
func replyTarget(req *Request, reply Reply) outbox.Target {
	t := outbox.Target{Platform: req.Platform, ChatID: req.Update.Chat.ID, ThreadID: req.ThreadID, Handle: req.Handle, Lang: req.Lang}
	switch {
	case reply.Edit && req.Kind == KindButton:
		t.EditID = req.MessageID
	case req.Kind == KindMessage && !req.IsDirect():
		t.ReplyTo = req.MessageID
	}
	return t
}

// refuse answers a command or a button the member may not use, and
// audits the attempt. A button is not named by its command: the member
// pressed Undo, not /modlog.
func (r *Router) refuse(ctx context.Context, req *Request, cmd *Command, action string) Reply {
	r.audit(ctx, req, cmd, action)
	key := "command.staff_only"
	if cmd.Permission == community.RoleOwner {
		key = "command.owner_only"
	}
	if req.Kind != KindMessage {
		key = strings.Replace(key, "command.", "command.button_", 1)
	}
	return Reply{Text: req.Text(key, map[string]any{"Command": "/" + cmd.Name}), Ephemeral: true}
}

// badButton is the error for button data Hearth did not write or no
// longer reads (forged, or from an older version): the member is told the
// button no longer works, and nothing is logged as a failure.
func badButton(data string) error {
	return community.Errorf(community.EInvalid, "button.unknown", nil, "unknown button %q", data)
}

// wrongPlace refuses a command used where it does not work, saying where
// it does, and audits it.
func (r *Router) wrongPlace(ctx context.Context, req *Request, cmd *Command) Reply {
	r.audit(ctx, req, cmd, "command.wrong_place")
	return Reply{Text: req.Text("command.wrong_place", map[string]any{"Command": "/" + cmd.Name, "Where": catalog.Raw(r.placeNames(req, cmd.Where))}),
		Ephemeral: true}
}

// audit writes a refused command to the audit log.
func (r *Router) audit(ctx context.Context, req *Request, cmd *Command, action string) {
	details := map[string]any{"command": cmd.Name, "platform": string(req.Platform), "role": req.Role.String(),
		"needs": cmd.Permission.String()}
	if req.Member == 0 {
		details["user"] = req.From.ID // no member to name: the platform account
	}
	if req.Kind != KindMessage {
		details["button"] = req.Data
	}
	if err := r.store.Audit(ctx, community.AuditEntry{At: r.now(), Actor: req.Member, Action: action, Chat: req.ChatID, Details: details}); err != nil {
		r.log.Error("audit refused command", "action", action, "error", err)
	}
}
