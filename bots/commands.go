package bots

import (
	"context"
	"strings"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// CoreStore is what the built-in commands need from persistence beyond the
// router's Store.
type CoreStore interface {
	community.StaffStore
	// StaffChats returns the staff chat of every platform that has one.
	StaffChats(ctx context.Context) ([]community.Chat, error)
	OutboxStatus(ctx context.Context) (outbox.Status, error)
	DeadLetters(ctx context.Context, limit int) ([]outbox.DeadLetter, error)
	// RetryDead queues dead letters again: the one ref names, or all of
	// them when ref is zero. It returns how many were queued.
	RetryDead(ctx context.Context, ref outbox.DeadRef) (int, error)
	LanguageStore
}

// Core is the built-in commands (/start, /help, /language, /setstaff,
// /staff, /outbox) and the rendering of their events.
type Core struct {
	store     CoreStore
	staff     *community.Staff
	access    *community.Access
	registry  *Registry
	router    *Router
	platforms []community.Platform
	community string
	customers *Customers // links a member when /start carries a link code
	// startTour follows the /start greeting in a private chat with the
	// getting-started tour (set by onboarding).
	startTour func(r *Request, greeting Reply) Reply
	// startQuestion shows a question asked in a group when /start carries
	// its code (a Telegram deep link); false for any other code (set by
	// the support feature).
	startQuestion func(ctx context.Context, r *Request, code string) (Reply, bool, error)
}

// questionResumer is a feature whose /start codes continue a member's
// question privately (support).
type questionResumer interface {
	startQuestion(ctx context.Context, r *Request, code string) (Reply, bool, error)
}

// NewCore returns the built-in commands for the platforms Hearth runs.
func NewCore(store CoreStore, staff *community.Staff, access *community.Access, platforms []community.Platform, communityName string) *Core {
	return &Core{store: store, staff: staff, access: access, platforms: platforms, community: communityName}
}

// Register adds the built-in commands to the router's registry and their
// event renderers to the dispatcher.
func (c *Core) Register(r *Router, d *Dispatcher) {
	c.router, c.registry = r, r.Registry()
	c.registry.Add(Command{Name: "start", Permission: community.RoleMember, Where: Anywhere, Run: c.start,
		Args: []Arg{{Name: "code", Kind: ArgText}}})
	c.registry.Add(Command{Name: "help", Permission: community.RoleMember, Where: Anywhere, Run: c.help,
		Args: []Arg{{Name: "command", Kind: ArgWord}}})
	c.registry.Add(Command{Name: "setstaff", Permission: community.RoleOwner, Where: InGroup | InStaffChat, Run: c.setStaff})
	c.registry.Add(Command{Name: "staff", Permission: community.RoleOwner, Where: Anywhere,
		Run: c.staffCommand, Button: c.staffButton, Form: c.staffForm,
		Args: []Arg{{Name: "action", Kind: ArgChoice, Choices: []string{"list", "add", "remove"}}, {Name: "member", Kind: ArgMember}}})
	c.registry.Add(Command{Name: "outbox", Permission: community.RoleOwner, Where: InDirect | InStaffChat,
		Run: c.outbox, Button: c.outboxButton,
		Args: []Arg{{Name: "action", Kind: ArgChoice, Choices: []string{"list", "retry"}}, {Name: "id", Kind: ArgWord}}})
	c.registry.Add(Command{Name: "language", Permission: community.RoleMember, Where: Anywhere, Run: c.language,
		Args: []Arg{{Name: "language", Kind: ArgChoice, Choices: append(r.catalog.Languages(), defaultLanguage)}}})
	c.registerGroups()
	d.Render(community.EventStaffAdded, c.renderStaffChange(true))
	d.Render(community.EventStaffRemoved, c.renderStaffChange(false))
}

// start greets a member: in a private chat with how to begin, in a group
// with a pointer to the private chat. A code after /start in a private chat
// (a Telegram deep link) shows the question the member asked in a group,
// or, from an order e-mail, links the member to their shop account first.
func (c *Core) start(ctx context.Context, r *Request) (Reply, error) {
	data := map[string]any{"Name": r.From.DisplayName, "Community": c.community}
	if !r.IsDirect() {
		return Reply{Text: r.Text("start.group", data)}, nil
	}
	greeting := Reply{Text: r.Text("start.direct", data)}
	if code := r.Arg("code"); code != "" {
		if c.startQuestion != nil { // a question asked in a group, continued here
			if reply, ok, err := c.startQuestion(ctx, r, code); ok || err != nil {
				return reply, err
			}
		}
		linked, err := c.customers.Link(ctx, r, code)
		if err != nil {
			return Reply{}, err
		}
		greeting.Text = linked.Text + "\n\n" + greeting.Text
	}
	if c.startTour != nil {
		greeting = c.startTour(r, greeting)
	}
	return greeting, nil
}

// help lists the commands the caller may use where they are, or explains
// one command.
func (c *Core) help(_ context.Context, r *Request) (Reply, error) {
	if name := strings.TrimPrefix(strings.ToLower(r.Arg("command")), "/"); name != "" {
		cmd, ok := c.registry.Lookup(name)
		if !ok || r.Role < cmd.Permission {
			return Reply{Text: r.Text("command.unknown", map[string]any{"Command": "/" + name}), Ephemeral: true}, nil
		}
		return Reply{Text: r.Text("help.one", map[string]any{"Usage": cmd.Usage(), "Description": r.Text("cmd."+cmd.Name, nil)}), Ephemeral: true}, nil
	}
	var lines []string
	for _, cmd := range c.registry.Visible(r.Role, r.Place()) {
		lines = append(lines, r.Text("help.line", map[string]any{"Command": "/" + cmd.Name, "Description": r.Text("cmd."+cmd.Name, nil)}))
	}
	text := r.Text("help.title", map[string]any{"Community": c.community}) + "\n" + strings.Join(lines, "\n")
	if r.Role >= community.RoleStaff && r.Place() != InStaffChat && c.staffChatOnly(r) {
		text += "\n\n" + r.Text("help.more_in_staff", nil)
	}
	text += "\n\n" + r.Text("help.footer", nil)
	return Reply{Text: text, Ephemeral: true}, nil
}

// staffChatOnly reports whether the caller has commands that work in the
// staff chat but not where they are.
func (c *Core) staffChatOnly(r *Request) bool {
	for _, cmd := range c.registry.Visible(r.Role, InStaffChat) {
		if cmd.Where&r.Place() == 0 {
			return true
		}
	}
	return false
}

// setStaff makes the chat the staff chat of its platform.
func (c *Core) setStaff(ctx context.Context, r *Request) (Reply, error) {
	if err := c.staff.SetStaffChat(ctx, r.Member, r.CommunityChat()); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("staffchat.set", map[string]any{"Platform": platformName(r.Platform)})}, nil
}

func platformName(p community.Platform) string {
	switch p {
	case community.Telegram:
		return "Telegram"
	case community.Discord:
		return "Discord"
	default:
		return "console"
	}
}

func (c *Core) activePlatform(p community.Platform) bool {
	for _, q := range c.platforms {
		if q == p {
			return true
		}
	}
	return false
}
