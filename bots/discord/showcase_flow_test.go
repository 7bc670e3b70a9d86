package discord_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// showcaseWorld is Tea Shop on Discord: #general where members post,
// #staff (the staff chat) and #showcase (the showcase place, set with
// /setshowcase); olga owns it, alice and bob are members.
type showcaseWorld struct {
	*world
	owner, alice, bob              discordgo.User
	shop, general, staff, showcase string
}

// startShowcaseWorld starts Hearth with the showcase keeping files of
// maxBytes at most (0: the default), reaching the fake through the
// transport through makes of the fake's own (nil: directly), and sets
// the staff chat and the showcase place.
func startShowcaseWorld(t *testing.T, maxBytes int64, through func(sw *showcaseWorld, base http.RoundTripper) http.RoundTripper) *showcaseWorld {
	t.Helper()
	sw := &showcaseWorld{owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"), bob: discordtest.NewUser("bob"),
		general: discordtest.NewID(), staff: discordtest.NewID(), showcase: discordtest.NewID()}
	shop := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Shop", OwnerID: sw.owner.ID,
		Members: []*discordgo.Member{{User: &sw.owner}, {User: &sw.alice}, {User: &sw.bob}},
		Channels: []*discordgo.Channel{{ID: sw.general, Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 0},
			{ID: sw.staff, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 1},
			{ID: sw.showcase, Name: "showcase", Type: discordgo.ChannelTypeGuildText, Position: 2}}}
	sw.shop = shop.ID
	sw.world = startScene(t, scene{owner: sw.owner.ID, prepare: func(dc *discordtest.Server) { dc.AddGuild(shop) },
		service: func(o *bots.ServiceOptions) {
			o.Community = bots.DefaultCommunityOptions()
			o.Community.Showcase.MaxBytes = maxBytes
		},
		adapter: func(o *discord.Options) {
			if through != nil {
				o.HTTPClient = &http.Client{Transport: through(sw, o.HTTPClient.Transport)}
			}
		}})
	sw.waitGuild(t, shop.ID)
	if r := sw.slash(t, shop.ID, sw.staff, sw.owner, "setstaff"); r.Type == 0 {
		t.Fatal("/setstaff was not answered")
	}
	if r := sw.slash(t, shop.ID, sw.showcase, sw.owner, "setshowcase"); !strings.Contains(text(r), "Customers' posts will be reshared here on Discord") {
		t.Fatalf("/setshowcase answered %q", text(r))
	}
	return sw
}

// file is an attachment serving data.
func file(name, contentType string, data []byte) discordtest.Attachment {
	return discordtest.Attachment{Name: name, ContentType: contentType, Size: int64(len(data)),
		Open: func() io.Reader { return bytes.NewReader(data) }}
}

// post posts text with files as u in #general and waits until Hearth has
// handled the message.
func (sw *showcaseWorld) post(t *testing.T, u discordgo.User, content string, files ...discordtest.Attachment) *discordgo.Message {
	t.Helper()
	m := sw.dc.MessageCreate(sw.general, u, content)
	for _, f := range files {
		sw.dc.Attach(m, f)
	}
	sw.dc.Dispatch(t, "MESSAGE_CREATE", m)
	sw.waitCount(t, 1, `SELECT count(*) FROM inbound_updates WHERE platform = 'discord' AND update_key = $1 AND handled_at IS NOT NULL`, "message:"+m.ID)
	return m
}

// press presses the button labelled label on m as u and returns Hearth's
// answer.
func (sw *showcaseWorld) press(t *testing.T, m *discordgo.Message, u discordgo.User, label string) discordtest.InteractionReply {
	t.Helper()
	p := sw.dc.ButtonPress(t, m, u, buttonID(t, m, label))
	sw.dc.Dispatch(t, "INTERACTION_CREATE", p)
	return sw.dc.WaitInteractionReply(t, p.ID, 10*time.Second)
}

