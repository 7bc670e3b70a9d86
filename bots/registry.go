package bots

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hearthbot/hearth/community"
)

// Place is where a command may be used: a set of chat kinds.
type Place uint8

// The places.
const (
	InGroup     Place = 1 << iota // a community group or channel
	InDirect                      // a private conversation with the bot
	InStaffChat                   // the staff chat of the platform
	Anywhere    = InGroup | InDirect | InStaffChat
)

// ArgKind is the type of a command argument.
type ArgKind int

// The argument types. Discord shows them as typed options; elsewhere they
// are words after the command.
const (
	ArgText   ArgKind = iota // free text; the last argument takes the rest of the line
	ArgWord                  // one word
	ArgMember                // a member: @username, a platform id, a mention or a reply
	ArgChoice                // one of Choices
	ArgNumber                // a whole number
)

// Arg is one argument a command takes.
type Arg struct {
	Name     string // lower case, also the Discord option name
	Kind     ArgKind
	Required bool
	Choices  []string // for ArgChoice
}

// Handler answers a command, a button press or a form submission.
type Handler func(ctx context.Context, r *Request) (Reply, error)

// Command is one bot command. Its description is the catalog message
// "cmd.<name>" and each argument's "arg.<name>.<arg>", in every language.
type Command struct {
	Name       string
	Args       []Arg
	Permission community.Role // the least role that may use it
	Where      Place
	Run        Handler
	// Button answers presses of buttons whose data is "<name>:..." and
	// Form submissions of forms whose id is "<name>:..."; both are checked
	// against the command's permission and place like the command itself.
	Button Handler
	Form   Handler
	// MessageMenu offers the command on a message too, where a platform
	// has message menus (Discord: right-click a message, Apps, labelled
	// with the catalog's "menu.<name>"). It arrives as the command in reply
	// to that message.
	MessageMenu bool
}

var commandName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Registry is the set of commands Hearth understands, in the order they
// are shown.
type Registry struct {
	commands []*Command
	byName   map[string]*Command
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: map[string]*Command{}} }

// Add registers a command. It panics on a malformed or duplicate command:
// that is a programming error, caught by any test that builds the router.
func (r *Registry) Add(c Command) {
	if !commandName.MatchString(c.Name) {
		panic(fmt.Sprintf("bots: command name %q must be 1-32 of a-z, 0-9, _ and start with a letter", c.Name))
	}
	if r.byName[c.Name] != nil {
		panic(fmt.Sprintf("bots: command /%s registered twice", c.Name))
	}
	if c.Run == nil || c.Where == 0 {
		panic(fmt.Sprintf("bots: command /%s needs a handler and a place", c.Name))
	}
	for i, a := range c.Args {
		if !commandName.MatchString(a.Name) {
			panic(fmt.Sprintf("bots: /%s: argument name %q is not valid", c.Name, a.Name))
		}
		if a.Required && i > 0 && !c.Args[i-1].Required {
			panic(fmt.Sprintf("bots: /%s: required argument %q follows an optional one", c.Name, a.Name))
		}
	}
	r.commands = append(r.commands, &c)
	r.byName[c.Name] = &c
}

// Lookup finds a command by name.
func (r *Registry) Lookup(name string) (*Command, bool) {
	c, ok := r.byName[name]
	return c, ok
}

// Commands returns every command in registration order.
func (r *Registry) Commands() []*Command { return slices.Clone(r.commands) }

// Visible returns the commands someone with role may use in place.
func (r *Registry) Visible(role community.Role, place Place) []*Command {
	var out []*Command
	for _, c := range r.commands {
		if role >= c.Permission && c.Where&place != 0 {
			out = append(out, c)
		}
	}
	return out
}

// Usage is the command line a command expects, such as
// "/staff [add|remove|list] [member]".
func (c *Command) Usage() string {
	parts := []string{"/" + c.Name}
	for _, a := range c.Args {
		name := a.Name
		if a.Kind == ArgChoice {
			name = strings.Join(a.Choices, "|")
		}
		if a.Required {
			parts = append(parts, "<"+name+">")
		} else {
			parts = append(parts, "["+name+"]")
		}
	}
	return strings.Join(parts, " ")
}

// AddAfter registers a command listed right after another, already
// registered one, so that a feature's command can sit among the related
// commands of another in /help and the platforms' menus.
func (r *Registry) AddAfter(after string, c Command) {
	i := slices.IndexFunc(r.commands, func(x *Command) bool { return x.Name == after })
	if i < 0 {
		panic(fmt.Sprintf("bots: /%s is to follow /%s, which is not registered", c.Name, after))
	}
	r.Add(c)
	r.commands = slices.Insert(r.commands[:len(r.commands)-1], i+1, r.byName[c.Name])
}
