package bots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// ShowcaseOptions configure the showcase (showcase.*).
type ShowcaseOptions struct {
	Hashtag       string // submits a photo or video it is in the caption of
	MaxBytes      int64
	ConsentMonths int
}

// ShowcaseStore is what the showcase feature reads and writes itself;
// the showcase's rules go through feedback.Showcase.
type ShowcaseStore interface {
	ShowcasePlaces(ctx context.Context) ([]feedback.Place, error)
	SetShowcasePlace(ctx context.Context, p feedback.Place, by community.MemberID, at time.Time) error
}

type showcaseFeatureStore interface {
	staffChatLister
	ShowcaseStore
	Member(ctx context.Context, id community.MemberID) (community.Member, error)
}

// downloadSlots bounds how many members' files are downloaded and kept
// at once: each holds a database transaction while its file streams in.
const downloadSlots = 4

// showcaseFeature turns members' photos and videos into the brand's
// showcase: a post with the hashtag (or /share in reply to one) is kept
// and shown to staff with Approve and Reject; an approved one is reshared
// in the showcase places (/setshowcase) only once its author allowed it,
// and only while that consent holds (/mycontent to withdraw it).
type showcaseFeature struct {
	store    showcaseFeatureStore
	showcase *feedback.Showcase
	profiles *community.Profiles
	enforcer Enforcement
	hashtag  *regexp.Regexp
	tag      string // as configured, such as #showcase
	slots    chan struct{}
	patience int // the attempts a withdrawal waits for what it cannot delete yet
	router   *Router
	wake     func()
	now      func() time.Time
	log      *slog.Logger
}

