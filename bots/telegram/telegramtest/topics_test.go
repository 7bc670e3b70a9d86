package telegramtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

const staffForumID = -1009876543210

// wantBadRequest fails the test unless err is Telegram's 400 with
// description "Bad Request: <want>".
func wantBadRequest(t *testing.T, what string, err error, want string) {
	t.Helper()
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "Bad Request: "+want) {
		t.Fatalf("%s: got %v, want 400 %q", what, err, "Bad Request: "+want)
	}
}

// staffForum starts a bot that manages topics in a staff forum.
func staffForum(t *testing.T) (*telegramtest.Server, *bot.Bot, models.Chat) {
	t.Helper()
	srv, b := startBot(t)
	forum := srv.AddForum(staffForumID, "Staff")
	srv.SetChatMember(forum.ID, telegramtest.TopicManager(srv.Bot()))
	return srv, b, forum
}

func TestTicketTopicLifecycle(t *testing.T) {
	srv, b, forum := staffForum(t)
	ctx := context.Background()

	topic, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: forum.ID, Name: "#12 Maria · VIP"})
	if err != nil {
		t.Fatalf("CreateForumTopic: %v", err)
	}
	if topic.Name != "#12 Maria · VIP" || topic.IconColor != telegramtest.TopicColors[0] || topic.MessageThreadID <= 0 {
		t.Fatalf("created topic: %+v", topic)
	}
	thread := topic.MessageThreadID

	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: thread, Text: "Hello Maria"})
	if err != nil {
		t.Fatalf("SendMessage in the topic: %v", err)
	}
	if sent.MessageThreadID != thread || !sent.IsTopicMessage || sent.ReplyToMessage == nil ||
		sent.ReplyToMessage.ID != thread || sent.ReplyToMessage.ForumTopicCreated == nil ||
		sent.ReplyToMessage.ForumTopicCreated.Name != topic.Name {
		t.Fatalf("message sent in the topic: %+v (reply to %+v)", sent, sent.ReplyToMessage)
	}
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: forum.ID, MessageThreadID: thread,
		Photo: &models.InputFileUpload{Filename: "receipt.png", Data: strings.NewReader("PNG...")}}); err != nil {
		t.Fatalf("SendPhoto in the topic: %v", err)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: forum.ID, MessageThreadID: thread,
		Document: &models.InputFileUpload{Filename: "invoice.pdf", Data: strings.NewReader("%PDF")}}); err != nil {
		t.Fatalf("SendDocument in the topic: %v", err)
	}
	album, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: forum.ID, MessageThreadID: thread, Media: []models.InputMedia{
		&models.InputMediaPhoto{Media: "attach://one", MediaAttachment: strings.NewReader("1")},
		&models.InputMediaPhoto{Media: "attach://two", MediaAttachment: strings.NewReader("2")},
	}})
	if err != nil || len(album) != 2 || album[1].MessageThreadID != thread {
		t.Fatalf("SendMediaGroup in the topic: %v, %+v", err, album)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: forum.ID, MessageThreadID: thread,
		Action: models.ChatActionTyping}); err != nil {
		t.Fatalf("SendChatAction in the topic: %v", err)
	}

	// Maria's reply, relayed by hand by a member of staff in the topic.
	in := srv.TopicMessageUpdate(forum, alice, thread, "Staff note: she paid")
	if m := in.Message; m.MessageThreadID != thread || !m.IsTopicMessage || m.ReplyToMessage == nil ||
		m.ReplyToMessage.ForumTopicCreated == nil || m.ReplyToMessage.From == nil || m.ReplyToMessage.From.ID != srv.Bot().ID {
		t.Fatalf("update in the topic: %+v", m)
	}
	srv.PushUpdate(in)

	msgs := srv.TopicMessages(forum.ID, thread)
	if len(msgs) != 7 || msgs[0].ForumTopicCreated == nil || msgs[1].Text != "Hello Maria" || msgs[6].Text != "Staff note: she paid" {
		t.Fatalf("messages in the topic: %d, %+v", len(msgs), msgs)
	}

	if ok, err := b.EditForumTopic(ctx, &bot.EditForumTopicParams{ChatID: forum.ID, MessageThreadID: thread, Name: "#12 Maria · VIP · paid"}); !ok || err != nil {
		t.Fatalf("EditForumTopic: %v, %v", ok, err)
	}
	_, err = b.EditForumTopic(ctx, &bot.EditForumTopicParams{ChatID: forum.ID, MessageThreadID: thread, Name: "#12 Maria · VIP · paid"})
	wantBadRequest(t, "renaming to the same name", err, "TOPIC_NOT_MODIFIED")

	if ok, err := b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: forum.ID, MessageThreadID: thread}); !ok || err != nil {
		t.Fatalf("CloseForumTopic: %v, %v", ok, err)
	}
	_, err = b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: forum.ID, MessageThreadID: thread})
	wantBadRequest(t, "closing a closed topic", err, "TOPIC_NOT_MODIFIED")
	if got, _ := srv.Topic(forum.ID, thread); !got.Closed || got.Name != "#12 Maria · VIP · paid" || got.CreatorID != srv.Bot().ID {
		t.Fatalf("closed topic: %+v", got)
	}
	// A bot that manages topics still posts in a closed one.
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: thread, Text: "Closed."}); err != nil {
		t.Fatalf("SendMessage in the closed topic as a topic manager: %v", err)
	}
	if ok, err := b.ReopenForumTopic(ctx, &bot.ReopenForumTopicParams{ChatID: forum.ID, MessageThreadID: thread}); !ok || err != nil {
		t.Fatalf("ReopenForumTopic: %v, %v", ok, err)
	}
	msgs = srv.TopicMessages(forum.ID, thread)
	var services []string
	for _, m := range msgs {
		switch {
		case m.ForumTopicEdited != nil:
			services = append(services, "edited "+m.ForumTopicEdited.Name)
		case m.ForumTopicClosed != nil:
			services = append(services, "closed")
		case m.ForumTopicReopened != nil:
			services = append(services, "reopened")
		}
	}
	if strings.Join(services, ", ") != "edited #12 Maria · VIP · paid, closed, reopened" {
		t.Fatalf("service messages in the topic: %q", services)
	}

	if ok, err := b.DeleteForumTopic(ctx, &bot.DeleteForumTopicParams{ChatID: forum.ID, MessageThreadID: thread}); !ok || err != nil {
		t.Fatalf("DeleteForumTopic: %v, %v", ok, err)
	}
	if got := srv.TopicMessages(forum.ID, thread); len(got) != 0 {
		t.Fatalf("messages left in the deleted topic: %+v", got)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: thread, Text: "Anyone?"})
	wantBadRequest(t, "sending to a deleted topic", err, "message thread not found")
	_, err = b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: forum.ID, MessageThreadID: thread})
	wantBadRequest(t, "closing a deleted topic", err, "TOPIC_ID_INVALID")
	if calls := srv.Calls("closeForumTopic"); len(calls) != 3 || calls[2].Error != "Bad Request: TOPIC_ID_INVALID" {
		t.Fatalf("recorded closeForumTopic calls: %v", calls)
	}
}