// card waits for post id's review card in #staff: the message with its
// files, then the card with the buttons.
func (sw *showcaseWorld) card(t *testing.T, id int) (media, card *discordgo.Message) {
	t.Helper()
	media = waitChannelMessage(t, sw.dc, sw.staff, fmt.Sprintf("Showcase post #%d", id))
	card = waitChannelMessage(t, sw.dc, sw.staff, fmt.Sprintf("Showcase post #%d** by", id))
	return media, card
}

// consentRequest approves post id on its card as olga and waits for the
// request that reaches u privately.
func (sw *showcaseWorld) consentRequest(t *testing.T, card *discordgo.Message, id int, u discordgo.User) *discordgo.Message {
	t.Helper()
	r := sw.press(t, card, sw.owner, "Approve")
	if want := fmt.Sprintf("Post #%d approved by olga. I am asking its author for permission to reshare it.", id); !strings.Contains(text(r), want) {
		t.Fatalf("Approve answered %q, want %q", text(r), want)
	}
	return waitChannelMessage(t, sw.dc, sw.dc.DMChannel(u), fmt.Sprintf("would like to reshare your post #%d", id))
}

// downloads are the bytes of m's attachments, fetched from the fake's
// CDN as a member's client would.
func (sw *showcaseWorld) downloads(t *testing.T, m *discordgo.Message) [][]byte {
	t.Helper()
	var out [][]byte
	for _, a := range m.Attachments {
		resp, err := sw.dc.HTTPClient().Get(a.URL)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("download %s: %s, %v", a.URL, resp.Status, err)
		}
		out = append(out, data)
	}
	return out
}

// sameFiles fails the test unless m's attachments are want, byte for byte
// and in order.
func (sw *showcaseWorld) sameFiles(t *testing.T, what string, m *discordgo.Message, want ...[]byte) {
	t.Helper()
	got := sw.downloads(t, m)
	if len(got) != len(want) {
		t.Fatalf("%s has %d attachments, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("%s: attachment %d is %d bytes (sha256 %s), want %d bytes (%s)", what, i, len(got[i]), botstest.SHA256(got[i]),
				len(want[i]), botstest.SHA256(want[i]))
		}
	}
}

// jpegBytes is a small real JPEG photo; shade tells photos apart.
func jpegBytes(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = shade + uint8(i%7)
	}
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// messagesWith are the messages of a channel whose content has part.
func messagesWith(dc *discordtest.Server, channelID, part string) []*discordgo.Message {
	var out []*discordgo.Message
	for _, m := range dc.Messages(channelID) {
		if strings.Contains(m.Content, part) {
			out = append(out, m)
		}
	}
	return out
}

