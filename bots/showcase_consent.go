package bots

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// memberButton answers the author's buttons: a consent answer
// ("mycontent:c:<request>:<a|n|d>"), the request shown again
// ("mycontent:ask:<post>") and a withdrawal ("mycontent:r:<consent>").
func (f *showcaseFeature) memberButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	n := submissionArg(parts, 2)
	switch {
	case n > 0 && len(parts) == 4 && parts[1] == "c":
		return f.answer(ctx, r, feedback.RequestID(n), parts[3])
	case n > 0 && len(parts) == 3 && parts[1] == "ask":
		sub, err := f.showcase.Submission(ctx, feedback.SubmissionID(n))
		if err != nil {
			return Reply{}, err
		}
		if sub.Member != r.Member {
			return Reply{Text: r.Text("showcase.not_yours", nil), Ephemeral: true}, nil
		}
		m, err := f.consentRequest(ctx, r.Lang, sub)
		m.Ephemeral = true
		return m, err
	case n > 0 && len(parts) == 3 && parts[1] == "r":
		c, err := f.showcase.Revoke(ctx, feedback.ConsentID(n), r.Member)
		if err != nil {
			return Reply{}, err
		}
		f.wake()
		return Reply{Text: r.Text("showcase.withdrawn", map[string]any{"ID": int64(c.Submission)}), Ephemeral: true, Edit: true}, nil
	}
	return Reply{}, badButton(r.Data)
}

// answer records the author's press of a consent button: the consent of
// the request they were shown, as it was shown.
func (f *showcaseFeature) answer(ctx context.Context, r *Request, id feedback.RequestID, code string) (Reply, error) {
	decision, ok := decisions[code]
	if !ok {
		return Reply{}, badButton(r.Data)
	}
	c, req, err := f.showcase.Answer(ctx, feedback.Press{Request: id, Member: r.Member, Decision: decision, Platform: r.Platform,
		MessageID: r.MessageID})
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	answered := r.Text("showcase.answered_"+string(c.Decision), map[string]any{"ID": int64(req.Submission), "Until": f.router.Date(c.ExpiresAt)})
	return Reply{Text: req.Text + "\n\n" + answered, Edit: r.Kind == KindButton}, nil
}

// myContent lists the member's posts and where each stands, with a button
// to answer, renew or withdraw.
func (f *showcaseFeature) myContent(ctx context.Context, r *Request) (Reply, error) {
	entries, err := f.showcase.MemberEntries(ctx, r.Member)
	if err != nil {
		return Reply{}, err
	}
	if len(entries) == 0 {
		return Reply{Text: r.Text("showcase.mine_none", map[string]any{"Hashtag": f.tag}), Ephemeral: true, Privately: true}, nil
	}
	lines := []string{r.Text("showcase.mine_title", nil), ""}
	var rows [][]Button
	now := f.now()
	for _, e := range entries {
		line, button := f.mineLine(r, e, now)
		lines = append(lines, line)
		if button != nil {
			rows = append(rows, []Button{*button})
		}
	}
	return Reply{Text: strings.Join(lines, "\n"), Buttons: limitRows(rows), Ephemeral: true, Privately: true}, nil
}

// mineLine is one of the member's posts in /mycontent, with the button
// its state offers.
func (f *showcaseFeature) mineLine(r *Request, e feedback.Entry, now time.Time) (string, *Button) {
	sub, c := e.Submission, e.Consent
	data := map[string]any{"ID": int64(sub.ID), "Date": f.router.Date(sub.CreatedAt), "Reason": sub.Reason,
		"Until": f.router.Date(c.ExpiresAt), "Revoked": f.router.Date(c.RevokedAt)}
	ask := &Button{Label: r.Text("showcase.button_answer", data), Data: fmt.Sprintf("mycontent:ask:%d", sub.ID)}
	switch {
	case sub.Status == feedback.SubmissionPending, sub.Status == feedback.SubmissionRejected, sub.Status == feedback.SubmissionDeclined:
		return r.Text("showcase.mine_"+string(sub.Status), data), nil
	case sub.Status == feedback.SubmissionApproved:
		return r.Text("showcase.mine_approved", data), ask
	case !c.RevokedAt.IsZero():
		return r.Text("showcase.mine_revoked", data), nil
	case c.Decision == feedback.ConsentDecline:
		return r.Text("showcase.mine_declined", data), nil
	case !now.Before(c.ExpiresAt):
		ask.Label = r.Text("showcase.button_renew", data)
		return r.Text("showcase.mine_expired", data), ask
	}
	return r.Text("showcase.mine_consented", data), &Button{Label: r.Text("showcase.button_withdraw", data), Data: fmt.Sprintf("mycontent:r:%d", c.ID)}
}

