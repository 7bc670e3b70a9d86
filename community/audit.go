package community

import "time"

// AuditEntry is one line of the audit log: who did what to whom, where.
type AuditEntry struct {
	At      time.Time
	Actor   MemberID // 0: Hearth itself, or a platform user with no member
	Action  string   // one of the Audit* names
	Target  MemberID
	Chat    ChatID
	Reason  string
	Details any // a JSON object: a map, or a value that encodes to one
}

// The actions the audit log records. Owners read them with the console's
// audit view; a new action gets its name here.
const (
	AuditCommandRefused = "command.refused" // a member used a command above their role
	AuditCommandOutside = "command.outside" // a command in a group that is not the community's

	AuditGroupConnect    = "group.connect"
	AuditGroupDisconnect = "group.disconnect"
	AuditGroupLeft       = "group.left"  // Hearth removed from a connected group
	AuditGroupMoved      = "group.moved" // a Telegram group upgraded to a supergroup
	AuditChatLanguageSet = "chat.language_set"

	AuditStaffAdd     = "staff.add"
	AuditStaffRemove  = "staff.remove"
	AuditStaffChatSet = "staffchat.set"

	AuditMemberLinked = "member.linked" // a member linked their shop account
	AuditMemberErased = "member.erased" // /forgetme

	AuditAnnounceSend = "announce.send"

	// A moderation action is audited under AuditModeration(kind), such as
	// "moderation.warn".
	AuditModerationReport = "moderation.report"
	AuditModerationNote   = "moderation.note"

	AuditCaptchaPosted    = "onboarding.captcha"
	AuditWelcomed         = "onboarding.welcomed"
	AuditCaptchaSolved    = "onboarding.captcha_solved"
	AuditCaptchaFailed    = "onboarding.captcha_failed"
	AuditCaptchaCancelled = "onboarding.captcha_cancelled"
	AuditWelcomeSet       = "onboarding.welcome_set"
	AuditWelcomeReset     = "onboarding.welcome_reset"

	AuditQuestionAsked = "onboarding.question"
	AuditTicketClosed  = "ticket.closed"

	AuditVIPJoinApproved = "vip.join_approved"
	AuditVIPJoinDeclined = "vip.join_declined"
)

// AuditModeration is the audit action of a staff log entry of kind k,
// such as "moderation.warn" or "moderation.mute".
func AuditModeration(k ActionKind) string { return "moderation." + string(k) }

// Effects are what a change causes, saved with it in one transaction:
// entries for the audit log and events for the outbox. The domain
// chooses them; storage writes them once the change's ids are known.
type Effects struct {
	Audit  []AuditEntry
	Events []Event
}

// LinkedAudit is the audit entry of a member linking their shop account
// through a signed link (the time is the database's).
func LinkedAudit(member MemberID, customerID string) AuditEntry {
	return AuditEntry{Actor: member, Action: AuditMemberLinked, Target: member, Details: map[string]any{"customer": customerID, "via": "token"}}
}

// ChatLanguageAudit is the audit entry of staff setting a chat's language,
// which changed that many chats (a Discord server's channels with it).
func ChatLanguageAudit(chat ChatID, lang string, chats int, by MemberID, at time.Time) AuditEntry {
	return AuditEntry{At: at, Actor: by, Action: AuditChatLanguageSet, Chat: chat, Details: map[string]any{"language": lang, "chats": chats}}
}

// GroupMovedAudit is the audit entry of a group the platform gave a new
// id (a Telegram group becoming a supergroup), recorded as chat.
func GroupMovedAudit(p Platform, from, to string, chat ChatID, at time.Time) AuditEntry {
	return AuditEntry{At: at, Action: AuditGroupMoved, Chat: chat, Details: map[string]any{"platform": string(p), "from": from, "to": to}}
}
