package bots

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
)

// Store is what the chat layer needs from persistence.
type Store interface {
	// RecordInbound records a batch of updates in one transaction: seen
	// once, senders resolved to members (created on first sight), chats
	// recorded, activities written, those to handle put in the inbox.
	// Results are in input order. An update the database refuses for its
	// data fails with ErrUnrecordable.
	RecordInbound(ctx context.Context, batch []inbox.Inbound) ([]inbox.Recorded, error)
	// FinishUpdate takes a handled update out of the inbox, marks it
	// handled and queues its messages, in one transaction. It reports
	// false, queuing nothing, when the claim no longer holds the update
	// (handled already, or taken over after its lease ran out).
	FinishUpdate(ctx context.Context, c inbox.Claim, p community.Platform, key string, out []outbox.Outgoing) (bool, error)
	// FindMember finds the member behind a platform account or username.
	FindMember(ctx context.Context, p community.Platform, ref community.MemberRef) (community.Member, error)
	// SetChatPresent records that Hearth was added to or removed from a chat.
	SetChatPresent(ctx context.Context, p community.Platform, chat Chat, present bool) error
	community.PrivateChats
	// MoveGroup gives a group's new id its place: connected, staff chat
	// and language carry over, the old id is gone. Moving twice is moving
	// once.
	MoveGroup(ctx context.Context, p community.Platform, from, to string, at time.Time) error
	// TellOutsiders reports true the first time it is asked about a group
	// that is not connected: its people are told once what to do.
	TellOutsiders(ctx context.Context, p community.Platform, groupID string) (bool, error)
	// Audit writes an entry to the audit log.
	Audit(ctx context.Context, e community.AuditEntry) error
	outbox.Store
	inbox.Store
	community.GroupStore
}

// Hook handles updates of one kind that are not commands (a member
// joining, Hearth added to a group) and returns what to send.
type Hook func(ctx context.Context, r *Request) ([]outbox.Outgoing, error)

// Router turns updates into handled requests: it records every update once,
// resolves the sender, checks the command's permission and place on the
// server side, runs the handler and queues its reply for delivery.
type Router struct {
	registry    *Registry
	store       Store
	access      *community.Access
	catalog     *catalog.Catalog
	recorder    *recorder
	inbox       *inboxWorker
	groups      *community.Groups
	hooks       map[UpdateKind][]Hook
	inspections []inspection
	defaultLang string
	community   string
	log         *slog.Logger
	now         func() time.Time
	delivered   func() // wakes the dispatcher
	dead        func(inbox.DeadUpdate)
	location    *time.Location // the community's time zone
	adapters    map[community.Platform]Adapter
	known       map[community.Platform]community.Capabilities // RouterOptions.Capabilities
}

// RouterOptions configures a Router.
type RouterOptions struct {
	Store           Store
	Registry        *Registry
	Access          *community.Access
	Groups          *community.Groups // which groups are the community's
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
	DeadLettered func(inbox.DeadUpdate)
	// Location is the community's time zone, for the dates shown.
	Location *time.Location
	// RetryPause is the pause after an update's first failed attempt,
	// doubled after each further one (default 1 s; tests shorten it).
	RetryPause time.Duration
	// Capabilities are every platform's facts, whether or not it runs in
	// this process: a replica may decide about members of a platform
	// another one runs.
	Capabilities map[community.Platform]community.Capabilities
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
		o.DeadLettered = func(inbox.DeadUpdate) {}
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.RetryPause <= 0 {
		o.RetryPause = time.Second
	}
	r := &Router{
		registry: o.Registry, store: o.Store, access: o.Access, catalog: o.Catalog,
		recorder: newRecorder(o.Store, o.BatchSize), hooks: map[UpdateKind][]Hook{},
		groups:      o.Groups,
		defaultLang: o.DefaultLanguage, community: o.CommunityName, log: o.Log, now: o.Now, delivered: o.Wake,
		dead: o.DeadLettered, adapters: map[community.Platform]Adapter{}, location: o.Location, known: o.Capabilities,
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
	wg.Go(func() { r.recorder.run(ctx) })
	wg.Go(func() { r.inbox.run(ctx) })
	wg.Wait()
}

// Groups returns the rules of which groups are the community's.
func (r *Router) Groups() *community.Groups { return r.groups }

// On adds a hook for updates of kind.
func (r *Router) On(kind UpdateKind, h Hook) { r.hooks[kind] = append(r.hooks[kind], h) }

// Moderator returns platform p's moderation actions, if it has them.
func (r *Router) Moderator(p community.Platform) (Moderator, bool) {
	m, ok := r.adapters[p].(Moderator)
	return m, ok
}

// TicketThreads returns the ticket threads of platform p, if its adapter
// has them.
func (r *Router) TicketThreads(p community.Platform) (TicketThreads, bool) {
	t, ok := r.adapters[p].(TicketThreads)
	return t, ok
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

// Date writes the day of t in the community's time zone.
func (r *Router) Date(t time.Time) string { return t.In(r.location).Format(time.DateOnly) }

// Catalog returns the router's message catalog.
func (r *Router) Catalog() *catalog.Catalog { return r.catalog }

func (r *Router) request(u Update, rec inbox.Recorded) *Request {
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
func (r *Router) handle(ctx context.Context, req *Request, flagged []Hook) []outbox.Outgoing {
	var out []outbox.Outgoing
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
			out = append(out, outbox.Outgoing{Target: r.whisper(ctx, req, reply), Message: reply})
		}
		out = append(out, req.also...)
	default:
		for _, h := range slices.Concat(r.hooks[req.Kind], flagged) {
			more, err := h(ctx, req)
			if retry, ok := errors.AsType[*RetryError](err); ok {
				req.retry = retry // the whole update is handled again later
				return nil
			}
			if err != nil {
				r.log.Error("update hook failed", "kind", req.Kind, "platform", req.Platform, "error", err)
				continue
			}
			out = append(out, more...)
		}
	}
	return out
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
	if err != nil && cmd.Permission > community.RoleMember {
		return Reply{}, err
	}
	if err != nil { // a platform's administrators unknown for now: a member's command needs none
		r.log.Warn("role unknown: answering as to a member", "platform", req.Platform, "error", err)
		role = community.RoleMember
	}
	req.Role = role
	if role < cmd.Permission {
		return r.refuse(ctx, req, cmd, "command.refused"), nil // who may not use it is not told where it works
	}
	if cmd.Where&req.Place() == 0 {
		return r.wrongPlace(ctx, req, cmd), nil
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

// RetryError is a hook's failure that must not lose the update: the
// update is not marked handled, and the inbox hands it over again later
// (the dead letters after its attempts run out). Every hook of the update
// then runs again, and the replies of those that ran before are dropped:
// return it only from a hook whose update no other hook that has effects
// of its own flags, and save nothing before failing that is not keyed by
// the update.
type RetryError struct{ Err error }

func (e *RetryError) Error() string { return e.Err.Error() }
func (e *RetryError) Unwrap() error { return e.Err }

// Retry wraps a hook's error as a RetryError; nil stays nil.
func Retry(err error) error {
	if err == nil {
		return nil
	}
	return &RetryError{Err: err}
}
