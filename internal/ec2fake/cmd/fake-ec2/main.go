// Command fake-ec2 serves a generated fleet over EC2's query/XML protocol on
// 127.0.0.1, for benchmarks and trying ec2-inventory without AWS:
//
//	go run ./internal/ec2fake/cmd/fake-ec2 -n 5000 -addr 127.0.0.1:4566 &
//	AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x ec2-inventory --list
//
// With -fleet FILE it serves the instances of a fleet file instead, and
// reads the file again whenever it changes (a new instance joins). With
// -elb FILE it is also an Application Load Balancer on the same endpoint
// (internal/elbfake: the ELBv2 API, signed for "elasticloadbalancing", and
// a listener per target group carrying traffic to the fleet's instances).
// SIGUSR1 stops and starts again the ELBv2 API (its connections are cut,
// as an endpoint that went away), while the listeners go on carrying
// traffic: the tests' "load balancer API down mid-deploy".
package main

import (
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dockwright/dockwright/internal/ec2fake"
	"github.com/dockwright/dockwright/internal/elbfake"
)

var scopeRE = regexp.MustCompile(`Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request`)

func main() {
	n := flag.Int("n", 5000, "number of instances")
	regions := flag.String("regions", "us-east-1,eu-west-1,ap-southeast-2", "comma-separated regions")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	account := flag.String("account", "123456789012", "account ID")
	fleetFile := flag.String("fleet", "", "serve the instances of this YAML `FILE` instead of a generated fleet (reread when it changes)")
	elbFile := flag.String("elb", "", "also be a load balancer with the target groups of this YAML `FILE` (internal/elbfake.LoadConfig)")
	verbose := flag.Bool("v", false, "log the load balancer's registrations, draining and health changes on stderr")
	flag.Parse()
	if !loopback(*addr) {
		log.Fatalf("fake-ec2: -addr %q: listen on loopback only", *addr)
	}
	fleet := ec2fake.Generate(*account, *n, strings.Split(*regions, ",")...)
	var err error
	if *fleetFile != "" {
		if fleet, err = ec2fake.LoadFleet(*fleetFile); err != nil {
			log.Fatalf("fake-ec2: -fleet: %v", err)
		}
	}
	h := ec2fake.NewHandler(fleet)
	var handler http.Handler = h
	if *fleetFile != "" {
		go reload(h, *fleetFile)
	} else {
		h.Memoize() // the fleet never changes here; repeated runs then cost the fake nothing
	}
	if *elbFile != "" {
		cfg, err := elbfake.LoadConfig(*elbFile)
		if err != nil {
			log.Fatalf("fake-ec2: -elb: %v", err)
		}
		for _, g := range cfg.Groups {
			if g.Listen != "" && !loopback(g.Listen) {
				log.Fatalf("fake-ec2: -elb %s: target group %s: listen %q: loopback only", *elbFile, g.Name, g.Listen)
			}
		}
		level := slog.LevelInfo
		if *verbose {
			level = slog.LevelDebug
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
		lb, err := elbfake.New(cfg, func(id string) (string, string, bool) {
			in, ok := h.Instance(id)
			return in.PrivateIP, in.AZ, ok
		}, logger)
		if err != nil {
			log.Fatalf("fake-ec2: -elb %s: %v", *elbFile, err)
		}
		if err := lb.Start(); err != nil {
			log.Fatalf("fake-ec2: -elb %s: %v", *elbFile, err)
		}
		for _, g := range cfg.Groups {
			fmt.Fprintf(os.Stderr, "fake-ec2: target group %s %s listener %s\n", g.Name, lb.ARN(g.Name), lb.ListenerURL(g.Name))
		}
		var apiDown atomic.Bool
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		go func() {
			for range usr1 {
				down := !apiDown.Load()
				apiDown.Store(down)
				fmt.Fprintf(os.Stderr, "fake-ec2: ELBv2 API %s\n", map[bool]string{true: "stopped (SIGUSR1)", false: "started again (SIGUSR1)"}[down])
			}
		}()
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil && m[1] == "elasticloadbalancing" {
				if apiDown.Load() {
					if hj, ok := w.(http.Hijacker); ok {
						if c, _, err := hj.Hijack(); err == nil {
							c.Close()
							return
						}
					}
					http.Error(w, "ELBv2 API stopped", http.StatusServiceUnavailable)
					return
				}
				lb.ServeHTTP(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("fake-ec2: %v", err)
	}
	fmt.Fprintf(os.Stdout, "http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, handler))
}

func loopback(addr string) bool {
	return strings.HasPrefix(addr, "127.") || strings.HasPrefix(addr, "localhost:")
}

// reload serves the fleet file again each time its modification time or
// size changes; a file that does not parse is reported and the fleet kept.
func reload(h *ec2fake.Handler, path string) {
	stamp := func() string {
		st, err := os.Stat(path)
		if err != nil {
			return ""
		}
		return fmt.Sprint(st.ModTime().UnixNano(), st.Size())
	}
	last := stamp()
	for range time.Tick(200 * time.Millisecond) {
		now := stamp()
		if now == last || now == "" {
			continue
		}
		last = now
		f, err := ec2fake.LoadFleet(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fake-ec2: -fleet: %v (keeping the fleet served)\n", err)
			continue
		}
		h.SetFleet(f)
		fmt.Fprintf(os.Stderr, "fake-ec2: -fleet %s reloaded\n", path)
	}
}
