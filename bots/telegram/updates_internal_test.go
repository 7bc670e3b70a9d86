package telegram

import (
	"testing"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
)

// TestCommandInAnswerToAFormRuns: a member's reply to a form's prompt is
// the form's answer, unless it is a /command: then it is the command, and
// the form is left unanswered.
func TestCommandInAnswerToAFormRuns(t *testing.T) {
	me := models.User{ID: 42, IsBot: true, Username: "hearth_bot"}
	prompt := &models.Message{ID: 7, From: &me, Chat: models.Chat{ID: -5, Type: "supergroup"}, Text: "Ask the team",
		Entities: []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Offset: 0, Length: 3, URL: formLink(bots.Form{ID: "guide:ask", Fields: []bots.FormField{{ID: "question"}}})}}}
	reply := func(text string, entities ...models.MessageEntity) *models.Update {
		return &models.Update{ID: 1, Message: &models.Message{ID: 8, From: &models.User{ID: 100, FirstName: "Alice"},
			Chat: prompt.Chat, Text: text, Entities: entities, ReplyToMessage: prompt}}
	}
	answer, ok := convert(reply("Do you ship to Crete?"), me.Username)
	if !ok || answer.Kind != bots.KindForm || answer.Data != "guide:ask" || answer.Fields["question"] != "Do you ship to Crete?" {
		t.Fatalf("plain reply = %+v, want the form's answer", answer)
	}
	cmd, ok := convert(reply("/mydata", models.MessageEntity{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: 7}), me.Username)
	if !ok || cmd.Kind != bots.KindMessage || cmd.Command != "mydata" || cmd.Data != "" {
		t.Fatalf("command in reply = %+v, want /mydata run", cmd)
	}
}
