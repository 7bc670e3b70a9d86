package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/community"
)

// AnnounceOptions limits the announcements members receive privately.
type AnnounceOptions struct {
	// WeeklyCap is how many announcements a member receives privately in
	// seven days at most; 0: none.
	WeeklyCap int
	// QuietHours hold private announcements until they end.
	QuietHours community.QuietHours
}

// AnnouncementOutbox is what the announcements' renderers need from
// persistence.
type AnnouncementOutbox interface {
	// AnnouncementPostChats returns the chats an announcement was posted
	// in that Hearth is still in.
	AnnouncementPostChats(ctx context.Context, id community.AnnouncementID) ([]community.Chat, error)
	// AnnouncementRecipients returns the recipients with member ids from
	// from to to who still want announcements privately, each with their
	// identities.
	AnnouncementRecipients(ctx context.Context, id community.AnnouncementID, from, to community.MemberID) ([]community.Member, error)
}

// announceFeatureStore is what the announcements feature reads itself;
// the rules' own go through community.Announcements.
type announceFeatureStore interface {
	Announcement(ctx context.Context, id community.AnnouncementID) (community.Announcement, error)
	AnnouncementOutbox
}

// announceFeature lets staff announce news to the community's groups and,
// privately, to the members who asked for it (/announce), and members
// choose whether they get announcements privately (/subscribe).
type announceFeature struct {
	store         announceFeatureStore
	announcements *community.Announcements
	o             CommunityOptions
	router        *Router
	community     string
}

const historySize = 10

func newAnnounceFeature(store announceFeatureStore, o CommunityOptions, announcements *community.Announcements) *announceFeature {
	return &announceFeature{store: store, o: o, announcements: announcements}
}

// AnnouncementLength counts a text as Telegram does: in UTF-16 units,
// after markup.
func AnnouncementLength(text string) int { return markup.UTF16Len(markup.Parse(text).PlainText()) }

// Register adds /announce and /subscribe and the announcements' renderers.
func (f *announceFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.community = router, router.community
	reg := router.Registry()
	reg.Add(Command{Name: "announce", Permission: community.RoleStaff, Where: InStaffChat | InDirect,
		Run: f.announce, Button: f.announceButton,
		Args: []Arg{{Name: "tier", Kind: ArgWord}, {Name: "text", Kind: ArgText}}})
	reg.Add(Command{Name: "subscribe", Permission: community.RoleMember, Where: InDirect,
		Run: f.subscribe, Button: f.subscribeButton,
		Args: []Arg{{Name: "choice", Kind: ArgChoice, Choices: []string{"on", "off"}}}})
	dispatcher.Render(community.EventAnnouncementPosts, f.renderPosts)
	dispatcher.Render(community.EventAnnouncementExpand, f.renderExpansion)
	dispatcher.Render(community.EventAnnouncementDMs, f.renderDMs)
}

// announce previews an announcement with Send and Cancel buttons, or
// lists the last ones (/announce list).
func (f *announceFeature) announce(ctx context.Context, r *Request) (Reply, error) {
	tier, text := announceArgs(r)
	if tier == "" && strings.EqualFold(text, "list") {
		return f.history(ctx, r)
	}
	ann, reach, err := f.announcements.Draft(ctx, r.Member, tier, text, f.via())
	if err != nil {
		return Reply{}, err
	}
	id := ann.ID.String()
	lines := []string{
		r.Text("announce.preview_title", map[string]any{"ID": id, "Audience": f.audience(r.Lang, ann.Tier)}),
		"", f.post(r.Lang, ann.Text, ""), "",
	}
	lines = append(lines, f.reachLines(r.Lang, ann.Tier, reach)...)
	return Reply{Text: strings.Join(lines, "\n"), Buttons: [][]Button{{
		{Label: r.Text("announce.button_send", nil), Data: "announce:send:" + id},
		{Label: r.Text("announce.button_cancel", nil), Data: "announce:cancel:" + id},
	}}}, nil
}

// announceArgs reads "[tier] text": on Discord from the typed options;
// elsewhere from the command line as written, where the first word is the
// tier when it names one.
func announceArgs(r *Request) (tier, text string) {
	if r.Options != nil {
		return r.Arg("tier"), r.Arg("text")
	}
	line := strings.TrimSpace(r.Update.Args)
	first, rest := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		first, rest = line[:i], line[i:]
	}
	if _, err := community.ParseTier(first); err == nil {
		return first, strings.TrimSpace(rest)
	}
	return "", line
}

// via is where Hearth can publish now: the connected platforms and the
// Telegram VIP group.
func (f *announceFeature) via() community.AnnounceVia {
	via := community.AnnounceVia{Platforms: f.router.Platforms(), Messaging: f.router.Messaging()}
	if _, ok := f.router.adapters[f.o.VIPGroup.Platform]; ok && f.o.VIPGroup.ChatID != "" {
		via.VIPGroups = []community.PlatformChat{f.o.VIPGroup}
	}
	return via
}

