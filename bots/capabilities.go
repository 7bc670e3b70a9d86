package bots

import "github.com/hearthbot/hearth/community"

// Capable is implemented by every platform adapter: the facts of its
// platform the domain's rules need.
type Capable interface {
	Capabilities() community.Capabilities
}

// Capabilities returns platform p's facts: its adapter's, else those the
// options know (RouterOptions.Capabilities); an unknown platform has
// none.
func (r *Router) Capabilities(p community.Platform) community.Capabilities {
	if c, ok := r.adapters[p].(Capable); ok {
		return c.Capabilities()
	}
	return r.known[p]
}
