package feedback

import (
	"slices"
	"strings"

	"github.com/hearthbot/hearth/community"
)

// Status is where an item stands in the workflow.
type Status string

// The statuses: open, under review, planned, in progress and done in
// that order; declined or merged end an item at any point before done.
const (
	StatusOpen        Status = "open"
	StatusUnderReview Status = "under_review"
	StatusPlanned     Status = "planned"
	StatusInProgress  Status = "in_progress"
	StatusDone        Status = "done"
	StatusDeclined    Status = "declined"
	StatusMerged      Status = "merged"
)

// progress is the workflow's order: an item moves forward only (staff
// may skip a step), and may be declined until it is done. Merging has its
// own command (it names the item merged into).
var progress = []Status{StatusOpen, StatusUnderReview, StatusPlanned, StatusInProgress, StatusDone}

// ParseStatus reads a status as staff type it ("in progress",
// "in_progress" or "in-progress").
func ParseStatus(s string) (Status, bool) {
	norm := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	for _, st := range append(slices.Clone(progress), StatusDeclined, StatusMerged) {
		if norm == string(st) {
			return st, true
		}
	}
	return "", false
}

// Next lists the statuses an item may move to from s: the later steps of
// the workflow and declined; none once it is done, declined or merged.
func (s Status) Next() []Status {
	i := slices.Index(progress, s)
	if i < 0 || s == StatusDone {
		return nil
	}
	return append(slices.Clone(progress[i+1:]), StatusDeclined)
}

// Closed reports whether an item no longer takes votes: declined or
// merged.
func (s Status) Closed() bool { return s == StatusDeclined || s == StatusMerged }

// CheckMove refuses a move the workflow does not allow, listing the
// statuses that are (EConflict, "feedback.bad_status").
func CheckMove(from, to Status) error {
	next := from.Next()
	if slices.Contains(next, to) {
		return nil
	}
	if len(next) == 0 {
		return community.Errorf(community.EConflict, "feedback.status_final", map[string]any{"Status": string(from)},
			"an item %s changes no more", from)
	}
	allowed := make([]string, len(next))
	for i, s := range next {
		allowed[i] = string(s)
	}
	return community.Errorf(community.EConflict, "feedback.bad_status", map[string]any{"From": string(from), "To": string(to),
		"Allowed": strings.Join(allowed, ", ")}, "an item %s cannot become %s; it may become: %s", from, to, strings.Join(allowed, ", "))
}

// CheckMerge refuses merging an item into itself, into an item that is
// itself merged or declined, or an item that is over already.
func CheckMerge(item, into int64, itemStatus, intoStatus Status) error {
	switch {
	case item == into:
		return community.Errorf(community.EInvalid, "feedback.merge_self", map[string]any{"ID": item}, "item %d cannot be merged into itself", item)
	case intoStatus.Closed():
		return community.Errorf(community.EConflict, "feedback.merge_into_closed", map[string]any{"ID": into, "Status": string(intoStatus)},
			"item %d is %s: nothing can be merged into it", into, intoStatus)
	case itemStatus.Closed() || itemStatus == StatusDone:
		return community.Errorf(community.EConflict, "feedback.merge_closed", map[string]any{"ID": item, "Status": string(itemStatus)},
			"item %d is %s already", item, itemStatus)
	}
	return nil
}
