package bots

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// renderWelcome posts a join's welcome in its group, in the group's
// language, after deleting the welcomes before it there: a busy group
// keeps one welcome, the latest.
func (f *onboardingFeature) renderWelcome(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	j, ok, err := f.eventJoin(ctx, e)
	if !ok || err != nil {
		return nil, err
	}
	if err := f.onboarding.ClearStaleWelcomes(ctx, f.newcomers, j.Platform, j.Group); err != nil {
		f.log.Warn("delete replaced welcomes", "platform", j.Platform, "group", j.Group, "error", err)
	}
	lang := f.groupLanguage(j)
	reply, err := f.welcomeReply(ctx, lang, j.Platform, j.Name, j.UserID, j.GroupTitle)
	if err != nil {
		return nil, err
	}
	return []outbox.Outgoing{{Target: outbox.Target{Platform: j.Platform, ChatID: j.Group, Lang: lang}, Message: reply}}, nil
}

// eventJoin reads the join a welcome or captcha event is about; ok is
// false when the member was erased since.
func (f *onboardingFeature) eventJoin(ctx context.Context, e outbox.Event) (community.Join, bool, error) {
	p, err := outbox.Decode[community.JoinPosted](e)
	if err != nil {
		return community.Join{}, false, err
	}
	j, err := f.store.OnboardingJoin(ctx, p.Join)
	if community.ErrorCode(err) == community.ENotFound {
		return j, false, nil
	}
	return j, err == nil, err
}

// welcomeReply is the welcome of a newcomer in lang: staff's text for the
// language, else the catalog's, with its buttons.
func (f *onboardingFeature) welcomeReply(ctx context.Context, lang string, p community.Platform, name, userID, group string) (Reply, error) {
	custom, err := f.store.WelcomeTemplates(ctx)
	if err != nil {
		return Reply{}, err
	}
	template, ok := custom[lang]
	if !ok {
		template = f.defaultWelcome(lang)
	}
	if group == "" {
		group = f.community
	}
	text := community.FillWelcome(template, map[string]string{
		"name": string(mention(name, userID)), "community": markup.Escape(f.community), "group": markup.Escape(group)})
	return Reply{Text: text, Buttons: f.welcomeButtons(lang, p)}, nil
}

// defaultWelcome is the catalog's welcome in lang, whose last line tells
// what the buttons under it do: only the buttons shown.
func (f *onboardingFeature) defaultWelcome(lang string) string {
	cat := f.router.catalog
	key := "onboarding.welcome_buttons_ask"
	switch rules, link := f.hasRules(), f.offersLink(); {
	case rules && link:
		key = "onboarding.welcome_buttons_all"
	case rules:
		key = "onboarding.welcome_buttons_rules"
	case link:
		key = "onboarding.welcome_buttons_link"
	}
	return cat.Text(lang, "onboarding.welcome_default", nil) + "\n" + cat.Text(lang, key, nil)
}

// hasRules: the community wrote rules, so the welcome has a Rules button.
func (f *onboardingFeature) hasRules() bool { return strings.TrimSpace(f.o.Rules) != "" }

// offersLink: members can link their shop account, so the welcome has a
// Link button.
func (f *onboardingFeature) offersLink() bool { return f.o.ShopAccountURL != "" || f.linking }

// welcomeButtons are Rules (when there are rules), Link your shop account
// (a link to the shop's account page, else how linking works, when
// members can link) and Ask a question.
func (f *onboardingFeature) welcomeButtons(lang string, p community.Platform) [][]Button {
	label := func(id string) string { return f.router.catalog.Text(lang, id, nil) }
	var rows [][]Button
	if f.hasRules() {
		rows = append(rows, []Button{{Label: label("onboarding.button_rules"), Data: "rules:show"}})
	}
	switch {
	case f.o.ShopAccountURL != "":
		rows = append(rows, []Button{{Label: label("onboarding.button_link"), URL: f.o.ShopAccountURL}})
	case f.linking:
		rows = append(rows, []Button{{Label: label("onboarding.button_link"), Data: "guide:link"}})
	}
	return append(rows, []Button{{Label: label("onboarding.button_ask"), Data: "guide:ask"}})
}

