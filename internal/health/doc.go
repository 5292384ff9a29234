// Package health checks the health URLs the service catalog names: each
// service's load-balancer endpoints in an environment and, optionally, each
// host behind them (from the Ansible inventory), against per-service
// conditions (status, response time, body). It keeps a fixed-size history
// per target and says healthy, flaky, down or unknown. health-dashboard's
// check and serve commands are built on it.
package health
