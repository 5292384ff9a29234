package sdk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/dockwright/dockwright/plugins/sdk/contract"
	pb "github.com/dockwright/dockwright/plugins/sdk/proto"
)

// ProtocolVersion is bumped on every breaking change of the contracts; a
// host refuses a plugin built for another version.
const ProtocolVersion = 1

// Handshake is what host and plugin check before talking. It is not
// security (the host verifies plugins by SHA-256 for that); it stops a
// plugin binary run by hand, or one built for another protocol version.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "DOCKWRIGHT_PLUGIN",
	MagicCookieValue: "7c1f3a4e-dockwright-plugin",
}

// Plugin kinds, the middle part of a plugin's file name:
// dockwright-plugin-<kind>-<name>.
const (
	KindInventory = contract.KindInventory
	KindSecrets   = contract.KindSecrets
	KindNotify    = contract.KindNotify
)

// Host is a host an InventorySource returns.
type Host = contract.Host

// InventorySource lists hosts from somewhere other than EC2.
type InventorySource interface {
	ListHosts(ctx context.Context, config map[string]string) ([]Host, error)
}

// SecretSource resolves references ref+NAME://... in a batch: the values
// it found, keyed by the whole reference; missing ones are not found.
type SecretSource interface {
	Resolve(ctx context.Context, refs []string, config map[string]string) (map[string]string, error)
}

// Event is something a binary tells notifiers about.
type Event = contract.Event

// Event kinds.
const (
	EventDeployStarted  = contract.EventDeployStarted
	EventDeployFinished = contract.EventDeployFinished
	EventDeployFailed   = contract.EventDeployFailed
	EventPromotion      = contract.EventPromotion
	EventPruneSummary   = contract.EventPruneSummary
	EventRetentionSum   = contract.EventRetentionSum
	EventHealthChanged  = contract.EventHealthChanged
)

// Notifier receives events.
type Notifier interface {
	Notify(ctx context.Context, e Event, config map[string]string) error
}

// Plugins maps each kind to its go-plugin implementation (for hosts and
// tests; a plugin serves one kind).
func Plugins() map[string]plugin.Plugin {
	return map[string]plugin.Plugin{
		KindInventory: &InventoryPlugin{},
		KindSecrets:   &SecretsPlugin{},
		KindNotify:    &NotifyPlugin{},
	}
}

func serve(kind string, p plugin.Plugin) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]plugin.Plugin{kind: p},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}

// ServeInventorySource runs an inventory plugin until the host stops it.
func ServeInventorySource(impl InventorySource) { serve(KindInventory, &InventoryPlugin{Impl: impl}) }

// ServeSecretSource runs a secrets plugin until the host stops it.
func ServeSecretSource(impl SecretSource) { serve(KindSecrets, &SecretsPlugin{Impl: impl}) }

// ServeNotifier runs a notifier plugin until the host stops it.
func ServeNotifier(impl Notifier) { serve(KindNotify, &NotifyPlugin{Impl: impl}) }

// InventoryPlugin is the go-plugin glue of InventorySource.
type InventoryPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl InventorySource
}

// GRPCServer registers the implementation.
func (p *InventoryPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterInventorySourceServer(s, &inventoryServer{impl: p.Impl})
	return nil
}

// GRPCClient returns an InventorySource talking to the plugin.
func (p *InventoryPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &inventoryClient{c: pb.NewInventorySourceClient(c)}, nil
}

type inventoryServer struct {
	pb.UnimplementedInventorySourceServer
	impl InventorySource
}

func (s *inventoryServer) ListHosts(ctx context.Context, req *pb.ListHostsRequest) (*pb.ListHostsResponse, error) {
	hosts, err := s.impl.ListHosts(ctx, req.GetConfig())
	if err != nil {
		return nil, err
	}
	out := &pb.ListHostsResponse{}
	for _, h := range hosts {
		vars := map[string]string{}
		for k, v := range h.Vars {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			vars[k] = string(b)
		}
		out.Hosts = append(out.Hosts, &pb.Host{Name: h.Name, Address: h.Address, AvailabilityZone: h.AZ, Tags: h.Tags, VarsJson: vars})
	}
	return out, nil
}

