package bots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// Adapter connects Hearth to one chat platform: it receives the platform's
// updates and hands them to the router, and delivers messages.
type Adapter interface {
	Platform() community.Platform
	Sender
	// Run receives updates and passes them to r.Handle until ctx ends. It
	// registers the command menus first where the platform has them.
	Run(ctx context.Context, r *Router) error
}

// ServiceStore is everything the chat layer needs from persistence.
type ServiceStore interface {
	Store
	CoreStore
	community.LinkStore
	community.ValueStore
	CommunityStore
}

// ServiceOptions configures the chat layer.
type ServiceOptions struct {
	Store ServiceStore
	// Domain builds the domain services, once, reaching the platforms
	// through the service: the composition root's (cmd/hearth) builder.
	Domain          func(Platforms) Domain
	CommunityName   string
	DefaultLanguage string
	Log             *slog.Logger
	// Wakeups signals outbox work queued by other processes.
	Wakeups     <-chan struct{}
	MaxAttempts int // delivery attempts before a message is dead
	// InOrder sends every message in the order it was queued, one at a
	// time: for the console, whose transcript must read in order.
	InOrder bool
	// CLVHorizonMonths is how far ahead predicted CLV looks (for /clv).
	CLVHorizonMonths int
	// Community configures the community features; zero means the
	// defaults (DefaultCommunityOptions).
	Community CommunityOptions
	// Groups are the community's groups listed in the configuration
	// (telegram.groups, discord.guild_ids, the console's rooms): connected
	// at start, and disconnected once no longer listed.
	Groups []community.Group
	// Capabilities are every platform's facts, whether or not it runs
	// here (RouterOptions.Capabilities).
	Capabilities map[community.Platform]community.Capabilities
	// DeadLettered is told of every update Hearth gives up on.
	DeadLettered func(inbox.DeadUpdate)
	// RetryPause is the pause after an update's first failed attempt
	// (default 1 s).
	RetryPause time.Duration
	Now        func() time.Time
	// Catalog is what Hearth says; nil loads the embedded message files.
	// A catalog is read-only, so services may share one (the tests do).
	Catalog *catalog.Catalog
}

// Service is the chat layer assembled: router, dispatcher, the built-in
// commands and the adapters.
type Service struct {
	Router     *Router
	Dispatcher *Dispatcher
	Catalog    *catalog.Catalog
	core       *Core
	adapters   []Adapter
	opts       ServiceOptions
	domain     Domain
	jobs       []Job
}

// NewService assembles the chat layer. Add adapters, then Run.
func NewService(o ServiceOptions) (*Service, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Community.Location == nil {
		o.Community = DefaultCommunityOptions()
	}
	cat := o.Catalog
	if cat == nil {
		var err error
		if cat, err = catalog.New(); err != nil {
			return nil, fmt.Errorf("load messages: %w", err)
		}
	}
	lang, ok := cat.Match(o.DefaultLanguage)
	if !ok {
		lang = catalog.Fallback
	}
	if o.Domain == nil {
		return nil, errors.New("the chat layer needs its domain services: ServiceOptions.Domain is nil")
	}
	s := &Service{Catalog: cat, opts: o}
	parallel := 0
	if o.InOrder {
		parallel = 1
	}
	s.Dispatcher = NewDispatcher(DispatcherOptions{Store: o.Store, Log: o.Log, MaxAttempts: o.MaxAttempts, Wakeups: o.Wakeups, Parallel: parallel, Now: o.Now})
	s.Router = NewRouter(RouterOptions{Store: o.Store, Registry: NewRegistry(), Catalog: cat,
		DefaultLanguage: lang, CommunityName: o.CommunityName, Log: o.Log, Now: o.Now, Wake: s.Dispatcher.Wake,
		DeadLettered: o.DeadLettered, RetryPause: o.RetryPause, Location: o.Community.Location, Capabilities: o.Capabilities})
	s.domain = o.Domain(s)
	s.Router.access, s.Router.groups = s.domain.Access, s.domain.Groups
	return s, nil
}

