// Package imagetag holds the naming rules every dockwright binary shares
// for image tags: which tags are versions (Jenkins build numbers, ordered
// numerically), which are environment pointers, which record a promotion,
// which strings are valid Docker tags at all, and the tag set a build gets.
//
// It does no I/O; internal/registry and internal/retention apply the rules.
package imagetag
