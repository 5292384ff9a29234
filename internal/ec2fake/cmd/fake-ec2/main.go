// Command fake-ec2 serves a generated fleet over EC2's query/XML protocol on
// 127.0.0.1, for benchmarks and trying ec2-inventory without AWS:
//
//	go run ./internal/ec2fake/cmd/fake-ec2 -n 5000 -addr 127.0.0.1:4566 &
//	AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x ec2-inventory --list
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/dockwright/dockwright/internal/ec2fake"
)

func main() {
	n := flag.Int("n", 5000, "number of instances")
	regions := flag.String("regions", "us-east-1,eu-west-1,ap-southeast-2", "comma-separated regions")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	account := flag.String("account", "123456789012", "account ID")
	fleetFile := flag.String("fleet", "", "serve the instances of this YAML `FILE` instead of a generated fleet")
	flag.Parse()
	if !strings.HasPrefix(*addr, "127.") && !strings.HasPrefix(*addr, "localhost:") {
		log.Fatalf("fake-ec2: -addr %q: listen on loopback only", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("fake-ec2: %v", err)
	}
	fmt.Fprintf(os.Stdout, "http://%s\n", ln.Addr())
	fleet := ec2fake.Generate(*account, *n, strings.Split(*regions, ",")...)
	if *fleetFile != "" {
		if fleet, err = ec2fake.LoadFleet(*fleetFile); err != nil {
			log.Fatalf("fake-ec2: %v", err)
		}
	}
	h := ec2fake.NewHandler(fleet)
	h.Memoize() // the fleet never changes here; repeated runs then cost the fake nothing
	log.Fatal(http.Serve(ln, h))
}