type inventoryClient struct{ c pb.InventorySourceClient }

func (c *inventoryClient) ListHosts(ctx context.Context, config map[string]string) ([]Host, error) {
	resp, err := c.c.ListHosts(ctx, &pb.ListHostsRequest{Config: config})
	if err != nil {
		return nil, err
	}
	out := make([]Host, 0, len(resp.GetHosts()))
	for _, h := range resp.GetHosts() {
		host := Host{Name: h.GetName(), Address: h.GetAddress(), AZ: h.GetAvailabilityZone(), Tags: h.GetTags()}
		if len(h.GetVarsJson()) > 0 {
			host.Vars = map[string]any{}
			for k, v := range h.GetVarsJson() {
				var x any
				if err := json.Unmarshal([]byte(v), &x); err != nil {
					return nil, err
				}
				host.Vars[k] = x
			}
		}
		out = append(out, host)
	}
	return out, nil
}

// SecretsPlugin is the go-plugin glue of SecretSource.
type SecretsPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl SecretSource
}

// GRPCServer registers the implementation.
func (p *SecretsPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterSecretSourceServer(s, &secretsServer{impl: p.Impl})
	return nil
}

// GRPCClient returns a SecretSource talking to the plugin.
func (p *SecretsPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &secretsClient{c: pb.NewSecretSourceClient(c)}, nil
}

type secretsServer struct {
	pb.UnimplementedSecretSourceServer
	impl SecretSource
}

func (s *secretsServer) Resolve(ctx context.Context, req *pb.ResolveRequest) (*pb.ResolveResponse, error) {
	v, err := s.impl.Resolve(ctx, req.GetRefs(), req.GetConfig())
	if err != nil {
		return nil, err
	}
	return &pb.ResolveResponse{Values: v}, nil
}

type secretsClient struct{ c pb.SecretSourceClient }

func (c *secretsClient) Resolve(ctx context.Context, refs []string, config map[string]string) (map[string]string, error) {
	resp, err := c.c.Resolve(ctx, &pb.ResolveRequest{Refs: refs, Config: config})
	if err != nil {
		return nil, err
	}
	return resp.GetValues(), nil
}

// NotifyPlugin is the go-plugin glue of Notifier.
type NotifyPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Notifier
}

// GRPCServer registers the implementation.
func (p *NotifyPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterNotifierServer(s, &notifyServer{impl: p.Impl})
	return nil
}

// GRPCClient returns a Notifier talking to the plugin.
func (p *NotifyPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &notifyClient{c: pb.NewNotifierClient(c)}, nil
}

type notifyServer struct {
	pb.UnimplementedNotifierServer
	impl Notifier
}

func (s *notifyServer) Notify(ctx context.Context, req *pb.NotifyRequest) (*pb.NotifyResponse, error) {
	e := req.GetEvent()
	ev := Event{Kind: e.GetKind(), Source: e.GetSource(), Service: e.GetService(), Env: e.GetEnv(),
		Time: time.Unix(0, e.GetUnixNano()).UTC(), Summary: e.GetSummary()}
	if d := e.GetDetailsJson(); d != "" {
		ev.Details = json.RawMessage(d)
	}
	if err := s.impl.Notify(ctx, ev, req.GetConfig()); err != nil {
		return nil, err
	}
	return &pb.NotifyResponse{}, nil
}

type notifyClient struct{ c pb.NotifierClient }

func (c *notifyClient) Notify(ctx context.Context, e Event, config map[string]string) error {
	_, err := c.c.Notify(ctx, &pb.NotifyRequest{Config: config, Event: &pb.Event{
		Kind: e.Kind, Source: e.Source, Service: e.Service, Env: e.Env, UnixNano: e.Time.UnixNano(),
		Summary: e.Summary, DetailsJson: string(e.Details),
	}})
	return err
}
