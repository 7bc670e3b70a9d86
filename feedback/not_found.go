package feedback

import "github.com/hearthbot/hearth/community"

// ItemNotFound: no item id.
func ItemNotFound(id ItemID) error {
	return community.Errorf(community.ENotFound, "feedback.not_found", map[string]any{"ID": int64(id)}, "no item %d", id)
}

// DraftNotFound: the member's draft is gone (posted, or dropped for a
// look-alike).
func DraftNotFound(id DraftID) error {
	return community.Errorf(community.ENotFound, "feedback.draft_gone", nil, "no draft %d", id)
}