func TestTopicsOnlyInForums(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	for _, chat := range []models.Chat{group, telegramtest.Group(-4242, "Basic")} {
		srv.SetChat(models.ChatFullInfo{ID: chat.ID, Type: chat.Type, Title: chat.Title})
		_, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: chat.ID, Name: "Ticket"})
		wantBadRequest(t, "a topic in "+chat.Title, err, "the chat is not a forum")
	}
	// Outside forums Telegram ignores message_thread_id.
	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, MessageThreadID: 77, Text: "hi"})
	if err != nil || sent.MessageThreadID != 0 || sent.IsTopicMessage {
		t.Fatalf("thread in a plain supergroup: %v, %+v", err, sent)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, MessageThreadID: 77, Text: "hi"})
	wantBadRequest(t, "a thread in a private chat", err, "message thread not found")
}

func TestTopicValidation(t *testing.T) {
	srv, b, forum := staffForum(t)
	ctx := context.Background()

	_, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: forum.ID, Name: " \n "})
	wantBadRequest(t, "a blank name", err, "title must be non-empty")
	_, err = b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: forum.ID, Name: "x", IconColor: 1 << 24})
	wantBadRequest(t, "a color beyond RGB", err, "invalid icon color specified")
	long, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: forum.ID, Name: strings.Repeat("é", 130), IconColor: 16478047})
	if err != nil || len([]rune(long.Name)) != 128 || long.IconColor != 16478047 {
		t.Fatalf("a 130-character name: %v, %d characters, color %d", err, len([]rune(long.Name)), long.IconColor)
	}

	for _, thread := range []int{1, 999} {
		_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: thread, Text: "hi"})
		wantBadRequest(t, "sending to a topic that is not there", err, "message thread not found")
	}
	_, err = b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: forum.ID})
	wantBadRequest(t, "closing without message_thread_id", err, "invalid message thread identifier specified")
	_, err = b.EditForumTopic(ctx, &bot.EditForumTopicParams{ChatID: forum.ID, MessageThreadID: 999, Name: "x"})
	wantBadRequest(t, "renaming an unknown topic", err, "TOPIC_ID_INVALID")
	if ok, err := b.EditForumTopic(ctx, &bot.EditForumTopicParams{ChatID: forum.ID, MessageThreadID: long.MessageThreadID}); !ok || err != nil {
		t.Fatalf("an edit changing nothing: %v, %v", ok, err)
	}
	if got := srv.Topics(forum.ID); len(got) != 1 || got[0].ID != long.MessageThreadID {
		t.Fatalf("topics after refused creations: %+v", got)
	}
}

