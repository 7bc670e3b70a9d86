package catalog_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// TestEveryNotFoundHasItsMessage: what the stores say is not there (the
// domain's not-found errors) reads as a message of its own in every
// language, its values filled in.
func TestEveryNotFoundHasItsMessage(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		community.MemberNotFound(7), community.MemberRefNotFound(community.Telegram, "@kind"),
		community.AnnouncementNotFound(3), community.NotLinkedToCustomer(7), community.GroupNotKnown(community.Discord, "g1"),
		community.ChatNotKnown(9), community.ReportedMessageNotRecorded(9, "m1"), community.ModerationNotFound("warning", 4),
		community.CaptchaOver("join 5"), community.WelcomeNotCustom("el"), community.DeadLetterNotFound(community.MemberID(2)),
		community.NotStaff(7), community.NotScored(7), support.TicketNotFound(8), support.AnswerNotRecorded(9, "m1"),
	} {
		e, ok := errors.AsType[*community.Error](err)
		if !ok || e.Code != community.ENotFound {
			t.Errorf("%v: not a not-found domain error", err)
			continue
		}
		for _, lang := range cat.Languages() {
			if !slices.Contains(cat.IDs(lang), e.Key) {
				t.Errorf("%s: no message %s", lang, e.Key)
				continue
			}
			if out := cat.Text(lang, e.Key, e.Data); strings.Contains(out, "<no value>") {
				t.Errorf("%s %s: %q lacks a value", lang, e.Key, out)
			}
		}
	}
}
