package bots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// Store is what the chat layer needs from persistence.
type Store interface {
	// RecordInbound records a batch of updates in one transaction: seen
	// once, senders resolved to members (created on first sight), chats
	// recorded, activities written. Results are in input order.
	RecordInbound(ctx context.Context, batch []Inbound) ([]Recorded, error)
	// FinishUpdate marks an update handled and queues its messages, in one
	// transaction. It reports false, queuing nothing, when the update was
	// handled already (by a concurrent delivery of the same update).
	FinishUpdate(ctx context.Context, p community.Platform, key string, out []Outgoing) (bool, error)
	// FindMember finds the member behind a platform account or username.
	FindMember(ctx context.Context, p community.Platform, ref MemberRef) (community.Member, error)
	// SetChatPresent records that Hearth was added to or removed from a chat.
	SetChatPresent(ctx context.Context, p community.Platform, chat Chat, present bool) error
	// CanWriteTo reports whether Hearth may start a private conversation
	// with the account.
	CanWriteTo(ctx context.Context, acct community.Account) (bool, error)
	// MoveGroup gives a group's new id its place: connected, staff chat
	// and language carry over, the old id is gone. Moving twice is moving
	// once.
	MoveGroup(ctx context.Context, p community.Platform, from, to string, at time.Time) error
	// TellOutsiders reports true the first time it is asked about a group
	// that is not connected: its people are told once what to do.
	TellOutsiders(ctx context.Context, p community.Platform, groupID string) (bool, error)
	// Audit writes an entry to the audit log.
	Audit(ctx context.Context, e AuditEntry) error
	OutboxStore
	InboxStore
	community.GroupStore
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At      time.Time
	Actor   community.MemberID
	Action  string
	Target  community.MemberID
	Chat    community.ChatID
	Reason  string
	Details map[string]any
}

// Hook handles updates of one kind that are not commands (a member
// joining, Hearth added to a group) and returns what to send.
type Hook func(ctx context.Context, r *Request) ([]Outgoing, error)

// Router turns updates into handled requests: it records every update once,
// resolves the sender, checks the command's permission and place on the
// server side, runs the handler and queues its reply for delivery.
type Router struct {
	registry    *Registry
	store       Store
	access      *community.Access
	catalog     *catalog.Catalog
	recorder    *recorder
	inbox       *inbox
	groups      *community.Groups
	hooks       map[UpdateKind][]Hook
	inspections []inspection
	defaultLang string
	community   string
	log         *slog.Logger
	now         func() time.Time
	delivered   func() // wakes the dispatcher
	dead        func(DeadUpdate)
	adapters    map[community.Platform]Adapter
}

// RouterOptions configures a Router.
type RouterOptions struct {
	Store           Store
	Registry        *Registry
	Access          *community.Access
	Catalog         *catalog.Catalog
	DefaultLanguage string
	CommunityName   string
	Log             *slog.Logger
	Now             func() time.Time
	// Wake is called after a reply is queued (Dispatcher.Wake).
	Wake func()
	// BatchSize bounds how many updates are recorded in one transaction.
	BatchSize int
	// Handlers bounds how many updates are handled at once (default 32).
	Handlers int
	// DeadLettered is told of every update Hearth gives up on (a metric).
	DeadLettered func(DeadUpdate)
	// RetryPause is the pause after an update's first failed attempt,
	// doubled after each further one (default 1 s; tests shorten it).
	RetryPause time.Duration
}

// NewRouter returns a router; call Run to start recording.
func NewRouter(o RouterOptions) *Router {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Wake == nil {
		o.Wake = func() {}
	}
	if o.Handlers <= 0 {
		o.Handlers = 32
	}
	if o.DeadLettered == nil {
		o.DeadLettered = func(DeadUpdate) {}
	}
	if o.RetryPause <= 0 {
		o.RetryPause = time.Second
	}
	r := &Router{
		registry: o.Registry, store: o.Store, access: o.Access, catalog: o.Catalog,
		recorder: newRecorder(o.Store, o.BatchSize), hooks: map[UpdateKind][]Hook{},
		groups:      community.NewGroups(o.Store, o.Access, o.Now),
		defaultLang: o.DefaultLanguage, community: o.CommunityName, log: o.Log, now: o.Now, delivered: o.Wake,
		dead: o.DeadLettered, adapters: map[community.Platform]Adapter{},
	}
	r.inbox = newInbox(r, o.Store, o.Handlers, o.RetryPause)
	r.On(KindBotAdded, r.chatPresence(true))
	r.On(KindBotRemoved, r.chatPresence(false))
	r.On(KindGroupMoved, r.groupMoved)
	return r
}

