package discordtest

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestSlashCommandGetsEphemeralReply(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	errs := make(chan error, 1)
	openSession(t, f.srv, intents, func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		d := i.ApplicationCommandData()
		errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: d.Name + " " + d.Options[0].StringValue() + " " + string(i.Locale) + " " + i.Member.User.ID,
				Flags:   discordgo.MessageFlagsEphemeral,
			},
		})
	})

	in := f.srv.SlashCommand(f.guildID, f.general, f.alice, "idea", Arg("text", "more tea"))
	f.srv.Dispatch(t, "INTERACTION_CREATE", in)
	if err := recv(t, errs, "interaction response"); err != nil {
		t.Fatalf("respond: %v", err)
	}
	r := f.srv.WaitInteractionReply(t, in.ID, wait)
	want := "idea more tea en-US " + f.alice.ID
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || !r.Ephemeral() || r.Original == nil || r.Original.Content != want {
		t.Errorf("reply: type %d ephemeral %v original %+v, want content %q", r.Type, r.Ephemeral(), r.Original, want)
	}
	if got := f.srv.WaitRequests(t, "POST", "/interactions/"+in.ID+"/", 1, wait)[0].Status; got != 204 {
		t.Errorf("callback status: got %d, want 204", got)
	}
}

func TestButtonOnSentMessageUpdatesIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	errs := make(chan error, 1)
	dg := openSession(t, f.srv, intents, func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "voted " + i.MessageComponentData().CustomID,
				Components: []discordgo.MessageComponent{}},
		})
	})

	sent, err := dg.ChannelMessageSendComplex(f.general, &discordgo.MessageSend{
		Content: "Vote?",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Yes", Style: discordgo.PrimaryButton, CustomID: "vote:yes"},
			discordgo.Button{Label: "No", Style: discordgo.SecondaryButton, CustomID: "vote:no"},
		}}},
		AllowedMentions: &discordgo.MessageAllowedMentions{},
	})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var body struct {
		Components []struct {
			Components []map[string]any `json:"components"`
		} `json:"components"`
	}
	req := f.srv.Requests("POST", "/channels/"+f.general+"/messages")
	if len(req) != 1 || req[0].JSON(&body) != nil || len(body.Components) != 1 || len(body.Components[0].Components) != 2 {
		t.Fatalf("recorded request: %v, body %+v", req, body)
	}
	stored := f.srv.Messages(f.general)
	if len(stored) != 1 || len(stored[0].Components) != 1 {
		t.Fatalf("stored messages: %+v", stored)
	}

	press := f.srv.ButtonPress(t, sent, f.alice, "vote:yes")
	f.srv.Dispatch(t, "INTERACTION_CREATE", press)
	if err := recv(t, errs, "interaction response"); err != nil {
		t.Fatalf("respond: %v", err)
	}
	after := f.srv.Messages(f.general)[0]
	if after.ID != sent.ID || after.Content != "voted vote:yes" || len(after.Components) != 0 || after.EditedTimestamp == nil {
		t.Errorf("updated message: %+v", after)
	}
}

// modalFlow answers /idea with a modal, and its submission with a deferred
// ephemeral reply filled in by a follow-up.
func modalFlow(done chan<- error) func(*discordgo.Session, *discordgo.InteractionCreate) {
	return func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		if i.Type == discordgo.InteractionApplicationCommand {
			done <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseModal,
				Data: &discordgo.InteractionResponseData{CustomID: "idea", Title: "New idea",
					Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
						discordgo.TextInput{CustomID: "text", Label: "Your idea", Style: discordgo.TextInputParagraph, Required: true, MaxLength: 200},
					}}}},
			})
			return
		}
		row := i.ModalSubmitData().Components[0].(*discordgo.ActionsRow)
		text := row.Components[0].(*discordgo.TextInput).Value
		err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		})
		if err == nil {
			_, err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "saved: " + text})
		}
		done <- err
	}
}

func TestModalSubmitDeferredThenFollowUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	done := make(chan error, 1)
	dg := openSession(t, f.srv, intents, modalFlow(done))

	in := f.srv.SlashCommand(f.guildID, f.general, f.alice, "idea")
	f.srv.Dispatch(t, "INTERACTION_CREATE", in)
	if err := recv(t, done, "modal"); err != nil {
		t.Fatalf("modal: %v", err)
	}
	submit := f.srv.ModalSubmit(t, in, map[string]string{"text": "more tea"})
	f.srv.Dispatch(t, "INTERACTION_CREATE", submit)
	if err := recv(t, done, "follow-up"); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	r, _ := f.srv.InteractionReply(submit.ID)
	if r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Original == nil ||
		r.Original.Content != "saved: more tea" || !r.Ephemeral() || r.Original.Flags&discordgo.MessageFlagsLoading != 0 || len(r.Followups) != 0 {
		t.Errorf("reply: %+v, original %+v", r, r.Original)
	}
	err := dg.InteractionRespond(submit, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	if code := restCode(err); code != 40060 {
		t.Errorf("second answer: got %v, want code 40060", err)
	}
	if _, err := dg.FollowupMessageCreate(submit, true, &discordgo.WebhookParams{Content: "one more"}); err != nil {
		t.Fatalf("second follow-up: %v", err)
	}
	if r, _ := f.srv.InteractionReply(submit.ID); len(r.Followups) != 1 || r.Followups[0].Content != "one more" {
		t.Errorf("follow-ups: %+v", r.Followups)
	}
}

func TestDeferredReplyInDMEditedThroughWebhook(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	in := f.srv.SlashCommand("", f.srv.DMChannel(f.alice), f.alice, "help")
	if in.Member != nil || in.User == nil || in.User.ID != f.alice.ID {
		t.Fatalf("dm interaction: member %+v user %+v", in.Member, in.User)
	}
	if err := dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "too early"}}); restCode(err) != 10062 {
		t.Fatalf("answer before dispatch: got %v, want code 10062", err)
	}
	f.srv.Dispatch(t, "INTERACTION_CREATE", in)
	if _, err := dg.InteractionResponseEdit(in, &discordgo.WebhookEdit{}); restCode(err) != 10015 {
		t.Errorf("edit before answering: got %v, want code 10015", err)
	}
	if err := dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatalf("defer: %v", err)
	}
	if r, _ := f.srv.InteractionReply(in.ID); r.Original == nil || r.Original.Flags&discordgo.MessageFlagsLoading == 0 {
		t.Fatalf("deferred original: %+v", r.Original)
	}
	text := "here is help"
	edited, err := dg.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &text})
	if err != nil || edited.Content != text {
		t.Fatalf("edit original: %v, %+v", err, edited)
	}
	r, _ := f.srv.InteractionReply(in.ID)
	if r.Original.Content != text || r.Original.Flags&discordgo.MessageFlagsLoading != 0 || r.Original.WebhookID != f.srv.ApplicationID() {
		t.Errorf("original after edit: %+v", r.Original)
	}
}

func TestSelectMenuCarriesPickedValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	sent, err := dg.ChannelMessageSendComplex(f.general, &discordgo.MessageSend{
		Content: "Pick",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.SelectMenu{CustomID: "lang", Options: []discordgo.SelectMenuOption{
				{Label: "English", Value: "en"}, {Label: "Français", Value: "fr"}}},
		}}},
	})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	in := f.srv.SelectMenu(t, sent, f.alice, "lang", "fr")
	f.srv.Dispatch(t, "INTERACTION_CREATE", in)
	r, ok := f.srv.InteractionReply(in.ID)
	if !ok || r.Type != 0 || r.Interaction.Message == nil || r.Interaction.Message.ID != sent.ID {
		t.Fatalf("dispatched interaction: %+v", r)
	}
	if d := r.Interaction.MessageComponentData(); d.CustomID != "lang" || len(d.Values) != 1 || d.Values[0] != "fr" ||
		d.ComponentType != discordgo.SelectMenuComponent {
		t.Errorf("component data: %+v", d)
	}
}
