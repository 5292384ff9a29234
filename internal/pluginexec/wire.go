package pluginexec

import (
	"fmt"
	"time"

	"github.com/dockwright/dockwright/plugins/sdk/contract"
)

// DefaultTimeout bounds a plugin call whose spec names no timeout.
const DefaultTimeout = 30 * time.Second

// Spec names a plugin and how to call it, as configuration files
// (ec2-inventory's plugins, a bundle's plugins.yml, a notifiers file) and
// the helper's requests write it.
type Spec struct {
	Name string `yaml:"name" json:"name"`
	// SHA256 pins the executable (hex); empty means not pinned.
	SHA256 string `yaml:"sha256" json:"sha256,omitempty"`
	// Config is handed to the plugin on every call.
	Config map[string]string `yaml:"config" json:"config,omitempty"`
	// Timeout bounds each call: a duration such as "10s"; empty means
	// DefaultTimeout.
	Timeout string `yaml:"timeout" json:"timeout,omitempty"`
}

// TimeoutDuration is the spec's timeout: DefaultTimeout when it names
// none, an error when it is not a positive duration.
func (s Spec) TimeoutDuration() (time.Duration, error) {
	if s.Timeout == "" {
		return DefaultTimeout, nil
	}
	d, err := time.ParseDuration(s.Timeout)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout %q: want a positive duration such as 10s", s.Timeout)
	}
	return d, nil
}

// The helper's modes (dockwright-plugin-host MODE).
const (
	ModeSecretsResolve = "secrets-resolve"
	ModeInventoryList  = "inventory-list"
	ModeNotify         = "notify"
	ModeEmit           = "emit"
)

// Modes are the helper's modes, in the order its help lists them.
var Modes = []string{ModeSecretsResolve, ModeInventoryList, ModeNotify, ModeEmit}

// Request is what a binary sends the helper on its stdin.
type Request struct {
	// Spec is the plugin (every mode but emit and a builtin resolver).
	Spec *Spec `json:"spec,omitempty"`
	// Builtin (secrets-resolve) names a resolver built into the helper
	// instead of a plugin: "awsssm" (AWS SSM Parameter Store), so that
	// env-config-resolver does not link the AWS SDK.
	Builtin string `json:"builtin,omitempty"`
	// Refs (secrets-resolve) are whole references, ref+NAME://...
	Refs []string `json:"refs,omitempty"`
	// Event (notify, emit) is what the notifiers are told.
	Event *contract.Event `json:"event,omitempty"`
	// NotifiersFile (emit) names the notifiers to tell.
	NotifiersFile string `json:"notifiers_file,omitempty"`
}

// Response is what the helper answers on its stdout.
type Response struct {
	// Values (secrets-resolve) are the values found, keyed by reference.
	Values map[string]string `json:"values,omitempty"`
	// Hosts (inventory-list) are the plugin's hosts.
	Hosts []contract.Host `json:"hosts,omitempty"`
	// Sent (notify) says the notifier took the event.
	Sent bool `json:"sent,omitempty"`
}
