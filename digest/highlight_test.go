package digest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearthbot/hearth/digest"
)

// TestHighlightNamesOnlyWhomItMay: newcomers and authors beyond the names
// a highlight shows are counted with those who may not be named; a week
// with nothing to tell is empty.
func TestHighlightNamesOnlyWhomItMay(t *testing.T) {
	var names []string
	for i := range digest.HighlightNames + 3 {
		names = append(names, fmt.Sprintf("m%d", i))
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
