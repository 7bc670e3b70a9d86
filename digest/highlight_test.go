package digest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
)

// TestHighlightNamesOnlyWhomItMay: newcomers and authors beyond the names
// a highlight shows are counted with those who may not be named; a week
// with nothing to tell is empty.
func TestHighlightNamesOnlyWhomItMay(t *testing.T) {
	var names []digest.Named
	for i := range digest.HighlightNames + 3 {
		names = append(names, digest.Named{Member: community.MemberID(i + 1), Name: fmt.Sprintf("m%d", i)})
	}
	h := digest.HighlightOf(digest.HighlightFacts{Newcomers: names, HiddenNewcomers: 2, Posts: 15, Authors: names, UnnamedPosts: 1})
	if !slices.Equal(h.Newcomers, names[:digest.HighlightNames]) || h.MoreNewcomers != 5 {
		t.Errorf("newcomers %v and %d more; want the first %d named, 3 beyond them and 2 hidden counted", h.Newcomers, h.MoreNewcomers, digest.HighlightNames)
	}
	if len(h.Authors) != digest.HighlightNames || h.UnnamedAuthors != 4 || h.Posts != 15 {
		t.Errorf("authors %v, %d unnamed, %d posts", h.Authors, h.UnnamedAuthors, h.Posts)
	}
	if h.Empty() {
		t.Error("a week with newcomers is empty")
	}
	if !digest.HighlightOf(digest.HighlightFacts{}).Empty() {
		t.Error("a week with nothing is not empty")
	}
	if digest.HighlightOf(digest.HighlightFacts{HiddenNewcomers: 1}).Empty() {
		t.Error("a week with one hidden newcomer is empty: they are still welcomed")
	}
}

// TestForgetTakesAMemberOutOfADigest: an erased member's lines stay
// without their name or id, and the lists of names count them instead;
// a digest that does not name them is unchanged.
func TestForgetTakesAMemberOutOfADigest(t *testing.T) {
	ann, bo := digest.Named{Member: 7, Name: "Ann"}, digest.Named{Member: 8, Name: "Bo"}
	d := digest.Digest{Top: []digest.Contributor{{Member: 7, Name: "Ann", Points: 12}, {Member: 8, Name: "Bo"}},
		AtRisk:     []digest.AtRisk{{Member: 7, Name: "Ann", Ticket: 3}},
		Moderation: digest.ModerationSection{VIPsNamed: []digest.Named{ann, bo}},
		Highlight:  digest.Highlight{Newcomers: []digest.Named{bo, ann}, Authors: []digest.Named{ann}, UnnamedAuthors: 1}}
	if !d.Forget(7) {
		t.Fatal("Ann was not found")
	}
	if d.Top[0] != (digest.Contributor{Points: 12}) || d.Top[1].Name != "Bo" || d.AtRisk[0].Name != "" || d.AtRisk[0].Member != 0 || d.AtRisk[0].Ticket != 3 {
		t.Errorf("lines %+v %+v", d.Top, d.AtRisk)
	}
	if !slices.Equal(d.Moderation.VIPsNamed, []digest.Named{bo}) || d.Moderation.MoreVIPsBy != 1 ||
		!slices.Equal(d.Highlight.Newcomers, []digest.Named{bo}) || d.Highlight.MoreNewcomers != 1 ||
		len(d.Highlight.Authors) != 0 || d.Highlight.UnnamedAuthors != 2 {
		t.Errorf("names %+v %+v", d.Moderation, d.Highlight)
	}
	if d.Forget(7) || d.Forget(99) {
		t.Error("a digest without the member changed")
	}
}
