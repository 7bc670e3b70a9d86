package bots

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// renderPosts posts an announcement in the chats chosen when it was sent,
// each with a header and footer in the chat's language.
func (f *announceFeature) renderPosts(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	ann, err := f.eventAnnouncement(ctx, e)
	if err != nil {
		return nil, err
	}
	chats, err := f.store.AnnouncementPostChats(ctx, ann.ID)
	if err != nil {
		return nil, err
	}
	return f.router.chatMessages(chats, func(lang string) (Reply, error) {
		return Reply{Text: f.post(lang, ann.Text, "announce.footer_group")}, nil
	})
}

// renderExpansion records the next batch of an announcement's
// recipients, which queues their private messages and the next batch; it
// sends nothing itself.
func (f *announceFeature) renderExpansion(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	x, err := outbox.Decode[community.AnnouncementExpansion](e)
	if err != nil {
		return nil, err
	}
	return nil, f.announcements.Expand(ctx, x)
}

// renderDMs writes an announcement privately to a batch of its
// recipients, on every platform Hearth may write to them on, each in
// their language; while it was quiet, the messages wait until it is not.
func (f *announceFeature) renderDMs(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	ann, err := f.eventAnnouncement(ctx, e)
	if err != nil {
		return nil, err
	}
	p, err := outbox.Decode[community.AnnouncementDMs](e)
	if err != nil {
		return nil, err
	}
	members, err := f.store.AnnouncementRecipients(ctx, ann.ID, p.From, p.To)
	if err != nil {
		return nil, err
	}
	texts := map[string]string{}
	var out []outbox.Outgoing
	for _, m := range members {
		msgs, err := f.router.privately(ctx, m, ann.Reach.HeldUntil, func(lang string) outbox.Message {
			if _, ok := texts[lang]; !ok {
				texts[lang] = f.post(lang, ann.Text, "announce.footer_dm")
			}
			return Reply{Text: texts[lang]}
		})
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// eventAnnouncement loads the announcement an event is about; every
// announcement event's payload names it.
func (f *announceFeature) eventAnnouncement(ctx context.Context, e outbox.Event) (community.Announcement, error) {
	p, err := outbox.Decode[community.AnnouncementPosts](e)
	if err != nil {
		return community.Announcement{}, err
	}
	return f.store.Announcement(ctx, p.Announcement)
}

// post is an announcement as members read it: the community's header,
// the staff's text as written, and a footer ("" for none).
func (f *announceFeature) post(lang, text, footer string) string {
	out := f.router.catalog.Text(lang, "announce.header", map[string]any{"Community": f.community}) + "\n\n" + text
	if footer != "" {
		out += "\n\n" + f.router.catalog.Text(lang, footer, nil)
	}
	return out
}

// audience names whom an announcement is for: everyone, or a tier and
// those above it.
func (f *announceFeature) audience(lang string, tier *community.Tier) catalog.Raw {
	cat := f.router.catalog
	switch {
	case tier == nil:
		return catalog.Raw(cat.Text(lang, "announce.audience_all", nil))
	case *tier == community.Tiers[len(community.Tiers)-1]:
		return catalog.Raw(cat.Text(lang, "announce.audience_top", map[string]any{"Tier": f.tierName(lang, *tier)}))
	default:
		return catalog.Raw(cat.Text(lang, "announce.audience_tier", map[string]any{"Tier": f.tierName(lang, *tier)}))
	}
}

func (f *announceFeature) tierName(lang string, t community.Tier) catalog.Raw {
	return catalog.Raw(f.router.catalog.Text(lang, "tier."+t.String(), nil))
}

// reachLines explain whom an announcement reaches: the groups it is
// posted in, the members written to by tier, those over the weekly cap,
// and the quiet hours holding the private messages.
func (f *announceFeature) reachLines(lang string, tier *community.Tier, reach community.Reach) []string {
	cat := f.router.catalog
	var lines []string
	switch {
	case reach.GroupCount() > 0:
		var groups []string
		for _, p := range slices.Sorted(maps.Keys(reach.Groups)) {
			groups = append(groups, cat.Count(lang, "announce.groups_on", reach.Groups[p], map[string]any{"Platform": platformName(p)}))
		}
		lines = append(lines, cat.Text(lang, "announce.posts", map[string]any{"Groups": catalog.Raw(strings.Join(groups, ", "))}))
	case tier != nil:
		lines = append(lines, cat.Text(lang, "announce.no_posts_tier", nil))
	default:
		lines = append(lines, cat.Text(lang, "announce.no_posts", nil))
	}
	switch {
	case reach.PrivateOff():
		lines = append(lines, cat.Text(lang, "announce.private_off", nil))
	case reach.MemberCount() > 0:
		var tiers []string
		for _, t := range slices.Backward(community.Tiers) {
			if n := reach.Members[t]; n > 0 {
				tiers = append(tiers, fmt.Sprintf("%s %d", f.tierName(lang, t), n))
			}
		}
		lines = append(lines, cat.Count(lang, "announce.members", reach.MemberCount(), map[string]any{"Tiers": catalog.Raw(strings.Join(tiers, ", "))}))
	default:
		lines = append(lines, cat.Text(lang, "announce.no_members", nil))
	}
	if reach.Capped > 0 {
		lines = append(lines, cat.Count(lang, "announce.capped", reach.Capped, map[string]any{"Cap": reach.Cap}))
	}
	if reach.Held() > 0 {
		lines = append(lines, cat.Text(lang, "announce.held", map[string]any{"Until": f.when(reach.HeldUntil)}))
	}
	return lines
}

// reachSummary is a sent announcement's reach on one line, for the
// history.
func (f *announceFeature) reachSummary(lang string, reach community.Reach) string {
	cat := f.router.catalog
	parts := []string{
		cat.Count(lang, "announce.sum_groups", reach.GroupCount(), nil),
		cat.Count(lang, "announce.sum_members", reach.MemberCount(), nil),
	}
	if reach.Capped > 0 {
		parts = append(parts, cat.Count(lang, "announce.sum_capped", reach.Capped, nil))
	}
	if reach.Held() > 0 {
		parts = append(parts, cat.Text(lang, "announce.sum_held", map[string]any{"Until": f.when(reach.HeldUntil)}))
	}
	return strings.Join(parts, " · ")
}

// when writes a time in the community's time zone.
func (f *announceFeature) when(t time.Time) string {
	return t.In(f.o.Location).Format("2006-01-02 15:04")
}
