package storage

import (
	"testing"

	"github.com/hearthbot/hearth/community"
)

// TestScrubMemberIDMatchesIdsOnly: a member's id is taken out of the
// fields that hold member ids, exactly; the same number elsewhere, words
// like "kind" and "member", and other members stay.
func TestScrubMemberIDMatchesIdsOnly(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		about          bool
	}{
		{"about them", `{"kind": "warn", "member": 42, "by": 7, "reason": "spam"}`, "", true},
		{"reported", `{"reported": 42, "reporter": 7}`, "", true},
		{"they acted", `{"kind": "warn", "member": 7, "by": 42, "reason": "42 times, kind"}`,
			`{"by":-1,"kind":"warn","member":7,"reason":"42 times, kind"}`, false},
		{"they reported", `{"reported": 7, "reporter": 42, "text": "member 42"}`, `{"reported":7,"reporter":-1,"text":"member 42"}`, false},
		{"a summary line", `{"changes": [{"member": 42, "to": "vip"}, {"member": 7, "to": "loyal"}], "at_risk": [{"member": 42}]}`,
			`{"at_risk":[],"changes":[{"member":7,"to":"loyal"}]}`, false},
		{"the same number elsewhere", `{"member": 7, "log": 42, "count": 42, "by": 420, "groups": ["telegram:42"]}`, "", false},
		{"a longer id", `{"member": 4242}`, "", false},
		{"a list of members told", `{"members": [7, 42, 9]}`, `{"members":[7,9]}`, false},
		{"members counted, not listed", `{"members": {"vip": 42}, "list": [42]}`, "", false},
		{"not an object", `[42, "42"]`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scrubMemberID([]byte(tc.in), 42)
			if err != nil {
				t.Fatal(err)
			}
			if got.about != tc.about {
				t.Errorf("about = %t, want %t", got.about, tc.about)
			}
			switch {
			case tc.about:
			case tc.want == "" && (got.changed || string(got.doc) != tc.in):
				t.Errorf("changed to %s, want it as it was", got.doc)
			case tc.want != "" && (!got.changed || string(got.doc) != tc.want):
				t.Errorf("got %s (changed %t), want %s", got.doc, got.changed, tc.want)
			}
		})
	}
	if community.ErasedMember != -1 {
		t.Fatalf("the cases above write ErasedMember as -1, it is %d", community.ErasedMember)
	}
}
