package feedback

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// Move changes an item's status (staff): forward in the workflow, or
// declined; any other move is refused with the allowed ones listed. The
// author and every voter are told, once each, with the comment.
func (b *Board) Move(ctx context.Context, id ItemID, to Status, comment string, by community.MemberID) (Change, error) {
	comment, err := checkComment(comment)
	if err != nil {
		return Change{}, err
	}
	it, err := b.store.Item(ctx, id)
	if err != nil {
		return Change{}, err
	}
	if to == StatusMerged {
		return Change{}, community.Errorf(community.EInvalid, "feedback.merge_how", nil, "a merge names the item merged into")
	}
	if err := CheckMove(it.Status, to); err != nil {
		return Change{}, err
	}
	c := Change{Item: id, From: it.Status, To: to, Comment: comment, By: by, At: b.now(), Refresh: RefreshEvery}
	out, err := b.store.ChangeStatus(ctx, c, c.Effects())
	if errors.Is(err, community.ErrConflict) {
		return Change{}, b.settledMeanwhile(ctx, id, to)
	}
	return out, err
}

// Merge merges item id into another (staff): its votes move there (a
// member who voted for both counts once) and it ends as merged; its
// author and voters are told where it went.
func (b *Board) Merge(ctx context.Context, id, into ItemID, by community.MemberID) (Change, error) {
	it, err := b.store.Item(ctx, id)
	if err != nil {
		return Change{}, err
	}
	target, err := b.store.Item(ctx, into)
	if err != nil {
		return Change{}, err
	}
	if err := CheckMerge(int64(id), int64(into), it.Status, target.Status); err != nil {
		return Change{}, err
	}
	c := Change{Item: id, From: it.Status, To: StatusMerged, Into: into, By: by, At: b.now(), Refresh: RefreshEvery}
	out, err := b.store.Merge(ctx, c, c.Effects())
	if errors.Is(err, community.ErrConflict) {
		return Change{}, b.mergedMeanwhile(ctx, id, into)
	}
	return out, err
}

// settledMeanwhile says why a change found the item changed under its
// lock: the check against its status now.
func (b *Board) settledMeanwhile(ctx context.Context, id ItemID, to Status) error {
	it, err := b.store.Item(ctx, id)
	if err != nil {
		return err
	}
	if err := CheckMove(it.Status, to); err != nil {
		return err
	}
	return changedMeanwhile(id)
}

// mergedMeanwhile says why a merge found either item changed under its
// lock: the merge checked against both statuses now (a move check would
// refuse every merge, merged being no step of the workflow).
func (b *Board) mergedMeanwhile(ctx context.Context, id, into ItemID) error {
	it, err := b.store.Item(ctx, id)
	if err != nil {
		return err
	}
	target, err := b.store.Item(ctx, into)
	if err != nil {
		return err
	}
	if err := CheckMerge(int64(id), int64(into), it.Status, target.Status); err != nil {
		return err
	}
	return changedMeanwhile(id)
}

func changedMeanwhile(id ItemID) error {
	return community.Errorf(community.EConflict, "feedback.changed_meanwhile", map[string]any{"ID": int64(id)}, "item %d changed meanwhile", id)
}

// checkComment trims a staff comment and refuses one over MaxComment.
func checkComment(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > MaxComment {
		return "", community.Errorf(community.EInvalid, "feedback.comment_too_long", map[string]any{"Length": n, "Max": MaxComment},
			"a comment of %d characters; at most %d", n, MaxComment)
	}
	return s, nil
}

// Effects are what a change records: its audit entry (the notices are
// queued by the notices job, the posts' edit by the store).
func (c Change) Effects() community.Effects {
	action := AuditItemStatus
	if c.To == StatusMerged {
		action = AuditItemMerged
	}
	return community.Effects{Audit: []community.AuditEntry{{At: c.At, Actor: c.By, Action: action, Reason: c.Comment,
		Details: map[string]any{"item": int64(c.Item), "from": string(c.From), "to": string(c.To), "into": int64(c.Into)}}}}
}
