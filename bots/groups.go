package bots

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// GroupLeaver is implemented by adapters that leave groups that are not
// the community's instead of staying silent in them (Discord with
// discord.leave_unknown_guilds).
type GroupLeaver interface {
	// LeaveOutsider leaves the group if the adapter is set to; it
	// reports whether it did.
	LeaveOutsider(ctx context.Context, groupID string) (bool, error)
}

// registerGroups adds /connect, /disconnect and /groups.
func (c *Core) registerGroups() {
	c.registry.Add(Command{Name: "connect", Permission: community.RoleOwner, Where: InGroup, Run: c.connect})
	c.registry.Add(Command{Name: "disconnect", Permission: community.RoleOwner, Where: Anywhere, Run: c.disconnect,
		Args: []Arg{{Name: "group", Kind: ArgWord}}})
	c.registry.Add(Command{Name: "groups", Permission: community.RoleOwner, Where: InDirect | InStaffChat,
		Run: c.listGroups, Button: c.groupsButton})
}

// titledGroup is groupOf with the group's title.
func titledGroup(r *Request) (community.Group, string) {
	if r.Update.Chat.GroupID != "" {
		return groupOf(r), r.Update.Chat.GroupTitle
	}
	return groupOf(r), r.Update.Chat.Title
}

// connect makes the group the command is sent in part of the community.
func (c *Core) connect(ctx context.Context, r *Request) (Reply, error) {
	g, title := titledGroup(r)
	if err := c.router.groups.Connect(ctx, r.Account(), r.Member, g, title); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("groups.connected", map[string]any{"Group": cmp.Or(title, g.ID), "Community": c.community})}, nil
}

// disconnect takes a group out of the community: the one it is sent in,
// or the one named.
func (c *Core) disconnect(ctx context.Context, r *Request) (Reply, error) {
	p, id := r.Platform, r.Arg("group")
	switch {
	case id != "":
		if platform, rest, ok := strings.Cut(id, ":"); ok {
			p, id = community.Platform(strings.ToLower(platform)), rest
		}
	case r.IsDirect():
		return Reply{Text: r.Text("groups.which", nil), Ephemeral: true}, nil
	default:
		id = groupOf(r).ID
	}
	g, err := c.router.groups.Disconnect(ctx, r.Account(), r.Member, p, id)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("groups.disconnected", map[string]any{"Group": cmp.Or(g.Title, id)})}, nil
}

// listGroups shows the community's groups and the others Hearth is in,
// with a button to connect or disconnect each.
func (c *Core) listGroups(ctx context.Context, r *Request) (Reply, error) {
	groups, err := c.router.groups.List(ctx)
	if err != nil {
		return Reply{}, err
	}
	var connected, waiting []string
	var buttons [][]Button
	for _, g := range groups {
		name := cmp.Or(g.Title, g.PlatformID)
		data := map[string]any{"Group": name, "Platform": platformName(g.Platform), "ID": g.PlatformID}
		ref := string(g.Platform) + ":" + g.PlatformID
		switch {
		case g.Connected:
			data["Since"] = r.router.Date(g.ConnectedAt)
			line := r.Text("groups.line."+string(g.Via), data)
			if !g.Present {
				line += " " + r.Text("groups.absent", nil)
			}
			connected = append(connected, line)
			if g.Via == community.ViaOwner && !g.HoldsStaffChat {
				buttons = append(buttons, []Button{{Label: r.Text("groups.button.disconnect", data), Data: "groups:disconnect:" + ref}})
			}
		default:
			waiting = append(waiting, r.Text("groups.line.waiting", data))
			buttons = append(buttons, []Button{{Label: r.Text("groups.button.connect", data), Data: "groups:connect:" + ref}})
		}
	}
	text := r.Count("groups.title", len(connected), map[string]any{"Community": c.community})
	if len(connected) > 0 {
		text += "\n" + strings.Join(connected, "\n")
	}
	if len(waiting) > 0 {
		text += "\n\n" + r.Count("groups.waiting", len(waiting), nil) + "\n" + strings.Join(waiting, "\n")
	}
	text += "\n\n" + r.Text("groups.how", nil)
	return Reply{Text: text, Buttons: limitRows(buttons)}, nil
}

// limitRows keeps the buttons a message can carry.
func limitRows(rows [][]Button) [][]Button {
	if len(rows) > outbox.MaxButtonRows {
		return rows[:outbox.MaxButtonRows]
	}
	return rows
}

// groupsButton connects or disconnects a group from the /groups list.
func (c *Core) groupsButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.SplitN(r.Data, ":", 4) // groups:action:platform:id
	if len(parts) != 4 {
		return Reply{}, badButton(r.Data)
	}
	p, id := community.Platform(parts[2]), parts[3]
	switch parts[1] {
	case "connect":
		g, err := c.router.store.Group(ctx, p, id)
		if err != nil {
			return Reply{}, err
		}
		if err := c.router.groups.Connect(ctx, r.Account(), r.Member, community.Group{Platform: p, ID: id}, g.Title); err != nil {
			return Reply{}, err
		}
	case "disconnect":
		if _, err := c.router.groups.Disconnect(ctx, r.Account(), r.Member, p, id); err != nil {
			return Reply{}, err
		}
	default:
		return Reply{}, badButton(r.Data)
	}
	list, err := c.listGroups(ctx, r)
	list.Edit = true
	return list, err
}

