package community

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AnnouncementID identifies an announcement.
type AnnouncementID int64

// String formats the id for messages and button data.
func (id AnnouncementID) String() string { return strconv.FormatInt(int64(id), 10) }

// AnnouncementStatus is where an announcement is in its life: previewed,
// sent or dropped.
type AnnouncementStatus string

// The statuses of an announcement.
const (
	AnnouncementDraft     AnnouncementStatus = "draft"
	AnnouncementSent      AnnouncementStatus = "sent"
	AnnouncementCancelled AnnouncementStatus = "cancelled"
)

// Limits of announcements.
const (
	// MaxAnnouncementLength is how long an announcement may be, in the
	// UTF-16 units Telegram counts after markup: its 4096 less room for
	// Hearth's header and footer, so that each one is a single message.
	MaxAnnouncementLength = 3900
	// AnnouncementDraftLifetime is how long a preview may still be sent;
	// after it, its reach is counted afresh by writing it again.
	AnnouncementDraftLifetime = 24 * time.Hour
	// AnnouncementCapWindow is the span the weekly cap counts over.
	AnnouncementCapWindow = 7 * 24 * time.Hour
)

// The events of announcements. The recipients are recorded, and DMs
// written, in batches of members so that each transaction and each
// rendering stays small however large the community.
const (
	EventAnnouncementPosts  = "announcement.posts"  // post in the groups chosen when it was sent
	EventAnnouncementExpand = "announcement.expand" // record the next batch of its recipients
	EventAnnouncementDMs    = "announcement.dms"    // write privately to a batch of its recipients
)

// AnnouncementPosts is the payload of EventAnnouncementPosts.
type AnnouncementPosts struct {
	Announcement AnnouncementID `json:"announcement"`
}

// AnnouncementDMs is the payload of EventAnnouncementDMs: the recipients
// whose member ids lie between From and To, inclusive.
type AnnouncementDMs struct {
	Announcement AnnouncementID `json:"announcement"`
	From         MemberID       `json:"from"`
	To           MemberID       `json:"to"`
}

// AnnouncementExpansion is the payload of EventAnnouncementExpand: the
// step of a sent announcement's expansion that records its recipients
// with member ids after After, a batch at a time, as they stand when the
// step runs. Due is when the private messages may go out; the cap counts
// the announcements due in the Window before it.
type AnnouncementExpansion struct {
	Announcement AnnouncementID `json:"announcement"`
	After        MemberID       `json:"after"`
	Tiers        []Tier         `json:"tiers"`
	Platforms    []Platform     `json:"platforms"`
	HearthOpens  []Platform     `json:"hearth_opens,omitempty"`
	Cap          int            `json:"cap"`
	Window       time.Duration  `json:"window"`
	Due          time.Time      `json:"due"`
}

// Announcement is a message staff send to the community's groups and, by
// private message, to the members who asked for announcements: everyone,
// or one tier and those above it.
type Announcement struct {
	ID         AnnouncementID
	Author     MemberID
	AuthorName string
	Text       string // in Hearth's markup, as staff wrote it
	Tier       *Tier  // nil: everyone
	Status     AnnouncementStatus
	CreatedAt  time.Time
	SentAt     time.Time
	SentBy     MemberID
	Reach      Reach // as counted when it was sent
}

// Reach is whom an announcement reaches: posts per platform, members
// written to privately per tier, members skipped for the weekly cap, and
// when private messages wait for quiet hours to end.
type Reach struct {
	Groups    map[Platform]int `json:"groups,omitempty"`
	Members   map[Tier]int     `json:"members,omitempty"`
	Capped    int              `json:"capped,omitempty"`
	Cap       int              `json:"cap"`
	HeldUntil time.Time        `json:"held_until,omitzero"`
}

// GroupCount is how many group posts there are.
func (r Reach) GroupCount() int { return sumOf(r.Groups) }

// MemberCount is how many members are written to privately.
func (r Reach) MemberCount() int { return sumOf(r.Members) }

// Held is how many private messages wait for quiet hours to end.
func (r Reach) Held() int {
	if r.HeldUntil.IsZero() {
		return 0
	}
	return r.MemberCount()
}

// PrivateOff reports that no announcement goes out privately (a weekly
// cap of 0).
func (r Reach) PrivateOff() bool { return r.Cap == 0 }