// list shows staff the posts they may reshare now, newest first, with
// their credit, scope and expiry.
func (f *showcaseFeature) list(ctx context.Context, r *Request) (Reply, error) {
	entries, err := f.showcase.Consented(ctx)
	if err != nil {
		return Reply{}, err
	}
	if len(entries) == 0 {
		return Reply{Text: r.Text("showcase.list_none", nil), Ephemeral: true}, nil
	}
	lines := []string{r.Text("showcase.list_title", nil), ""}
	for _, e := range entries {
		lines = append(lines, r.Text("showcase.list_line", map[string]any{"ID": int64(e.Submission.ID), "Consent": int64(e.Consent.ID),
			"Credit": f.creditText(r.Lang, e), "Scopes": catalog.Raw(f.scopesText(r.Lang, e.Consent.Scopes)),
			"Until": f.router.Date(e.Consent.ExpiresAt), "Caption": e.Submission.Caption}))
	}
	return Reply{Text: strings.Join(lines, "\n"), Ephemeral: true}, nil
}

// creditText is how a reshare names its author.
func (f *showcaseFeature) creditText(lang string, e feedback.Entry) string {
	if e.Consent.Credit == feedback.CreditNamed && e.AuthorName != "" {
		return e.AuthorName
	}
	return f.router.catalog.Text(lang, "showcase.credit_anonymous", nil)
}

func (f *showcaseFeature) scopesText(lang string, scopes []feedback.ConsentScope) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = f.router.catalog.Text(lang, "showcase.scope."+string(s), nil)
	}
	return strings.Join(names, "; ")
}

