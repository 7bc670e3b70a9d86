package bots

import (
	"context"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/outbox"
)

// digestFeatureStore is what the digest feature reads itself; the
// digest's own reads go through digest.Digests.
type digestFeatureStore interface {
	staffChatLister
	digest.Store
}

// digestFeature posts each week's digest to the staff chats, with its
// charts, and shows staff a digest with /digest [2026-W49].
type digestFeature struct {
	store   digestFeatureStore
	digests *digest.Digests
	router  *Router
}

func newDigestFeature(store digestFeatureStore, digests *digest.Digests) *digestFeature {
	return &digestFeature{store: store, digests: digests}
}

// Register adds /digest for staff and the renderer of the weekly post.
func (f *digestFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router = router
	router.Registry().Add(Command{Name: "digest", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.show,
		Args: []Arg{{Name: "week", Kind: ArgWord}}})
	dispatcher.Render(digest.EventReady, f.renderReady)
}

// show answers /digest: the stored digest of the week asked (the last
// complete week unless given), or one made now; its charts follow.
func (f *digestFeature) show(ctx context.Context, r *Request) (Reply, error) {
	w := f.digests.LastWeek()
	if arg := r.Arg("week"); arg != "" {
		parsed, err := digest.ParseWeek(arg)
		if err != nil {
			return Reply{}, community.Errorf(community.EInvalid, "digest.bad_week", map[string]any{"Text": arg}, "%v", err)
		}
		w = parsed
	}
	d, stored, err := f.digests.Read(ctx, w)
	if err != nil {
		return Reply{}, err
	}
	charts, err := DigestCharts(f.router.catalog, r.Lang, d)
	if err != nil {
		return Reply{}, err
	}
	reply := Reply{Text: DigestText(f.router.catalog, r.Lang, d, stored)}
	target := replyTarget(r, reply)
	for _, c := range charts {
		r.Also(outbox.Outgoing{Target: target, Message: Reply{Image: &c}})
	}
	return reply, nil
}

// renderReady posts a newly stored digest to every staff chat, in the
// chat's language: the text, then each chart.
func (f *digestFeature) renderReady(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[digest.Ready](e)
	if err != nil {
		return nil, err
	}
	w, err := digest.ParseWeek(p.Week)
	if err != nil {
		return nil, fmt.Errorf("digest event %d: %w", e.ID, err)
	}
	d, err := f.store.StoredDigest(ctx, w)
	if err != nil {
		return nil, err
	}
	chats, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, c := range chats {
		lang := f.router.chatLanguage(c)
		charts, err := DigestCharts(f.router.catalog, lang, d)
		if err != nil {
			return nil, err
		}
		target := outbox.Target{Platform: c.Platform, ChatID: c.PlatformID, Lang: lang}
		out = append(out, outbox.Outgoing{Target: target, Message: Reply{Text: DigestText(f.router.catalog, lang, d, true)}})
		for _, img := range charts {
			out = append(out, outbox.Outgoing{Target: target, Message: Reply{Image: &img}})
		}
	}
	return out, nil
}
