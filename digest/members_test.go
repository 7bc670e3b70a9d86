package digest_test

import (
	"slices"
	"testing"

	"github.com/hearthbot/hearth/digest"
)

// TestCountMembers: bit k is week k+1 of the reach, the span's first week
// being bit 4. A member active in the span's first week only, first seen
// long before, is active and returning in it, and gone quiet for the four
// weeks after; one first seen in the week before is active but not
// returning; one active every week never returns nor goes quiet.
func TestCountMembers(t *testing.T) {
	active, returning, quiet := digest.CountMembers([]digest.MemberWeeks{
		{Active: 1 << 4, Joined: 0, Members: 3},
		{Active: 1 << 4, Joined: 4, Members: 2}, // first seen in the week before the span
		{Active: 1<<16 - 1, Joined: 0, Members: 5},
	})
	want := func(first int, rest ...int) []int {
		out := make([]int, digest.ChartWeeks)
		out[0] = first
		copy(out[1:], rest)
		return out
	}
	if w := want(10, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5); !slices.Equal(active, w) {
		t.Errorf("active %v, want %v", active, w)
	}
	if w := want(3); !slices.Equal(returning, w) {
		t.Errorf("returning %v, want %v", returning, w)
	}
	if w := want(0, 5, 5, 5, 5); !slices.Equal(quiet, w) {
		t.Errorf("gone quiet %v, want %v", quiet, w)
	}
}