func newShowcaseFeature(store showcaseFeatureStore, o CommunityOptions, now func() time.Time, d Domain, enforcer Enforcement, log *slog.Logger) *showcaseFeature {
	tag := o.Showcase.Hashtag
	if tag == "" {
		tag = "#showcase"
	}
	return &showcaseFeature{store: store, showcase: d.Showcase, profiles: d.Profiles, enforcer: enforcer, now: now, log: log, tag: tag,
		hashtag: regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_])` + regexp.QuoteMeta(tag) + `($|[^\p{L}\p{N}_])`),
		slots:   make(chan struct{}, downloadSlots)}
}

// Register adds /share, /mycontent, /showcase, /consent and
// /setshowcase, the hashtag's inspector, the renderers and the reshare's
// delivery guard.
func (f *showcaseFeature) Register(router *Router, dispatcher *Dispatcher) {
	if f.showcase == nil {
		return
	}
	f.router, f.wake, f.patience = router, dispatcher.Wake, dispatcher.o.MaxAttempts
	reg := router.Registry()
	reg.Add(Command{Name: "share", Permission: community.RoleMember, Where: InGroup, Run: f.share, MessageMenu: true})
	reg.Add(Command{Name: "mycontent", Permission: community.RoleMember, Where: InDirect, Run: f.myContent, Button: f.memberButton})
	reg.Add(Command{Name: "showcase", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.list,
		Button: f.reviewButton, Form: f.reasonForm})
	reg.Add(Command{Name: "consent", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.proof,
		Args: []Arg{{Name: "id", Kind: ArgNumber, Required: true}}})
	reg.Add(Command{Name: "setshowcase", Permission: community.RoleOwner, Where: InGroup | InStaffChat, Run: f.setPlace})
	router.Inspect("showcase", f.inspect, f.capture)
	dispatcher.Render(feedback.EventShowcaseSubmitted, f.renderCard)
	dispatcher.Render(feedback.EventShowcaseReviewed, f.renderReviewed)
	dispatcher.Render(feedback.EventShowcaseReshare, f.renderReshare)
	dispatcher.Render(feedback.EventShowcaseWithdrawn, f.renderWithdrawn)
	dispatcher.Guard(feedback.GuardShowcaseConsent, f.guard)
}

// inspect flags a member's media in a group with the hashtag, and the
// other files of an album (which come without the caption).
func (f *showcaseFeature) inspect(u Update) bool {
	if u.Kind != KindMessage || u.IsDirect() || len(u.Media) == 0 || u.From.IsBot {
		return false
	}
	return u.MediaGroup != "" || f.hashtag.MatchString(u.Text)
}

// capture submits a tagged post, or adds an album's next file to the
// submission its first one made. What goes wrong is told to the member.
func (f *showcaseFeature) capture(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if r.Member == 0 {
		return nil, nil
	}
	var reply Reply
	var err error
	if f.hashtag.MatchString(r.Update.Text) {
		reply, err = f.submit(ctx, r, r.Update.Media, r.MessageID, r.Update.Forwarded, r.MediaGroup, r.Update.Text)
	} else {
		err = f.addToAlbum(ctx, r)
	}
	if err != nil {
		reply = f.router.failure(ctx, r, err)
	}
	if reply.IsEmpty() {
		return nil, nil
	}
	reply.Privately = true
	return []outbox.Outgoing{{Target: f.router.whisper(ctx, r, reply), Message: reply}}, nil
}

// share submits the member's own media message that /share answers.
func (f *showcaseFeature) share(ctx context.Context, r *Request) (Reply, error) {
	m := r.Update.ReplyTo
	if m == nil || len(m.Media) == 0 {
		return Reply{Text: r.Text("showcase.share_how", map[string]any{"Hashtag": f.tag}), Ephemeral: true}, nil
	}
	if m.From.ID != r.From.ID {
		return Reply{Text: r.Text("showcase.share_not_yours", nil), Ephemeral: true}, nil
	}
	reply, err := f.submit(ctx, r, m.Media, m.ID, m.Forwarded, "", m.Text)
	reply.Ephemeral, reply.Privately = true, true
	return reply, err
}

// submit keeps each file and records the submission; the caption loses
// the hashtag. Everything that can be refused without downloading is
// refused first.
func (f *showcaseFeature) submit(ctx context.Context, r *Request, media []Media, messageID string, forwarded bool, album, text string) (Reply, error) {
	if forwarded {
		return Reply{Text: r.Text("showcase.forwarded", nil)}, nil
	}
	caption := f.untagged(text)
	if err := feedback.CheckPost(caption, len(media)); err != nil {
		return Reply{}, err
	}
	files := make([]feedback.SubmissionMedia, 0, len(media))
	for _, m := range media {
		kept, err := f.keep(ctx, r.Platform, m)
		if err != nil {
			return Reply{}, err
		}
		files = append(files, feedback.SubmissionMedia{Hash: kept.Hash, MessageID: messageID})
	}
	sub, err := f.showcase.Submit(ctx, feedback.Submission{Member: r.Member, Platform: r.Platform, Chat: r.ChatID, Album: album,
		Media: files, Caption: caption})
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Text("showcase.submitted", map[string]any{"ID": int64(sub.ID)})}, nil
}

// spaces are runs of blanks a removed hashtag may leave.
var spaces = regexp.MustCompile(`[ \t]{2,}`)

// untagged is a caption without the hashtag, wherever and however often
// it is in it.
func (f *showcaseFeature) untagged(text string) string {
	for f.hashtag.MatchString(text) {
		text = f.hashtag.ReplaceAllString(text, "$1$2")
	}
	return strings.TrimSpace(spaces.ReplaceAllString(text, " "))
}

// addToAlbum adds an album's file to the submission of its first one,
// if that one was submitted; otherwise the album is none of the
// showcase's business and nothing is downloaded.
func (f *showcaseFeature) addToAlbum(ctx context.Context, r *Request) error {
	if _, err := f.showcase.AlbumSubmission(ctx, r.Member, r.Platform, r.MediaGroup); err != nil {
		if community.ErrorCode(err) == community.ENotFound {
			return nil
		}
		return err
	}
	for _, m := range r.Update.Media {
		kept, err := f.keep(ctx, r.Platform, m)
		if err != nil {
			return err
		}
		if _, err := f.showcase.AddToAlbum(ctx, r.Member, r.Platform, r.MediaGroup,
			feedback.SubmissionMedia{Hash: kept.Hash, MessageID: r.MessageID}); err != nil {
			return err
		}
	}
	return nil
}

// shareable are the kinds of attachment that may be a photo or a video;
// the file's bytes decide.
var shareable = map[string]bool{"photo": true, "video": true, "document": true, "animation": true, "": true}

// keep downloads one file and keeps it, a few at a time.
func (f *showcaseFeature) keep(ctx context.Context, p community.Platform, m Media) (feedback.Media, error) {
	if !shareable[m.Kind] {
		return feedback.Media{}, community.Errorf(community.EInvalid, "showcase.bad_type", map[string]any{"Types": feedback.AcceptedMedia},
			"a %s is not a photo or a video", m.Kind)
	}
	select {
	case f.slots <- struct{}{}:
		defer func() { <-f.slots }()
	case <-ctx.Done():
		return feedback.Media{}, ctx.Err()
	}
	rc, err := f.router.FetchMedia(ctx, p, m, f.showcase.MaxBytes())
	if err != nil {
		return feedback.Media{}, err
	}
	defer rc.Close()
	kept, err := f.showcase.KeepMedia(ctx, rc)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return feedback.Media{}, fmt.Errorf("download %s file: %w", p, err)
	}
	return kept, err
}

// setPlace makes the chat (and topic or thread) where an owner sends
// /setshowcase this platform's showcase place.
func (f *showcaseFeature) setPlace(ctx context.Context, r *Request) (Reply, error) {
	place := feedback.Place{Chat: r.CommunityChat(), Thread: r.Update.ThreadID}
	if err := f.store.SetShowcasePlace(ctx, place, r.Member, f.now()); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("showcase.place_set", map[string]any{"Platform": platformName(r.Platform)})}, nil
}

// submissionArg reads the number after a prefix of button data, such as
// "showcase:ok:12"; 0 when it is not a positive number.
func submissionArg(parts []string, i int) int64 {
	if i >= len(parts) {
		return 0
	}
	n, err := strconv.ParseInt(parts[i], 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
