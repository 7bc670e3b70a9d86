package discord_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestIdeasOnDiscord: /idea without text opens a modal; alice's idea from
// it is posted in the staff channel with a Vote button; bob's press counts
// and is edited into the post, his second press takes it back; a
// member's /status is refused and the item keeps its status.
func TestIdeasOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	ask := aw.dc.SlashCommand(aw.shop, aw.general, aw.alice, "idea")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", ask)
	if r := aw.dc.WaitInteractionReply(t, ask.ID, 10*time.Second); r.Type != discordgo.InteractionResponseModal {
		t.Fatalf("/idea without text answered with type %d, want a modal", r.Type)
	}
	submit := aw.dc.ModalSubmit(t, ask, map[string]string{"text": "Dark mode for the mobile app\nThe white screen hurts at night."})
	aw.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	if r := aw.dc.WaitInteractionReply(t, submit.ID, 10*time.Second); r.Data == nil || !strings.Contains(r.Data.Content, "posted as #1") {
		t.Fatalf("after the modal: %+v", r)
	}
	post := waitChannelMessage(t, aw.dc, aw.staff, "Dark mode for the mobile app")
	if !strings.Contains(post.Content, "The white screen hurts at night.") {
		t.Errorf("post %q lacks the details", post.Content)
	}
	for _, want := range []int{1, 0} {
		press := aw.dc.ButtonPress(t, post, aw.bob, "idea:vote:1")
		aw.dc.Dispatch(t, "INTERACTION_CREATE", press)
		aw.dc.WaitInteractionReply(t, press.ID, 10*time.Second)
		aw.waitCount(t, want, `SELECT votes FROM feedback_items WHERE id = 1`)
		label := fmt.Sprintf("Vote · %d", want)
		storagetest.Eventually(t, "the post showing "+label, func() bool {
			i := slices.IndexFunc(aw.dc.Messages(aw.staff), func(m *discordgo.Message) bool { return m.ID == post.ID })
			if i < 0 {
				return false
			}
			raw, err := json.Marshal(aw.dc.Messages(aw.staff)[i].Components)
			return err == nil && strings.Contains(string(raw), label)
		})
	}

	refused := aw.dc.SlashCommand(aw.shop, aw.general, aw.bob, "status")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", refused)
	if r := aw.dc.WaitInteractionReply(t, refused.ID, 10*time.Second); r.Data == nil || !strings.Contains(r.Data.Content, "staff") {
		t.Errorf("bob's /status: %+v", r)
	}
	aw.waitCount(t, 1, `SELECT count(*) FROM feedback_items WHERE status = 'open'`)
}
