package bots

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// OnboardingOptions configure how newcomers are received.
type OnboardingOptions struct {
	// Welcome posts a welcome in the group when someone joins.
	Welcome bool
	// Rules are the community's rules in Hearth's markup, shown by /rules
	// and the welcome's Rules button ("": no rules, no button).
	Rules string
	// ShopAccountURL is the shop page where customers find their link
	// ("": the Link button explains linking instead).
	ShopAccountURL string
	// Captcha keeps newcomers muted until they press "I'm human" and
	// removes them when CaptchaTimeout passes first.
	Captcha        bool
	CaptchaTimeout time.Duration
}

// GroupChannels is implemented by platforms that post a message meant for
// a whole group in one of its channels (Discord: a server's system
// channel): it says which, so that such a message can be deleted later.
type GroupChannels interface {
	GroupChannel(ctx context.Context, group string) (string, error)
}

// onboardingFeatureStore is what the onboarding feature reads and writes
// itself; the rules' own go through community.Onboarding.
type onboardingFeatureStore interface {
	staffChatLister
	OnboardingJoin(ctx context.Context, id community.JoinID) (community.Join, error)
	WelcomeTemplates(ctx context.Context) (map[string]string, error)
}

// onboardingFeature receives newcomers: the welcome in each group with its
// Rules, Link and Ask buttons, the join captcha, /rules, the staff's
// /welcome texts and the getting-started tour after /start. The Ask
// button hands the question over to the support feature.
type onboardingFeature struct {
	store      onboardingFeatureStore
	onboarding *community.Onboarding
	questions  *supportFeature
	o          OnboardingOptions
	router     *Router
	access     *community.Access
	newcomers  *community.Newcomers // the captcha's sanctions
	community  string
	linking    bool // members can link their shop account (/link, /start with a code)
	wake       func()
	log        *slog.Logger
	now        func() time.Time
}

func newOnboardingFeature(store onboardingFeatureStore, o CommunityOptions, now func() time.Time, d Domain, questions *supportFeature) *onboardingFeature {
	return &onboardingFeature{store: store, o: o.Onboarding, now: now, questions: questions,
		onboarding: d.Onboarding, newcomers: d.Newcomers, access: d.Access, linking: d.Linking != nil}
}

// Register adds /rules, /guide and /welcome, the join and leave hooks, the
// renderers, and the tour that follows /start.
func (f *onboardingFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.community, f.log, f.wake = router, router.community, router.log, dispatcher.Wake
	reg := router.Registry()
	reg.Add(Command{Name: "rules", Permission: community.RoleMember, Where: Anywhere, Run: f.rules, Button: f.rules})
	reg.Add(Command{Name: "guide", Permission: community.RoleMember, Where: Anywhere, Run: f.guide, Button: f.guideButton, Form: f.questions.ask})
	reg.Add(Command{Name: "welcome", Permission: community.RoleStaff, Where: Anywhere, Run: f.welcome, Args: []Arg{
		{Name: "action", Kind: ArgChoice, Choices: []string{"show", "set", "reset", "preview"}},
		{Name: "language", Kind: ArgWord}, {Name: "text", Kind: ArgText}}})
	router.On(KindJoin, f.joined)
	router.On(KindLeave, f.left)
	dispatcher.Render(community.EventWelcome, f.renderWelcome)
	dispatcher.Render(community.EventCaptcha, f.renderCaptcha)
	dispatcher.Render(community.EventCaptchaFailed, f.renderCaptchaFailure)
}

// joined receives a member joining a group: it records the join, which
// queues their welcome, or their captcha (muting them) when they must
// prove they are human.
func (f *onboardingFeature) joined(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if r.From.ID == "" || r.From.IsBot || r.IsDirect() || r.InStaffChat {
		return nil, nil
	}
	role, err := f.access.RoleOf(ctx, r.Account(), r.Member)
	if err != nil {
		return nil, err
	}
	_, canEnforce := f.router.Moderator(r.Platform)
	j, fresh, err := f.onboarding.Join(ctx, community.JoinInput{Join: community.Join{
		Platform: r.Platform, Key: r.ID, Group: r.Update.Chat.ID, Chat: r.ChatID, UserID: r.From.ID, Member: r.Member,
		Name: displayName(r.From), At: f.now()}, Staff: role >= community.RoleStaff, CanEnforce: canEnforce})
	if err != nil {
		return nil, fmt.Errorf("record %s joining %s %s: %w", r.From.ID, r.Platform, r.Update.Chat.ID, err)
	}
	if fresh {
		f.log.Info("member joined", "platform", r.Platform, "group", j.Group, "member", j.Member, "captcha", j.Captcha)
		f.wake()
	}
	return nil, nil
}

// left cancels the captcha of a newcomer who left before solving it: the
// captcha message goes and the mute is lifted, should they come back.
func (f *onboardingFeature) left(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if r.From.ID == "" || r.IsDirect() {
		return nil, nil
	}
	joins, err := f.onboarding.Left(ctx, r.Platform, r.Update.Chat.ID, r.From.ID)
	if err != nil {
		return nil, err
	}
	for _, j := range joins {
		f.newcomers.Left(ctx, j)
	}
	return nil, nil
}

// runs reports whether this process runs platform p.
func (f *onboardingFeature) runs(p community.Platform) bool {
	_, ok := f.router.adapters[p]
	return ok
}

// groupLanguage is the language to write to a group in: its own, else the
// community's.
func (f *onboardingFeature) groupLanguage(j community.Join) string {
	return f.router.chatLanguage(community.Chat{Language: j.Language})
}

// mention writes a member's name as a mention of their platform account.
func mention(name, userID string) catalog.Raw {
	if name == "" {
		name = userID
	}
	if userID == "" {
		return catalog.Raw(markup.Escape(name))
	}
	return catalog.Raw("[" + markup.Escape(name) + "](user:" + userID + ")")
}

// displayName is how a user is called: their name, else their username.
func displayName(u User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}
