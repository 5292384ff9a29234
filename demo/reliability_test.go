package demo

import (
	"context"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// reliability runs the cases production meets mid-rollout of hello-svc,
// after the main job: a minimum of healthy hosts that stops a rollout, a
// host whose engine dies with an automatic rollback of the hosts already
// moved, converge bringing the fleet back, Ctrl-C mid-batch then a rerun,
// two rollouts at once. In each: no request lost through the load
// balancer, no host left out of the pool with a healthy container, the
// deploy lock released, the rerun completes. neverHealthy and elbAPIDown
// are the others.
//
// On entry: hello-svc dev runs 3 on every host but svc-a1 (5); the dev
// tag is 3.
func (j *job) reliability() {
	t := j.t
	four := j.registry + "/hello-svc@" + j.headDigest("hello-svc", "4")
	deploy := func(image, build string, extra ...string) []string {
		return append([]string{"deploy.yml", "-e", "service=hello-svc", "-e", "env=dev", "-e", "build=" + build, "-e", "image_pinned=" + image}, extra...)
	}
	zoneA := j.addr("svc-a1") + "," + j.addr("svc-a2") + ",localhost"
	others := []string{}
	for _, h := range []string{"svc-b1", "svc-b2", "svc-c1", "svc-c2", "svc-c3"} {
		others = append(others, j.svcTarget(h))
	}

	// svc-a2's engine dies (its container with it); once the load balancer
	// has seen it, a rollout that must keep 6 of the 7 hosts healthy stops
	// before touching a host: with svc-a1 out only 5 would serve.
	a2 := j.fleet.Host("svc-a2")
	if err := a2.KillEngine(); err != nil {
		t.Fatal(err)
	}
	j.waitFor("the load balancer finds svc-a2 unhealthy", 30*time.Second, func() bool {
		return j.targets("hello-svc-dev")[j.svcTarget("svc-a2")] == "unhealthy"
	})
	out := j.play(2, deploy(four, "4", "-e", "min_healthy=6", "-e", "batch=1")...)
	if !regexp.MustCompile(`min_healthy: only 5 of 7 hosts would serve while \S+ is out of the pool; 6 must`).MatchString(out) {
		t.Errorf("the stop does not say why:\n%s", tail([]byte(out), 3000))
	}
	j.expectRunning("svc-a1", "hello-svc", "dev", "5")

	// Deploy 4 with rollback_on_failure: zone a's svc-a1 moves, svc-a2
	// fails (no engine); svc-a1 goes back to 5 and the play says so.
	dev := j.traffic("DEMO_LB_DEV")
	out = j.play(2, deploy(four, "4", "-e", "rollback_on_failure=true")...)
	j.noneFailed("a deploy that fails on a dead engine, rolled back", dev.Stop())
	if !strings.Contains(out, "Rolled back (rollback_on_failure): "+j.addr("svc-a1")+"; not rolled back: none.") ||
		!strings.Contains(out, "hello-svc build 4 failed on "+j.addr("svc-a2")) {
		t.Errorf("the failure does not name the dead host and the rolled-back one:\n%s", tail([]byte(out), 3000))
	}
	j.expectRunning("svc-a1", "hello-svc", "dev", "5")
	j.expectRunning("svc-b1", "hello-svc", "dev", "3")
	j.expectPool("hello-svc-dev", append([]string{j.svcTarget("svc-a1")}, others...), []string{j.svcTarget("svc-a2")})

	// The engine comes back (its container with it, unless-stopped);
	// converge brings every host to what dev's tag says (3) and svc-a2
	// back into the pool, baking between zones.
	if err := j.fleet.StartEngine(context.Background(), a2); err != nil {
		t.Fatal(err)
	}
	// With BAKE=1: a pause after each zone but the last.
	dev = j.traffic("DEMO_LB_DEV")
	out = j.make(0, "converge", "SERVICE=hello-svc", "ENV=dev", "BAKE=1")
	j.noneFailed("converge", dev.Stop())
	if n := strings.Count(out, "Pausing for 1 seconds"); n != 2 {
		t.Errorf("converge over 3 zones with BAKE=1 baked %d times, want 2 (after us-east-1a and us-east-1b):\n%s", n, tail([]byte(out), 3000))
	}
	for _, h := range []string{"svc-a1", "svc-a2", "svc-c3"} {
		j.expectRunning(h, "hello-svc", "dev", "3")
	}
	j.expectPool("hello-svc-dev", append([]string{j.svcTarget("svc-a1"), j.svcTarget("svc-a2")}, others...), nil)

	// Ctrl-C mid-batch (SIGINT to ansible-playbook's process group, as a
	// terminal sends it), then the same command again: the lock is free at
	// once, the rerun takes the host locks the interrupted run left and
	// completes, and the pool lost no request meanwhile.
	dev = j.traffic("DEMO_LB_DEV")
	cmd, cmdOut := j.startPlay(deploy(four, "4", "--limit", zoneA)...)
	j.waitFor("svc-a1 runs build 4", 2*time.Minute, func() bool { return j.runningBuild("svc-a1", "hello-svc") == "4" })
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	cmd.Wait()
	j.waitFor("the interrupted run's lock is released", 5*time.Second, func() bool { return j.lockHeld("hello-svc.dev") == nil })
	j.play(0, deploy(four, "4", "--limit", zoneA)...)
	j.noneFailed("a deploy interrupted by Ctrl-C, then run again", dev.Stop())
	if t.Failed() {
		t.Logf("the interrupted run said:\n%s", tail([]byte(cmdOut.String()), 2000))
	}
	j.expectRunning("svc-a1", "hello-svc", "dev", "4")
	j.expectRunning("svc-a2", "hello-svc", "dev", "4")
	j.expectPool("hello-svc-dev", append([]string{j.svcTarget("svc-a1"), j.svcTarget("svc-a2")}, others...), nil)

	// Two rollouts of one service to one environment: the second fails
	// naming the holder, and touches nothing.
	holder, _ := j.startPlay(deploy(four, "4", "--limit", zoneA)...)
	j.waitFor("the first rollout holds the lock", time.Minute, func() bool { return j.lockHeld("hello-svc.dev") != nil })
	out = j.play(2, deploy(four, "4", "-e", "lock_wait=1s")...)
	if !regexp.MustCompile(`hello-svc\.dev is locked by deploy of build 4 by \S+ since \S+ \(pid \d+ on \S+\); waited 1s`).MatchString(out) {
		t.Errorf("the second rollout does not name the holder:\n%s", tail([]byte(out), 2000))
	}
	if err := holder.Wait(); err != nil {
		t.Errorf("the first rollout: %v", err)
	}
	j.expectRunning("svc-b1", "hello-svc", "dev", "3")
}

// neverHealthy: a target the load balancer never finds healthy. On entry
// hello-api's api-a1 runs the unhealthy build 6 (out of the pool), api-b1
// build 2.
func (j *job) neverHealthy() {
	t := j.t
	// A target the load balancer never finds healthy (the container
	// answers on the host's loopback only): the deploy fails naming the
	// target's state and reason, the host is left out of the pool, and the
	// next zone is not touched.
	api := j.traffic("DEMO_LB_API")
	out := j.make(3, "docker-deploy", "SERVICE=hello-api", "BUILD_NUMBER=8", "GIT_COMMIT="+commit("hello-api", 8), "ENV=dev",
		"ANSIBLE_OPTS=-e dockwright_service_publish_address=127.0.0.1 -e dockwright_service_lb_healthy_timeout=8")
	j.noneFailed("a deploy whose target never turns healthy", api.Stop())
	for _, want := range []string{"hello-api build 8 failed on " + j.addr("api-a1"), "is not healthy after 8s: state unhealthy",
		"left out of the load balancer: its container answers on the host, but the load balancer finds it unhealthy"} {
		if !strings.Contains(out, want) {
			t.Errorf("the never-healthy deploy does not say %q:\n%s", want, tail([]byte(out), 3000))
		}
	}
	j.expectPool("hello-api-dev", []string{j.addr("api-b1") + ":8002"}, []string{j.addr("api-a1") + ":8002"})
	j.expectRunning("api-b1", "hello-api", "dev", "2")
	if h := j.lockHeld("hello-api.dev"); h != nil {
		t.Errorf("the failed deploy left the lock held: %+v", h)
	}
}

// elbAPIDown: the load balancer's API going away mid-deploy, alone (every
// rollout would see it). On entry hello-svc's zone a runs build 4, the
// others 3.
func (j *job) elbAPIDown() {
	t := j.t
	three := j.registry + "/hello-svc@" + j.headDigest("hello-svc", "3")
	zoneA := j.addr("svc-a1") + "," + j.addr("svc-a2") + ",localhost"
	others := []string{}
	for _, h := range []string{"svc-b1", "svc-b2", "svc-c1", "svc-c2", "svc-c3"} {
		others = append(others, j.svcTarget(h))
	}
	deploy := func(image, build string, extra ...string) []string {
		return append([]string{"deploy.yml", "-e", "service=hello-svc", "-e", "env=dev", "-e", "build=" + build, "-e", "image_pinned=" + image}, extra...)
	}
	// The load balancer's API goes away mid-deploy (its listeners carry on):
	// the deploy fails naming the API, no host that serves is left out; once
	// the API is back, the rerun completes.
	dev := j.traffic("DEMO_LB_DEV")
	cmd, cmdOut := j.startPlay(deploy(three, "3", "--limit", zoneA)...)
	j.waitFor("svc-a1 runs build 3", 2*time.Minute, func() bool { return j.runningBuild("svc-a1", "hello-svc") == "3" })
	j.toggleELBAPI()
	err := cmd.Wait()
	j.toggleELBAPI()
	if code := exitCode(err); code != 2 || !strings.Contains(cmdOut.String(), "hello-svc build 3 failed on ") {
		t.Errorf("with the ELB API gone the deploy ended %d:\n%s", code, tail([]byte(cmdOut.String()), 3000))
	}
	if h := j.lockHeld("hello-svc.dev"); h != nil {
		t.Errorf("the failed deploy left the lock held: %+v", h)
	}
	j.play(0, deploy(three, "3", "--limit", zoneA)...)
	j.noneFailed("a deploy whose load balancer API went away, then run again", dev.Stop())
	j.expectRunning("svc-a1", "hello-svc", "dev", "3")
	j.expectRunning("svc-a2", "hello-svc", "dev", "3")
	j.expectPool("hello-svc-dev", append([]string{j.svcTarget("svc-a1"), j.svcTarget("svc-a2")}, others...), nil)
}
