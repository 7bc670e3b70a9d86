package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = ""

// versionString is the build's version: the -X flag, else the module version
// (go install ...@v1.2.3), else "dev" with the commit when known.
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}

func (c *cli) version(_ context.Context, args []string) error {
	fs := c.flags("version", "", "Print Hearth's version, Go version and platform.")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "hearth %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
