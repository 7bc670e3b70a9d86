package bots

import (
	"context"
	"fmt"
	"strings"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
)

// Customers is the commands that tie members to the shop: /link (and
// /start with a link code) to link a member to their shop account, and the
// staff's /clv card showing what a member is worth.
type Customers struct {
	linking *community.Linking // nil when no link secret is configured
	values  community.ValueStore
	horizon int // months predicted CLV looks ahead, for the card
}

// NewCustomers returns the customer commands. linking may be nil: members
// are then told that linking is not set up.
func NewCustomers(linking *community.Linking, values community.ValueStore, horizonMonths int) *Customers {
	return &Customers{linking: linking, values: values, horizon: horizonMonths}
}

// Register adds /clv to the registry, and /link when linking is set up.
func (c *Customers) Register(r *Router) {
	reg := r.Registry()
	if c.linking != nil {
		reg.Add(Command{Name: "link", Permission: community.RoleMember, Where: Anywhere, Run: c.link, Button: c.relink,
			Args: []Arg{{Name: "code", Kind: ArgWord, Required: true}}})
	}
	reg.Add(Command{Name: "clv", Permission: community.RoleStaff, Where: InStaffChat, Run: c.card,
		Args: []Arg{{Name: "member", Kind: ArgMember}}})
}

// link links the caller to the shop customer their code names.
func (c *Customers) link(ctx context.Context, r *Request) (Reply, error) {
	return c.Link(ctx, r, r.Arg("code"))
}

// Link links the caller to the shop customer a link code names and says
// so; /start calls it for a Telegram deep link. The reply is private.
func (c *Customers) Link(ctx context.Context, r *Request, code string) (Reply, error) {
	if c == nil || c.linking == nil {
		return Reply{Text: r.Text("link.off", nil), Ephemeral: true}, nil
	}
	relink, err := c.linking.Link(ctx, r.Member, code)
	if err != nil {
		return Reply{}, err
	}
	if relink != nil {
		return Reply{Text: r.Text("link.replace", nil), Ephemeral: true, Buttons: [][]Button{{
			{Label: r.Text("link.button_replace", nil), Data: "link:replace:" + relink.Proof + ":" + relink.To},
			{Label: r.Text("link.button_keep", nil), Data: "link:keep"},
		}}}, nil
	}
	return Reply{Text: r.Text("link.done", map[string]any{"Name": r.From.DisplayName}), Ephemeral: true}, nil
}

// relink answers the buttons of a link that would replace another:
// link:replace:PROOF:CUSTOMER or link:keep.
func (c *Customers) relink(ctx context.Context, r *Request) (Reply, error) {
	rest, ok := strings.CutPrefix(r.Data, "link:replace:")
	if !ok {
		return Reply{Text: r.Text("link.kept", nil), Ephemeral: true, Edit: true}, nil
	}
	proof, to, _ := strings.Cut(rest, ":")
	if err := c.linking.Confirm(ctx, r.Member, community.Relink{To: to, Proof: proof}); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("link.done", map[string]any{"Name": r.From.DisplayName}), Ephemeral: true, Edit: true}, nil
}

// card shows staff a member's CLV: /clv @member.
func (c *Customers) card(ctx context.Context, r *Request) (Reply, error) {
	m, err := r.TargetMember(ctx, "member")
	if err != nil {
		return Reply{}, err
	}
	v, err := c.values.MemberValue(ctx, m.ID)
	if community.ErrorCode(err) == community.ENotFound {
		return Reply{Text: r.Text("clv.not_linked", map[string]any{"Name": m.DisplayName})}, nil
	}
	if err != nil {
		return Reply{}, err
	}
	data := map[string]any{"Name": m.DisplayName, "Customer": v.CustomerID}
	if !v.Scored {
		return Reply{Text: r.Text("clv.not_scored", data)}, nil
	}
	data["Orders"] = v.Orders
	data["LastOrder"] = r.router.Date(v.LastOrder)
	data["Revenue"] = money(v.Revenue)
	data["Historical"] = money(v.Historical)
	data["Segment"] = v.Segment
	data["R"], data["F"], data["M"] = v.RFM[0], v.RFM[1], v.RFM[2]
	data["ComputedAt"] = v.ComputedAt.UTC().Format("2006-01-02 15:04 UTC")
	text := r.Text("clv.card", data)
	if v.HasModel {
		text += "\n" + r.Text("clv.predicted", map[string]any{
			"Months": c.horizon, "Predicted": money(v.Predicted),
			"PAlive": fmt.Sprintf("%.0f%%", 100*v.PAlive), "Expected": fmt.Sprintf("%.1f", v.Expected)})
	} else {
		text += "\n" + r.Text("clv.no_model", nil)
	}
	return Reply{Text: text + thinData(r, m.DisplayName, v)}, nil
}

// thinData says what the card's figures cannot tell yet: RFM scores that
// rank among too few customers, and the 100% "still active" of a customer
// who has not bought a second time.
func thinData(r *Request, name string, v community.Value) string {
	var notes string
	if v.RFMRanksTooFew(clv.MinRFMCustomers) {
		notes += "\n" + r.Count("clv.thin_rfm", v.Ranked, map[string]any{"Min": clv.MinRFMCustomers})
	}
	if v.PAliveUntold() {
		notes += "\n" + r.Text("clv.one_time", map[string]any{"Name": name})
	}
	return notes
}

// money formats an amount with two decimals; the currency is the shop's.
func money(v float64) string { return fmt.Sprintf("%.2f", v) }
