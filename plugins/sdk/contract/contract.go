// Package contract holds the data of dockwright's plugin contracts: the
// plugin kinds, the hosts an inventory plugin lists, the events notifiers
// receive and their kinds. It imports no gRPC, so the binaries that must
// start fast (and reach plugins through dockwright-plugin-host) use the
// same types as the SDK, which aliases them.
package contract

import (
	"encoding/json"
	"time"
)

// Plugin kinds, the middle part of a plugin's file name:
// dockwright-plugin-<kind>-<name>.
const (
	KindInventory = "inventory"
	KindSecrets   = "secrets"
	KindNotify    = "notify"
)

// Host is a host an inventory plugin lists.
type Host struct {
	Name    string            `json:"name"`
	Address string            `json:"address"`
	AZ      string            `json:"availability_zone,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Vars    map[string]any    `json:"vars,omitempty"`
}

// Event is something a binary tells notifiers about.
type Event struct {
	Kind    string    `json:"kind"`
	Source  string    `json:"source"`
	Service string    `json:"service"`
	Env     string    `json:"env"`
	Time    time.Time `json:"time"`
	Summary string    `json:"summary"`
	// Details is the event's data as JSON.
	Details json.RawMessage `json:"details,omitempty"`
}

// Event kinds (docs/plugins.md lists what each carries).
const (
	EventDeployStarted  = "deploy.started"
	EventDeployFinished = "deploy.finished"
	EventDeployFailed   = "deploy.failed"
	EventPromotion      = "promotion"
	EventPruneSummary   = "prune.summary"
	EventRetentionSum   = "retention.summary"
	EventHealthChanged  = "health.changed"
)