// TestShowcaseHashtagPhotoResharedAnonymouslyOnDiscord: alice's photo with
// #showcase in #general becomes a review card in #staff (the photo
// uploaded as she posted it, then the card with Approve); olga approves
// it, alice is asked privately and allows it without her name: the photo
// is reshared in #showcase, byte for byte, credited to a member of the
// community, never to alice.
func TestShowcaseHashtagPhotoResharedAnonymouslyOnDiscord(t *testing.T) {
	t.Parallel()
	sw := startShowcaseWorld(t, 0, nil)
	photo := jpegBytes(t, 40)
	sw.post(t, sw.alice, "Morning tea on the balcony #showcase", file("tea.jpg", "image/jpeg", photo))
	waitChannelMessage(t, sw.dc, sw.dc.DMChannel(sw.alice), "Thank you! Your showcase post is #1.")

	media, card := sw.card(t, 1)
	sw.sameFiles(t, "the card's media message", media, photo)
	for _, want := range []string{"by alice (Newcomer) on Discord, files: 1", "Caption: Morning tea on the balcony"} {
		if !strings.Contains(card.Content, want) {
			t.Errorf("the card %q lacks %q", card.Content, want)
		}
	}
	if got := labels(t, card); len(got) != 5 || got[0] != "Approve" || got[4] != "Reject with another reason…" {
		t.Errorf("the card's buttons %q", got)
	}

	request := sw.consentRequest(t, card, 1, sw.alice)
	if got := labels(t, request); strings.Join(got, "|") != "Allow|Allow without my name|Decline" {
		t.Fatalf("the consent request's buttons %q", got)
	}
	if len(messagesWith(sw.dc, sw.showcase, "Shared by")) != 0 {
		t.Fatal("the post was reshared before alice answered")
	}
	r := sw.press(t, request, sw.alice, "Allow without my name")
	if !strings.Contains(text(r), "Post #1 may be reshared, without your name, until") {
		t.Fatalf("Allow without my name answered %q", text(r))
	}

	reshare := waitChannelMessage(t, sw.dc, sw.showcase, "📸 Shared by a member of our community, with their permission.")
	if !strings.Contains(reshare.Content, "“Morning tea on the balcony”") || strings.Contains(reshare.Content, "alice") {
		t.Errorf("the reshare reads %q", reshare.Content)
	}
	sw.sameFiles(t, "the reshare", reshare, photo)
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_consents WHERE decision = 'allow_anonymous' AND credit = 'anonymous' AND platform = 'discord' AND message_id = $1`, request.ID)
	storagetest.WaitSettled(t, sw.store.DB())
	if n := len(messagesWith(sw.dc, sw.showcase, "Shared by")); n != 1 {
		t.Errorf("#showcase holds %d reshares, want 1", n)
	}
}

// reshared drives post id, posted by u, from its card to its reshare in
// #showcase, allowed as allow (a consent button's label), and returns
// the reshare.
func (sw *showcaseWorld) reshared(t *testing.T, id int, u discordgo.User, allow string) *discordgo.Message {
	t.Helper()
	_, card := sw.card(t, id)
	request := sw.consentRequest(t, card, id, u)
	if r := sw.press(t, request, u, allow); !strings.Contains(text(r), fmt.Sprintf("Post #%d may be reshared", id)) {
		t.Fatalf("%s answered %q", allow, text(r))
	}
	return waitChannelMessage(t, sw.dc, sw.showcase, "📸 Shared by")
}

// TestShowcaseAlbumIsOneSubmissionOnDiscord: a message with three photos
// and #showcase is one post: one card whose media message carries the
// three, and one reshare, credited to alice as she allowed, with all
// three in order.
func TestShowcaseAlbumIsOneSubmissionOnDiscord(t *testing.T) {
	t.Parallel()
	sw := startShowcaseWorld(t, 0, nil)
	photos := [][]byte{jpegBytes(t, 10), jpegBytes(t, 70), jpegBytes(t, 130)}
	sw.post(t, sw.alice, "#showcase our tasting evening", file("one.jpg", "image/jpeg", photos[0]),
		file("two.jpg", "image/jpeg", photos[1]), file("three.jpg", "image/jpeg", photos[2]))

	media, card := sw.card(t, 1)
	sw.sameFiles(t, "the card's media message", media, photos...)
	if !strings.Contains(card.Content, "files: 3") {
		t.Errorf("the card reads %q", card.Content)
	}
	reshare := sw.reshared(t, 1, sw.alice, "Allow")
	if !strings.Contains(reshare.Content, "📸 Shared by alice, with their permission.") {
		t.Errorf("the reshare reads %q", reshare.Content)
	}
	sw.sameFiles(t, "the reshare", reshare, photos...)
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_submissions`)
	sw.waitCount(t, 3, `SELECT count(*) FROM showcase_submission_media WHERE submission_id = 1`)
	storagetest.WaitSettled(t, sw.store.DB())
	if n := len(messagesWith(sw.dc, sw.showcase, "Shared by")); n != 1 {
		t.Errorf("#showcase holds %d reshares, want 1", n)
	}
}

