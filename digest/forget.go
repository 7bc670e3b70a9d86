package digest

import (
	"slices"

	"github.com/hearthbot/hearth/community"
)

// Forget takes member m out of a stored digest, as an erasure does: the
// lines about them stay, their figures counted, without their name or
// id; the names of the moderated VIPs and of the highlight are counted
// instead. It reports whether the digest named them.
func (d *Digest) Forget(m community.MemberID) bool {
	changed := false
	for i := range d.Top {
		if d.Top[i].Member == m {
			d.Top[i].Member, d.Top[i].Name, changed = 0, "", true
		}
	}
	for i := range d.AtRisk {
		if d.AtRisk[i].Member == m {
			d.AtRisk[i].Member, d.AtRisk[i].Name, changed = 0, "", true
		}
	}
	drop := func(list *[]Named, more *int) {
		n := len(*list)
		*list = slices.DeleteFunc(*list, func(x Named) bool { return x.Member == m })
		if gone := n - len(*list); gone > 0 {
			*more += gone
			changed = true
		}
	}
	drop(&d.Moderation.VIPsNamed, &d.Moderation.MoreVIPsBy)
	drop(&d.Highlight.Newcomers, &d.Highlight.MoreNewcomers)
	drop(&d.Highlight.Authors, &d.Highlight.UnnamedAuthors)
	return changed
}
