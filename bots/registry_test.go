package bots

import (
	"context"
	"slices"
	"testing"

	"github.com/hearthbot/hearth/community"
)

// TestAddAfterListsACommandAfterAnother: a command added after another is
// listed right after it, whatever came since, and following a command
// that is not registered is a programming error.
func TestAddAfterListsACommandAfterAnother(t *testing.T) {
	run := func(context.Context, *Request) (Reply, error) { return Reply{}, nil }
	cmd := func(name string) Command {
		return Command{Name: name, Permission: community.RoleMember, Where: Anywhere, Run: run}
	}
	reg := NewRegistry()
	for _, name := range []string{"me", "top", "vip", "rules"} {
		reg.Add(cmd(name))
	}
	reg.AddAfter("top", cmd("helpful"))
	reg.AddAfter("rules", cmd("tickets"))
	var names []string
	for _, c := range reg.Commands() {
		names = append(names, c.Name)
	}
	if want := []string{"me", "top", "helpful", "vip", "rules", "tickets"}; !slices.Equal(names, want) {
		t.Errorf("commands %v, want %v", names, want)
	}
	if c, ok := reg.Lookup("helpful"); !ok || c.Name != "helpful" {
		t.Errorf("lookup of an inserted command: %v, %v", c, ok)
	}
	defer func() {
		if recover() == nil {
			t.Error("following an unknown command did not panic")
		}
	}()
	reg.AddAfter("nope", cmd("later"))
}