func TestTopicRights(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	forum := srv.AddForum(staffForumID, "Staff")

	// A topic a member of staff opened in the app, which the bot sees.
	opened := srv.MessageUpdate(forum, alice, "")
	opened.Message.ForumTopicCreated = &models.ForumTopicCreated{Name: "Refunds", IconColor: 9367192}
	opened.Message.MessageThreadID, opened.Message.IsTopicMessage = opened.Message.ID, true
	srv.PushUpdate(opened)
	theirs := opened.Message.ID

	// An administrator without can_manage_topics.
	srv.SetChatMember(forum.ID, telegramtest.Admin(srv.Bot()))
	_, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: forum.ID, Name: "Ticket"})
	wantBadRequest(t, "creating without the right", err, "not enough rights to create a topic")
	_, err = b.EditForumTopic(ctx, &bot.EditForumTopicParams{ChatID: forum.ID, MessageThreadID: theirs, Name: "Mine now"})
	wantBadRequest(t, "renaming another's topic", err, "not enough rights to edit the topic")
	_, err = b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: forum.ID, MessageThreadID: theirs})
	wantBadRequest(t, "closing another's topic", err, "not enough rights to close or open the topic")

	// Staff close their topic in the app: the bot, no topic manager,
	// can no longer post there.
	srv.PushUpdate(srv.TopicClosedUpdate(forum, alice, theirs))
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: theirs, Text: "hi"})
	wantBadRequest(t, "posting in a closed topic", err, "TOPIC_CLOSED")
	srv.PushUpdate(srv.TopicReopenedUpdate(forum, alice, theirs))
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: theirs, Text: "hi"}); err != nil {
		t.Fatalf("posting in the reopened topic: %v", err)
	}

	// A member may create topics when the chat lets members do so, and
	// then close its own topic without can_manage_topics.
	srv.SetChat(models.ChatFullInfo{ID: forum.ID, Type: forum.Type, Title: forum.Title, IsForum: true,
		Permissions: &models.ChatPermissions{CanSendMessages: true, CanManageTopics: true}})
	srv.SetChatMember(forum.ID, telegramtest.Member(srv.Bot()))
	mine, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: forum.ID, Name: "#13 Omar"})
	if err != nil {
		t.Fatalf("creating as a member allowed to: %v", err)
	}
	if ok, err := b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: forum.ID, MessageThreadID: mine.MessageThreadID}); !ok || err != nil {
		t.Fatalf("closing its own topic: %v, %v", ok, err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: forum.ID, MessageThreadID: mine.MessageThreadID, Text: "hi"})
	wantBadRequest(t, "posting in its own closed topic without the right", err, "TOPIC_CLOSED")
	_, err = b.DeleteForumTopic(ctx, &bot.DeleteForumTopicParams{ChatID: forum.ID, MessageThreadID: mine.MessageThreadID})
	wantBadRequest(t, "deleting without can_delete_messages", err, "not enough rights to delete the topic")
}
