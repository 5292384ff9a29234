package retention

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
)

// syntheticHost is a host with n images over 25 services (build numbers
// 1..n/25 each, a git tag on every build) and m containers on recent
// builds, half of them running.
func syntheticHost(n, m int) ([]Image, []Container) {
	services := 25
	per := n / services
	images := make([]Image, 0, n)
	for s := 0; s < services; s++ {
		for b := 1; b <= per; b++ {
			id := fmt.Sprintf("sha256:%02d%06d", s, b)
			repo := fmt.Sprintf("registry.internal:5000/svc-%02d", s)
			images = append(images, Image{
				ID: id, Tags: []string{fmt.Sprintf("%s:%d", repo, b), fmt.Sprintf("%s:git-%07x", repo, b*7919)},
				Created: t0.Add(time.Duration(b) * time.Minute), Size: 50 << 20,
			})
		}
	}
	containers := make([]Container, m)
	for i := range containers {
		s, b := i%services, per-(i/services)%5
		state := "running"
		if i%2 == 1 {
			state = "exited"
		}
		containers[i] = Container{ID: fmt.Sprintf("c%04d", i), Name: fmt.Sprintf("svc-%02d-%d", s, i), ImageID: fmt.Sprintf("sha256:%02d%06d", s, b), State: state}
	}
	return images, containers
}

// syntheticEngineJSON is syntheticHost as the Engine API's JSON lists.
func syntheticEngineJSON(tb testing.TB, n, m int) (imagesJSON, containersJSON []byte) {
	images, containers := syntheticHost(n, m)
	is := make([]image.Summary, len(images))
	for i, img := range images {
		is[i] = image.Summary{ID: img.ID, RepoTags: img.Tags, RepoDigests: []string{strings.SplitN(img.Tags[0], ":", 2)[0] + "@sha256:" + strings.Repeat("a", 64)},
			Created: img.Created.Unix(), Size: img.Size, SharedSize: -1, Containers: -1, Labels: map[string]string{"maintainer": "team"}}
	}
	cs := make([]container.Summary, len(containers))
	for i, c := range containers {
		cs[i] = container.Summary{ID: c.ID, Names: []string{"/" + c.Name}, Image: "x", ImageID: c.ImageID, State: c.State, Status: "Up 2 days", Command: "/app"}
	}
	var err error
	if imagesJSON, err = json.Marshal(is); err != nil {
		tb.Fatal(err)
	}
	if containersJSON, err = json.Marshal(cs); err != nil {
		tb.Fatal(err)
	}
	return imagesJSON, containersJSON
}
