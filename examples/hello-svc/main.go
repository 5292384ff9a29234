// Command hello-svc is the example service of dockwright's pipeline: a tiny
// HTTP service that listens on :5000 in its container, answers /health,
// and says which build and environment it runs. Its configuration comes
// from env-config-resolver (the image's entrypoint) as environment
// variables.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
)

func main() {
	info := map[string]string{
		"service":  "hello-svc",
		"build":    os.Getenv("BUILD_NUMBER"),
		"env":      os.Getenv("APP_ENV"),
		"greeting": os.Getenv("GREETING"),
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("HEALTH_FAIL") == "true" {
			http.Error(w, "unhealthy (health.fail is true)", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"status": "ok", "build": info["build"], "env": info["env"]})
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(info)
	})
	addr := ":" + envOr("PORT", "5000")
	log.Printf("hello-svc build %s in %s listening on %s", info["build"], info["env"], addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
