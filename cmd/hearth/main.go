// Command hearth runs Hearth, the community bot for brands, and its
// maintenance commands. Exit codes: 0 success, 1 runtime failure, 2 bad
// usage or configuration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // community.timezone works on hosts without a zone database

	"github.com/hearthbot/hearth/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends Hearth at once
	}()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, env: os.LookupEnv, now: time.Now}
	os.Exit(c.main(ctx, os.Args[1:]))
}

// cli is one invocation of the hearth command, with its own streams and
// environment so tests can run it in-process.
type cli struct {
	stdin          io.Reader // the console chat's input
	stdout, stderr io.Writer
	env            config.LookupEnv
	now            func() time.Time // the clock: time.Now, a fixed time in tests
}

// command is one subcommand; name may be two words ("config check").
type command struct {
	name    string
	summary string
	run     func(c *cli, ctx context.Context, args []string) error
}

var commands = []command{
	{"run", "start Hearth: storage, migrations and the HTTP server (the default)", (*cli).run},
	{"migrate", "apply pending database migrations and report them", (*cli).migrate},
	{"config check", "validate the configuration and print it, secrets masked", (*cli).configCheck},
	{"import orders", "import shop orders from a CSV file (upserted by order_id)", (*cli).importOrders},
	{"clv fit", "fit the CLV models to a file, or score every customer now from the stored orders", (*cli).clvFit},
	{"clv predict", "write each customer's CLV predictions as CSV", (*cli).clvPredict},
	{"link-url", "print the links that connect a shop customer to their community account", (*cli).linkURL},
	{"digest", "print a week's engagement digest (what staff are sent) as text, JSON, PNG charts or HTML", (*cli).digest},
	{"nps report", "print the NPS report (what /nps shows staff), as text or JSON", (*cli).npsReport},
	{"report lift", "print the community-to-CLV lift report (an association, not proof of cause), as text or JSON", (*cli).reportLift},
	{"showcase export", "write the posts the brand may use, with a manifest, for its social team", (*cli).showcaseExport},
	{"kb import", "add or update knowledge-base entries from Markdown or YAML files", (*cli).kbImport},
	{"kb export", "write the knowledge base as Markdown or YAML", (*cli).kbExport},
	{"kb search", "show how the knowledge base ranks a question and what Hearth would do with it", (*cli).kbSearch},
	{"bench seed", "fill the database with a made-up community of a given size, to measure Hearth at scale", (*cli).benchSeed},
	{"version", "print Hearth's version", (*cli).version},
}

// Errors that decide the exit code.
var errHelpShown = errors.New("help shown")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// main runs the command named by args and returns the exit code.
func (c *cli) main(ctx context.Context, args []string) int {
	err := c.dispatch(ctx, args)
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return 0
	case errors.As(err, new(usageError)), errors.As(err, new(configError)):
		fmt.Fprintf(c.stderr, "hearth: %v\n", err)
		return 2
	default:
		fmt.Fprintf(c.stderr, "hearth: %v\n", err)
		return 1
	}
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	switch {
	case len(args) == 0:
		return (*cli).run(c, ctx, args)
	case isHelpFlag(args[0]) || args[0] == "help":
		return c.help(ctx, args[1:])
	case isVersionFlag(args[0]):
		return (*cli).version(c, ctx, args[1:])
	case strings.HasPrefix(args[0], "-"):
		return (*cli).run(c, ctx, args)
	}
	cmd, rest, err := c.lookup(args)
	if err != nil {
		return err
	}
	if len(rest) == 1 && rest[0] == "help" { // hearth clv fit help
		rest = []string{"--help"}
	}
	return cmd.run(c, ctx, rest)
}

// help answers hearth help [command]: the list of commands, a group's
// subcommands (hearth help clv), or one command's usage.
func (c *cli) help(ctx context.Context, words []string) error {
	if len(words) == 0 {
		c.usage()
		return errHelpShown
	}
	cmd, _, err := c.lookup(append(words[:len(words):len(words)], "--help"))
	if err != nil {
		return err
	}
	return cmd.run(c, ctx, []string{"--help"})
}

