package bots

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// rejectReasons are the reasons staff reject a post with one press, each
// told to the author in their language (showcase.reason.<code>).
var rejectReasons = []string{"off_topic", "quality", "other_people"}

// renderCard shows staff a new submission in each staff chat: the files,
// then the card with the author, their tier and the caption, and
// Approve / Reject buttons.
func (f *showcaseFeature) renderCard(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.SubmissionRef](e)
	if err != nil {
		return nil, err
	}
	sub, err := f.showcase.Submission(ctx, p.Submission)
	if err != nil || sub.Status != feedback.SubmissionPending || sub.Member == 0 || len(sub.Media) == 0 {
		return nil, ignoreGone(err)
	}
	name, tier, err := f.author(ctx, sub.Member)
	if err != nil {
		return nil, err
	}
	same, err := f.showcase.SameFiles(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	chats, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return nil, err
	}
	if len(chats) == 0 {
		f.log.Warn("no staff chat to review a showcase post: an owner can send /setstaff in one", "post", sub.ID)
	}
	cat := f.router.catalog
	var out []outbox.Outgoing
	for _, c := range chats {
		lang := f.router.chatLanguage(c)
		to := outbox.Target{Platform: c.Platform, ChatID: c.PlatformID, Lang: lang}
		card := cat.Text(lang, "showcase.card", map[string]any{"ID": int64(sub.ID), "Author": name, "Platform": platformName(sub.Platform),
			"Tier": catalog.Raw(cat.Text(lang, "tier."+tier.String(), nil)), "Files": len(sub.Media)})
		if sub.Caption != "" {
			card += "\n\n" + cat.Text(lang, "showcase.card_caption", map[string]any{"Caption": sub.Caption})
		}
		if len(same) > 0 {
			card += "\n\n" + cat.Text(lang, "showcase.card_same_files", map[string]any{"Posts": postNumbers(same)})
		}
		rows := [][]outbox.Button{{{Label: cat.Text(lang, "showcase.button_approve", nil), Data: fmt.Sprintf("showcase:ok:%d", sub.ID)}}}
		var reasons []outbox.Button
		for _, code := range rejectReasons {
			reasons = append(reasons, outbox.Button{Label: cat.Text(lang, "showcase.button_reject."+code, nil), Data: fmt.Sprintf("showcase:no:%d:%s", sub.ID, code)})
		}
		rows = append(rows, reasons, []outbox.Button{{Label: cat.Text(lang, "showcase.button_reject_other", nil), Data: fmt.Sprintf("showcase:why:%d", sub.ID)}})
		out = append(out,
			outbox.Outgoing{Target: to, Message: outbox.Message{Media: mediaRefs(sub), Text: cat.Text(lang, "showcase.card_media", map[string]any{"ID": int64(sub.ID)})}},
			outbox.Outgoing{Target: to, Message: outbox.Message{Text: card, Buttons: rows}})
	}
	return out, nil
}

// postNumbers writes submissions as "#3, #7".
func postNumbers(ids []feedback.SubmissionID) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("#%d", id)
	}
	return strings.Join(out, ", ")
}

// ignoreGone is nil for a submission that is gone (nothing to show), else
// err.
func ignoreGone(err error) error {
	if community.ErrorCode(err) == community.ENotFound {
		return nil
	}
	return err
}

// mediaRefs are a submission's files as the outbox sends them.
func mediaRefs(sub feedback.Submission) []outbox.MediaRef {
	out := make([]outbox.MediaRef, len(sub.Media))
	for i, m := range sub.Media {
		out[i] = outbox.MediaRef{Hash: m.Hash.String(), Type: string(m.Type)}
	}
	return out
}

// author is a member's name and tier, for staff.
func (f *showcaseFeature) author(ctx context.Context, id community.MemberID) (string, community.Tier, error) {
	p, err := f.profiles.ProfileOrUnknown(ctx, id)
	if err != nil {
		return "", 0, err
	}
	return p.Member.DisplayName, p.Standing.Tier, nil
}

// reviewButton answers Approve, a reason's Reject and Other reason.
func (f *showcaseFeature) reviewButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	id := feedback.SubmissionID(submissionArg(parts, 2))
	switch {
	case id > 0 && len(parts) == 3 && parts[1] == "ok":
		sub, err := f.showcase.Approve(ctx, id, r.Member)
		if err != nil {
			return Reply{}, err
		}
		f.wake()
		return Reply{Text: r.Text("showcase.approved", map[string]any{"ID": int64(sub.ID), "Staff": r.From.DisplayName}), Edit: true}, nil
	case id > 0 && len(parts) == 4 && parts[1] == "no" && slices.Contains(rejectReasons, parts[3]):
		reason, err := f.presetReason(ctx, id, parts[3])
		if err != nil {
			return Reply{}, err
		}
		return f.reject(ctx, r, id, reason)
	case id > 0 && len(parts) == 3 && parts[1] == "why":
		return Reply{Form: &Form{ID: fmt.Sprintf("showcase:reason:%d", id), Title: r.Text("showcase.reason_title", map[string]any{"ID": int64(id)}),
			Fields: []FormField{{ID: "reason", Label: r.Text("showcase.reason_label", nil), Long: true, Required: true}}}}, nil
	}
	return Reply{}, badButton(r.Data)
}

