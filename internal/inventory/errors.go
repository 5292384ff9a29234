package inventory

import "errors"

// Sentinel errors; callers test them with errors.Is. The CLI maps
// ErrNoConfig, ErrInvalidConfig and ErrUnknownHost to exit code 2 and the
// rest to 1.
var (
	// ErrNoConfig means no config file was named or found.
	ErrNoConfig = errors.New("no config file")
	// ErrInvalidConfig means the config file cannot be used as written.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrUnknownHost means --host named a host that is not in the inventory.
	ErrUnknownHost = errors.New("unknown host")
	// ErrFetch means a region or account could not be read from EC2.
	ErrFetch = errors.New("fetching instances failed")
	// ErrDuplicateHostname means two instances resolved to one hostname.
	ErrDuplicateHostname = errors.New("duplicate hostname")
	// ErrNoHostname means an instance has no value for any hostname preference.
	ErrNoHostname = errors.New("instance has no usable hostname")
	// ErrExpression means a compose, groups or keyed_groups expression failed
	// on an instance.
	ErrExpression = errors.New("expression failed")
)
