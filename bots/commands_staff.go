package bots

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// staffCommand lists, adds or removes staff: /staff [list|add|remove] [member].
func (c *Core) staffCommand(ctx context.Context, r *Request) (Reply, error) {
	switch r.Arg("action") {
	case "add", "remove":
		m, err := r.TargetMember(ctx, "member")
		if err != nil {
			return Reply{}, err
		}
		return c.changeStaff(ctx, r, r.Arg("action"), m)
	default:
		return c.staffList(ctx, r)
	}
}

func (c *Core) changeStaff(ctx context.Context, r *Request, action string, m community.Member) (Reply, error) {
	data := map[string]any{"Name": m.DisplayName}
	if action == "add" {
		if err := c.staff.Add(ctx, r.Member, m.ID); err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("staff.added", data)}, nil
	}
	if err := c.staff.Remove(ctx, r.Member, m.ID); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("staff.removed", data)}, nil
}

// staffList shows owners and named staff, with buttons to change them.
func (c *Core) staffList(ctx context.Context, r *Request) (Reply, error) {
	list, err := c.staff.List(ctx)
	if err != nil {
		return Reply{}, err
	}
	var owners []string
	for _, o := range c.access.Owners() {
		owners = append(owners, o.String())
	}
	text := r.Text("staff.owners", map[string]any{"Owners": strings.Join(slices.Sorted(slices.Values(owners)), ", ")}) + "\n"
	if len(list) == 0 {
		text += r.Text("staff.none", nil)
	} else {
		text += r.Count("staff.list_title", len(list), nil)
		for _, s := range list {
			text += "\n" + r.Text("staff.list_line", map[string]any{"Name": s.DisplayName, "Accounts": accounts(s.Member), "Since": r.router.Date(s.AddedAt)})
		}
	}
	text += "\n" + r.Text("staff.admins_note", nil)
	return Reply{Text: text, Buttons: [][]Button{{
		{Label: r.Text("staff.button_add", nil), Data: "staff:add"},
		{Label: r.Text("staff.button_remove", nil), Data: "staff:remove"},
	}}}, nil
}

func accounts(m community.Member) string {
	var out []string
	for _, id := range m.Identities {
		name := id.UserID
		if id.Username != "" {
			name = "@" + id.Username
		}
		out = append(out, string(id.Platform)+" "+name)
	}
	return strings.Join(out, ", ")
}

// staffButton opens the form that asks whom to add or remove.
func (c *Core) staffButton(_ context.Context, r *Request) (Reply, error) {
	action := strings.TrimPrefix(r.Data, "staff:")
	if action != "add" && action != "remove" {
		return Reply{}, badButton(r.Data)
	}
	return Reply{Form: &Form{ID: "staff:" + action, Title: r.Text("staff.form_"+action, nil), Fields: []FormField{
		{ID: "member", Label: r.Text("staff.form_member", nil), Placeholder: "@username", Required: true},
	}}}, nil
}

// staffForm adds or removes the member named in the form.
func (c *Core) staffForm(ctx context.Context, r *Request) (Reply, error) {
	action := strings.TrimPrefix(r.Data, "staff:")
	if action != "add" && action != "remove" {
		return Reply{}, fmt.Errorf("unknown staff form %q", r.Data)
	}
	r.args = map[string]string{"member": r.Fields["member"]}
	m, err := r.TargetMember(ctx, "member")
	if err != nil {
		return Reply{}, err
	}
	return c.changeStaff(ctx, r, action, m)
}

// renderStaffChange tells a member they became (or stopped being) staff, in
// their direct messages on every platform Hearth runs, and tells the staff
// chats.
func (c *Core) renderStaffChange(added bool) Renderer {
	suffix := "removed"
	if added {
		suffix = "added"
	}
	return func(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
		p, err := outbox.Decode[community.StaffChanged](e)
		if err != nil {
			return nil, err
		}
		member, err := c.store.Member(ctx, p.Member)
		if err != nil {
			return nil, err
		}
		by, err := c.store.Member(ctx, p.By)
		if err != nil && community.ErrorCode(err) != community.ENotFound {
			return nil, err
		}
		var out []outbox.Outgoing
		for _, id := range member.Identities {
			if !c.activePlatform(id.Platform) {
				continue
			}
			lang := c.router.memberLanguage(member, id)
			text := c.router.catalog.Text(lang, "staff.you_"+suffix, map[string]any{"Community": c.community})
			out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: id.Platform, UserID: id.UserID, Lang: lang}, Message: Reply{Text: text}})
		}
		staff, err := c.router.staffTexts(ctx, c.store, func(lang string) string {
			return c.router.catalog.Text(lang, "staff.chat_"+suffix, map[string]any{"Name": p.Name, "By": displayOr(by, catalog.Raw("?"))})
		})
		return append(out, staff...), err
	}
}

func displayOr(m community.Member, fallback any) any {
	if m.DisplayName == "" {
		return fallback
	}
	return m.DisplayName
}