// TestShowcaseShareFromTheMessageMenuOnDiscord: "Share to showcase" on
// alice's own photo (posted without the hashtag) submits it, answered to
// her alone, and its card reaches #staff; on bob's photo it is refused
// and nothing more is submitted.
func TestShowcaseShareFromTheMessageMenuOnDiscord(t *testing.T) {
	t.Parallel()
	sw := startShowcaseWorld(t, 0, nil)
	hers := jpegBytes(t, 20)
	own := sw.post(t, sw.alice, "my new tea set", file("set.jpg", "image/jpeg", hers))
	his := sw.post(t, sw.bob, "look at this", file("cup.jpg", "image/jpeg", jpegBytes(t, 200)))
	storagetest.WaitSettled(t, sw.store.DB())
	sw.waitCount(t, 0, `SELECT count(*) FROM showcase_submissions`)

	menu := func(m *discordgo.Message) discordtest.InteractionReply {
		t.Helper()
		i := sw.dc.MessageCommand(sw.shop, sw.general, sw.alice, "Share to showcase", m)
		sw.dc.Dispatch(t, "INTERACTION_CREATE", i)
		return sw.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
	}
	if r := menu(own); !strings.Contains(text(r), "Thank you! Your showcase post is #1.") || !r.Ephemeral() {
		t.Fatalf("Share to showcase on her own photo answered %q (ephemeral %t)", text(r), r.Ephemeral())
	}
	media, card := sw.card(t, 1)
	sw.sameFiles(t, "the card's media message", media, hers)
	if !strings.Contains(card.Content, "by alice") || !strings.Contains(card.Content, "Caption: my new tea set") {
		t.Errorf("the card reads %q", card.Content)
	}

	if r := menu(his); !strings.Contains(text(r), "You can only share your own photos and videos.") || !r.Ephemeral() {
		t.Fatalf("Share to showcase on bob's photo answered %q (ephemeral %t)", text(r), r.Ephemeral())
	}
	storagetest.WaitSettled(t, sw.store.DB())
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_submissions`)
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_media`)
}

