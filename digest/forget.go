package digest

import (
	"slices"

	"github.com/hearthbot/hearth/community"
)

// Forget takes member m out of a stored digest, as an erasure does: a
// top contributor's line keeps only the week's activity and tier; a VIP
// at risk is no longer listed, only counted; the moderated VIPs name them
// no more (they are counted), nor do the highlight's thanks. It reports whether the digest named them.
func (d *Digest) Forget(m community.MemberID) bool {
	changed := false
	for i, c := range d.Top {
		if c.Member == m { // the rank stays: their week's activity, nothing of their account
			d.Top[i], changed = Contributor{Tier: c.Tier, Points: c.Points, Messages: c.Messages}, true
		}
	}
	n := len(d.AtRisk) // counted in AtRiskCount still, no longer listed
	d.AtRisk = slices.DeleteFunc(d.AtRisk, func(a AtRisk) bool { return a.Member == m })
	changed = changed || len(d.AtRisk) < n
	drop := func(list *[]Named, more *int) {
		n := len(*list)
		*list = slices.DeleteFunc(*list, func(x Named) bool { return x.Member == m })
		if gone := n - len(*list); gone > 0 {
			*more += gone
			changed = true
		}
	}
	drop(&d.Moderation.VIPsNamed, &d.Moderation.MoreVIPsBy)
	authors := len(d.Highlight.Authors)
	d.Highlight.Authors = slices.DeleteFunc(d.Highlight.Authors, func(x Named) bool { return x.Member == m })
	return changed || len(d.Highlight.Authors) < authors
}
