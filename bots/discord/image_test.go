package discord_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// pngBytes is a small real PNG, as a chart renderer would produce.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{G: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const chartURL = "https://shop.example/charts/week-12.png"

var moreButton = [][]bots.Button{{{Label: "More", Data: "chart:more"}}}

// imageWorld is Hearth with /chart answering reply, in a guild with one
// text channel where alice is a member.
func imageWorld(t *testing.T, r bots.Reply) (w *world, guild, channel string, alice discordgo.User) {
	t.Helper()
	owner := discordtest.NewUser("olga")
	alice = discordtest.NewUser("alice")
	g, channel := textGuild("Tea Lovers", owner.ID)
	w = startScene(t, scene{
		owner: owner.ID,
		prepare: func(dc *discordtest.Server) {
			dc.AddGuild(g)
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(g.ID, alice))
		},
		commands: []bots.Command{{Name: "chart", Permission: community.RoleMember, Where: bots.Anywhere, Run: reply(r)}},
	})
	w.waitGuild(t, g.ID)
	return w, g.ID, channel, alice
}

func customIDs(m *discordgo.Message) []string {
	var ids []string
	for _, row := range m.Components {
		if r, ok := row.(*discordgo.ActionsRow); ok {
			for _, c := range r.Components {
				if b, ok := c.(*discordgo.Button); ok {
					ids = append(ids, b.CustomID)
				}
			}
		}
	}
	return ids
}

// TestImageURLAnswersACommandAsAnEmbed: a reply with an image URL answers
// the slash command with the text as content and the image as an embed,
// with its buttons; nothing is uploaded.
func TestImageURLAnswersACommandAsAnEmbed(t *testing.T) {
	t.Parallel()
	w, guild, channel, alice := imageWorld(t, bots.Reply{Text: "This week's *tea* chart", Image: &bots.Image{URL: chartURL}, Buttons: moreButton})
	r := w.slash(t, guild, channel, alice, "chart")
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Original == nil {
		t.Fatalf("answered with type %d, message %v", r.Type, r.Original)
	}
	m := r.Original
	if m.Content != "This week's **tea** chart" {
		t.Errorf("content = %q", m.Content)
	}
	if len(m.Embeds) != 1 || m.Embeds[0].Image == nil || m.Embeds[0].Image.URL != chartURL {
		t.Errorf("embeds = %+v; want one with the chart as its image", m.Embeds)
	}
	if len(m.Attachments) != 0 {
		t.Errorf("%d attachments; a URL needs no upload", len(m.Attachments))
	}
	if ids := customIDs(m); len(ids) != 1 || ids[0] != "chart:more" {
		t.Errorf("buttons = %v", ids)
	}
}

// TestImageBytesAnswerACommandAsAnAttachment: image bytes are uploaded
// with the interaction's answer, byte for byte, as a PNG under their name.
func TestImageBytesAnswerACommandAsAnAttachment(t *testing.T) {
	t.Parallel()
	data := pngBytes(t)
	w, guild, channel, alice := imageWorld(t, bots.Reply{Text: "Your chart", Image: &bots.Image{Data: data, Name: "chart.png"}})
	r := w.slash(t, guild, channel, alice, "chart")
	if r.Original == nil || r.Original.Content != "Your chart" {
		t.Fatalf("answer = %+v", r.Original)
	}
	if a := r.Original.Attachments; len(a) != 1 || a[0].Filename != "chart.png" || a[0].ContentType != "image/png" || a[0].Size != len(data) {
		t.Errorf("attachments = %+v", a)
	}
	calls := w.dc.WaitRequests(t, "POST", "/interactions/"+r.Interaction.ID, 1, 10*time.Second)
	files, err := calls[0].Files()
	if err != nil || len(files) != 1 || !bytes.Equal(files[0].Data, data) {
		t.Errorf("uploaded %+v, %v; want the image's bytes", files, err)
	}
}

// TestImageMessageInAChannel: an image sent from the outbox (not an
// answer) comes with the first message of the text; a text too long for
// one message continues in a second one, which carries the buttons.
func TestImageMessageInAChannel(t *testing.T) {
	t.Parallel()
	data := pngBytes(t)
	text := strings.Repeat("Tea is a way of life. ", 120) // 2640 characters: two messages
	for _, tc := range []struct {
		name   string
		image  *bots.Image
		upload bool
	}{
		{"uploaded", &bots.Image{Data: data, Name: "chart.png"}, true},
		{"by URL", &bots.Image{URL: chartURL}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, channel, _ := imageWorld(t, bots.Reply{})
			err := w.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Discord, ChatID: channel},
				Message: bots.Reply{Text: text, Image: tc.image, Buttons: moreButton}}})
			if err != nil {
				t.Fatal(err)
			}
			w.svc.Dispatcher.Wake()
			calls := w.dc.WaitRequests(t, "POST", "/channels/"+channel+"/messages", 2, 10*time.Second)
			for i, c := range calls {
				if c.Status != 200 {
					t.Fatalf("message %d refused: %s %s", i+1, c, c.Payload)
				}
			}
			w.waitCount(t, 1, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND cardinality(sent_ids) = 2`)
			msgs := w.dc.Messages(channel)
			if len(msgs) != 2 {
				t.Fatalf("%d messages in the channel, want 2", len(msgs))
			}
			first, second := msgs[0], msgs[1]
			if tc.upload {
				files, err := calls[0].Files()
				if err != nil || len(files) != 1 || !bytes.Equal(files[0].Data, data) || len(first.Attachments) != 1 {
					t.Errorf("first message uploads %d files (%v), shows %d attachments; want the image", len(files), err, len(first.Attachments))
				}
			} else if len(first.Embeds) != 1 || first.Embeds[0].Image == nil || first.Embeds[0].Image.URL != chartURL {
				t.Errorf("first message embeds = %+v; want the chart", first.Embeds)
			}
			if len(second.Attachments)+len(second.Embeds) != 0 {
				t.Errorf("the image came twice: the second message has %d attachments, %d embeds", len(second.Attachments), len(second.Embeds))
			}
			if len(customIDs(first)) != 0 || len(customIDs(second)) != 1 {
				t.Errorf("buttons on the first message %v, on the second %v; want them under the last", customIDs(first), customIDs(second))
			}
			if first.Content+second.Content != text {
				t.Errorf("the two messages do not add up to the text")
			}
		})
	}
}
