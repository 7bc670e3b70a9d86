package bots

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/outbox"
)

// digestFeatureStore is what the digest feature reads itself; the
// digest's own reads go through digest.Digests.
type digestFeatureStore interface {
	staffChatLister
	digest.Store
	HighlightStore
}

// HighlightStore keeps the groups that get the weekly public highlight.
type HighlightStore interface {
	// SetHighlights turns the weekly highlight on or off in a group, with
	// its audit entry.
	SetHighlights(ctx context.Context, chat community.ChatID, on bool, by community.MemberID, at time.Time) error
	// HighlightChats returns the groups that get the weekly highlight.
	HighlightChats(ctx context.Context) ([]community.Chat, error)
	// HighlightNewcomers returns the members who joined a group in [start,
	// end) and may be named there, and how many others did.
	HighlightNewcomers(ctx context.Context, chat community.ChatID, start, end time.Time) ([]digest.Named, int, error)
}

// digestFeature posts each week's digest to the staff chats, with its
// charts, and its public highlight to the groups that asked for it; it
// shows staff a digest with /digest [2026-W49], and turns a group's
// highlight on or off with /highlights on|off.
type digestFeature struct {
	store   digestFeatureStore
	digests *digest.Digests
	now     func() time.Time
	router  *Router
}

func newDigestFeature(store digestFeatureStore, now func() time.Time, digests *digest.Digests) *digestFeature {
	return &digestFeature{store: store, now: now, digests: digests}
}

// Register adds /digest for staff and the renderer of the weekly post.
func (f *digestFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router = router
	router.Registry().Add(Command{Name: "digest", Permission: community.RoleStaff, Where: InStaffChat, Run: f.show,
		Args: []Arg{{Name: "week", Kind: ArgWord}}})
	router.Registry().Add(Command{Name: "highlights", Permission: community.RoleStaff, Where: InGroup, Run: f.setHighlights,
		Args: []Arg{{Name: "state", Kind: ArgWord, Required: true}}})
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

// setHighlights turns the group's weekly highlight on or off.
func (f *digestFeature) setHighlights(ctx context.Context, r *Request) (Reply, error) {
	state := strings.ToLower(strings.TrimSpace(r.Arg("state")))
	if state != "on" && state != "off" {
		return Reply{}, community.Errorf(community.EInvalid, "digest.highlights_how", nil, "/highlights %q: want on or off", state)
	}
	if err := f.store.SetHighlights(ctx, r.ChatID, state == "on", r.Member, f.now()); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("digest.highlights_"+state, nil)}, nil
}

// renderReady posts a newly stored digest to every staff chat, in the
// chat's language: the text, then each chart; and its highlight to the
// groups that asked for it, unless the week has nothing to tell.
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
	if d.MadeAt.Sub(d.End) > 7*24*time.Hour {
		return out, nil // a missed week caught up: its news is old, the groups hear of the latest week only
	}
	groups, err := f.store.HighlightChats(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		named, hidden, err := f.store.HighlightNewcomers(ctx, g.ID, d.Start, d.End)
		if err != nil {
			return nil, err
		}
		welcomed, more := digest.Welcome(named, hidden)
		if d.Highlight.Empty() && len(welcomed) == 0 && more == 0 {
			continue // nothing to tell this group this week
		}
		post, err := f.router.chatMessages([]community.Chat{g}, func(lang string) (Reply, error) {
			return Reply{Text: HighlightText(f.router.catalog, lang, f.router.community, d.Highlight, welcomed, more)}, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, post...)
	}
	return out, nil
}
