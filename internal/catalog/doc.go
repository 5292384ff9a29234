// Package catalog reads the service catalog (services.yml): the one file
// that names every service of the estate, its image repository, host port,
// health path and per-environment endpoints. Every binary that needs to
// know the estate reads it through this package; see docs/catalog.md.
package catalog