// Run records updates and handles them until ctx ends. Receive and Handle
// block until Run is running.
func (r *Router) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { r.recorder.run(ctx, 2) })
	wg.Go(func() { r.inbox.run(ctx) })
	wg.Wait()
}

// Groups returns the rules of which groups are the community's.
func (r *Router) Groups() *community.Groups { return r.groups }

// On adds a hook for updates of kind.
func (r *Router) On(kind UpdateKind, h Hook) { r.hooks[kind] = append(r.hooks[kind], h) }

// Inspector looks at a plain message (not a command), new or edited,
// before it is recorded, in process and cheaply, and reports whether its
// hook must handle it. Messages no inspector flags are only recorded, in
// batches, as before: watching every message costs no handling.
type Inspector func(u Update) bool

type inspection struct {
	inspect Inspector
	hook    Hook
}

// Inspect runs hook for the plain messages that inspect flags.
func (r *Router) Inspect(inspect Inspector, hook Hook) {
	r.inspections = append(r.inspections, inspection{inspect: inspect, hook: hook})
}

// inspected returns the inspectors that flag u, by their place in the
// router: a new or edited message that is no command.
func (r *Router) inspected(u Update) []int {
	if u.Kind != KindMessage && u.Kind != KindEdited || u.Command != "" {
		return nil
	}
	var out []int
	for n, i := range r.inspections {
		if i.inspect(u) {
			out = append(out, n)
		}
	}
	return out
}

// recorded is an update as the inbox keeps it: with the inspectors that
// flagged it on arrival, so that they look at each message once.
type recorded struct {
	Update  Update `json:"update"`
	Flagged []int  `json:"flagged,omitempty"`
}

// hooksOf returns the hooks of the inspectors a recorded update was flagged
// by.
func (r *Router) hooksOf(flagged []int) []Hook {
	var out []Hook
	for _, n := range flagged {
		if n < len(r.inspections) {
			out = append(out, r.inspections[n].hook)
		}
	}
	return out
}

// Moderator returns platform p's moderation actions, if it has them.
func (r *Router) Moderator(p community.Platform) (Moderator, bool) {
	m, ok := r.adapters[p].(Moderator)
	return m, ok
}

// JoinGate returns platform p's join requests and invites, if it has them.
func (r *Router) JoinGate(p community.Platform) (JoinGate, bool) {
	g, ok := r.adapters[p].(JoinGate)
	return g, ok
}

// TierRoles returns platform p's tier roles, if it has them.
func (r *Router) TierRoles(p community.Platform) (TierRoles, bool) {
	t, ok := r.adapters[p].(TierRoles)
	return t, ok
}

