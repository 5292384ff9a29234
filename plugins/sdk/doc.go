// Package sdk is dockwright's public plugin SDK: the interfaces of the
// three extension points (InventorySource, SecretSource, Notifier), the
// versioned handshake, and Serve, which a plugin's main calls. Plugins are
// separate executables speaking gRPC through hashicorp/go-plugin; the
// contracts are in proto/plugin.proto (make proto regenerates the Go code).
//
// A plugin:
//
//	func main() { sdk.ServeSecretSource(vault{}) }
//
// See docs/plugins.md.
package sdk