func sumOf[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// PlatformChat names a chat on a platform.
type PlatformChat struct {
	Platform Platform
	ChatID   string
}

// AnnounceVia is where Hearth can publish now, as the chat layer knows it:
// the platforms it runs on and the groups only VIPs are in.
type AnnounceVia struct {
	Platforms []Platform
	VIPGroups []PlatformChat
	// Messaging is how each platform lets Hearth write to members.
	Messaging map[Platform]MessagingCapabilities
}

// Audience is where an announcement goes, for the store to count or to
// record.
type Audience struct {
	Tiers     []Tier         // members of these tiers who opted in are written to; none: nobody
	AllGroups bool           // post in every community group (not the staff chats)
	Chats     []PlatformChat // post in these chats as well
	Platforms []Platform     // only where Hearth runs now
	// HearthOpens are the platforms where Hearth may write to members
	// privately without a private chat they opened (OpensPrivateChatsOn).
	HearthOpens []Platform
	Cap         int // announcements a member may receive privately in Window
	Window      time.Duration
	// HoldUntil is when the private messages may go out; zero: at once.
	HoldUntil time.Time
}

// AnnouncementSend is a draft being sent: its reach is counted and its
// posts and first events queued in one transaction; its recipients are
// then recorded, under the cap, a batch at a time (AnnouncementExpansion).
type AnnouncementSend struct {
	ID       AnnouncementID
	By       MemberID
	At       time.Time
	Audience Audience
}

// AnnouncementStore is what announcements need from persistence.
type AnnouncementStore interface {
	// CreateAnnouncement records a draft and sets its ID.
	CreateAnnouncement(ctx context.Context, a *Announcement) error
	// Announcement returns one announcement; ENotFound when there is none.
	Announcement(ctx context.Context, id AnnouncementID) (Announcement, error)
	// AnnouncementReach counts whom an audience reaches now, changing nothing.
	AnnouncementReach(ctx context.Context, aud Audience, at time.Time) (Reach, error)
	// SendAnnouncement marks a draft sent, records its posts and its
	// reach, and queues the events (the first step of its expansion
	// among them), in one transaction. EConflict when the announcement is
	// no longer a draft.
	SendAnnouncement(ctx context.Context, s AnnouncementSend) (Reach, error)
	// ExpandAnnouncement runs one step of an expansion in a transaction
	// of its own: it records the next recipients (members under the cap)
	// after x.After, at most limit members considered, and queues the
	// step's effects (AnnouncementExpansion.Effects). A step that is not
	// the announcement's next one (its expansion has gone past x.After:
	// a step run again) changes nothing, so a step run twice, or by two
	// replicas at once, records no one twice.
	ExpandAnnouncement(ctx context.Context, x AnnouncementExpansion, limit int) error
	// CancelAnnouncement drops a draft; EConflict when it is not one.
	CancelAnnouncement(ctx context.Context, id AnnouncementID, by MemberID, at time.Time) error
	// RecentAnnouncements returns the last sent announcements, newest first.
	RecentAnnouncements(ctx context.Context, limit int) ([]Announcement, error)
	// AnnouncementsDM reports whether a member gets announcements privately.
	AnnouncementsDM(ctx context.Context, member MemberID) (bool, error)
	// SetAnnouncementsDM records a member's choice.
	SetAnnouncementsDM(ctx context.Context, member MemberID, on bool) error
}

// AnnounceRules configure announcements.
type AnnounceRules struct {
	// WeeklyCap is how many announcements a member receives privately in
	// seven days at most; 0: none.
	WeeklyCap int
	Quiet     QuietHours
	Location  *time.Location // the community's time zone, for quiet hours
}

// Announcements holds the rules of announcements: what may be announced,
// to whom, and when private messages may go out.
type Announcements struct {
	store  AnnouncementStore
	rules  AnnounceRules
	length func(text string) int
	now    func() time.Time
}

// NewAnnouncements returns the announcement rules. length measures a text
// as the strictest platform counts it (nil: in characters).
func NewAnnouncements(store AnnouncementStore, rules AnnounceRules, length func(string) int, now func() time.Time) *Announcements {
	if length == nil {
		length = utf8.RuneCountInString
	}
	if rules.Location == nil {
		rules.Location = time.UTC
	}
	return &Announcements{store: store, rules: rules, length: length, now: now}
}

// Rules returns the rules the announcements follow.
func (a *Announcements) Rules() AnnounceRules { return a.rules }

// Draft checks an announcement, records it as a draft and counts whom it
// would reach if sent now. tier names the lowest tier it is for; "" is
// everyone.
func (a *Announcements) Draft(ctx context.Context, author MemberID, tier, text string, via AnnounceVia) (Announcement, Reach, error) {
	ann := Announcement{Author: author, Text: strings.TrimSpace(text), Status: AnnouncementDraft, CreatedAt: a.now()}
	if tier = strings.TrimSpace(tier); tier != "" {
		t, err := ParseTier(tier)
		if err != nil {
			return ann, Reach{}, Errorf(EInvalid, "announce.unknown_tier", map[string]any{"Tier": tier, "Tiers": tierNames()}, "%v", err)
		}
		ann.Tier = &t
	}
	if ann.Text == "" {
		return ann, Reach{}, Errorf(EInvalid, "announce.empty", nil, "the announcement has no text")
	}
	if n := a.length(ann.Text); n > MaxAnnouncementLength {
		return ann, Reach{}, Errorf(EInvalid, "announce.too_long", map[string]any{"Length": n, "Max": MaxAnnouncementLength},
			"the announcement is %d characters long; at most %d", n, MaxAnnouncementLength)
	}
	if err := a.store.CreateAnnouncement(ctx, &ann); err != nil {
		return ann, Reach{}, err
	}
	reach, err := a.store.AnnouncementReach(ctx, a.audience(ann.Tier, via, ann.CreatedAt), ann.CreatedAt)
	return ann, reach, err
}

// Send publishes a draft: posts in the groups and private messages to the
// members who opted in, under the weekly cap, held until quiet hours end.
func (a *Announcements) Send(ctx context.Context, id AnnouncementID, by MemberID, via AnnounceVia) (Announcement, error) {
	ann, err := a.store.Announcement(ctx, id)
	if err != nil {
		return ann, err
	}
	at := a.now()
	if err := settled(ann); err != nil {
		return ann, err
	}
	if at.Sub(ann.CreatedAt) > AnnouncementDraftLifetime {
		return ann, Errorf(EConflict, "announce.expired", map[string]any{"ID": ann.ID.String()}, "announcement %d was previewed more than a day ago", ann.ID)
	}
	reach, err := a.store.SendAnnouncement(ctx, AnnouncementSend{ID: id, By: by, At: at, Audience: a.audience(ann.Tier, via, at)})
	if err != nil {
		return ann, a.settledMeanwhile(ctx, id, err)
	}
	ann.Status, ann.SentAt, ann.SentBy, ann.Reach = AnnouncementSent, at, by, reach
	return ann, nil
}

// Expand records the next batch of a sent announcement's recipients
// and queues their private messages and the step after it.
func (a *Announcements) Expand(ctx context.Context, x AnnouncementExpansion) error {
	return a.store.ExpandAnnouncement(ctx, x, AnnouncementDMBatch)
}

// Cancel drops a draft.
func (a *Announcements) Cancel(ctx context.Context, id AnnouncementID, by MemberID) (Announcement, error) {
	ann, err := a.store.Announcement(ctx, id)
	if err != nil {
		return ann, err
	}
	if err := settled(ann); err != nil {
		return ann, err
	}
	if err := a.store.CancelAnnouncement(ctx, id, by, a.now()); err != nil {
		return ann, a.settledMeanwhile(ctx, id, err)
	}
	ann.Status = AnnouncementCancelled
	return ann, nil
}

// settled refuses to send or cancel an announcement that is no longer a
// draft.
func settled(ann Announcement) error {
	data := map[string]any{"ID": ann.ID.String()}
	switch ann.Status {
	case AnnouncementSent:
		return Errorf(EConflict, "announce.already_sent", data, "announcement %d was sent already", ann.ID)
	case AnnouncementCancelled:
		return Errorf(EConflict, "announce.already_cancelled", data, "announcement %d was cancelled", ann.ID)
	}
	return nil
}

// settledMeanwhile says what a store's conflict means: the draft was
// sent or cancelled by someone else between the check and the change.
func (a *Announcements) settledMeanwhile(ctx context.Context, id AnnouncementID, err error) error {
	if !errors.Is(err, ErrConflict) {
		return err
	}
	ann, readErr := a.store.Announcement(ctx, id)
	if readErr != nil {
		return readErr
	}
	return cmp.Or(settled(ann), err)
}

// History returns the last sent announcements, newest first.
func (a *Announcements) History(ctx context.Context, limit int) ([]Announcement, error) {
	return a.store.RecentAnnouncements(ctx, limit)
}

// Subscribed reports whether a member gets announcements privately.
func (a *Announcements) Subscribed(ctx context.Context, member MemberID) (bool, error) {
	return a.store.AnnouncementsDM(ctx, member)
}

// Subscribe records whether a member gets announcements privately.
func (a *Announcements) Subscribe(ctx context.Context, member MemberID, on bool) error {
	return a.store.SetAnnouncementsDM(ctx, member, on)
}

// audience decides where an announcement sent at at goes: every group
// for everyone, the VIP groups for VIPs only; privately to the members of
// the tier and those above, unless the cap is 0; held while it is quiet.
func (a *Announcements) audience(tier *Tier, via AnnounceVia, at time.Time) Audience {
	aud := Audience{Platforms: via.Platforms, HearthOpens: OpensPrivateChatsOn(via.Messaging), Cap: a.rules.WeeklyCap,
		Window: AnnouncementCapWindow, AllGroups: tier == nil}
	if tier != nil && *tier == TierVIP {
		aud.Chats = via.VIPGroups
	}
	if a.rules.WeeklyCap > 0 {
		aud.Tiers = TiersFrom(tier)
	}
	if due := a.rules.Quiet.Next(at.In(a.rules.Location)); due.After(at) {
		aud.HoldUntil = due
	}
	return aud
}

// TiersFrom lists tier and the tiers above it, lowest first; every tier
// when tier is nil.
func TiersFrom(tier *Tier) []Tier {
	if tier == nil {
		return slices.Clone(Tiers)
	}
	var out []Tier
	for _, t := range Tiers {
		if t >= *tier {
			out = append(out, t)
		}
	}
	return out
}

func tierNames() string {
	var names []string
	for _, t := range slices.Backward(Tiers) {
		names = append(names, t.String())
	}
	return strings.Join(names, ", ")
}