// TestShowcaseDeclineAndRejectReshareNothingOnDiscord: alice declines the
// request for her approved post; bob cannot approve his own on its card,
// and olga rejects it with a reason typed in the Other reason form, which
// bob is told privately. Neither post is reshared.
func TestShowcaseDeclineAndRejectReshareNothingOnDiscord(t *testing.T) {
	t.Parallel()
	sw := startShowcaseWorld(t, 0, nil)
	sw.post(t, sw.alice, "#showcase green tea", file("green.jpg", "image/jpeg", jpegBytes(t, 30)))
	_, card := sw.card(t, 1)
	request := sw.consentRequest(t, card, 1, sw.alice)
	if r := sw.press(t, request, sw.alice, "Decline"); !strings.Contains(text(r), "Understood: post #1 will not be reshared.") {
		t.Fatalf("Decline answered %q", text(r))
	}

	sw.post(t, sw.bob, "#showcase my cup", file("cup.jpg", "image/jpeg", jpegBytes(t, 90)))
	_, card = sw.card(t, 2)
	if r := sw.press(t, card, sw.bob, "Approve"); text(r) != "Sorry, this button is for the community's staff." || !r.Ephemeral() {
		t.Fatalf("bob's Approve on his own post answered %q (ephemeral %t)", text(r), r.Ephemeral())
	}
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_submissions WHERE id = 2 AND status = 'pending'`)
	other := sw.dc.ButtonPress(t, card, sw.owner, buttonID(t, card, "Reject with another reason"))
	sw.dc.Dispatch(t, "INTERACTION_CREATE", other)
	if r := sw.dc.WaitInteractionReply(t, other.ID, 10*time.Second); r.Type != discordgo.InteractionResponseModal || r.Data.Title != "Reject post #2" {
		t.Fatalf("Reject with another reason answered with type %d, want the modal Reject post #2", r.Type)
	}
	submit := sw.dc.ModalSubmit(t, other, map[string]string{"reason": "the label of another brand is in the picture"})
	sw.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	r := sw.dc.WaitInteractionReply(t, submit.ID, 10*time.Second)
	if want := "Post #2 rejected by olga: the label of another brand is in the picture. The author is told."; !strings.Contains(text(r), want) {
		t.Fatalf("the reason's form answered %q, want %q", text(r), want)
	}
	waitChannelMessage(t, sw.dc, sw.dc.DMChannel(sw.bob),
		"Thank you for sharing post #2. The team will not reshare this one: the label of another brand is in the picture.")

	storagetest.WaitSettled(t, sw.store.DB())
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_submissions WHERE id = 1 AND status = 'declined'`)
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_submissions WHERE id = 2 AND status = 'rejected'`)
	if got := messagesWith(sw.dc, sw.showcase, "Shared by"); len(got) != 0 {
		t.Errorf("%d posts were reshared, want none: %q", len(got), got[0].Content)
	}
	if n := len(messagesWith(sw.dc, sw.dc.DMChannel(sw.bob), "would like to reshare")); n != 0 {
		t.Errorf("bob was asked for permission to reshare his rejected post (%d times)", n)
	}
}

// TestShowcaseWithdrawalDeletesTheReshareOnDiscord: with alice's post
// reshared, /showcase in #staff lists it and /consent 1 shows the ledger's
// proof; alice withdraws her permission with /mycontent: the reshare is
// deleted on Discord, and #staff is told it was, and to stop every other
// use.
func TestShowcaseWithdrawalDeletesTheReshareOnDiscord(t *testing.T) {
	t.Parallel()
	sw := startShowcaseWorld(t, 0, nil)
	sw.post(t, sw.alice, "Morning tea #showcase", file("tea.jpg", "image/jpeg", jpegBytes(t, 50)))
	reshare := sw.reshared(t, 1, sw.alice, "Allow")
	storagetest.WaitSettled(t, sw.store.DB())
	if r := sw.slash(t, sw.shop, sw.staff, sw.owner, "showcase"); !strings.Contains(text(r), "#1 by alice:") || !strings.Contains(text(r), "(consent #1) Morning tea") {
		t.Errorf("/showcase in #staff answered %q", text(r))
	}
	proof := sw.dc.SlashCommand(sw.shop, sw.staff, sw.owner, "consent", discordtest.Arg("id", 1))
	sw.dc.Dispatch(t, "INTERACTION_CREATE", proof)
	if r := sw.dc.WaitInteractionReply(t, proof.ID, 10*time.Second); !strings.Contains(text(r), "Consent #1** to post #1") ||
		!strings.Contains(text(r), "Through: Discord message") || !strings.Contains(text(r), "would like to reshare your post #1") {
		t.Errorf("/consent 1 in #staff answered %q", text(r))
	}

	mine := sw.slash(t, "", sw.dc.DMChannel(sw.alice), sw.alice, "mycontent")
	if !strings.Contains(text(mine), "reshared with your permission until") {
		t.Fatalf("/mycontent answered %q", text(mine))
	}
	if r := sw.press(t, mine.Original, sw.alice, "Withdraw permission for #1"); !strings.Contains(text(r), "You withdrew your permission for post #1.") {
		t.Fatalf("Withdraw answered %q", text(r))
	}
	told := waitChannelMessage(t, sw.dc, sw.staff, "The author withdrew their permission for post #1 (consent #1).")
	for _, want := range []string{"I deleted 1 reshare.", "Please also stop using this post outside the community"} {
		if !strings.Contains(told.Content, want) {
			t.Errorf("staff were told %q, lacking %q", told.Content, want)
		}
	}
	if strings.Contains(told.Content, "I could not delete") {
		t.Errorf("staff were told %q", told.Content)
	}
	deletes := sw.dc.Requests("DELETE", "/channels/"+sw.showcase+"/messages/"+reshare.ID)
	bulk := sw.dc.Requests("POST", "/channels/"+sw.showcase+"/messages/bulk-delete")
	if len(deletes)+len(bulk) != 1 || (len(deletes) == 1 && deletes[0].Status != http.StatusNoContent) {
		t.Errorf("deletes of the reshare: %v, bulk deletes: %v; want one", deletes, bulk)
	}
	if n := len(messagesWith(sw.dc, sw.showcase, "Shared by")); n != 0 {
		t.Errorf("#showcase still holds %d reshares", n)
	}
	sw.waitCount(t, 1, `SELECT count(*) FROM showcase_consents WHERE id = 1 AND revoked_at IS NOT NULL`)
}
