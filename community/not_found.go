package community

import "fmt"

// What a store returns when what was asked for is not there: each names
// the thing in the member's words (its message key) and in the log's.
// The stores call these; the domain owns what the member is told.

// MemberNotFound: no member id.
func MemberNotFound(id MemberID) error {
	return Errorf(ENotFound, "member.not_found", map[string]any{"Who": "#" + id.String()}, "no member %d", id)
}

// MemberRefNotFound: nobody on p is known as who (a username or an id).
func MemberRefNotFound(p Platform, who string) error {
	return Errorf(ENotFound, "member.not_found", map[string]any{"Who": who}, "no member %q on %s", who, p)
}

// AnnouncementNotFound: no announcement id.
func AnnouncementNotFound(id AnnouncementID) error {
	return Errorf(ENotFound, "announce.not_found", map[string]any{"ID": id.String()}, "no announcement %d", id)
}

// NotLinkedToCustomer: member is linked to no shop customer.
func NotLinkedToCustomer(member MemberID) error {
	return Errorf(ENotFound, "clv.not_linked", map[string]any{"Name": "#" + member.String()}, "member %d is linked to no shop customer", member)
}

// GroupNotKnown: Hearth has never seen group id on p.
func GroupNotKnown(p Platform, id string) error {
	return Errorf(ENotFound, "groups.unknown", map[string]any{"Group": id}, "%s group %s is not known", p, id)
}

// ChatNotKnown: no chat id.
func ChatNotKnown(chat ChatID) error {
	return Errorf(ENotFound, "staffchat.unknown", nil, "chat %d is not known", chat)
}

// ReportedMessageNotRecorded: the message a report or a moderation
// command points at was never recorded.
func ReportedMessageNotRecorded(chat ChatID, message string) error {
	return Errorf(ENotFound, "report.unknown_message", nil, "message %s of chat %d is not recorded", message, chat)
}

// ModerationNotFound: no moderation item (a warning, sanction, report,
// review or staff log entry: what) id.
func ModerationNotFound(what string, id int64) error {
	return Errorf(ENotFound, "mod.not_found", nil, "no %s %d", what, id)
}

// CaptchaOver: the join (what) is gone: its captcha is over.
func CaptchaOver(what string) error {
	return Errorf(ENotFound, "onboarding.captcha_over", nil, "%s not found", what)
}

// WelcomeNotCustom: staff have no welcome text of their own in lang.
func WelcomeNotCustom(lang string) error {
	return Errorf(ENotFound, "onboarding.welcome_not_custom", map[string]any{"Language": lang}, "no custom %s welcome", lang)
}

// DeadLetterNotFound: no dead letter ref.
func DeadLetterNotFound(ref fmt.Stringer) error {
	return Errorf(ENotFound, "outbox.not_dead", map[string]any{"ID": ref.String()}, "no dead letter %s", ref)
}

// NotStaff: member is not staff.
func NotStaff(member MemberID) error {
	return Errorf(ENotFound, "staff.not_staff", map[string]any{"Name": "#" + member.String()}, "member %d is not staff", member)
}

// NotScored: member has no standing yet (the standings are worked out
// every few minutes).
func NotScored(member MemberID) error {
	return Errorf(ENotFound, "me.not_yet", nil, "member %d has no standing yet", member)
}
