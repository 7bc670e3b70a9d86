package bots

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// privacyFeatureStore is what the privacy feature writes itself.
type privacyFeatureStore interface {
	Audit(ctx context.Context, e community.AuditEntry) error
}

// privacyFeature gives members their data (/mydata) and erases it on
// request (/forgetme, confirmed with a button), in a private chat only.
type privacyFeature struct {
	store   privacyFeatureStore
	privacy *community.Privacy
	now     func() time.Time
}

func newPrivacyFeature(store privacyFeatureStore, now func() time.Time, privacy *community.Privacy) *privacyFeature {
	return &privacyFeature{store: store, privacy: privacy, now: now}
}

// Register adds /mydata and /forgetme.
func (f *privacyFeature) Register(router *Router, dispatcher *Dispatcher) {
	reg := router.Registry()
	reg.Add(Command{Name: "mydata", Permission: community.RoleMember, Where: InDirect, Run: f.myData})
	reg.Add(Command{Name: "forgetme", Permission: community.RoleMember, Where: InDirect, Run: f.forgetMe, Button: f.forgetButton})
}

// myData sends the member a JSON file of everything Hearth stores about
// them. The message is deleted from the outbox once sent: Hearth keeps
// no copy of the export.
func (f *privacyFeature) myData(ctx context.Context, r *Request) (Reply, error) {
	doc, err := f.privacy.Export(ctx, r.Member)
	if err != nil {
		return Reply{}, err
	}
	if len(doc) > outbox.MaxFileSize {
		return Reply{}, community.Errorf(community.EConflict, "privacy.too_big", nil, "member %d's data is %d bytes", r.Member, len(doc))
	}
	name := fmt.Sprintf("hearth-data-%s.json", f.now().UTC().Format("2006-01-02"))
	return Reply{Text: r.Text("privacy.export", nil), File: &File{Name: name, Data: doc}, Forget: true}, nil
}

// forgetMe asks the member to confirm the erasure.
func (f *privacyFeature) forgetMe(_ context.Context, r *Request) (Reply, error) {
	return Reply{Text: r.Text("privacy.confirm", nil), Buttons: [][]Button{{
		{Label: r.Text("privacy.button_erase", nil), Data: "forgetme:erase"},
		{Label: r.Text("privacy.button_keep", nil), Data: "forgetme:keep"},
	}}}, nil
}

// forgetButton erases the member, or leaves everything as it is. The
// answer is forgotten too once sent: it is addressed to the member.
func (f *privacyFeature) forgetButton(ctx context.Context, r *Request) (Reply, error) {
	switch r.Data {
	case "forgetme:keep":
		return Reply{Text: r.Text("privacy.kept", nil), Edit: true}, nil
	case "forgetme:erase":
		if err := f.store.Audit(ctx, community.AuditEntry{At: f.now(), Action: community.AuditMemberErased, Chat: r.ChatID}); err != nil {
			return Reply{}, err
		}
		if err := f.privacy.Forget(ctx, r.Member, r.ChatID); err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("privacy.erased", nil), Edit: true, Forget: true}, nil
	}
	return Reply{}, badButton(r.Data)
}