// proof shows staff a consent as the ledger keeps it: who answered what,
// when, through which message, and the exact words they were shown.
func (f *showcaseFeature) proof(ctx context.Context, r *Request) (Reply, error) {
	id, _ := strconv.ParseInt(r.Arg("id"), 10, 64)
	c, err := f.showcase.Ledger(ctx, feedback.ConsentID(id))
	if err != nil {
		return Reply{}, err
	}
	author := r.Text("feedback.former_member", nil)
	if c.Member != 0 {
		if name, _, err := f.author(ctx, c.Member); err == nil && name != "" {
			author = name
		}
	}
	revoked, expires := "—", "—"
	if !c.RevokedAt.IsZero() {
		revoked = c.RevokedAt.UTC().Format(time.RFC3339)
	}
	if c.Decision != feedback.ConsentDecline {
		expires = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	text := r.Text("showcase.proof", map[string]any{"ID": id, "Post": int64(c.Submission), "Author": author,
		"Decision": catalog.Raw(r.Text("showcase.decision."+string(c.Decision), nil)), "Scopes": catalog.Raw(f.scopesText(r.Lang, c.Scopes)),
		"Lang": c.Lang, "Granted": c.GrantedAt.UTC().Format(time.RFC3339), "Expires": expires,
		"Revoked": revoked, "Platform": platformName(c.Platform), "Message": c.MessageID, "Hash": hex.EncodeToString(c.TextHash[:])})
	shown := c.Text
	if shown == "" {
		shown = r.Text("showcase.proof_erased", nil)
	}
	return Reply{Text: text + "\n\n" + r.Text("showcase.proof_text", map[string]any{"Text": shown}), Ephemeral: true}, nil
}

// renderReshare reshares a consented post in every showcase place, with
// its credit, each message guarded by the consent: a consent revoked or
// expired before a message goes stops it.
func (f *showcaseFeature) renderReshare(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.SubmissionRef](e)
	if err != nil {
		return nil, err
	}
	c, err := f.showcase.CheckReshare(ctx, p.Submission, feedback.ScopeCommunity, f.now())
	if community.ErrorCode(err) == community.EForbidden {
		return nil, nil // not (or no longer) allowed: nothing is reshared
	}
	if err != nil {
		return nil, err
	}
	sub, err := f.showcase.Submission(ctx, p.Submission)
	if err != nil {
		return nil, ignoreGone(err)
	}
	name := ""
	if c.Credit == feedback.CreditNamed {
		if name, _, err = f.author(ctx, sub.Member); err != nil {
			return nil, err
		}
	}
	places, err := f.store.ShowcasePlaces(ctx)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, pl := range places {
		if _, ok := f.router.adapters[pl.Chat.Platform]; !ok {
			continue
		}
		lang := f.router.chatLanguage(pl.Chat)
		credit := f.creditText(lang, feedback.Entry{Consent: c, AuthorName: name})
		text := f.router.catalog.Text(lang, "showcase.reshare", map[string]any{"Credit": credit, "Community": f.router.community})
		if sub.Caption != "" {
			text = f.router.catalog.Text(lang, "showcase.reshare_caption", map[string]any{"Caption": sub.Caption}) + "\n\n" + text
		}
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: pl.Chat.Platform, ChatID: pl.Chat.PlatformID, ThreadID: pl.Thread, Lang: lang},
			Message: outbox.Message{Media: mediaRefs(sub), Text: text, Guard: fmt.Sprintf("%s:%d:%d", feedback.GuardShowcaseConsent, sub.ID, c.ID)}})
	}
	if len(out) == 0 {
		return f.router.staffTexts(ctx, f.store, func(lang string) string {
			return f.router.catalog.Text(lang, "showcase.no_place", map[string]any{"ID": int64(sub.ID)})
		})
	}
	return out, nil
}

// guard is the reshare's delivery guard ("post:consent"): the consent it
// was made under must still be the post's, and allow it, right before
// each attempt.
func (f *showcaseFeature) guard(ctx context.Context, arg string) error {
	post, consent, _ := strings.Cut(arg, ":")
	id, err := strconv.ParseInt(post, 10, 64)
	cid, cerr := strconv.ParseInt(consent, 10, 64)
	if err != nil || cerr != nil || id <= 0 || cid <= 0 {
		return community.Errorf(community.EInvalid, "showcase.not_found", map[string]any{"ID": arg}, "guard argument %q is not a post and a consent", arg)
	}
	c, err := f.showcase.CheckReshare(ctx, feedback.SubmissionID(id), feedback.ScopeCommunity, f.now())
	if err == nil && c.ID != feedback.ConsentID(cid) { // renewed since: that consent's reshare goes instead
		return community.Errorf(community.EForbidden, "showcase.consent_revoked", map[string]any{"ID": id},
			"post %d may be reshared under consent %d, not %d", id, c.ID, cid)
	}
	return err
}

// errReshareSending asks the dispatcher to take a post down again
// shortly: a reshare of it is being sent right now.
var errReshareSending = errors.New("a reshare is being sent; its deletion waits for it")

