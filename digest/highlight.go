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
// (/highlights on): the ideas that shipped and the customers' posts
// shared with their consent, thanking the authors their consent's credit
// and /top allow to be named; and, read per group when it is posted
// (Welcome), a welcome to the group's newcomers.
type Highlight struct {
	Shipped []IdeaLine `json:"shipped"`
	Posts   int        `json:"posts"`   // consented for the community in the week
	Authors []Named    `json:"authors"` // credited by name, at most HighlightNames
}

// HighlightFacts are what a highlight is made from: the ideas moved to
// done, and the posts consented for the community with their authors'
// names where the credit and /top allow (distinct, in the order of their
// first post).
type HighlightFacts struct {
	Shipped []IdeaLine
	Posts   int
	Authors []Named
}

// HighlightOf makes the highlight from its facts.
func HighlightOf(f HighlightFacts) Highlight {
	return Highlight{Shipped: head(f.Shipped), Posts: f.Posts, Authors: f.Authors[:min(len(f.Authors), HighlightNames)]}
}

// Empty reports whether the week has nothing to tell but the newcomers.
func (h Highlight) Empty() bool { return len(h.Shipped) == 0 && h.Posts == 0 }

// Welcome is the newcomers a group's highlight welcomes: the first
// HighlightNames of those who may be named, and how many more joined
// (the rest, and those who hid from /top).
func Welcome(named []Named, hidden int) (names []Named, more int) {
	names = named[:min(len(named), HighlightNames)]
	return names, len(named) - len(names) + hidden
}

// HighlightAudit is the audit entry of staff turning a group's highlight
// on or off.
func HighlightAudit(chat community.ChatID, on bool, by community.MemberID, at time.Time) community.AuditEntry {
	return community.AuditEntry{At: at, Actor: by, Action: AuditHighlights, Chat: chat, Details: map[string]any{"on": on}}
}
