package support

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Answer is a message someone may mark helpful: who wrote it and who
// asked what it answers.
type Answer struct {
	Chat    community.ChatID
	Message string             // the platform's message id
	Author  community.MemberID // 0 when the author asked to be forgotten
	// Asker wrote the message the answer replies to or, for an answer that
	// replies to none, started its thread or forum topic; 0 when unknown.
	Asker community.MemberID
}

// Credit is what a helpful answer earns its author: one activity of theirs
// that counts for their engagement, recorded once per message.
type Credit struct {
	Member   community.MemberID
	Activity community.ActivityKind
	Chat     community.ChatID
	Message  string
	At       time.Time
}

// MayMarkHelpful says whether a member may mark an answer helpful: staff
// may mark any answer, other members only the answers to what they asked,
// and nobody their own or one whose author is forgotten.
func MayMarkHelpful(a Answer, by community.MemberID, byStaff bool) error {
	switch {
	case a.Author == 0:
		return community.Errorf(community.ENotFound, "helpful.unknown", nil, "message %s of chat %d has no author any more", a.Message, a.Chat)
	case a.Author == by:
		return community.Errorf(community.EForbidden, "helpful.own", nil, "member %d marked their own answer %s helpful", by, a.Message)
	case !byStaff && (a.Asker == 0 || a.Asker != by):
		return community.Errorf(community.EForbidden, "helpful.not_asker", nil, "member %d did not ask what message %s answers", by, a.Message)
	}
	return nil
}

// HelpfulCredit is what marking an answer helpful credits: a helpful
// answer to its author, not to who marked it.
func HelpfulCredit(a Answer, at time.Time) Credit {
	return Credit{Member: a.Author, Activity: community.ActivityHelpfulAnswer, Chat: a.Chat, Message: a.Message, At: at}
}

// MarkHelpful marks a message of chat helpful on behalf of a member, when
// MayMarkHelpful allows it, and credits its author; a message marked
// already is EConflict.
func (d *Desk) MarkHelpful(ctx context.Context, chat community.ChatID, message string, by community.MemberID, byStaff bool) (Answer, error) {
	a, err := d.store.Answer(ctx, chat, message)
	if err != nil {
		return Answer{}, err
	}
	if err := MayMarkHelpful(a, by, byStaff); err != nil {
		return a, err
	}
	marked, err := d.store.RecordHelpful(ctx, HelpfulCredit(a, d.now()))
	if err != nil {
		return a, err
	}
	if !marked {
		return a, community.Errorf(community.EConflict, "helpful.already", nil, "message %s is already marked helpful", message)
	}
	return a, nil
}
