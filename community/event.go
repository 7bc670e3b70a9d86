package community

import "time"

// Event is something that happened which members or staff should hear
// about. Services write events in the same transaction as the change that
// caused them; the chat layer renders and delivers them.
type Event struct {
	Kind    string
	Payload any // encoded as JSON
	At      time.Time
}

// NewEvent returns an event of kind with payload.
func NewEvent(kind string, payload any, at time.Time) Event {
	return Event{Kind: kind, Payload: payload, At: at}
}

// The events of the community.
const (
	EventStaffAdded   = "staff.added"
	EventStaffRemoved = "staff.removed"
)

// StaffChanged is the payload of EventStaffAdded and EventStaffRemoved.
type StaffChanged struct {
	Member MemberID `json:"member"`
	Name   string   `json:"name"`
	By     MemberID `json:"by"`
}

// ActivityKind is a kind of thing members do that counts as engagement.
type ActivityKind string

// The activities recorded by the chat layer.
const (
	ActivityMessage  ActivityKind = "message"
	ActivityReply    ActivityKind = "reply"
	ActivityReaction ActivityKind = "reaction"
	ActivityJoin     ActivityKind = "join"
)
