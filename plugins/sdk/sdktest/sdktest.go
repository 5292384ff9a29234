// Package sdktest lets a plugin author test an implementation through the
// real gRPC plumbing without building or starting a process
// (plugin.TestPluginGRPCConn underneath).
package sdktest

import (
	"testing"

	"github.com/hashicorp/go-plugin"

	"github.com/dockwright/dockwright/plugins/sdk"
)

func dispense(t testing.TB, kind string, p plugin.Plugin) any {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{kind: p})
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(kind)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// InventorySource returns impl as the host sees it, over gRPC.
func InventorySource(t testing.TB, impl sdk.InventorySource) sdk.InventorySource {
	return dispense(t, sdk.KindInventory, &sdk.InventoryPlugin{Impl: impl}).(sdk.InventorySource)
}

// SecretSource returns impl as the host sees it, over gRPC.
func SecretSource(t testing.TB, impl sdk.SecretSource) sdk.SecretSource {
	return dispense(t, sdk.KindSecrets, &sdk.SecretsPlugin{Impl: impl}).(sdk.SecretSource)
}

// Notifier returns impl as the host sees it, over gRPC.
func Notifier(t testing.TB, impl sdk.Notifier) sdk.Notifier {
	return dispense(t, sdk.KindNotify, &sdk.NotifyPlugin{Impl: impl}).(sdk.Notifier)
}
