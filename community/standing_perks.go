package community

import "time"

// VIPInviteLifetime is how long the single-use invite /vip gives a VIP
// stays valid.
const VIPInviteLifetime = 24 * time.Hour

// MayJoinVIPGroup is the VIP gate: only a VIP is invited to the VIP group
// and let in when they ask to join.
func (s Standing) MayJoinVIPGroup() bool { return s.Tier == TierVIP }

// PerkRules say how the tiers' perks (a role per tier, the VIP group)
// follow a member's tier.
type PerkRules struct {
	// RemoveOnDowngrade takes a tier's perks away when a member falls
	// below the tier; otherwise they keep them.
	RemoveOnDowngrade bool
	// VIPGroup: there is a group only VIPs may join.
	VIPGroup bool
}

// PerkPlan is what one tier change does to a member's perks.
type PerkPlan struct {
	Grant  Tier   // the tier whose role the member gets
	Revoke []Tier // the tiers whose roles the member loses
	// LeaveVIPGroup removes the member from the VIP group.
	LeaveVIPGroup bool
}

// Plan decides the perks of a tier change: the new tier's role always;
// the other tiers' roles taken away on a first standing or a rise, and on
// a fall only when perks go with the tier; a VIP who falls leaves the VIP
// group on the same condition.
func (r PerkRules) Plan(c TierChange) PerkPlan {
	down := !c.First && c.To < c.From
	plan := PerkPlan{Grant: c.To}
	if !down || r.RemoveOnDowngrade {
		for _, t := range Tiers {
			if t != c.To {
				plan.Revoke = append(plan.Revoke, t)
			}
		}
	}
	plan.LeaveVIPGroup = r.VIPGroup && down && c.From == TierVIP && r.RemoveOnDowngrade
	return plan
}