// welcome is the staff's /welcome: show the texts and settings, set or
// reset one language's text, or preview the welcome.
func (f *onboardingFeature) welcome(ctx context.Context, r *Request) (Reply, error) {
	switch r.Arg("action") {
	case "set":
		return f.setWelcome(ctx, r)
	case "reset":
		lang, err := f.welcomeLanguage(r, true)
		if err != nil {
			return Reply{}, err
		}
		if err := f.onboarding.ResetWelcome(ctx, r.Member, lang); err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("onboarding.welcome_reset_done", map[string]any{"Language": lang})}, nil
	case "preview":
		lang, err := f.welcomeLanguage(r, false)
		if err != nil {
			return Reply{}, err
		}
		return f.preview(ctx, r, lang, r.Text("onboarding.welcome_preview", map[string]any{"Language": lang}))
	default:
		return f.showWelcome(ctx, r)
	}
}

func (f *onboardingFeature) setWelcome(ctx context.Context, r *Request) (Reply, error) {
	lang, err := f.welcomeLanguage(r, true)
	if err != nil {
		return Reply{}, err
	}
	text := strings.TrimSpace(r.Arg("text"))
	if err := CheckMarkup(text); err != nil {
		return Reply{}, err
	}
	if _, err := f.onboarding.SetWelcome(ctx, r.Member, lang, text); err != nil {
		return Reply{}, err
	}
	return f.preview(ctx, r, lang, r.Text("onboarding.welcome_saved", map[string]any{"Language": lang}))
}

// preview shows the welcome in lang as the caller would get it, under a
// note.
func (f *onboardingFeature) preview(ctx context.Context, r *Request, lang, note string) (Reply, error) {
	group := cmp.Or(r.Update.Chat.GroupTitle, r.Update.Chat.Title) // a Discord server, a Telegram group
	if r.IsDirect() || r.InStaffChat {
		group = ""
	}
	reply, err := f.welcomeReply(ctx, lang, r.Platform, displayName(r.From), r.From.ID, group)
	if err != nil {
		return Reply{}, err
	}
	reply.Text = note + "\n\n" + reply.Text
	return reply, nil
}

// welcomeLanguage reads the language argument: one of the catalog's, or
// (when not required and not given) the caller's.
func (f *onboardingFeature) welcomeLanguage(r *Request, required bool) (string, error) {
	lang := strings.ToLower(strings.TrimSpace(r.Arg("language")))
	langs := f.router.catalog.Languages()
	slices.Sort(langs)
	data := map[string]any{"Value": lang, "Languages": strings.Join(langs, ", ")}
	switch {
	case lang == "" && required:
		return "", community.Errorf(community.EInvalid, "onboarding.welcome_which_language", data, "no language given")
	case lang == "":
		return r.Lang, nil
	case !slices.Contains(langs, lang):
		return "", community.Errorf(community.EInvalid, "onboarding.welcome_language", data, "%q is not a catalog language", lang)
	}
	return lang, nil
}