// renderWithdrawn takes a post down when its consent ended: Hearth's
// reshares are deleted, staff are told which the platform refused to
// delete and to stop every use outside the community, and the author of
// an expired consent is asked whether to renew it (unless they answered
// since). A deletion that failed for now (the platform away, a reshare
// still being sent) is tried again with the whole render, one done
// already being "not found" then, which counts as deleted; on the last
// attempt what is left is reported to staff instead.
func (f *showcaseFeature) renderWithdrawn(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	w, err := outbox.Decode[feedback.Withdrawal](e)
	if err != nil {
		return nil, err
	}
	reshares, err := f.showcase.Reshares(ctx, w.Consent)
	if err != nil {
		return nil, err
	}
	// On its last attempt the withdrawal waits no more: what it could not
	// delete is reported to staff with the rest.
	last := e.Attempts >= f.patience
	deleted, kept := 0, []string{}
	for _, rs := range reshares {
		place := fmt.Sprintf("%s %s", platformName(rs.Platform), rs.ChatID)
		if rs.Sending {
			if !last {
				return nil, errReshareSending
			}
			kept = append(kept, place)
			continue
		}
		gone, refused, err := f.takeDown(ctx, rs)
		if err != nil && !last {
			return nil, err
		}
		if err != nil {
			f.log.Warn("a reshare not deleted after every attempt", "platform", rs.Platform, "chat", rs.ChatID, "error", err)
			refused = []string{place}
		}
		deleted += gone
		kept = append(kept, refused...)
	}
	after, err := f.showcase.LatestConsent(ctx, w.Submission)
	if err != nil {
		return nil, err
	}
	answered := after.ID != w.Consent // the author answered again since (a renewal, or its decline)
	if answered && after.Valid(f.now()) {
		// allowed again: the old reshares are replaced, and staff hear
		// only of those the platform kept
		if len(kept) == 0 {
			return nil, nil
		}
		return f.router.staffTexts(ctx, f.store, func(lang string) string {
			return f.router.catalog.Text(lang, "showcase.ended_kept", map[string]any{"Places": strings.Join(kept, "; ")})
		})
	}
	out, err := f.router.staffTexts(ctx, f.store, func(lang string) string {
		text := f.router.catalog.Text(lang, "showcase.ended_"+string(w.Reason), map[string]any{"ID": int64(w.Submission), "Consent": int64(w.Consent)})
		text += "\n" + f.router.catalog.Count(lang, "showcase.ended_deleted", deleted, nil)
		if len(kept) > 0 {
			text += "\n" + f.router.catalog.Text(lang, "showcase.ended_kept", map[string]any{"Places": strings.Join(kept, "; ")})
		}
		return text + "\n" + f.router.catalog.Text(lang, "showcase.ended_stop_uses", nil)
	})
	if err != nil || w.Reason != feedback.WithdrawExpired || answered {
		return out, err
	}
	renew, err := f.renewal(ctx, w.Submission)
	return append(out, renew...), err
}

// takeDown deletes one reshare's messages one by one and returns how many
// went and the places where the platform refused for good (a Telegram
// message too old for a bot to delete); an error is a failure for now.
func (f *showcaseFeature) takeDown(ctx context.Context, rs feedback.Reshare) (deleted int, refused []string, err error) {
	place := fmt.Sprintf("%s %s", platformName(rs.Platform), rs.ChatID)
	if _, ok := f.router.adapters[rs.Platform]; !ok {
		return 0, nil, fmt.Errorf("delete a reshare in %s: %s is not connected to this replica", place, rs.Platform)
	}
	for _, id := range rs.MessageIDs {
		err := f.enforcer.Delete(ctx, rs.Platform, rs.ChatID, []string{id})
		switch {
		case err == nil:
			deleted++
		case errors.Is(err, community.ErrRefusedForGood) || community.ErrorCode(err) != "":
			f.log.Warn("a reshare cannot be deleted", "platform", rs.Platform, "chat", rs.ChatID, "message", id, "error", err)
			refused = append(refused, place)
		default:
			return 0, nil, err
		}
	}
	if deleted > 0 {
		deleted = 1 // one reshare, whatever its number of messages
	}
	return deleted, slices.Compact(refused), nil
}

// renewal asks the author of an expired consent whether to renew it.
func (f *showcaseFeature) renewal(ctx context.Context, id feedback.SubmissionID) ([]outbox.Outgoing, error) {
	sub, err := f.showcase.Submission(ctx, id)
	if err != nil || sub.Member == 0 {
		return nil, ignoreGone(err)
	}
	m, err := f.store.Member(ctx, sub.Member)
	if err != nil {
		return nil, ignoreGone(err)
	}
	out, err := f.askPrivately(ctx, m, sub, "showcase.renew")
	return onPlatformFirst(out, sub.Platform), err
}
