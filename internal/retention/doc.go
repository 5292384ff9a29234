// Package retention decides and carries out what one host keeps of its
// service images: the newest N versions of each service by build number,
// everything a container uses, multi-tag images as one unit; the rest is
// removed through the Docker Engine. Plan is a pure function; Apply acts on
// a plan; Lock is the host-wide lock shared with the deploy role.
package retention