// showWelcome lists the settings and each language's welcome text as
// written, marking staff's own.
func (f *onboardingFeature) showWelcome(ctx context.Context, r *Request) (Reply, error) {
	custom, err := f.store.WelcomeTemplates(ctx)
	if err != nil {
		return Reply{}, err
	}
	onOff := func(on bool) catalog.Raw {
		return catalog.Raw(r.Text(map[bool]string{true: "onboarding.on", false: "onboarding.off"}[on], nil))
	}
	captcha := onOff(false)
	if f.o.Captcha {
		captcha = catalog.Raw(r.Text("onboarding.captcha_setting", map[string]any{"Timeout": catalog.Raw(durationText(f.router.catalog, r.Lang, f.o.CaptchaTimeout))}))
	}
	shop := catalog.Raw(r.Text("onboarding.not_set", nil))
	if f.o.ShopAccountURL != "" {
		shop = catalog.Raw(markup.Escape(f.o.ShopAccountURL))
	}
	lines := []string{r.Text("onboarding.welcome_settings", map[string]any{"Welcome": onOff(f.o.Welcome), "Captcha": captcha,
		"Rules": onOff(f.hasRules()), "Shop": shop})}
	langs := f.router.catalog.Languages()
	slices.Sort(langs)
	for _, lang := range langs {
		text, own := custom[lang]
		origin := "onboarding.origin_default"
		if own {
			origin = "onboarding.origin_custom"
		} else {
			text = f.defaultWelcome(lang)
		}
		lines = append(lines, r.Text("onboarding.welcome_line", map[string]any{"Language": lang,
			"Origin": catalog.Raw(r.Text(origin, nil)), "Template": text}))
	}
	lines = append(lines, r.Text("onboarding.welcome_help", nil))
	return Reply{Text: strings.Join(lines, "\n\n"), Ephemeral: true}, nil
}

// CheckMarkup finds what in markup staff wrote would not show as they
// meant: a *, _ or ` left open, styles closed out of order, a bracket
// that makes no link, a link to something other than a web page, and
// {name} (which becomes a mention) inside a link or code.
func CheckMarkup(s string) *community.Error {
	type mark struct {
		c   byte
		pos int
	}
	var open []mark
	fail := func(key string, i int, data map[string]any) *community.Error {
		if data == nil {
			data = map[string]any{}
		}
		data["Position"] = utf8.RuneCountInString(s[:i]) + 1
		return community.Errorf(community.EInvalid, key, data, "markup problem %s at byte %d of %q", key, i, s)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			i++
		case '`':
			end := strings.IndexByte(s[i+1:], '`')
			if end < 0 {
				return fail("onboarding.markup_unclosed", i, map[string]any{"Marker": "`"})
			}
			if strings.Contains(s[i+1:i+1+end], "{name}") {
				return fail("onboarding.markup_name_inside", i, nil)
			}
			i += end + 1
		case '*', '_':
			switch {
			case len(open) > 0 && open[len(open)-1].c == c:
				open = open[:len(open)-1]
			case slices.ContainsFunc(open, func(m mark) bool { return m.c == c }):
				return fail("onboarding.markup_overlap", i, map[string]any{"Marker": string(c)})
			default:
				open = append(open, mark{c, i})
			}
		case '[':
			n, err := checkLink(s[i:])
			if err != "" {
				return fail(err, i, map[string]any{"Marker": "["})
			}
			i += n - 1
		case ']':
			return fail("onboarding.markup_bracket", i, map[string]any{"Marker": "]"})
		}
	}
	if len(open) > 0 {
		m := open[len(open)-1]
		return fail("onboarding.markup_unclosed", m.pos, map[string]any{"Marker": string(m.c)})
	}
	return nil
}

// checkLink reads [label](https://...) at the start of s and returns its
// length, or the catalog key of what is wrong with it.
func checkLink(s string) (int, string) {
	end := -1
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '[' {
			return 0, "onboarding.markup_bracket"
		}
		if s[i] == ']' {
			end = i
			break
		}
	}
	if end < 2 || !strings.HasPrefix(s[end:], "](") {
		return 0, "onboarding.markup_bracket"
	}
	stop := strings.IndexByte(s[end+2:], ')')
	if stop < 0 {
		return 0, "onboarding.markup_bracket"
	}
	target := s[end+2 : end+2+stop]
	switch {
	case strings.Contains(s[1:end], "{name}"):
		return 0, "onboarding.markup_name_inside"
	case !strings.HasPrefix(target, "https://") && !strings.HasPrefix(target, "http://"),
		strings.ContainsAny(target, " \n"):
		return 0, "onboarding.markup_link"
	}
	return end + 3 + stop, ""
}