// lookup finds the command args name and returns it with the arguments
// after its name. A group's name alone, or followed by --help or help
// (hearth clv --help), shows the group's subcommands.
func (c *cli) lookup(args []string) (command, []string, error) {
	for _, cmd := range commands {
		words := strings.Fields(cmd.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cmd.name {
			return cmd, args[len(words):], nil
		}
	}
	subs := subcommands(args[0])
	if subs == nil {
		return command{}, nil, usageError{fmt.Sprintf("unknown command %q (see hearth --help)", args[0])}
	}
	if len(args) > 1 && (isHelpFlag(args[1]) || args[1] == "help") {
		c.groupUsage(args[0], subs)
		return command{}, nil, errHelpShown
	}
	names := make([]string, len(subs))
	for i, sub := range subs {
		names[i] = strings.TrimPrefix(sub.name, args[0]+" ")
	}
	want := fmt.Sprintf("want %s; see hearth %s --help", strings.Join(names, " or "), args[0])
	if len(args) == 1 {
		return command{}, nil, usageError{fmt.Sprintf("%s: name a subcommand (%s)", args[0], want)}
	}
	return command{}, nil, usageError{fmt.Sprintf("%s: unknown subcommand %q (%s)", args[0], args[1], want)}
}

// subcommands are the commands of a group such as clv (clv fit, clv
// predict); nil when group is not one.
func subcommands(group string) []command {
	var out []command
	for _, cmd := range commands {
		if first, _, ok := strings.Cut(cmd.name, " "); ok && first == group {
			out = append(out, cmd)
		}
	}
	return out
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

func isVersionFlag(s string) bool { return s == "-version" || s == "--version" }

func (c *cli) usage() {
	fmt.Fprintf(c.stdout, "Hearth runs a brand's customer community on Telegram and Discord.\n\n")
	fmt.Fprintf(c.stdout, "Usage: hearth [command] [flags]\n\nCommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(c.stdout, "  %-15s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(c.stdout, "\nRun hearth help <command> or hearth <command> --help for a command's flags,\n"+
		"hearth --version for the version. Configuration: hearth.example.yaml.\n")
}

// groupUsage lists the subcommands of a group.
func (c *cli) groupUsage(group string, subs []command) {
	fmt.Fprintf(c.stdout, "Usage: hearth %s <subcommand> [flags]\n\nSubcommands:\n", group)
	for _, cmd := range subs {
		fmt.Fprintf(c.stdout, "  %-15s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(c.stdout, "\nRun hearth %s <subcommand> --help for its flags.\n", group)
}

// flags returns a flag set for a command whose help shows synopsis and about.
func (c *cli) flags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("hearth "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(c.stdout, "Usage: %s\n\n%s\n", strings.TrimSpace("hearth "+name+" "+synopsis), about)
		fmt.Fprintln(c.stdout, "\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			kind, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(c.stdout, "  %s\n        %s\n", strings.TrimSpace("--"+f.Name+" "+kind), usage)
		})
		fmt.Fprintln(c.stdout, "  --help\n        show this help")
	}
	return fs
}

// parse reads a command's flags; it takes no positional arguments.
func (c *cli) parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp): // Parse has shown the usage
		return errHelpShown
	case err != nil:
		return usageError{fmt.Sprintf("%s: %v (see %s --help)", fs.Name()[len("hearth "):], err, fs.Name())}
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("%s: unexpected argument %q (see %s --help)", fs.Name()[len("hearth "):], fs.Arg(0), fs.Name())}
	}
	return nil
}

// parseConfigArgs is parseConfig for a command that takes positional
// arguments too (files, a question), before, between or after its flags.
func (c *cli) parseConfigArgs(fs *flag.FlagSet, args []string) (config.Config, []string, error) {
	path := fs.String("config", "", "YAML configuration `FILE` (default: $"+config.FileEnv+", else none)")
	var positional []string
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			return config.Config{}, nil, errHelpShown
		case err != nil:
			return config.Config{}, nil, usageError{fmt.Sprintf("%s: %v (see %s --help)", fs.Name()[len("hearth "):], err, fs.Name())}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" { // after "--" every argument is positional
			positional = append(positional, rest...)
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	cfg, err := config.Load(*path, c.env)
	if err != nil {
		return cfg, nil, configError{err}
	}
	return cfg, positional, nil
}

// parseConfig adds --config to a command's flags, parses args and loads
// and validates the configuration.
func (c *cli) parseConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	path := fs.String("config", "", "YAML configuration `FILE` (default: $"+config.FileEnv+", else none)")
	if err := c.parse(fs, args); err != nil {
		return config.Config{}, err
	}
	cfg, err := config.Load(*path, c.env)
	if err != nil {
		return cfg, configError{err}
	}
	return cfg, nil
}