// Add connects a platform. An adapter that knows its platform's group
// administrators makes them staff.
func (s *Service) Add(a Adapter) {
	s.adapters = append(s.adapters, a)
	s.Dispatcher.AddSender(a.Platform(), a)
	s.Router.adapters[a.Platform()] = a
	if admins, ok := a.(community.PlatformAdmins); ok {
		s.domain.Access.SetPlatformAdmins(a.Platform(), admins)
	}
	if own, ok := a.(ConfiguredGroups); ok {
		s.opts.Groups = append(s.opts.Groups, own.ConfiguredGroups()...)
	}
}

// ConfiguredGroups is implemented by adapters whose configuration lists
// groups that are the community's (telegram.groups, discord.guild_ids, the
// console's simulated rooms).
type ConfiguredGroups interface {
	ConfiguredGroups() []community.Group
}

// Platforms lists the platforms added.
func (s *Service) Platforms() []community.Platform {
	var out []community.Platform
	for _, a := range s.adapters {
		out = append(out, a.Platform())
	}
	return out
}

// Start registers the built-in commands; call it after adding the
// adapters and any other commands' owners, before Run.
func (s *Service) Start() {
	customers := NewCustomers(s.domain.Linking, s.opts.Store, s.opts.CLVHorizonMonths)
	s.core = NewCore(s.opts.Store, s.domain.Staff, s.domain.Access, s.Platforms(), s.opts.CommunityName)
	s.core.customers = customers
	s.core.Register(s.Router, s.Dispatcher)
	customers.Register(s.Router)
	for _, j := range s.domain.Jobs {
		s.jobs = append(s.jobs, s.wakingAfter(j))
	}
	for _, f := range s.communityFeatures() {
		f.Register(s.Router, s.Dispatcher)
		if g, ok := f.(tourGuide); ok {
			s.core.startTour = g.afterStart
		}
		if q, ok := f.(questionResumer); ok {
			s.core.startQuestion = q.startQuestion
		}
	}
}

// Jobs lists the domain services' scheduled work; valid after Start.
func (s *Service) Jobs() []Job { return s.jobs }

// wakingAfter runs j, then wakes the dispatcher: what the run queued is
// sent at once.
func (s *Service) wakingAfter(j Job) Job {
	run := j.Run
	j.Run = func(ctx context.Context) error {
		defer s.Dispatcher.Wake()
		return run(ctx)
	}
	return j
}

// RunJob runs the named job now, as its schedule would.
func (s *Service) RunJob(ctx context.Context, name string) error {
	for _, j := range s.jobs {
		if j.Name == name {
			return j.Run(ctx)
		}
	}
	return fmt.Errorf("no job named %q", name)
}

// Options returns the options the service was built with.
func (s *Service) Options() ServiceOptions { return s.opts }

// Run records updates, delivers the outbox and runs every adapter until
// ctx ends or an adapter stops (the console at the end of its input); it
// returns the first failure. On the way out the platforms stop first,
// then the router records what they handed over and lets the handlers
// under way finish (briefly: see stopGrace).
func (s *Service) Run(ctx context.Context) error {
	if s.core == nil {
		s.Start()
	}
	if err := s.connectConfigured(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inbound, stopInbound := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInbound()
	var wg, platforms sync.WaitGroup
	wg.Go(func() { s.Router.Run(inbound) })
	wg.Go(func() { s.Dispatcher.Run(ctx) })
	errs := make(chan error, len(s.adapters))
	for _, a := range s.adapters {
		platforms.Go(func() {
			defer cancel() // one platform stopping stops Hearth
			if err := a.Run(ctx, s.Router); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("%s: %w", a.Platform(), err)
			}
		})
	}
	platforms.Wait()
	stopInbound()
	wg.Wait()
	close(errs)
	return <-errs
}

// connectConfigured makes the configured groups of every platform Hearth
// runs the community's, and only those that the configuration connected.
func (s *Service) connectConfigured(ctx context.Context) error {
	for _, p := range s.Platforms() {
		var ids []string
		for _, g := range s.opts.Groups {
			if g.Platform == p {
				ids = append(ids, g.ID)
			}
		}
		if err := s.Router.groups.SyncConfigured(ctx, p, ids); err != nil {
			return fmt.Errorf("connect the configured %s groups: %w", p, err)
		}
	}
	return nil
}
