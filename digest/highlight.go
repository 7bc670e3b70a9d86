package digest

import (
	"time"

	"github.com/hearthbot/hearth/community"
)

// AuditHighlights names the audit entry of staff turning a group's weekly
// highlight on or off.
const AuditHighlights = "digest.highlights"

// HighlightNames is how many newcomers or authors a highlight names at
// most; the others are counted.
const HighlightNames = 10

// Highlight is the week told to a group, when staff turned it on there
// (/highlights on): a welcome to the newcomers, the ideas that shipped and
// the customers' posts shared with their consent. It names only members
// who did not hide from /top, and an author only as their consent's
// credit allows; everyone else is counted, not named.
type Highlight struct {
	Newcomers      []Named    `json:"newcomers"`
	MoreNewcomers  int        `json:"more_newcomers"`
	Shipped        []IdeaLine `json:"shipped"`
	Posts          int        `json:"posts"`           // consented for the community in the week
	Authors        []Named    `json:"authors"`         // credited by name
	UnnamedAuthors int        `json:"unnamed_authors"` // anonymous credit, or hidden from /top
}

// HighlightFacts are what a highlight is made from: the week's newcomers
// who may be named and how many may not; the ideas moved to done; the
// posts consented for the community, with their authors' names where the
// credit and /top allow.
type HighlightFacts struct {
	Newcomers       []Named
	HiddenNewcomers int
	Shipped         []IdeaLine
	Posts           int
	Authors         []Named // distinct, in the order of their first post
	UnnamedPosts    int     // posts whose author may not be named
}

// HighlightOf makes the highlight from its facts.
func HighlightOf(f HighlightFacts) Highlight {
	h := Highlight{Shipped: head(f.Shipped), Posts: f.Posts}
	h.Newcomers = f.Newcomers[:min(len(f.Newcomers), HighlightNames)]
	h.MoreNewcomers = len(f.Newcomers) - len(h.Newcomers) + f.HiddenNewcomers
	h.Authors = f.Authors[:min(len(f.Authors), HighlightNames)]
	h.UnnamedAuthors = f.UnnamedPosts
	if len(h.Authors) < len(f.Authors) {
		h.UnnamedAuthors += len(f.Authors) - len(h.Authors)
	}
	return h
}

// Empty reports whether the week has nothing to tell a group.
func (h Highlight) Empty() bool {
	return len(h.Newcomers) == 0 && h.MoreNewcomers == 0 && len(h.Shipped) == 0 && h.Posts == 0
}

// HighlightAudit is the audit entry of staff turning a group's highlight
// on or off.
func HighlightAudit(chat community.ChatID, on bool, by community.MemberID, at time.Time) community.AuditEntry {
	return community.AuditEntry{At: at, Actor: by, Action: AuditHighlights, Chat: chat, Details: map[string]any{"on": on}}
}
