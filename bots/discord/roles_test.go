package discord_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
)

// roleScene is three servers alice is in: the shop's (with a VIP role,
// configured by id, and a Loyal role), the fan club's (a Loyal role too)
// and one with no tier roles. The Loyal tier is configured by name.
type roleScene struct {
	dc                        *discordtest.Server
	a                         *discord.Adapter
	shop, club, other         string
	vip, shopLoyal, clubLoyal string
	alice                     discordgo.User
}

func tierRoleScene(t *testing.T) *roleScene {
	t.Helper()
	dc := discordtest.New(t, token)
	owner := discordtest.NewUser("olga")
	s := &roleScene{dc: dc, alice: discordtest.NewUser("alice")}
	vip := &discordgo.Role{ID: discordtest.NewID(), Name: "VIP", Position: 2}
	shopLoyal := &discordgo.Role{ID: discordtest.NewID(), Name: "Loyal", Position: 1}
	clubLoyal := &discordgo.Role{ID: discordtest.NewID(), Name: "Loyal", Position: 1}
	shop, _ := textGuild("Tea Shop", owner.ID, vip, shopLoyal)
	club, _ := textGuild("Tea Club", owner.ID, clubLoyal)
	other, _ := textGuild("Elsewhere", owner.ID)
	for _, g := range []*discordgo.Guild{shop, club, other} {
		g.Members = []*discordgo.Member{{User: &owner}, {User: &s.alice}}
		dc.AddGuild(g)
	}
	s.shop, s.club, s.other = shop.ID, club.ID, other.ID
	s.vip, s.shopLoyal, s.clubLoyal = vip.ID, shopLoyal.ID, clubLoyal.ID
	s.a = connect(t, dc, discord.Options{TierRoles: map[community.Tier]string{
		community.TierVIP: vip.ID, community.TierLoyal: "Loyal", community.TierRegular: ""}}, shop.ID, club.ID, other.ID)
	return s
}

func (s *roleScene) roles(t *testing.T, guildID string) []string {
	t.Helper()
	m, ok := s.dc.Member(guildID, s.alice.ID)
	if !ok {
		t.Fatalf("alice is not a member of %s", guildID)
	}
	return m.Roles
}

// TestTierRolesInEveryServerThatHasThem: the VIP role, configured by id,
// is given in the one server that has it; the Loyal role, configured by
// name, in both servers that have a role of that name; giving it twice
// is fine; revoking takes it away everywhere.
func TestTierRolesInEveryServerThatHasThem(t *testing.T) {
	t.Parallel()
	s := tierRoleScene(t)
	ctx := context.Background()
	if err := s.a.GrantTierRole(ctx, s.alice.ID, community.TierVIP); err != nil {
		t.Fatalf("grant VIP: %v", err)
	}
	if got := s.roles(t, s.shop); !slices.Equal(got, []string{s.vip}) {
		t.Errorf("roles in the shop = %v, want VIP", got)
	}
	for _, g := range []string{s.club, s.other} {
		if n := len(s.dc.Requests("PUT", "/guilds/"+g+"/members/")); n != 0 {
			t.Errorf("%d role changes asked in a server without the VIP role", n)
		}
	}
	for range 2 {
		if err := s.a.GrantTierRole(ctx, s.alice.ID, community.TierLoyal); err != nil {
			t.Fatalf("grant Loyal: %v", err)
		}
	}
	if shop, club := s.roles(t, s.shop), s.roles(t, s.club); !slices.Equal(shop, []string{s.vip, s.shopLoyal}) || !slices.Equal(club, []string{s.clubLoyal}) {
		t.Errorf("roles after granting Loyal: shop %v, club %v; want the Loyal role in both", shop, club)
	}
	if err := s.a.RevokeTierRole(ctx, s.alice.ID, community.TierLoyal); err != nil {
		t.Fatalf("revoke Loyal: %v", err)
	}
	if shop, club := s.roles(t, s.shop), s.roles(t, s.club); !slices.Equal(shop, []string{s.vip}) || len(club) != 0 {
		t.Errorf("roles after revoking Loyal: shop %v, club %v; want only VIP in the shop", shop, club)
	}
	if other := s.roles(t, s.other); len(other) != 0 {
		t.Errorf("roles in the server without tier roles: %v", other)
	}
}

// TestTierRoleNoChange: a tier with no role configured, and a user in
// none of the servers, change nothing and are no error.
func TestTierRoleNoChange(t *testing.T) {
	t.Parallel()
	s := tierRoleScene(t)
	ctx := context.Background()
	before := len(s.dc.Requests("", "/guilds/"))
	for _, tier := range []community.Tier{community.TierRegular, community.TierNewcomer} {
		if err := s.a.GrantTierRole(ctx, s.alice.ID, tier); err != nil {
			t.Errorf("grant %s, which has no role: %v", tier, err)
		}
		if err := s.a.RevokeTierRole(ctx, s.alice.ID, tier); err != nil {
			t.Errorf("revoke %s, which has no role: %v", tier, err)
		}
	}
	if after := len(s.dc.Requests("", "/guilds/")); after != before {
		t.Errorf("%d calls to Discord for tiers without a role", after-before)
	}
	stranger := discordtest.NewUser("stranger")
	if err := s.a.GrantTierRole(ctx, stranger.ID, community.TierLoyal); err != nil {
		t.Errorf("grant to a user in no server: %v", err)
	}
}

// TestTierRoleWithoutManageRoles: a server where Hearth may not manage
// roles answers bots.ErrNoRights, naming the server; the other server
// gets its role all the same.
func TestTierRoleWithoutManageRoles(t *testing.T) {
	t.Parallel()
	s := tierRoleScene(t)
	s.dc.SetRolePermissions(t, s.shop, s.dc.BotRoleID(s.shop), discordgo.PermissionViewChannel|discordgo.PermissionSendMessages)
	err := s.a.GrantTierRole(context.Background(), s.alice.ID, community.TierLoyal)
	if !errors.Is(err, bots.ErrNoRights) || !strings.Contains(err.Error(), "Tea Shop") || strings.Contains(err.Error(), "Tea Club") {
		t.Fatalf("grant without Manage Roles in the shop: %v; want bots.ErrNoRights for the shop only", err)
	}
	if shop, club := s.roles(t, s.shop), s.roles(t, s.club); len(shop) != 0 || !slices.Equal(club, []string{s.clubLoyal}) {
		t.Errorf("roles: shop %v, club %v; want none in the shop, Loyal in the club", shop, club)
	}
}
