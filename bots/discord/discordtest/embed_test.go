package discordtest

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestEmbedImagesNeedAURLDiscordCanFetch: an embed's image must be an
// http(s) URL or attachment://name, as on Discord; those are stored with
// the message.
func TestEmbedImagesNeedAURLDiscordCanFetch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	embed := func(url string) *discordgo.MessageSend {
		return &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Image: &discordgo.MessageEmbedImage{URL: url}}}}
	}
	for _, bad := range []string{"ftp://shop.example/c.png", "chart.png", "data:image/png;base64,iVBORw0KGgo="} {
		if _, err := dg.ChannelMessageSendComplex(f.general, embed(bad)); restCode(err) != 50035 {
			t.Errorf("image %q: got %v, want code 50035", bad, err)
		}
	}
	for _, good := range []string{"https://shop.example/c.png", "attachment://chart.png"} {
		if _, err := dg.ChannelMessageSendComplex(f.general, embed(good)); err != nil {
			t.Errorf("image %q: %v", good, err)
		}
	}
	msgs := f.srv.Messages(f.general)
	if len(msgs) != 2 || msgs[0].Embeds[0].Image.URL != "https://shop.example/c.png" {
		t.Errorf("stored %d messages: %+v", len(msgs), msgs)
	}
}
