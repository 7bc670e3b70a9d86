package bots

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// renderCaptcha holds a newcomer who must prove they are human (a mute)
// and posts the message with their "I'm human" button. A mute the
// platform refuses (no rights, an administrator) is logged: the captcha
// stands, and its timeout still applies.
func (f *onboardingFeature) renderCaptcha(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	j, ok, err := f.eventJoin(ctx, e)
	if !ok || err != nil || j.Captcha != community.CaptchaPending {
		return nil, err // erased, or solved, cancelled or expired before it was shown
	}
	if !f.runs(j.Platform) {
		return nil, fmt.Errorf("captcha of join %d: %s is not connected in this process", j.ID, j.Platform)
	}
	refused, err := f.newcomers.Hold(ctx, j)
	if err != nil {
		return nil, err
	}
	if refused != nil {
		f.log.Warn("mute a newcomer until their captcha is solved", "platform", j.Platform, "group", j.Group, "user", j.UserID, "error", refused)
	}
	lang := f.groupLanguage(j)
	minutes := max(1, int(math.Ceil(j.Deadline.Sub(j.At).Minutes())))
	text := f.router.catalog.Count(lang, "onboarding.captcha", minutes, map[string]any{"Name": mention(j.Name, j.UserID), "Community": f.community})
	button := Button{Label: f.router.catalog.Text(lang, "onboarding.button_human", nil), Data: "guide:human:" + strconv.FormatInt(int64(j.ID), 10)}
	return []outbox.Outgoing{{Target: outbox.Target{Platform: j.Platform, ChatID: j.Group, Lang: lang},
		Message: Reply{Text: text, Buttons: [][]Button{{button}}}}}, nil
}

// human answers "I'm human": pressed by the newcomer it is for, it lifts
// their mute, deletes the captcha message and queues their welcome;
// pressed by anyone else, it says whose button it is.
func (f *onboardingFeature) human(ctx context.Context, r *Request, arg string) (Reply, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, badButton(r.Data)
	}
	j, err := f.onboarding.Solve(ctx, community.JoinID(id), r.From.ID)
	if err != nil {
		return Reply{}, err
	}
	refused, err := f.newcomers.Release(ctx, j)
	if err != nil {
		return Reply{}, err
	}
	if refused != nil {
		f.log.Warn("unmute a newcomer after their captcha", "platform", j.Platform, "group", j.Group, "user", j.UserID, "error", refused)
	}
	if mod, ok := f.router.Moderator(j.Platform); ok {
		if err := mod.DeleteMessages(ctx, r.Update.Chat.ID, []string{r.MessageID}); err != nil {
			f.log.Warn("delete a solved captcha", "platform", j.Platform, "chat", r.Update.Chat.ID, "message", r.MessageID, "error", err)
		}
	}
	f.wake()
	return Reply{Text: r.Text("onboarding.captcha_thanks", nil), Ephemeral: true}, nil
}

// renderCaptchaFailure tells the staff chats that a newcomer did not
// prove they are human in time, and whether they were removed.
func (f *onboardingFeature) renderCaptchaFailure(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	c, err := outbox.Decode[community.CaptchaFailure](e)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Name": c.Name, "Group": cmp.Or(c.Title, f.community), "Platform": platformName(c.Platform)}
	return f.router.staffTexts(ctx, f.store, func(lang string) string {
		if c.Removed {
			return f.router.catalog.Text(lang, "onboarding.captcha_removed", data)
		}
		return f.router.catalog.Text(lang, "onboarding.captcha_not_removed", data) + "\n" +
			f.router.catalog.Text(lang, "onboarding.problem_"+c.Problem, nil)
	})
}
