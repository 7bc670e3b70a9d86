package community

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// PrivacyStore is what a member's rights to their data need from
// persistence.
type PrivacyStore interface {
	// ExportMember returns every row Hearth stores about the member, by
	// table, leaving out what only staff may see (CLV, staff notes).
	ExportMember(ctx context.Context, member MemberID) (map[string][]json.RawMessage, error)
	// EraseMember erases the member's identities, messages, activity and
	// everything that names them, in one transaction, keeping anonymous
	// activity rows for the community's totals and other members' records
	// (with ErasedMember where the member acted). It first gives admit the
	// member's sanctions in force, under the transaction's lock, and
	// erases nothing when admit refuses.
	EraseMember(ctx context.Context, e Erasure, admit func(inForce []Sanction) error) error
}

// Erasure is a member's request to be forgotten.
type Erasure struct {
	Member MemberID
	// Chat is the private chat the member asked in (0: none): it goes
	// too, with every message in it. A platform may not say whose a
	// private chat is (a Discord DM channel has an id of its own).
	Chat ChatID
	At   time.Time
}

// ErasedMember stands for a member who was erased where a record of
// someone else keeps who acted (a warning they gave, a report they
// filed): the record stays, their id does not.
const ErasedMember MemberID = -1

// DataExport is the document /mydata sends.
type DataExport struct {
	Community   string                       `json:"community"`
	Member      MemberID                     `json:"member"`
	GeneratedAt time.Time                    `json:"generated_at"`
	Note        string                       `json:"note"`
	Data        map[string][]json.RawMessage `json:"data"`
}

// Privacy carries out members' requests about their own data.
type Privacy struct {
	store     PrivacyStore
	community string
	// moderation says what each platform's sanctions end by itself.
	moderation func(Platform) ModerationCapabilities
	now        func() time.Time
}

// NewPrivacy returns the privacy rules; moderation says what each
// platform's sanctions end by themselves.
func NewPrivacy(store PrivacyStore, community string, moderation func(Platform) ModerationCapabilities, now func() time.Time) *Privacy {
	return &Privacy{store: store, community: community, moderation: moderation, now: now}
}

// Export returns the member's data as an indented JSON document.
func (p *Privacy) Export(ctx context.Context, member MemberID) ([]byte, error) {
	data, err := p.store.ExportMember(ctx, member)
	if err != nil {
		return nil, fmt.Errorf("export member %d: %w", member, err)
	}
	doc := DataExport{Community: p.community, Member: member, GeneratedAt: p.now().UTC(), Data: data,
		Note: "Everything this community's Hearth bot stores about you, table by table. Your value to the shop and staff notes are internal and not included."}
	return json.MarshalIndent(doc, "", "  ")
}

// Forget erases the member, who asked in their private chat chat, unless
// a sanction of theirs runs that Hearth must still end (RefuseErasure).
func (p *Privacy) Forget(ctx context.Context, member MemberID, chat ChatID) error {
	now := p.now()
	admit := func(inForce []Sanction) error { return RefuseErasure(inForce, p.moderation, now) }
	if err := p.store.EraseMember(ctx, Erasure{Member: member, Chat: chat, At: now}, admit); err != nil {
		return fmt.Errorf("erase member %d: %w", member, err)
	}
	return nil
}