// presetReason is a reason chosen with a button, in the language its
// author reads.
func (f *showcaseFeature) presetReason(ctx context.Context, id feedback.SubmissionID, code string) (string, error) {
	sub, err := f.showcase.Submission(ctx, id)
	if err != nil {
		return "", err
	}
	lang := f.router.defaultLang
	if sub.Member != 0 {
		m, err := f.store.Member(ctx, sub.Member)
		if err != nil && community.ErrorCode(err) != community.ENotFound {
			return "", err
		}
		if m.Language != "" {
			lang = m.Language
		}
	}
	return f.router.catalog.Text(lang, "showcase.reason."+code, nil), nil
}

// reasonForm receives a reason staff typed.
func (f *showcaseFeature) reasonForm(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	id := feedback.SubmissionID(submissionArg(parts, 2))
	if id == 0 || len(parts) != 3 || parts[1] != "reason" {
		return Reply{}, badButton(r.Data)
	}
	return f.reject(ctx, r, id, r.Fields["reason"])
}

func (f *showcaseFeature) reject(ctx context.Context, r *Request, id feedback.SubmissionID, reason string) (Reply, error) {
	sub, err := f.showcase.Reject(ctx, id, r.Member, reason)
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Text("showcase.rejected", map[string]any{"ID": int64(id), "Staff": r.From.DisplayName, "Reason": sub.Reason}),
		Edit: r.Kind == KindButton}, nil
}

// renderReviewed tells the author privately: why staff rejected their
// post, or asks their consent to reshare an approved one. Where Hearth
// cannot write to them, staff are told, and /mycontent asks instead.
func (f *showcaseFeature) renderReviewed(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.SubmissionRef](e)
	if err != nil {
		return nil, err
	}
	sub, err := f.showcase.Submission(ctx, p.Submission)
	if err != nil || sub.Member == 0 {
		return nil, ignoreGone(err)
	}
	m, err := f.store.Member(ctx, sub.Member)
	if err != nil {
		return nil, ignoreGone(err)
	}
	var out []outbox.Outgoing
	switch sub.Status {
	case feedback.SubmissionRejected:
		out, err = f.router.privately(ctx, m, time.Time{}, func(lang string) outbox.Message {
			return outbox.Message{Text: f.router.catalog.Text(lang, "showcase.rejected_notice", map[string]any{"ID": int64(sub.ID), "Reason": sub.Reason})}
		})
	case feedback.SubmissionApproved:
		out, err = f.askPrivately(ctx, m, sub, "")
	default: // answered already
		return nil, nil
	}
	if err != nil || len(out) > 0 {
		return onPlatformFirst(out, sub.Platform), err
	}
	return f.router.staffTexts(ctx, f.store, func(lang string) string {
		return f.router.catalog.Text(lang, "showcase.cannot_ask", map[string]any{"ID": int64(sub.ID)})
	})
}

// askPrivately asks the author for consent on every platform Hearth may
// write to them on, each request kept as shown, under a header (a
// catalog key) when there is one.
func (f *showcaseFeature) askPrivately(ctx context.Context, m community.Member, sub feedback.Submission, header string) ([]outbox.Outgoing, error) {
	var askErr error
	out, err := f.router.privately(ctx, m, time.Time{}, func(lang string) outbox.Message {
		msg, err := f.consentRequest(ctx, lang, sub)
		askErr = cmp.Or(askErr, err)
		if header != "" {
			msg.Text = f.router.catalog.Text(lang, header, map[string]any{"ID": int64(sub.ID)}) + "\n\n" + msg.Text
		}
		return msg
	})
	return out, cmp.Or(err, askErr)
}

// onPlatformFirst keeps the messages to the platform a post came from,
// when there are any: the author is asked where they posted.
func onPlatformFirst(out []outbox.Outgoing, p community.Platform) []outbox.Outgoing {
	var same []outbox.Outgoing
	for _, o := range out {
		if o.Target.Platform == p {
			same = append(same, o)
		}
	}
	if len(same) > 0 {
		return same
	}
	return out
}

// consentText is the consent request exactly as shown, and as the ledger
// records it: built again from the language and the months the buttons
// carry when the author answers.
func (f *showcaseFeature) consentText(lang string, sub feedback.Submission, months int) string {
	caption := []rune(sub.Caption)
	if len(caption) > 80 {
		caption = append(caption[:79], '…')
	}
	return f.router.catalog.Count(lang, "showcase.consent_request", months, map[string]any{"Community": f.router.community,
		"ID": int64(sub.ID), "Caption": string(caption), "Months": months})
}

// consentRequest asks the author to allow a reshare, with their name or
// without it, or to decline; the request is kept as shown, and the
// buttons name it.
func (f *showcaseFeature) consentRequest(ctx context.Context, lang string, sub feedback.Submission) (outbox.Message, error) {
	req, err := f.showcase.Ask(ctx, sub, f.consentText(lang, sub, f.showcase.ConsentMonths()), lang)
	if err != nil {
		return outbox.Message{}, err
	}
	cat := f.router.catalog
	button := func(key, code string) []outbox.Button {
		return []outbox.Button{{Label: cat.Text(lang, key, nil), Data: fmt.Sprintf("mycontent:c:%d:%s", req.ID, code)}}
	}
	return outbox.Message{Text: req.Text, Buttons: [][]outbox.Button{
		button("showcase.button_allow", "a"), button("showcase.button_allow_anonymous", "n"), button("showcase.button_decline", "d")}}, nil
}

// decisions are the consent buttons' codes.
var decisions = map[string]feedback.ConsentDecision{"a": feedback.ConsentAllow, "n": feedback.ConsentAllowAnonymous, "d": feedback.ConsentDecline}
