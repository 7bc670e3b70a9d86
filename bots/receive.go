package bots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
)

// Inspector looks at a plain message (not a command), new or edited,
// before it is recorded, in process and cheaply, and reports whether its
// hook must handle it. Messages no inspector flags are only recorded, in
// batches, as before: watching every message costs no handling.
type Inspector func(u Update) bool

type inspection struct {
	name    string
	inspect Inspector
	hook    Hook
}

// Inspect runs hook for the plain messages that inspect flags. The name
// is how a recorded message remembers which inspectors flagged it, the
// same in every process and version.
func (r *Router) Inspect(name string, inspect Inspector, hook Hook) {
	r.inspections = append(r.inspections, inspection{name: name, inspect: inspect, hook: hook})
}

// inspected returns the names of the inspectors that flag u: a new or
// edited message that is no command.
func (r *Router) inspected(u Update) []string {
	if u.Kind != KindMessage && u.Kind != KindEdited || u.Command != "" {
		return nil
	}
	var out []string
	for _, i := range r.inspections {
		if i.inspect(u) {
			out = append(out, i.name)
		}
	}
	return out
}

// recorded is an update as the inbox keeps it: with the inspectors that
// flagged it on arrival, so that they look at each message once.
type recorded struct {
	Update  Update   `json:"update"`
	Flagged []string `json:"flagged,omitempty"`
}

// hooksOf returns the hooks of the inspectors a recorded update was
// flagged by.
func (r *Router) hooksOf(flagged []string) []Hook {
	var out []Hook
	for _, i := range r.inspections {
		if slices.Contains(flagged, i.name) {
			out = append(out, i.hook)
		}
	}
	return out
}

// Receive records one update durably and returns: the adapter may then
// acknowledge it to its platform. Handling follows from the inbox, in
// order per chat, so that a slow handler never holds back the platform's
// next updates or other chats. Text PostgreSQL cannot store (NUL, invalid
// UTF-8) is cleaned first. An update the database refuses for its data
// maxAttempts times goes to the dead letters and is acknowledged too, so
// that it never stops the others; while the database is away or in
// trouble Receive keeps trying. An error means ctx ended first.
func (r *Router) Receive(ctx context.Context, u Update) error {
	u, in, err := r.prepare(u)
	if err != nil {
		return err
	}
	return r.settle(ctx, u, in, r.recorder.enqueue(ctx, in))
}

// Accept is Receive that does not wait: the update takes its place in
// the recording queue now, so that updates accepted one after the other
// are recorded in that order, and done reports when it is recorded (nil)
// or ctx ended first.
func (r *Router) Accept(ctx context.Context, u Update) (done <-chan error) {
	result := make(chan error, 1)
	u, in, err := r.prepare(u)
	if err != nil {
		result <- err
		return result
	}
	rec := r.recorder.enqueue(ctx, in)
	go func() { result <- r.settle(ctx, u, in, rec) }()
	return result
}

func (r *Router) prepare(u Update) (Update, inbox.Inbound, error) {
	if u.ID == "" || u.Platform == "" {
		return u, inbox.Inbound{}, fmt.Errorf("update without platform or id: %+v", u)
	}
	u = u.Clean()
	if u.At.IsZero() {
		u.At = r.now()
	}
	return u, r.inbound(u), nil
}

// settle waits for an update's recording and tries again until it is
// recorded, given up on or ctx ends.
func (r *Router) settle(ctx context.Context, u Update, in inbox.Inbound, rec *recording) error {
	var problem error
	for tries, refused := 1, 0; ; tries++ {
		out, err := rec.wait(ctx)
		if err == nil {
			if out.Queued {
				r.inbox.wakeUp()
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("record %s update %s: %w", u.Platform, u.ID, err)
		}
		problem = err
		if errors.Is(err, inbox.ErrUnrecordable) {
			if refused++; refused >= maxAttempts {
				return r.giveUp(ctx, u, problem)
			}
		}
		r.log.Warn("update not recorded; trying again", "platform", u.Platform, "update", u.ID, "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("record %s update %s: %w", u.Platform, u.ID, ctx.Err())
		case <-time.After(min(r.inbox.pause(tries)/10, 5*time.Second)):
		}
		rec = r.recorder.enqueue(ctx, in)
	}
}

// giveUp moves an update the database would not record to the dead
// letters, trying again while the database is away.
func (r *Router) giveUp(ctx context.Context, u Update, problem error) error {
	payload, _ := json.Marshal(u)
	d := deadUpdate(u, inbox.StageRecord, string(payload), problem, maxAttempts, r.now())
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := r.store.DeadInbound(ctx, d)
		if err == nil {
			break
		}
		r.log.Error("move an update to the dead letters; trying again", "platform", u.Platform, "update", u.ID, "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("move %s update %s to the dead letters: %w", u.Platform, u.ID, err)
		case <-time.After(wait):
		}
	}
	r.log.Error("update not recorded after every attempt: moved to the dead letters", "platform", u.Platform, "update", u.ID, "error", problem)
	r.deadLettered(d)
	return nil
}