// announceButton sends or cancels the previewed announcement and replaces
// the preview with the outcome.
func (f *announceFeature) announceButton(ctx context.Context, r *Request) (Reply, error) {
	action, number, _ := strings.Cut(strings.TrimPrefix(r.Data, "announce:"), ":")
	n, err := strconv.ParseInt(number, 10, 64)
	if err != nil || (action != "send" && action != "cancel") {
		return Reply{}, badButton(r.Data)
	}
	id := community.AnnouncementID(n)
	if action == "cancel" {
		if _, err := f.announcements.Cancel(ctx, id, r.Member); err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("announce.cancelled", map[string]any{"ID": id.String()}), Edit: true}, nil
	}
	ann, err := f.announcements.Send(ctx, id, r.Member, f.via())
	if err != nil {
		return Reply{}, err
	}
	lines := []string{
		r.Text("announce.sent", map[string]any{"ID": id.String(), "Audience": f.audience(r.Lang, ann.Tier)}),
		"", ann.Text, "",
	}
	lines = append(lines, f.reachLines(r.Lang, ann.Tier, ann.Reach)...)
	return Reply{Text: strings.Join(lines, "\n"), Edit: true}, nil
}

// history lists the last announcements sent, with their reach.
func (f *announceFeature) history(ctx context.Context, r *Request) (Reply, error) {
	list, err := f.announcements.History(ctx, historySize)
	if err != nil {
		return Reply{}, err
	}
	if len(list) == 0 {
		return Reply{Text: r.Text("announce.history_empty", nil)}, nil
	}
	lines := []string{r.Text("announce.history_title", nil)}
	for _, a := range list {
		author := a.AuthorName
		if author == "" {
			author = "?"
		}
		lines = append(lines, "", r.Text("announce.history_line", map[string]any{"ID": a.ID.String(), "When": f.when(a.SentAt),
			"Author": author, "Audience": f.audience(r.Lang, a.Tier), "Excerpt": excerpt(a.Text, 80)}),
			f.reachSummary(r.Lang, a.Reach))
	}
	return Reply{Text: strings.Join(lines, "\n")}, nil
}

// excerpt is the start of a text (an announcement, a question) as plain
// text on one line.
func excerpt(text string, n int) string {
	plain := strings.Join(strings.Fields(markup.Parse(text).PlainText()), " ")
	if runes := []rune(plain); len(runes) > n {
		return strings.TrimSpace(string(runes[:n])) + "…"
	}
	return plain
}

// subscribe shows whether the member gets announcements privately, or
// turns them on or off (/subscribe on|off).
func (f *announceFeature) subscribe(ctx context.Context, r *Request) (Reply, error) {
	if choice := r.Arg("choice"); choice != "" {
		if err := f.announcements.Subscribe(ctx, r.Member, choice == "on"); err != nil {
			return Reply{}, err
		}
	}
	return f.subscription(ctx, r, false)
}

// subscribeButton turns announcements on or off and shows the new state
// in place of the old.
func (f *announceFeature) subscribeButton(ctx context.Context, r *Request) (Reply, error) {
	choice := strings.TrimPrefix(r.Data, "subscribe:")
	if choice != "on" && choice != "off" {
		return Reply{}, badButton(r.Data)
	}
	if err := f.announcements.Subscribe(ctx, r.Member, choice == "on"); err != nil {
		return Reply{}, err
	}
	return f.subscription(ctx, r, true)
}

func (f *announceFeature) subscription(ctx context.Context, r *Request, edit bool) (Reply, error) {
	on, err := f.announcements.Subscribed(ctx, r.Member)
	if err != nil {
		return Reply{}, err
	}
	rules := f.announcements.Rules()
	data := map[string]any{"Community": f.community}
	var text string
	button := Button{Label: r.Text("subscribe.button_on", nil), Data: "subscribe:on"}
	switch {
	case !on:
		text = r.Text("subscribe.off", data)
	case rules.WeeklyCap == 0:
		text = r.Text("subscribe.on_paused", data)
	default:
		text = r.Count("subscribe.on", rules.WeeklyCap, data)
		if !rules.Quiet.IsZero() {
			text += "\n" + r.Text("subscribe.quiet", map[string]any{"Quiet": quietSpan(rules.Quiet)})
		}
	}
	if on {
		button = Button{Label: r.Text("subscribe.button_off", nil), Data: "subscribe:off"}
	}
	return Reply{Text: text, Buttons: [][]Button{{button}}, Edit: edit}, nil
}

// quietSpan writes quiet hours as 22:00–08:00.
func quietSpan(q community.QuietHours) string {
	clock := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return clock(q.From) + "–" + clock(q.To)
}