// outsider answers an update from a group that is not the community's.
// Hearth does nothing there but record its own arrival (connecting the
// group when an owner added it), run an owner's /connect, and tell the
// group once (and a Discord member every time, privately) that an owner
// must connect it.
func (r *Router) outsider(ctx context.Context, req *Request) []outbox.Outgoing {
	connect := req.Kind == KindMessage && req.Update.Command == "connect"
	switch {
	case req.Kind == KindBotAdded || req.Kind == KindBotRemoved || req.Kind == KindGroupMoved:
		return r.handle(ctx, req, nil)
	case connect && r.groups.MayConnect(req.Account()):
		return r.handle(ctx, req, nil)
	case req.Kind != KindMessage:
		return nil
	}
	g := groupOf(req)
	action := community.AuditCommandOutside
	if connect {
		action = community.AuditCommandRefused
	}
	if err := r.store.Audit(ctx, community.AuditEntry{At: r.now(), Action: action, Details: map[string]any{
		"command": req.Update.Command, "platform": string(req.Platform), "user": req.From.ID, "group": g.ID}}); err != nil {
		r.log.Error("audit a command outside the community", "error", err)
	}
	told, err := r.store.TellOutsiders(ctx, req.Platform, g.ID)
	if err != nil {
		r.log.Error("tell a group it is not connected", "error", err)
		return nil
	}
	if !told && req.Handle == "" {
		return nil // told once already; commands stay unanswered here
	}
	reply := Reply{Text: req.Text("groups.outside", map[string]any{"Community": r.community}), Ephemeral: req.Handle != ""}
	return []outbox.Outgoing{{Target: replyTarget(req, reply), Message: reply}}
}

// chatPresence records Hearth joining or leaving a chat. A group an owner
// added Hearth to joins the community; any other group is told once that
// an owner must connect it (or left, where the adapter is set to leave).
func (r *Router) chatPresence(present bool) Hook {
	return func(ctx context.Context, req *Request) ([]outbox.Outgoing, error) {
		if err := r.store.SetChatPresent(ctx, req.Platform, req.Update.Chat, present); err != nil {
			return nil, err
		}
		r.log.Info("chat membership changed", "platform", req.Platform, "chat", req.Update.Chat.ID, "title", req.Update.Chat.Title, "present", present)
		if !present || !req.outside {
			return nil, nil
		}
		return r.arrivedOutside(ctx, req)
	}
}

// arrivedOutside decides what Hearth does in a group it was added to that
// is not connected.
func (r *Router) arrivedOutside(ctx context.Context, req *Request) ([]outbox.Outgoing, error) {
	g, title := titledGroup(req)
	chat := outbox.Target{Platform: req.Platform, ChatID: req.Update.Chat.ID, Lang: req.Lang}
	if req.From.ID != "" && r.groups.MayConnect(req.Account()) {
		if err := r.groups.Connect(ctx, req.Account(), 0, g, title); err != nil {
			return nil, err
		}
		text := req.Text("groups.connected", map[string]any{"Group": cmp.Or(title, g.ID), "Community": r.community})
		return []outbox.Outgoing{{Target: chat, Message: Reply{Text: text}}}, nil
	}
	if leaver, ok := r.adapters[req.Platform].(GroupLeaver); ok {
		left, err := leaver.LeaveOutsider(ctx, g.ID)
		if err != nil {
			return nil, err
		}
		if left {
			return nil, r.store.Audit(ctx, community.AuditEntry{At: r.now(), Action: community.AuditGroupLeft, Details: map[string]any{
				"platform": string(req.Platform), "group": g.ID, "title": title}})
		}
	}
	told, err := r.store.TellOutsiders(ctx, req.Platform, g.ID)
	if err != nil || !told {
		return nil, err
	}
	data := map[string]any{"Community": r.community, "Name": req.From.DisplayName}
	key := "groups.outside"
	if req.From.DisplayName != "" {
		key = "groups.outside_added"
	}
	return []outbox.Outgoing{{Target: chat, Message: Reply{Text: req.Text(key, data)}}}, nil
}

// groupMoved carries a group's place in the community (connected, staff
// chat, language) over to its new id.
func (r *Router) groupMoved(ctx context.Context, req *Request) ([]outbox.Outgoing, error) {
	from, to, ok := strings.Cut(req.Data, ":")
	if !ok {
		return nil, fmt.Errorf("group moved %q: want old:new", req.Data)
	}
	return nil, r.store.MoveGroup(ctx, req.Platform, from, to, r.now())
}
