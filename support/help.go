package support

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// HelpPlace is a group chat, a forum topic of one or a Discord channel an
// owner marked with /sethelp: a member's plain message there is a
// question to the knowledge base, answered in place.
type HelpPlace struct {
	Platform community.Platform
	Chat     string // the platform's chat id
	Thread   string // a Telegram forum topic; "" for the whole chat
	Title    string // the chat (and topic) as named when it was marked
	SetBy    community.MemberID
	SetAt    time.Time
}

// Thread names a thread on a platform: a member's private thread, where
// their messages are theirs to Hearth.
type Thread struct {
	Platform community.Platform
	ID       string
}

// HelpPlaceStore is what help places need from persistence. storage
// implements it.
type HelpPlaceStore interface {
	// SaveHelpPlace marks a place with its audit entry, in one
	// transaction; marking a place again keeps it, renamed.
	SaveHelpPlace(ctx context.Context, p HelpPlace, audit community.AuditEntry) error
	// DeleteHelpPlace unmarks a place with its audit entry, in one
	// transaction; false (and no audit) when it was not marked.
	DeleteHelpPlace(ctx context.Context, p HelpPlace, audit community.AuditEntry) (bool, error)
	// HelpPlaces lists the marked places by platform, chat and thread.
	HelpPlaces(ctx context.Context) ([]HelpPlace, error)
	// IsHelpPlace reports whether chat, or the thread of it, is marked.
	IsHelpPlace(ctx context.Context, platform community.Platform, chat, thread string) (bool, error)
}

// The audit actions of help places.
const (
	AuditHelpMarked   = "help.marked"
	AuditHelpUnmarked = "help.unmarked"
)

// HelpPlaces keeps where members' plain messages are questions. A whole
// chat covers its forum topics; a topic marked alone covers itself.
type HelpPlaces struct {
	store HelpPlaceStore
	now   func() time.Time
}

// NewHelpPlaces returns the help places kept in store.
func NewHelpPlaces(store HelpPlaceStore, now func() time.Time) *HelpPlaces {
	return &HelpPlaces{store: store, now: now}
}

// Mark makes p a help place, audited as by's act in chat.
func (h *HelpPlaces) Mark(ctx context.Context, p HelpPlace, by community.MemberID, chat community.ChatID) (HelpPlace, error) {
	p.SetBy, p.SetAt = by, h.now()
	return p, h.store.SaveHelpPlace(ctx, p, h.audit(AuditHelpMarked, p, by, chat))
}

// Unmark makes p an ordinary place again, audited; ENotFound
// (help.not_marked) when it was not a help place.
func (h *HelpPlaces) Unmark(ctx context.Context, p HelpPlace, by community.MemberID, chat community.ChatID) error {
	ok, err := h.store.DeleteHelpPlace(ctx, p, h.audit(AuditHelpUnmarked, p, by, chat))
	if err == nil && !ok {
		err = community.Errorf(community.ENotFound, "help.not_marked", nil, "%s chat %s thread %q is no help place", p.Platform, p.Chat, p.Thread)
	}
	return err
}

// List returns every help place.
func (h *HelpPlaces) List(ctx context.Context) ([]HelpPlace, error) { return h.store.HelpPlaces(ctx) }

// Covers reports whether a message in chat (in thread, "" for none) is in
// a help place.
func (h *HelpPlaces) Covers(ctx context.Context, platform community.Platform, chat, thread string) (bool, error) {
	return h.store.IsHelpPlace(ctx, platform, chat, thread)
}

func (h *HelpPlaces) audit(action string, p HelpPlace, by community.MemberID, chat community.ChatID) community.AuditEntry {
	return community.AuditEntry{At: h.now(), Actor: by, Action: action, Chat: chat,
		Details: map[string]any{"platform": string(p.Platform), "chat": p.Chat, "thread": p.Thread}}
}
