package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

var _ bots.TierRoles = (*Adapter)(nil)

// GrantTierRole gives the member the role of their tier (Options.TierRoles)
// in every server of Hearth's that has it and that they are in. A tier
// with no role, or a user in none of those servers, is no change; a role
// the member has already is no error.
func (a *Adapter) GrantTierRole(ctx context.Context, userID string, tier community.Tier) error {
	return a.changeTierRole(ctx, userID, tier, "give", a.session.GuildMemberRoleAdd)
}

// RevokeTierRole takes the role of a tier away from the member wherever
// GrantTierRole would give it.
func (a *Adapter) RevokeTierRole(ctx context.Context, userID string, tier community.Tier) error {
	return a.changeTierRole(ctx, userID, tier, "take away", a.session.GuildMemberRoleRemove)
}

// roleCall is GuildMemberRoleAdd or GuildMemberRoleRemove.
type roleCall func(guildID, userID, roleID string, options ...discordgo.RequestOption) error

// changeTierRole makes the call in every server that has the tier's role.
// One server refusing does not keep the others from changing.
func (a *Adapter) changeTierRole(ctx context.Context, userID string, tier community.Tier, verb string, call roleCall) error {
	role := a.o.TierRoles[tier]
	if role == "" {
		return nil
	}
	var errs []error
	for _, in := range a.tierRoles(role) {
		err := call(in.server.id, userID, in.role.ID, discordgo.WithContext(ctx))
		if err == nil || restCode(err) == codeUnknownMember { // not in this server
			continue
		}
		what := fmt.Sprintf("%s role %q (%s tier) of user %s in %s", verb, in.role.Name, tier, userID, in.server)
		if status(err) == http.StatusForbidden {
			// Missing Permissions: Hearth lacks Manage Roles, or the role
			// is not below Hearth's highest role.
			err = fmt.Errorf("%w: %w", bots.ErrNoRights, classify(err))
		} else {
			err = classify(err)
		}
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// serverRole is a role of one of Hearth's servers.
type serverRole struct {
	server server
	role   discordgo.Role
}

// tierRoles finds a configured tier role in Hearth's servers, as the
// state has them now. A role id (a snowflake) names one role of one
// server; any other value is a role's name, found in every server that
// has a role of that name.
func (a *Adapter) tierRoles(role string) []serverRole {
	byName := strings.Trim(role, "0123456789") != ""
	var out []serverRole
	for _, id := range a.admins.guildIDs() {
		s, ok := a.server(id)
		if !ok {
			continue
		}
		var found *discordgo.Role
		for _, r := range s.roles {
			named := byName && r.Name == role && !r.Managed && r.ID != s.id
			if (r.ID == role || named) && (found == nil || compareIDs(r.ID, found.ID) < 0) {
				found = &r // two roles of one name: the older
			}
		}
		if found != nil {
			out = append(out, serverRole{server: s, role: *found})
		}
	}
	return out
}