func (r *Router) deadLettered(d inbox.DeadUpdate) { r.dead(d) }

// Handle receives one update and waits until it is handled: for the
// console, whose transcript must show each answer after its question.
func (r *Router) Handle(ctx context.Context, u Update) error {
	handled, forget := r.inbox.waiter(u.Platform, u.ID)
	defer forget()
	if err := r.Receive(ctx, u); err != nil {
		return err
	}
	queued, err := r.store.Waiting(ctx, u.Platform, u.ID)
	if err != nil || !queued {
		return err
	}
	select {
	case <-handled:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// inbound is what Receive records of an update: the update itself when it
// needs handling.
func (r *Router) inbound(u Update) inbox.Inbound {
	flagged := r.inspected(u)
	handle := r.needsHandling(u) || len(flagged) > 0
	in := inboundOf(u, handle)
	in.Always = u.Kind == KindBotAdded || u.Kind == KindBotRemoved || u.Kind == KindGroupMoved || u.Kind == KindMessage && u.Command != ""
	in.Queue, in.Seq = u.Queue(), u.Seq
	if handle {
		payload, err := json.Marshal(recorded{Update: u, Flagged: flagged})
		if err != nil { // an Update is plain data: this does not happen
			panic(fmt.Sprintf("encode update %s: %v", u.ID, err))
		}
		in.Payload = payload
	}
	return in
}

// process handles a recorded update and returns what to send. Outside the
// community's groups only Hearth's arrival and /connect are answered.
// A sender recorded while their group was not yet the community's is
// resolved to a member now.
func (r *Router) process(ctx context.Context, u recorded, rec inbox.Recorded) ([]outbox.Outgoing, error) {
	if !rec.Outside && rec.Member == 0 && u.Update.From.ID != "" && !u.Update.From.IsBot {
		m, lang, err := r.store.EnsureMember(ctx, u.Update.Platform, u.Update.From)
		if err != nil {
			return nil, err
		}
		rec.Member, rec.MemberLanguage = m, lang
	}
	req := r.request(u.Update, rec)
	if rec.Outside {
		return r.outsider(ctx, req), nil
	}
	out := r.handle(ctx, req, r.hooksOf(u.Flagged))
	if req.retry != nil {
		return nil, req.retry
	}
	return out, nil
}

// needsHandling tells updates that only need recording from those a
// command, button, form or hook must answer.
func (r *Router) needsHandling(u Update) bool {
	switch u.Kind {
	case KindButton, KindForm:
		return true
	case KindMessage:
		if u.Command != "" {
			return true
		}
	}
	return len(r.hooks[u.Kind]) > 0
}

func inboundOf(u Update, handle bool) inbox.Inbound {
	in := inbox.Inbound{Platform: u.Platform, Key: u.ID, At: u.At, From: u.From, Chat: u.Chat, Done: !handle}
	if u.From.IsBot {
		in.From = User{}
	}
	switch {
	case u.Kind == KindMessage && u.Command == "" && u.ReplyTo != nil:
		in.Activity = community.ActivityReply
	case u.Kind == KindMessage && u.Command == "":
		in.Activity = community.ActivityMessage
	case u.Kind == KindReaction:
		in.Activity = community.ActivityReaction
	case u.Kind == KindJoin:
		in.Activity = community.ActivityJoin
	case u.Kind == KindThread:
		in.Activity = community.ActivityThreadStarted
	}
	if in.From.ID == "" || u.IsDirect() {
		in.Activity = "" // engagement is what members do in the community
	}
	switch in.Activity {
	case community.ActivityMessage, community.ActivityReply:
		in.MessageID, in.InReplyTo = u.MessageID, u.ThreadID
		if u.ReplyTo != nil {
			in.InReplyTo = u.ReplyTo.ID
		}
	case community.ActivityThreadStarted:
		in.MessageID = u.ThreadID
	case community.ActivityReaction:
		in.ReactedTo = u.MessageID
	}
	return in
}
