// Package version reports the version of a dockwright binary.
//
// Release builds set Version with the linker:
//
//	go build -ldflags "-X github.com/dockwright/dockwright/internal/version.Version=1.2.3"
//
// Builds without it (go install, go run) fall back to the module version and
// VCS revision recorded by the Go toolchain.
package version

import (
	"runtime/debug"
	"strings"
)

// Version is set at link time with -ldflags -X. Empty means "not set".
var Version = ""

// String returns the best version string available: the linker value, else
// the main module version from the build info, else "devel", with the VCS
// revision appended when the toolchain recorded one.
func String() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromBuildInfo(info)
}

func fromBuildInfo(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if short := rev[:min(12, len(rev))]; short != "" && !strings.Contains(v, short) {
		v += "+" + short + dirty
	}
	return v
}
