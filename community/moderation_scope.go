package community

import "context"

// Place is where a staff command was used: a group, or the staff chat.
type Place struct {
	Group     Group // the group; ignored in the staff chat
	StaffChat bool
}

// Scope is where a staff sanction of t applies: the group the command was
// used in; from the staff chat, every group Hearth moderates on each
// platform where t has an account (EInvalid mod.no_groups when none).
func (m *Moderation) Scope(ctx context.Context, t Member, at Place) ([]Group, error) {
	if !at.StaffChat {
		return []Group{at.Group}, nil
	}
	var out []Group
	for _, id := range t.Identities {
		if !m.enforcer.Moderates(id.Platform) {
			continue
		}
		chats, err := m.store.ModerationGroups(ctx, id.Platform)
		if err != nil {
			return nil, err
		}
		for _, c := range chats {
			out = append(out, Group{Platform: c.Platform, ID: c.PlatformID})
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EInvalid, "mod.no_groups", map[string]any{"Name": t.DisplayName}, "member %d is in no group Hearth moderates", t.ID)
	}
	return out, nil
}
