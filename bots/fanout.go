package bots

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// staffChatLister lists the staff chat of every platform that has one.
type staffChatLister interface {
	StaffChats(ctx context.Context) ([]community.Chat, error)
}

// connectedStaffChats returns the staff chats of the platforms this
// process serves.
func (r *Router) connectedStaffChats(ctx context.Context, store staffChatLister) ([]community.Chat, error) {
	chats, err := store.StaffChats(ctx)
	if err != nil {
		return nil, err
	}
	var out []community.Chat
	for _, c := range chats {
		if _, ok := r.adapters[c.Platform]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// chatMessages renders one message per chat on a connected platform, each
// in the chat's language.
func (r *Router) chatMessages(chats []community.Chat, render func(lang string) (Reply, error)) ([]outbox.Outgoing, error) {
	var out []outbox.Outgoing
	for _, c := range chats {
		if _, ok := r.adapters[c.Platform]; !ok {
			continue
		}
		lang := r.chatLanguage(c)
		reply, err := render(lang)
		if err != nil {
			return nil, err
		}
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: c.Platform, ChatID: c.PlatformID, Lang: lang}, Message: reply})
	}
	return out, nil
}

// staffMessages renders one message per staff chat, in the chat's
// language: how every feature tells staff something.
func (r *Router) staffMessages(ctx context.Context, store staffChatLister, render func(lang string) (Reply, error)) ([]outbox.Outgoing, error) {
	chats, err := r.connectedStaffChats(ctx, store)
	if err != nil {
		return nil, err
	}
	return r.chatMessages(chats, render)
}

// staffTexts is staffMessages for plain texts.
func (r *Router) staffTexts(ctx context.Context, store staffChatLister, text func(lang string) string) ([]outbox.Outgoing, error) {
	return r.staffMessages(ctx, store, func(lang string) (Reply, error) { return Reply{Text: text(lang)}, nil })
}

// writableIdentities returns the member's accounts on connected platforms
// that Hearth may write to privately.
func (r *Router) writableIdentities(ctx context.Context, m community.Member) ([]community.Identity, error) {
	var out []community.Identity
	for _, id := range m.Identities {
		if _, ok := r.adapters[id.Platform]; !ok {
			continue
		}
		ok, err := r.MayWritePrivately(ctx, id.Account)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// privately writes to member m on every platform Hearth may write to them
// on, each in their language there (message writes it for a language),
// not before notBefore (zero: at once).
func (r *Router) privately(ctx context.Context, m community.Member, notBefore time.Time, message func(lang string) outbox.Message) ([]outbox.Outgoing, error) {
	ids, err := r.writableIdentities(ctx, m)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, id := range ids {
		lang := r.memberLanguage(m, id)
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: id.Platform, UserID: id.UserID, Lang: lang},
			Message: message(lang), NotBefore: notBefore})
	}
	return out, nil
}