// Platforms lists the platforms whose adapters are connected.
func (r *Router) Platforms() []community.Platform {
	var out []community.Platform
	for p := range r.adapters {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Registry returns the commands the router knows.
func (r *Router) Registry() *Registry { return r.registry }

// DefaultLanguage is the community's language, for readers whose own
// language Hearth does not speak.
func (r *Router) DefaultLanguage() string { return r.defaultLang }

// Catalog returns the router's message catalog.
func (r *Router) Catalog() *catalog.Catalog { return r.catalog }

// Receive records one update durably and returns: the adapter may then
// acknowledge it to its platform. Handling follows from the inbox, in
// order per chat, so that a slow handler never holds back the platform's
// next updates or other chats. Text PostgreSQL cannot store (NUL, invalid
// UTF-8) is cleaned first. An update the database refuses maxAttempts
// times goes to the dead letters and is acknowledged too, so that it never
// stops the others; while the database is unreachable Receive keeps
// trying. An error means ctx ended before the update was recorded.
func (r *Router) Receive(ctx context.Context, u Update) error {
	if u.ID == "" || u.Platform == "" {
		return fmt.Errorf("update without platform or id: %+v", u)
	}
	u = u.Clean()
	if u.At.IsZero() {
		u.At = r.now()
	}
	in := r.inbound(u)
	var problem error
	for tries, refused := 1, 0; ; tries++ {
		rec, err := r.recorder.record(ctx, in)
		if err == nil {
			if rec.Queued {
				r.inbox.wakeUp()
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("record %s update %s: %w", u.Platform, u.ID, err)
		}
		problem = err
		if r.store.Ping(ctx) == nil { // the database answers, and refuses this update
			if refused++; refused >= maxAttempts {
				break
			}
		}
		r.log.Warn("update not recorded; trying again", "platform", u.Platform, "update", u.ID, "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("record %s update %s: %w", u.Platform, u.ID, ctx.Err())
		case <-time.After(r.inbox.pause(tries) / 10):
		}
	}
	return r.giveUp(ctx, u, problem)
}

// giveUp moves an update the database would not record to the dead
// letters.
func (r *Router) giveUp(ctx context.Context, u Update, problem error) error {
	payload, _ := json.Marshal(u)
	d := DeadUpdate{Platform: u.Platform, Key: u.ID, UserID: u.From.ID, Stage: StageRecord, Kind: u.Kind,
		Payload: string(payload), Error: problem.Error(), Attempts: maxAttempts, At: r.now()}
	if err := r.store.DeadInbound(ctx, d); err != nil {
		return fmt.Errorf("move %s update %s to the dead letters: %w", u.Platform, u.ID, err)
	}
	r.log.Error("update not recorded after every attempt: moved to the dead letters", "platform", u.Platform, "update", u.ID, "error", problem)
	r.deadLettered(d)
	return nil
}

func (r *Router) deadLettered(d DeadUpdate) { r.dead(d) }

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
func (r *Router) inbound(u Update) Inbound {
	flagged := r.inspected(u)
	handle := r.needsHandling(u) || len(flagged) > 0
	in := inboundOf(u, handle)
	in.Always = u.Kind == KindBotAdded || u.Kind == KindBotRemoved || u.Kind == KindGroupMoved || u.Kind == KindMessage && u.Command != ""
	in.Queue = u.Queue()
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
func (r *Router) process(ctx context.Context, u recorded, rec Recorded) []Outgoing {
	req := r.request(u.Update, rec)
	if rec.Outside {
		return r.outsider(ctx, req)
	}
	return r.handle(ctx, req, r.hooksOf(u.Flagged))
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

func inboundOf(u Update, handle bool) Inbound {
	in := Inbound{Platform: u.Platform, Key: u.ID, At: u.At, From: u.From, Chat: u.Chat, Done: !handle}
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

func (r *Router) request(u Update, rec Recorded) *Request {
	req := &Request{Update: u, Member: rec.Member, ChatID: rec.Chat, InStaffChat: rec.ChatIsStaff, outside: rec.Outside, router: r}
	req.Lang = r.defaultLang
	if l, ok := r.catalog.Match(u.From.Language); ok {
		req.Lang = l
	} else if rec.ChatLanguage != "" {
		req.Lang = rec.ChatLanguage
	}
	if rec.MemberLanguage != "" {
		req.Lang = rec.MemberLanguage
	}
	return req
}

// memberLanguage is the language to write to a member in on one of their
// accounts: their own choice, else their platform's, else the community's.
func (r *Router) memberLanguage(m community.Member, id community.Identity) string {
	if m.Language != "" {
		return m.Language
	}
	if l, ok := r.catalog.Match(id.Language); ok {
		return l
	}
	return r.defaultLang
}

// chatLanguage is the language to write to a chat in.
func (r *Router) chatLanguage(c community.Chat) string {
	if c.Language != "" {
		return c.Language
	}
	return r.defaultLang
}

// handle runs what the request asks for, or its hooks and those of the
// inspectors that flagged it, and returns the messages to send. Failures
// become polite replies: the update counts as handled either way.
func (r *Router) handle(ctx context.Context, req *Request, flagged []Hook) []Outgoing {
	var out []Outgoing
	switch {
	case req.Kind == KindMessage && req.Update.Command != "",
		req.Kind == KindButton, req.Kind == KindForm:
		reply, err := r.runCommand(ctx, req)
		if err != nil {
			reply = r.failure(ctx, req, err)
		}
		if err := reply.Validate(); err != nil {
			r.log.Error("invalid reply", "command", req.Update.Command, "error", err)
			reply = Reply{Text: req.Text("error.internal", nil), Ephemeral: true}
		}
		if !reply.IsEmpty() || req.Handle != "" {
			out = append(out, Outgoing{Target: r.whisper(ctx, req, reply), Message: reply})
		}
	default:
		for _, h := range slices.Concat(r.hooks[req.Kind], flagged) {
			more, err := h(ctx, req)
			if err != nil {
				r.log.Error("update hook failed", "kind", req.Kind, "platform", req.Platform, "error", err)
				continue
			}
			out = append(out, more...)
		}
	}
	return out
}

// Whisperer is implemented by adapters that can show a message in a group
// to one member only (the console); Discord does it for interactions.
type Whisperer interface {
	Whispers() bool
}

// whisper is replyTarget for a reply meant for the sender's eyes only
// (Reply.Privately): where the platform cannot show it to them alone in a
// group (Telegram), it goes to them privately if Hearth may write to them.
func (r *Router) whisper(ctx context.Context, req *Request, reply Reply) Target {
	t := replyTarget(req, reply)
	if !reply.Privately || req.IsDirect() || req.Handle != "" {
		return t
	}
	if w, ok := r.adapters[req.Platform].(Whisperer); ok && w.Whispers() {
		return t
	}
	if ok, err := r.store.CanWriteTo(ctx, req.Account()); err != nil || !ok {
		return t
	}
	return Target{Platform: req.Platform, UserID: req.From.ID, Lang: req.Lang}
}

// replyTarget answers in the chat the request came from: in place of the
// interaction or button when there is one, else as a reply to the command.
func replyTarget(req *Request, reply Reply) Target {
	t := Target{Platform: req.Platform, ChatID: req.Update.Chat.ID, ThreadID: req.ThreadID, Handle: req.Handle, Lang: req.Lang}
	switch {
	case reply.Edit && req.Kind == KindButton:
		t.EditID = req.MessageID
	case req.Kind == KindMessage && !req.IsDirect():
		t.ReplyTo = req.MessageID
	}
	return t
}

// runCommand finds the command, checks where it is used and by whom, and
// runs it.
func (r *Router) runCommand(ctx context.Context, req *Request) (Reply, error) {
	name := req.Update.Command
	if req.Kind != KindMessage {
		name, _, _ = strings.Cut(req.Data, ":")
	}
	cmd, ok := r.registry.Lookup(name)
	handler := r.handlerFor(cmd, req.Kind)
	if !ok || handler == nil {
		return Reply{Text: req.Text("command.unknown", map[string]any{"Command": "/" + name}), Ephemeral: true, Privately: true}, nil
	}
	req.Cmd = cmd
	role, err := r.access.RoleOf(ctx, req.Account(), req.Member)
	if err != nil {
		return Reply{}, err
	}
	req.Role = role
	if role < cmd.Permission {
		return r.refuse(ctx, req, cmd, "command.refused"), nil // who may not use it is not told where it works
	}
	if cmd.Where&req.Place() == 0 {
		r.audit(ctx, req, cmd, "command.wrong_place")
		return Reply{Text: req.Text("command.wrong_place", map[string]any{"Command": "/" + cmd.Name, "Where": catalog.Raw(r.placeNames(req, cmd.Where))}), Ephemeral: true}, nil
	}
	if req.Kind == KindMessage {
		args, perr := parseArgs(cmd, req.Update)
		if perr != nil {
			return Reply{Text: r.usage(req, cmd, perr), Ephemeral: true}, nil
		}
		req.args = args
	}
	return handler(ctx, req)
}

func (r *Router) handlerFor(cmd *Command, kind UpdateKind) Handler {
	switch {
	case cmd == nil:
		return nil
	case kind == KindButton:
		return cmd.Button
	case kind == KindForm:
		return cmd.Form
	default:
		return cmd.Run
	}
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

// audit writes a refused command to the audit log.
func (r *Router) audit(ctx context.Context, req *Request, cmd *Command, action string) {
	details := map[string]any{"command": cmd.Name, "platform": string(req.Platform), "role": req.Role.String(),
		"needs": cmd.Permission.String(), "user": req.From.ID}
	if req.Kind != KindMessage {
		details["button"] = req.Data
	}
	if err := r.store.Audit(ctx, AuditEntry{At: r.now(), Actor: req.Member, Action: action, Chat: req.ChatID, Details: details}); err != nil {
		r.log.Error("audit refused command", "action", action, "error", err)
	}
}

func (r *Router) usage(req *Request, cmd *Command, problem *community.Error) string {
	return req.Text(problem.Key, problem.Data) + "\n" + req.Text("usage.line", map[string]any{"Usage": cmd.Usage()})
}

func (r *Router) placeNames(req *Request, where Place) string {
	var names []string
	for _, p := range []struct {
		place Place
		key   string
	}{{InGroup, "place.group"}, {InDirect, "place.direct"}, {InStaffChat, "place.staff"}} {
		if where&p.place != 0 {
			names = append(names, req.Text(p.key, nil))
		}
	}
	return strings.Join(names, ", ")
}

// failure turns a handler's error into a reply: domain errors are
// explained in the member's language; anything else is logged and
// apologised for.
func (r *Router) failure(ctx context.Context, req *Request, err error) Reply {
	if derr, ok := errors.AsType[*community.Error](err); ok && derr.Key != "" {
		return Reply{Text: req.Text(derr.Key, derr.Data), Ephemeral: true}
	}
	if ctx.Err() == nil {
		r.log.Error("command failed", "command", req.Update.Command, "data", req.Data, "platform", req.Platform, "error", err)
	}
	return Reply{Text: req.Text("error.internal", nil), Ephemeral: true}
}
