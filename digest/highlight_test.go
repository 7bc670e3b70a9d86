package digest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
)

// TestHighlightNamesOnlyWhomItMay: a group's welcome names the first
// HighlightNames newcomers who may be named and counts the rest with those
// who hid; the thanks name at most HighlightNames authors; a week with
// neither ideas shipped nor posts shared has nothing to tell but its
// newcomers.
func TestHighlightNamesOnlyWhomItMay(t *testing.T) {
	var names []digest.Named
	for i := range digest.HighlightNames + 3 {
		names = append(names, digest.Named{Member: community.MemberID(i + 1), Name: fmt.Sprintf("m%d", i)})
	}
	welcomed, more := digest.Welcome(names, 2)
	if !slices.Equal(welcomed, names[:digest.HighlightNames]) || more != 5 {
		t.Errorf("welcome %v and %d more; want the first %d named, 3 beyond them and 2 hidden counted", welcomed, more, digest.HighlightNames)
	}
	if welcomed, more := digest.Welcome(nil, 1); len(welcomed) != 0 || more != 1 {
		t.Errorf("one hidden newcomer: %v and %d more", welcomed, more)
	}
	h := digest.HighlightOf(digest.HighlightFacts{Posts: 15, Authors: names})
	if len(h.Authors) != digest.HighlightNames || h.Posts != 15 || h.Empty() {
		t.Errorf("highlight %+v", h)
	}
	if !digest.HighlightOf(digest.HighlightFacts{}).Empty() {
		t.Error("a week with nothing is not empty")
	}
}

// TestForgetTakesAMemberOutOfADigest: an erased top contributor's line
// keeps only the week's activity; an erased VIP at risk is counted, no
// longer listed; the moderated VIPs and the highlight's thanks name them
// no more; a digest that does not name them is unchanged.
func TestForgetTakesAMemberOutOfADigest(t *testing.T) {
	ann, bo := digest.Named{Member: 7, Name: "Ann"}, digest.Named{Member: 8, Name: "Bo"}
	d := digest.Digest{Top: []digest.Contributor{{Member: 7, Name: "Ann", Tier: community.TierVIP, Points: 12, Messages: 3, Linked: true, Predicted: 900,
		Modelled: true, Revenue: 40}, {Member: 8, Name: "Bo"}},
		AtRisk: []digest.AtRisk{{Member: 7, Name: "Ann", Ticket: 3}, {Member: 8, Name: "Bo"}}, AtRiskCount: 2,
		Moderation: digest.ModerationSection{VIPsNamed: []digest.Named{ann, bo}},
		Highlight:  digest.Highlight{Authors: []digest.Named{ann, bo}, Posts: 2}}
	if staff, public := d.Forget(7); !staff || !public {
		t.Fatalf("Ann was found in the staff's part %v, in the highlight %v; want both", staff, public)
	}
	if d.Top[0] != (digest.Contributor{Tier: community.TierVIP, Points: 12, Messages: 3}) || d.Top[1].Name != "Bo" {
		t.Errorf("top %+v", d.Top)
	}
	if len(d.AtRisk) != 1 || d.AtRisk[0].Name != "Bo" || d.AtRiskCount != 2 {
		t.Errorf("at risk %+v of %d", d.AtRisk, d.AtRiskCount)
	}
	if !slices.Equal(d.Moderation.VIPsNamed, []digest.Named{bo}) || d.Moderation.MoreVIPsBy != 1 ||
		!slices.Equal(d.Highlight.Authors, []digest.Named{bo}) || d.Highlight.Posts != 2 {
		t.Errorf("names %+v %+v", d.Moderation, d.Highlight)
	}
	if staff, public := d.Forget(7); staff || public {
		t.Error("a digest without the member changed")
	}
	if staff, public := d.Forget(8); !staff || !public {
		t.Errorf("Bo: staff %v, public %v; want both", staff, public)
	}
	d = digest.Digest{AtRisk: []digest.AtRisk{{Member: 9}}}
	if staff, public := d.Forget(9); !staff || public {
		t.Errorf("a VIP at risk only: staff %v, public %v; want the staff's part only", staff, public)
	}
}
