package community

import (
	"context"
	"time"
)

// Answer is a message someone may mark helpful: who wrote it and who
// asked what it answers.
type Answer struct {
	Chat    ChatID
	Message string   // the platform's message id
	Author  MemberID // 0 when the author asked to be forgotten
	// Asker wrote the message the answer replies to or, for an answer that
	// replies to none, started its thread or forum topic; 0 when unknown.
	Asker MemberID
}

// HelpfulStore finds answers and records them as helpful.
type HelpfulStore interface {
	// Answer returns the recorded message of chat; ENotFound when Hearth
	// never recorded it.
	Answer(ctx context.Context, chat ChatID, message string) (Answer, error)
	// RecordHelpful records a helpful answer for its author, once per
	// message; it reports false when the message was already marked.
	RecordHelpful(ctx context.Context, a Answer, at time.Time) (bool, error)
}

// MarkHelpful marks a message helpful on behalf of a member: staff may mark
// any answer, other members only the answers to what they asked, and
// nobody their own. The author's engagement gets a helpful answer.
func MarkHelpful(ctx context.Context, store HelpfulStore, chat ChatID, message string, by MemberID, byStaff bool, at time.Time) (Answer, error) {
	a, err := store.Answer(ctx, chat, message)
	if err != nil {
		return Answer{}, err
	}
	switch {
	case a.Author == 0:
		return a, Errorf(ENotFound, "helpful.unknown", nil, "message %s of chat %d has no author any more", message, chat)
	case a.Author == by:
		return a, Errorf(EForbidden, "helpful.own", nil, "member %d marked their own answer %s helpful", by, message)
	case !byStaff && (a.Asker == 0 || a.Asker != by):
		return a, Errorf(EForbidden, "helpful.not_asker", nil, "member %d did not ask what message %s answers", by, message)
	}
	marked, err := store.RecordHelpful(ctx, a, at)
	if err != nil {
		return a, err
	}
	if !marked {
		return a, Errorf(EConflict, "helpful.already", nil, "message %s is already marked helpful", message)
	}
	return a, nil
}
