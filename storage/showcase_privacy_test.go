package storage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// exportedSubmission is a row of an export's showcase_submissions.
type exportedSubmission struct {
	ID         int64      `json:"id"`
	Platform   string     `json:"platform"`
	Caption    string     `json:"caption"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	ReviewedAt *time.Time `json:"reviewed_at"`
	Files      []struct {
		Type   string `json:"type"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

// exportedConsent is a row of an export's showcase_consents.
type exportedConsent struct {
	ID         int64      `json:"id"`
	Submission int64      `json:"submission_id"`
	Scopes     []string   `json:"scopes"`
	Text       string     `json:"text"`
	Language   string     `json:"language"`
	Decision   string     `json:"decision"`
	Credit     string     `json:"credit"`
	GrantedAt  time.Time  `json:"granted_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Platform   string     `json:"platform"`
	MessageID  string     `json:"message_id"`
	TextHash   string     `json:"text_hash"`
}

// exportSection decodes the rows of one section of member's export.
func exportSection[T any](t *testing.T, f *showcaseFixture, member community.MemberID, section string) []T {
	t.Helper()
	data, err := f.s.ExportMember(context.Background(), member)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for _, raw := range data[section] {
		var row T
		if err := json.Unmarshal(raw, &row); err != nil {
			t.Fatalf("%s row %s: %v", section, raw, err)
		}
		out = append(out, row)
	}
	return out
}

// TestExportHasTheMembersShowcase: /mydata holds the member's
// submissions, their files as type, size and hash, and their consents
// with the exact text shown; not another member's, not a file's bytes,
// not who reviewed; and after the erasure none of them.
func TestExportHasTheMembersShowcase(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	ctx := context.Background()
	ann, bob, staff := f.member("ann", community.Telegram, true), f.member("bob", community.Telegram, true), f.member("sam", community.Telegram, false)
	photo, video := mp4(300, 1), mp4(200, 2)
	c := f.consented(ann, staff, photo)
	f.now = showcaseNow.Add(time.Hour)
	album := f.submit(ann, video, mp4(100, 3))
	bobs := f.consented(bob, staff, mp4(150, 4))

	subs := exportSection[exportedSubmission](t, f, ann, "showcase_submissions")
	if len(subs) != 2 || subs[0].ID != int64(c.Submission) || subs[1].ID != int64(album.ID) {
		t.Fatalf("ann's submissions %+v; want #%d and #%d", subs, c.Submission, album.ID)
	}
	first, second := subs[0], subs[1]
	if first.Platform != "telegram" || first.Caption != "my tea" || first.Status != "consented" || first.Reason != "" ||
		!first.CreatedAt.Equal(showcaseNow) || first.ReviewedAt == nil || !first.ReviewedAt.Equal(showcaseNow) {
		t.Errorf("the consented submission %+v", first)
	}
	photoHash := sha256.Sum256(photo)
	if len(first.Files) != 1 || first.Files[0].Type != "video/mp4" || first.Files[0].Size != 300 || first.Files[0].SHA256 != hex.EncodeToString(photoHash[:]) {
		t.Errorf("the consented submission's files %+v", first.Files)
	}
	if second.Status != "pending" || second.ReviewedAt != nil || len(second.Files) != 2 ||
		second.Files[0].Size != 200 || second.Files[1].Size != 100 || second.Files[0].SHA256 != album.Media[0].Hash.String() {
		t.Errorf("the album, pending %+v; want its two files in order", second)
	}

	consents := exportSection[exportedConsent](t, f, ann, "showcase_consents")
	textHash := sha256.Sum256([]byte(c.Text))
	want := []exportedConsent{{ID: int64(c.ID), Submission: int64(c.Submission), Scopes: []string{"community", "brand"},
		Text: "May we reshare it for 12 months?", Language: "en", Decision: "allow", Credit: "named",
		GrantedAt: c.GrantedAt, ExpiresAt: c.ExpiresAt, Platform: "telegram", MessageID: "900", TextHash: hex.EncodeToString(textHash[:])}}
	if len(consents) != 1 || !consents[0].GrantedAt.Equal(want[0].GrantedAt) || !consents[0].ExpiresAt.Equal(want[0].ExpiresAt) {
		t.Fatalf("ann's consents %+v; want %+v", consents, want)
	}
	consents[0].GrantedAt, consents[0].ExpiresAt = want[0].GrantedAt, want[0].ExpiresAt
	if !reflect.DeepEqual(consents, want) {
		t.Errorf("ann's consents %+v; want %+v", consents, want)
	}

	data, err := f.s.ExportMember(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data)
	for _, leak := range []string{"reviewed_by", "chunk", "showcase_submission_media", hex.EncodeToString(photo[100:132])} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("ann's export shows %q", leak)
		}
	}
	if got := exportSection[exportedSubmission](t, f, bob, "showcase_submissions"); len(got) != 1 || got[0].ID != int64(bobs.Submission) {
		t.Errorf("bob's submissions %+v; want only #%d", got, bobs.Submission)
	}
	if got := exportSection[exportedConsent](t, f, bob, "showcase_consents"); len(got) != 1 || got[0].ID != int64(bobs.ID) {
		t.Errorf("bob's consents %+v; want only #%d", got, bobs.ID)
	}
	// The staff member who reviewed them: their authors' data, not his.
	if data, err := f.s.ExportMember(ctx, staff); err != nil || len(data["showcase_submissions"])+len(data["showcase_consents"]) != 0 {
		t.Errorf("the reviewer's export %v: %d submissions, %d consents; want none", err, len(data["showcase_submissions"]), len(data["showcase_consents"]))
	}

	at := showcaseNow.AddDate(0, 1, 0)
	if err := f.s.EraseMember(ctx, community.Erasure{Member: ann, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	for _, m := range []community.MemberID{ann, staff} {
		if data, err := f.s.ExportMember(ctx, m); err != nil || len(data["showcase_submissions"])+len(data["showcase_consents"]) != 0 {
			t.Errorf("after the erasure, member %d's export %v: %d submissions, %d consents; want none",
				m, err, len(data["showcase_submissions"]), len(data["showcase_consents"]))
		}
	}
	if got := exportSection[exportedConsent](t, f, bob, "showcase_consents"); len(got) != 1 || got[0].ID != int64(bobs.ID) {
		t.Errorf("after ann's erasure, bob's consents %+v; want his #%d", got, bobs.ID)
	}
}
