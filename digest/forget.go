package digest

import (
	"slices"

	"github.com/hearthbot/hearth/community"
)

// Forget takes member m out of a stored digest, as an erasure does: a
// top contributor's line keeps only the week's activity and tier; a VIP
// at risk is no longer listed, only counted; the moderated VIPs name
// them no more (they are counted), nor do the highlight's thanks. It
// reports whether the staff's part of the digest named them, and whether
// its public highlight did.
func (d *Digest) Forget(m community.MemberID) (staff, public bool) {
	for i, c := range d.Top {
		if c.Member == m { // the rank stays: their week's activity, nothing of their account
			d.Top[i], staff = Contributor{Tier: c.Tier, Points: c.Points, Messages: c.Messages}, true
		}
	}
	n := len(d.AtRisk) // counted in AtRiskCount still, no longer listed
	d.AtRisk = slices.DeleteFunc(d.AtRisk, func(a AtRisk) bool { return a.Member == m })
	vips := len(d.Moderation.VIPsNamed)
	d.Moderation.VIPsNamed = slices.DeleteFunc(d.Moderation.VIPsNamed, func(x Named) bool { return x.Member == m })
	d.Moderation.MoreVIPsBy += vips - len(d.Moderation.VIPsNamed)
	authors := len(d.Highlight.Authors)
	d.Highlight.Authors = slices.DeleteFunc(d.Highlight.Authors, func(x Named) bool { return x.Member == m })
	return staff || len(d.AtRisk) < n || len(d.Moderation.VIPsNamed) < vips, len(d.Highlight.Authors) < authors
}

// NamedMembers are the members the digest names, each once.
func (d Digest) NamedMembers() []community.MemberID {
	var out []community.MemberID
	add := func(m community.MemberID) {
		if m != 0 && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, c := range d.Top {
		add(c.Member)
	}
	for _, a := range d.AtRisk {
		add(a.Member)
	}
	for _, n := range append(slices.Clone(d.Moderation.VIPsNamed), d.Highlight.Authors...) {
		add(n.Member)
	}
	return out
}
