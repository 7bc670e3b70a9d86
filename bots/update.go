package bots

import (
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// UpdateKind says what happened in an update.
type UpdateKind string

// The kinds of update the adapters produce.
const (
	KindMessage     UpdateKind = "message"      // a new message (a command when Command is set)
	KindEdited      UpdateKind = "edited"       // a message was edited
	KindButton      UpdateKind = "button"       // a button was pressed; Data says which
	KindForm        UpdateKind = "form"         // a form was submitted; Data names it, Fields holds it
	KindReaction    UpdateKind = "reaction"     // a member reacted to a message
	KindJoin        UpdateKind = "join"         // a member joined a group
	KindLeave       UpdateKind = "leave"        // a member left a group
	KindJoinRequest UpdateKind = "join_request" // a member asked to join a group
	KindBotAdded    UpdateKind = "bot_added"    // Hearth was added to a group
	KindBotRemoved  UpdateKind = "bot_removed"  // Hearth was removed from a group
	KindThread      UpdateKind = "thread"       // a member started a Discord thread or a Telegram forum topic
	KindNotice      UpdateKind = "notice"       // a chat's service message (a pin, a new title, "X joined"): not a member's words
	KindGroupMoved  UpdateKind = "group_moved"  // a group got a new id (a Telegram group became a supergroup); Data is "old:new"
)

// Update is one thing that happened on a platform, in platform-neutral
// terms. Adapters fill it in; the router does the rest.
type Update struct {
	Platform community.Platform
	// ID is unique per platform and the same when the platform delivers
	// the update again: it is how Hearth handles each update once.
	ID string
	// Seq is the platform's own order of its updates (the Telegram
	// update id, a Discord snowflake), 0 when it has none: one chat's
	// updates are handled in this order.
	Seq       int64
	Kind      UpdateKind
	At        time.Time
	Chat      Chat
	From      User
	MessageID string // the message the update is about
	ThreadID  string // a Telegram forum topic or Discord thread, if any
	Text      string
	Command   string            // the command without its slash, lower case; "" if none
	Args      string            // the rest of a command line
	Options   map[string]string // typed command options (Discord slash commands)
	Data      string            // button data, or the id of a submitted form
	Fields    map[string]string // a submitted form's values
	Media     []Media
	// MediaGroup is the album a message belongs to (Telegram's
	// media_group_id: each photo of an album comes as its own message);
	// "" for a message on its own.
	MediaGroup string
	// Forwarded: the message forwards someone else's (Telegram's
	// forward_origin): its media is not the sender's own.
	Forwarded bool
	ReplyTo   *Message // the message this one answers, if any
	Reaction  string   // the emoji of a reaction
	// Handle lets the adapter answer the update in place: a Discord
	// interaction or a Telegram callback query. Opaque to the router.
	Handle string
}

// Message is another message an update refers to.
type Message struct {
	ID   string
	From User
	Text string
	// Media and MediaGroup are the message's attachments and album, as
	// in Update: what /share in reply to a photo shares.
	Media      []Media
	MediaGroup string
	Forwarded  bool
}

// Media is an attachment of a message.
type Media struct {
	Kind   string // photo, video, document, audio, voice, sticker, animation
	FileID string // the platform's file id or attachment URL
	Name   string
	Size   int64
}

// IsDirect reports whether the update came from a private conversation.
func (u Update) IsDirect() bool { return u.Chat.Kind == community.ChatDirect }

// Queue names the order an update is handled in: one chat's updates one
// after the other, outside any chat one sender's.
func (u Update) Queue() string {
	switch {
	case u.Chat.ID != "":
		return string(u.Platform) + ":chat:" + u.Chat.ID
	case u.From.ID != "":
		return string(u.Platform) + ":user:" + u.From.ID
	}
	return string(u.Platform) + ":update:" + u.ID
}

// Clean returns the update with every text PostgreSQL can store: NUL
// bytes removed and invalid UTF-8 replaced. A platform may send either in
// a name, a title or a message; nothing Hearth does needs them.
func (u Update) Clean() Update {
	u.ID, u.MessageID, u.ThreadID, u.Handle = inbox.CleanText(u.ID), inbox.CleanText(u.MessageID), inbox.CleanText(u.ThreadID), inbox.CleanText(u.Handle)
	u.Text, u.Command, u.Args, u.Data, u.Reaction = inbox.CleanText(u.Text), inbox.CleanText(u.Command), inbox.CleanText(u.Args), inbox.CleanText(u.Data), inbox.CleanText(u.Reaction)
	u.MediaGroup = inbox.CleanText(u.MediaGroup)
	u.Chat = Chat{ID: inbox.CleanText(u.Chat.ID), Kind: u.Chat.Kind, Title: inbox.CleanText(u.Chat.Title), GroupID: inbox.CleanText(u.Chat.GroupID), GroupTitle: inbox.CleanText(u.Chat.GroupTitle)}
	u.From = u.From.CleanText()
	u.Options, u.Fields = cleanMap(u.Options), cleanMap(u.Fields)
	u.Media = cleanMedia(u.Media)
	if r := u.ReplyTo; r != nil {
		u.ReplyTo = &Message{ID: inbox.CleanText(r.ID), From: r.From.CleanText(), Text: inbox.CleanText(r.Text),
			Media: cleanMedia(r.Media), MediaGroup: inbox.CleanText(r.MediaGroup), Forwarded: r.Forwarded}
	}
	return u
}

func cleanMedia(in []Media) []Media {
	if len(in) == 0 {
		return in
	}
	out := make([]Media, len(in))
	for i, m := range in {
		out[i] = Media{Kind: inbox.CleanText(m.Kind), FileID: inbox.CleanText(m.FileID), Name: inbox.CleanText(m.Name), Size: m.Size}
	}
	return out
}

func cleanMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[inbox.CleanText(k)] = inbox.CleanText(v)
	}
	return out
}
