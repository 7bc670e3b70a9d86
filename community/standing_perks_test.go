package community

import (
	"fmt"
	"testing"
)

// TestVIPGateLetsOnlyVIPsIn: the VIP group's invite and door are for VIPs.
func TestVIPGateLetsOnlyVIPsIn(t *testing.T) {
	for _, tier := range Tiers {
		if got, want := (Standing{Tier: tier}).MayJoinVIPGroup(), tier == TierVIP; got != want {
			t.Errorf("%s may join the VIP group: %v, want %v", tier, got, want)
		}
	}
}

// TestPerkPlans: a first standing or a rise grants the new tier's role and
// takes the others; a fall does too, and takes a VIP out of the VIP group,
// only when perks go with the tier.
func TestPerkPlans(t *testing.T) {
	keep, remove := PerkRules{VIPGroup: true}, PerkRules{VIPGroup: true, RemoveOnDowngrade: true}
	for _, c := range []struct {
		name   string
		rules  PerkRules
		change TierChange
		want   string
	}{
		{"first standing", keep, TierChange{From: TierVIP, To: TierRegular, First: true}, "grant regular, revoke [newcomer loyal vip]"},
		{"a rise", keep, TierChange{From: TierRegular, To: TierVIP}, "grant vip, revoke [newcomer regular loyal]"},
		{"a fall, perks kept", keep, TierChange{From: TierVIP, To: TierLoyal}, "grant loyal, revoke []"},
		{"a fall, perks removed", remove, TierChange{From: TierVIP, To: TierLoyal}, "grant loyal, revoke [newcomer regular vip], leave the VIP group"},
		{"a fall below loyal", remove, TierChange{From: TierLoyal, To: TierRegular}, "grant regular, revoke [newcomer loyal vip]"},
		{"no VIP group", PerkRules{RemoveOnDowngrade: true}, TierChange{From: TierVIP, To: TierNewcomer}, "grant newcomer, revoke [regular loyal vip]"},
	} {
		p := c.rules.Plan(c.change)
		got := fmt.Sprintf("grant %s, revoke %v", p.Grant, p.Revoke)
		if p.LeaveVIPGroup {
			got += ", leave the VIP group"
		}
		if got != c.want {
			t.Errorf("%s: %s\nwant %s", c.name, got, c.want)
		}
	}
}
